"""The Goals pane: each goal with its open/done task counts and a small progress bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from workos_tui.core.models import Goal, Task
from workos_tui.tui.keys import bindings
from workos_tui.tui.messages import ItemHighlighted
from workos_tui.tui.widgets.look import Look, bar
from workos_tui.tui.widgets.safe import safe_text


class GoalList(OptionList):
    BINDINGS = [*bindings("select_goal", "edit_goal", "delete", "down", "up")]

    @property
    def highlighted_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id


class GoalsPane(Vertical):
    class Chosen(Message):
        """Enter or a click on a goal: filter the tasks by it (again: stop filtering)."""

        def __init__(self, goal_id: str | None) -> None:
            super().__init__()
            self.goal_id = goal_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "Goals"
        self._last: tuple[list[Goal], list[Task], str | None] | None = None

    def compose(self) -> ComposeResult:
        yield GoalList(id="goal-list")

    @property
    def option_list(self) -> GoalList:
        return self.query_one(GoalList)

    def show(self, goals: list[Goal], tasks: list[Task], selected: str | None) -> None:
        self._last = (goals, tasks, selected)
        look = Look.of(self.app)
        ol = self.option_list
        keep = ol.highlighted_id
        index = ol.highlighted or 0
        ol.clear_options()
        inner = (self.size.width - 3) if self.size.width else 24
        options = []
        for goal in goals:
            linked = [t for t in tasks if t.goal_id == goal.id]
            done = sum(t.status == "done" for t in linked)
            open_ = len(linked) - done
            marker = ("▶ ", look.accent) if goal.id == selected else ("  ", "")
            title = Text.assemble(
                marker, safe_text(goal.title, look.bold if goal.id == selected else "")
            )
            title.no_wrap, title.overflow = True, "ellipsis"
            status = "" if goal.status == "active" else f" · {goal.status}"
            counts = f" {done}/{len(linked)} done · {open_} open{status}"
            if inner - 2 - len(counts) < 8:
                counts = f" {done}/{len(linked)} · {open_} open{status}"
            filled, empty = bar(
                done / len(linked) if linked else 0.0, max(4, min(20, inner - 2 - len(counts)))
            )
            progress = Text.assemble(
                "  ", (filled, look.success), (empty, look.muted), (counts, look.muted)
            )
            progress.no_wrap, progress.overflow = True, "ellipsis"
            options.append(Option(Text("\n").join([title, progress]), id=goal.id))
        ol.add_options(options)
        self.border_subtitle = "filtering tasks" if selected else str(len(goals))
        if goals:
            ids = [g.id for g in goals]
            ol.highlighted = ids.index(keep) if keep in ids else min(index, len(ids) - 1)

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(ItemHighlighted("goals", event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option.id))
