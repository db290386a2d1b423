"""The approval screen: the proposal's actions grouped by kind, each with a checkbox,
what it changes and why; failed delegates and recommendations below. Nothing is written
until Enter, and then as one undoable change."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from workos_tui.core.models import CATEGORIES, PRIORITIES
from workos_tui.core.run_models import ACTION_KINDS, Proposal, ProposedAction, RunPlan
from workos_tui.core.store import StoreWriteError
from workos_tui.core.wording import plural
from workos_tui.tui.keys import binding, bindings
from workos_tui.tui.messages import SaveFailed
from workos_tui.tui.screens.capture import _minutes
from workos_tui.tui.widgets.look import Look
from workos_tui.tui.widgets.proposal_view import EDITABLE, KIND_TITLES, action_prompt
from workos_tui.tui.widgets.safe import clean, safe_text


class ActionList(OptionList):
    """Space toggles, Enter applies (instead of OptionList's select)."""

    BINDINGS = [
        binding("toggle_action"),
        Binding("enter", "screen.apply", "Apply", id="apply"),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]

    def action_toggle_action(self) -> None:
        self.screen.action_toggle_action()  # type: ignore[attr-defined]


class ActionEditModal(ModalScreen[dict[str, Any] | None]):
    """Edit the title, priority, category or estimate an action will set."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, action: ProposedAction) -> None:
        super().__init__()
        self.action_ = action
        self.fields = [f for f in EDITABLE if f in action.changes]

    def compose(self) -> ComposeResult:
        c = self.action_.changes
        with Vertical(classes="modal-box"):
            yield Label(
                f"Edit {self.action_.id}: {KIND_TITLES[self.action_.kind]}", classes="modal-title"
            )
            for f in self.fields:
                yield Label(f.replace("_minutes", "").capitalize())
                if f == "priority":
                    yield Select(
                        [(p, p) for p in PRIORITIES], value=c[f], allow_blank=False, id=f"a-{f}"
                    )
                elif f == "category":
                    yield Select(
                        [(x, x) for x in CATEGORIES], value=c[f], allow_blank=False, id=f"a-{f}"
                    )
                else:
                    value = "" if c.get(f) is None else str(c[f])
                    yield Input(value=value, id=f"a-{f}")
            yield Static("", id="action-error", classes="modal-error")
            yield Static("Enter or ctrl+s saves, Esc cancels", classes="modal-hint")

    def action_save(self) -> None:
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#a-{f}")
            if isinstance(widget, Select):
                out[f] = widget.value
                continue
            text = widget.value.strip()  # type: ignore[attr-defined]
            if f == "title":
                if not text:
                    self.query_one("#action-error", Static).update("The title must not be blank.")
                    return
                out[f] = text
            else:
                try:
                    out[f] = _minutes(text)
                except ValueError:
                    self.query_one("#action-error", Static).update(
                        "Estimate: minutes like 90 or 1h30."
                    )
                    return
        self.dismiss(out)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ApprovalScreen(Screen[str | None]):
    """Dismisses with "applied", "discarded" or "retry"."""

    BINDINGS = [
        *bindings("select_all", "select_none", "edit_action", "apply", "discard"),
        Binding("r", "retry", "Retry failed", show=True),
    ]

    def __init__(self, plan: RunPlan, proposal: Proposal, *, can_retry: bool = False) -> None:
        super().__init__()
        self.plan = plan
        self.proposal = proposal
        self.can_retry = can_retry and bool(proposal.failed_delegates)
        self.applied: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(id="approval-summary")
        yield ActionList(id="actions")
        with VerticalScroll(id="approval-notes"):
            yield Static(id="approval-failed")
            yield Static(id="approval-recommendations")
        yield Footer()

    def on_mount(self) -> None:
        self._paint_list()
        self._paint_notes()
        self._paint_summary()
        self.query_one(ActionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.can_retry
        return True

    # -- painting --------------------------------------------------------------

    def _ordered(self) -> list[ProposedAction]:
        order = {k: i for i, k in enumerate(ACTION_KINDS)}
        return sorted(self.proposal.actions, key=lambda a: order.get(a.kind, 99))

    def _paint_list(self) -> None:
        look = Look.of(self.app)
        ol = self.query_one(ActionList)
        highlighted = ol.highlighted
        ol.clear_options()
        options: list[Option] = []
        kind = None
        for action in self._ordered():
            if action.kind != kind:
                kind = action.kind
                n = sum(a.kind == kind for a in self.proposal.actions)
                options.append(
                    Option(
                        Text(f"{KIND_TITLES.get(kind, kind)} ({n})", style="bold"), disabled=True
                    )
                )
            options.append(Option(action_prompt(action, look), id=action.id))
        if not self.proposal.actions:
            options.append(Option(Text("No changes proposed.", style="dim"), disabled=True))
        ol.add_options(options)
        if highlighted is not None:
            ol.highlighted = highlighted
        else:
            ol.action_first()

    def _repaint_action(self, action: ProposedAction) -> None:
        ol = self.query_one(ActionList)
        ol.replace_option_prompt(action.id, action_prompt(action, Look.of(self.app)))
        self._paint_summary()

    def _paint_summary(self) -> None:
        look = Look.of(self.app)
        selected = sum(a.selected for a in self.proposal.actions)
        head = Text.assemble(
            ("Proposal ", look.accent),
            (f"· {_count(len(self.proposal.actions), 'action')}, {selected} selected", look.bold),
        )
        summary = safe_text(self.proposal.summary, look.muted, single_line=False)
        self.query_one("#approval-summary", Static).update(Text("\n").join([head, summary]))

    def _paint_notes(self) -> None:
        look = Look.of(self.app)
        failed = self.query_one("#approval-failed", Static)
        if self.proposal.failed_delegates:
            lines = [
                Text(f"Failed delegates ({len(self.proposal.failed_delegates)})", style=look.error)
            ]
            for f in self.proposal.failed_delegates:
                lines.append(
                    Text.assemble(
                        ("  ✗ ", look.error),
                        safe_text(f"{f.id} {f.label}"),
                        ": ",
                        safe_text(f.reason, look.muted),
                    )
                )
            if self.can_retry:
                lines.append(Text("  r retries them", style=look.muted))
            failed.update(Text("\n").join(lines))
        recs = self.query_one("#approval-recommendations", Static)
        if self.proposal.recommendations:
            lines = [Text("Recommendations", style=look.bold)]
            lines += [
                Text.assemble("  • ", safe_text(r, single_line=False))
                for r in self.proposal.recommendations
            ]
            recs.update(Text("\n").join(lines))
        self.query_one("#approval-notes").display = bool(
            self.proposal.failed_delegates or self.proposal.recommendations
        )

    # -- keys ------------------------------------------------------------------

    def _highlighted(self) -> ProposedAction | None:
        ol = self.query_one(ActionList)
        if ol.highlighted is None:
            return None
        option = ol.get_option_at_index(ol.highlighted)
        return self.proposal.action(option.id) if option.id else None

    def action_toggle_action(self) -> None:
        action = self._highlighted()
        if action is not None:
            action.selected = not action.selected
            self._repaint_action(action)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle_action()

    def _select(self, value: bool) -> None:
        for a in self.proposal.actions:
            a.selected = value
        self._paint_list()
        self._paint_summary()

    def action_select_all(self) -> None:
        self._select(True)

    def action_select_none(self) -> None:
        self._select(False)

    def action_edit_action(self) -> None:
        action = self._highlighted()
        if action is None:
            return
        if not any(f in action.changes for f in EDITABLE):
            self.notify(
                "This action has nothing to edit (title, priority, category, estimate).", timeout=3
            )
            return

        def edited(values: dict[str, Any] | None) -> None:
            if values:
                action.changes.update(values)
                action.selected = True
                self._repaint_action(action)

        self.app.push_screen(ActionEditModal(action), edited)

    def action_apply(self) -> None:
        ids = [a.id for a in self.proposal.actions if a.selected]
        if not ids:
            self.notify("Nothing selected: space selects, a selects all, Esc discards.", timeout=3)
            return
        self.apply_worker(ids)

    @work(thread=True, exclusive=True, exit_on_error=False, group="apply")
    def apply_worker(self, ids: list[str]) -> list[str]:
        from workos_tui.core.operations import apply_proposal

        return apply_proposal(self.app.store, self.proposal, ids)  # type: ignore[attr-defined]

    @on(Worker.StateChanged)
    def _applied(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "apply":
            return
        if event.state == WorkerState.SUCCESS:
            self.applied = list(event.worker.result or [])
            n = len(self.applied)
            self.app.notify(f"Applied {plural(n, 'change')}. Press u to undo.", timeout=6)
            self.app.changed("applied")  # type: ignore[attr-defined]
            self.dismiss("applied")
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, StoreWriteError):
                self.app.post_message(SaveFailed(str(error)))
                self.dismiss("applied")
                return
            self.notify(clean(str(error)), title="Not applied", severity="error", timeout=8)

    def action_discard(self) -> None:
        self.app.notify("Proposal discarded; nothing changed.", timeout=3)
        self.dismiss("discarded")

    def action_retry(self) -> None:
        if self.can_retry:
            self.dismiss("retry")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
