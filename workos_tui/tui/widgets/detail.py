"""The detail panel: every field of the highlighted task, backlog item or goal."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from workos_tui.core.models import BacklogItem, Goal, Note, Task
from workos_tui.tui.widgets.look import Look, fmt_minutes
from workos_tui.tui.widgets.safe import safe_text


class DetailPanel(VerticalScroll, can_focus=False):
    """Read-only; `e` edits. Scrolls with the mouse when the content is long."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="detail-body")

    def on_mount(self) -> None:
        self.border_title = "Details"

    def _set(self, renderable: RenderableType, title: str | Text) -> None:
        # A plain str title would be parsed as markup: people's text goes in as Text.
        self.border_title = title
        self.query_one("#detail-body", Static).update(renderable)

    def clear(self) -> None:
        self._set(Text("Nothing selected.", style="dim"), "Details")

    def _fields(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        return grid

    def show_task(
        self, task: Task, tasks: dict[str, Task], goals: dict[str, Goal], today: dt.date
    ) -> None:
        look = Look.of(self.app)
        grid = self._fields()
        grid.add_row("Status", Text(task.status, style=look.status[task.status]))
        grid.add_row("Priority", Text(task.priority, style=look.priority[task.priority]))
        grid.add_row("Category", task.category)
        grid.add_row("Estimate", fmt_minutes(task.estimate_minutes))
        if task.due:
            due = Text(task.due.isoformat())
            if task.is_overdue(today):
                due.append(f"  overdue by {(today - task.due).days}d", style=look.error)
            grid.add_row("Due", due)
        goal = goals.get(task.goal_id or "")
        if task.goal_id:
            grid.add_row("Goal", safe_text(f"{task.goal_id} {goal.title if goal else '(missing)'}"))
        if task.depends_on:
            deps = Text()
            for i, d in enumerate(task.depends_on):
                dep = tasks.get(d)
                state = dep.status if dep else "missing"
                line = safe_text(f"{d} {dep.title if dep else ''}", single_line=True)
                if i:
                    deps.append("\n")
                deps.append_text(line)
                deps.append(f" ({state})", style=look.success if state == "done" else look.warning)
            grid.add_row("Depends on", deps)
        if task.tags:
            grid.add_row("Tags", safe_text(", ".join(task.tags)))
        if task.source_backlog_ids:
            grid.add_row("From backlog", ", ".join(task.source_backlog_ids))
        grid.add_row("Updated", task.updated_at.strftime("%Y-%m-%d %H:%M"))
        parts: list[RenderableType] = [grid]
        if task.description:
            parts += [Text(), safe_text(task.description, single_line=False)]
        if task.notes:
            parts.append(Text("\nNotes", style="bold"))
            parts += [Text.assemble("• ", safe_text(n, single_line=False)) for n in task.notes]
        title = Text.assemble(f"{task.id} ", safe_text(task.title))
        self._set(Group(*parts), title)

    def show_backlog_item(self, item: BacklogItem) -> None:
        parts: list[RenderableType] = [safe_text(item.text, single_line=False)]
        parts += [Text.assemble("  – ", safe_text(s)) for s in item.subitems]
        if item.questions:
            parts.append(Text("\nQuestions", style="bold"))
            parts += [Text.assemble("? ", safe_text(q, single_line=False)) for q in item.questions]
        parts.append(Text(f"\ncaptured {item.created_at:%Y-%m-%d %H:%M}", style="dim"))
        self._set(Group(*parts), f"Backlog item {item.id}")

    def show_goal(self, goal: Goal, tasks: list[Task]) -> None:
        look = Look.of(self.app)
        grid = self._fields()
        grid.add_row("Status", goal.status)
        if goal.target_date:
            grid.add_row("Target", goal.target_date.isoformat())
        linked = [t for t in tasks if t.goal_id == goal.id]
        grid.add_row("Tasks", f"{sum(t.status == 'done' for t in linked)}/{len(linked)} done")
        parts: list[RenderableType] = [grid]
        if goal.description:
            parts += [Text(), safe_text(goal.description, single_line=False)]
        if linked:
            parts.append(Text())
            for t in linked:
                parts.append(
                    Text.assemble(
                        (f"{t.priority} ", look.priority[t.priority]),
                        safe_text(t.title),
                        (f"  {t.status}", look.status[t.status]),
                    )
                )
        self._set(Group(*parts), Text.assemble(f"{goal.id} ", safe_text(goal.title)))

    def show_note(self, note: Note) -> None:
        self._set(safe_text(note.body, single_line=False), safe_text(note.title))
