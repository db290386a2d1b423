"""Every key binding of the app in one table, so the `?` help screen, the footer and the
config file's `[keys]` remapping all agree.

A binding's id is the action name people put in `config.toml` (`keys = {capture = "a,c"}`);
Textual's keymap swaps the keys of every `Binding` carrying that id.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class KeySpec:
    id: str
    keys: str
    action: str
    description: str
    scope: str  # where it applies, as the help screen groups it
    show: bool = True


SPECS: list[KeySpec] = [
    # Everywhere on the main screen
    KeySpec("capture", "a", "capture", "Capture", "Main screen"),
    KeySpec("new_task", "n", "new_task", "New task", "Main screen"),
    KeySpec("undo", "u", "undo", "Undo", "Main screen"),
    KeySpec("redo", "ctrl+r", "redo", "Redo", "Main screen"),
    KeySpec("filter", "slash", "filter", "Filter", "Main screen"),
    KeySpec("today", "t", "toggle_today", "Today", "Main screen"),
    KeySpec("show_done", "h", "toggle_done", "Done", "Main screen", show=False),
    KeySpec("details", "i", "details", "Details", "Main screen", show=False),
    KeySpec("retry_save", "ctrl+s", "retry_save", "Retry save", "Main screen", show=False),
    KeySpec("help", "question_mark", "help", "Help", "Main screen"),
    KeySpec("quit", "q,ctrl+q", "quit", "Quit", "Main screen"),
    # Panes
    KeySpec("edit", "e,enter", "screen.edit", "Edit", "Tasks, backlog and goals"),
    KeySpec("delete", "d", "screen.delete", "Delete", "Tasks, backlog and goals"),
    KeySpec("down", "j", "cursor_down", "Down", "Tasks, backlog and goals", show=False),
    KeySpec("up", "k", "cursor_up", "Up", "Tasks, backlog and goals", show=False),
    KeySpec("cycle_status", "space", "screen.cycle_status", "Status", "Tasks"),
    KeySpec("done", "x", "screen.done", "Done", "Tasks"),
    KeySpec("priority_0", "1", "screen.priority(0)", "P0", "Tasks", show=False),
    KeySpec("priority_1", "2", "screen.priority(1)", "P1", "Tasks", show=False),
    KeySpec("priority_2", "3", "screen.priority(2)", "P2", "Tasks", show=False),
    KeySpec("priority_3", "4", "screen.priority(3)", "P3", "Tasks", show=False),
    KeySpec("sort", "s", "screen.cycle_sort", "Sort", "Tasks"),
    KeySpec("promote", "p", "screen.promote", "Promote", "Backlog"),
    KeySpec("select_goal", "enter,f", "select", "Filter tasks", "Goals"),
    KeySpec("edit_goal", "e", "screen.edit", "Edit", "Goals"),
    # Run screen
    KeySpec("cancel_delegate", "c", "cancel_delegate", "Cancel delegate", "Run screen"),
    KeySpec("cancel_run", "escape", "cancel_run", "Cancel run", "Run screen"),
    KeySpec("retry_failed", "r", "retry_failed", "Retry failed", "Run screen"),
    KeySpec("next_card", "right,l", "focus_next_card", "Next", "Run screen", show=False),
    KeySpec("prev_card", "left", "focus_prev_card", "Previous", "Run screen", show=False),
    KeySpec("card_below", "down,j", "focus_card_below", "Card below", "Run screen", show=False),
    KeySpec("card_above", "up,k", "focus_card_above", "Card above", "Run screen", show=False),
    # Approval screen
    KeySpec("toggle_action", "space", "toggle_action", "Toggle", "Approval screen"),
    KeySpec("select_all", "a", "select_all", "All", "Approval screen"),
    KeySpec("select_none", "n", "select_none", "None", "Approval screen"),
    KeySpec("edit_action", "e", "edit_action", "Edit", "Approval screen"),
    KeySpec("apply", "enter", "apply", "Apply", "Approval screen"),
    KeySpec("discard", "escape", "discard", "Discard", "Approval screen"),
]
BY_ID: dict[str, KeySpec] = {}
for _spec in SPECS:
    # One id per scope: the approval screen's `a` is not the main screen's capture.
    BY_ID.setdefault(_spec.id, _spec)


def binding(spec_id: str, *, priority: bool = False) -> Binding:
    spec = BY_ID[spec_id]
    return Binding(
        spec.keys,
        spec.action,
        spec.description,
        show=spec.show,
        id=spec.id,
        priority=priority,
    )


def bindings(*spec_ids: str) -> list[BindingType]:
    return [binding(i) for i in spec_ids]


def keymap_from_config(keys: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The Textual keymap for `Config.keys`, and the names it does not know."""
    known = {k: v for k, v in keys.items() if k in BY_ID}
    unknown = sorted(set(keys) - set(known))
    return {
        k: ",".join(p.strip() for p in v.split(",") if p.strip()) for k, v in known.items()
    }, unknown


_KEY_NAMES = {"slash": "/", "question_mark": "?", "space": "space", "escape": "esc"}


def display_keys(spec: KeySpec, keymap: dict[str, str]) -> str:
    keys = keymap.get(spec.id, spec.keys)
    return " ".join(_KEY_NAMES.get(k, k) for k in keys.split(","))
