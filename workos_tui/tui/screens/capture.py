"""Capture and edit modals: quick backlog capture, task editing, one-line text editing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from workos_tui.core.models import CATEGORIES, PRIORITIES, STATUSES, Goal, Task
from workos_tui.tui.widgets.safe import clean, safe_text


class CaptureModal(ModalScreen[None]):
    """Stays open for rapid entry: Enter adds the item and clears, Escape closes."""

    BINDINGS = [Binding("escape", "close", "Close")]

    class Captured(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="capture-box", classes="modal-box"):
            yield Label("Capture to the backlog", classes="modal-title")
            yield Input(
                placeholder="What's on your mind? Enter adds, Esc closes", id="capture-input"
            )
            yield Static("", id="capture-status", classes="modal-hint")

    @on(Input.Submitted, "#capture-input")
    def _submitted(self, event: Input.Submitted) -> None:
        text = clean(event.value, single_line=False).strip()
        if not text:
            return
        self.count += 1
        self.app.post_message(self.Captured(text))
        event.input.value = ""
        status = self.query_one("#capture-status", Static)
        status.update(safe_text(f"Added {self.count}: {text}"))

    def action_close(self) -> None:
        self.dismiss(None)


class TextEditModal(ModalScreen[str | None]):
    """Edit one line of text (a backlog item, a goal's title)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str) -> None:
        super().__init__()
        self._title, self._value = title, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(safe_text(self._title), classes="modal-title")
            yield Input(value=self._value, id="text-input")
            yield Static("Enter saves, Esc cancels", classes="modal-hint")

    @on(Input.Submitted, "#text-input")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _minutes(text: str) -> int | None:
    """ "90", "90m", "1h30", "1.5h" -> minutes; "" -> None."""
    t = text.strip().lower().replace(" ", "")
    if not t or t == "—":
        return None
    if t.endswith("m") and t[:-1].isdigit():
        return int(t[:-1])
    if "h" in t:
        h, _, m = t.partition("h")
        return round(float(h or 0) * 60) + (int(m.rstrip("m")) if m.rstrip("m") else 0)
    return int(t)


class TaskEditModal(ModalScreen[dict[str, Any] | None]):
    """Edit a task's fields (or a new task's). Returns the changed fields, validated."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(
        self, task: Task | None, goals: list[Goal], heading: str = "", seed: Task | None = None
    ) -> None:
        super().__init__()
        self.task_ = task
        self.seed = seed  # prefills a new task (promote, new task under a goal)
        self.goals = goals
        self.heading = heading or (f"Edit {task.id}" if task else "New task")

    def compose(self) -> ComposeResult:
        t = self.task_ or self.seed
        with Vertical(classes="modal-box wide"):
            yield Label(self.heading, classes="modal-title")
            with Grid(id="task-form"):
                yield Label("Title")
                yield Input(
                    value=t.title if t else "", id="f-title", placeholder="What needs doing"
                )
                yield Label("Priority")
                yield Select(
                    [(p, p) for p in PRIORITIES],
                    value=t.priority if t else "P2",
                    allow_blank=False,
                    id="f-priority",
                )
                yield Label("Category")
                yield Select(
                    [(c, c) for c in CATEGORIES],
                    value=t.category if t else "other",
                    allow_blank=False,
                    id="f-category",
                )
                yield Label("Status")
                yield Select(
                    [(s, s) for s in STATUSES],
                    value=t.status if t else "todo",
                    allow_blank=False,
                    id="f-status",
                )
                yield Label("Estimate")
                yield Input(
                    value=str(t.estimate_minutes) if t and t.estimate_minutes else "",
                    placeholder="minutes, or 1h30",
                    id="f-estimate",
                )
                yield Label("Due")
                yield Input(
                    value=t.due.isoformat() if t and t.due else "",
                    placeholder="YYYY-MM-DD",
                    id="f-due",
                )
                yield Label("Goal")
                yield Select(
                    [(safe_text(f"{g.id} {g.title}"), g.id) for g in self.goals],
                    value=t.goal_id
                    if t and t.goal_id in {g.id for g in self.goals}
                    else Select.NULL,
                    prompt="(none)",
                    id="f-goal",
                )
                yield Label("Description")
                yield Input(value=t.description if t else "", id="f-description")
            yield Static("", id="form-error", classes="modal-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-title", Input).focus()

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value

    def collect(self) -> dict[str, Any]:
        """The form as Task fields; raises ValueError with a readable message."""
        title = self._value("f-title").strip()
        if not title:
            raise ValueError("the title must not be blank")
        try:
            estimate = _minutes(self._value("f-estimate"))
        except ValueError:
            raise ValueError("estimate: minutes like 90, 90m or 1h30") from None
        due_text = self._value("f-due").strip()
        try:
            due = dt.date.fromisoformat(due_text) if due_text else None
        except ValueError:
            raise ValueError("due: a date like 2026-12-31") from None
        goal = self.query_one("#f-goal", Select).value
        fields: dict[str, Any] = {
            "title": title,
            "priority": self.query_one("#f-priority", Select).value,
            "category": self.query_one("#f-category", Select).value,
            "status": self.query_one("#f-status", Select).value,
            "estimate_minutes": estimate,
            "due": due,
            "goal_id": goal if isinstance(goal, str) else None,
            "description": self._value("f-description"),
        }
        Task.model_validate({**(self.task_.model_dump() if self.task_ else {}), **fields})
        if self.task_ is None:
            return fields
        return {k: v for k, v in fields.items() if getattr(self.task_, k) != v}

    def action_save(self) -> None:
        try:
            self.dismiss(self.collect())
        except Exception as e:  # ValueError or pydantic's ValidationError
            msg = str(e).splitlines()
            text = msg[0] if len(msg) < 3 else f"{msg[1]}: {msg[2].strip()}"
            self.query_one("#form-error", Static).update(safe_text(text))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
