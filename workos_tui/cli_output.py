"""Rich tables for the CLI. Every cell is a `Text` built from cleaned strings, so markup
and escape sequences in people's and models' text are shown literally, never interpreted."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from workos_tui.core.textsafety import clean_text

if TYPE_CHECKING:
    from workos_tui.core.models import Task
    from workos_tui.core.store import Store

PRIORITY_STYLE = {"P0": "bold red", "P1": "yellow", "P2": "", "P3": "dim"}
STATUS_STYLE = {"todo": "", "started": "cyan", "blocked": "magenta", "done": "green"}


def cell(value: object, style: str = "") -> Text:
    if value is None or value == [] or value == "":
        return Text("—", style="dim")
    return Text(clean_text(str(value), single_line=True), style=style)


def make_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_table(console: Console, table: Table) -> None:
    """A terminal gets the table fitted to its width; piped output (grep, a file) gets one
    line per row, however long, so nothing is folded or cut."""
    if not console.is_terminal:
        console.width = 10_000  # measure the table's natural width, then print at it
        console.width = max(80, console.measure(table).maximum)
    console.print(table)


def print_rows(kind: str, rows: list[Any], store: Store) -> None:
    console = make_console()
    if not rows:
        console.print(Text(f"No {kind}.", style="dim"))
        return
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    today = dt.date.today()
    if kind == "tasks":
        goals = {g.id: g.title for g in store.goals()}
        for col in ("id", "pri", "title", "category", "est", "due", "status", "goal"):
            if col == "title":
                table.add_column(col, ratio=3, min_width=16, overflow="fold")
            else:
                table.add_column(col, overflow="ellipsis", no_wrap=True, max_width=22)
        order = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
        for t in sorted(
            rows, key=lambda t: (t.status == "done", order[t.priority], t.due or dt.date.max)
        ):
            due = cell(t.due, "bold red" if t.is_overdue(today) else "")
            table.add_row(
                cell(t.id, "dim"),
                cell(t.priority, PRIORITY_STYLE[t.priority]),
                cell(t.title),
                cell(t.category),
                cell(f"{t.estimate_minutes}m" if t.estimate_minutes else None),
                due,
                cell(t.status, STATUS_STYLE[t.status]),
                cell(goals.get(t.goal_id or "")),
            )
    elif kind == "backlog":
        for col in ("id", "text", "sub-items", "questions"):
            table.add_column(col)
        for b in rows:
            table.add_row(
                cell(b.id, "dim"),
                cell(b.text),
                cell("; ".join(b.subitems)),
                cell(" / ".join(b.questions), "italic"),
            )
    elif kind == "goals":
        tasks = store.tasks()
        for col in ("id", "title", "status", "target", "progress"):
            table.add_column(col)
        for g in rows:
            linked = [t for t in tasks if t.goal_id == g.id]
            done = sum(t.status == "done" for t in linked)
            table.add_row(
                cell(g.id, "dim"),
                cell(g.title),
                cell(g.status),
                cell(g.target_date),
                cell(f"{done}/{len(linked)} tasks done"),
            )
    else:
        for col in ("id", "title", "tags", "first line"):
            table.add_column(col)
        for n in rows:
            first = n.body.strip().splitlines()[0] if n.body.strip() else ""
            table.add_row(cell(n.id, "dim"), cell(n.title), cell(", ".join(n.tags)), cell(first))
    print_table(console, table)


def print_task(task: Task, store: Store) -> None:
    console = make_console()
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    goal = store.get_goal(task.goal_id).title if task.goal_id else None
    for name, value in (
        ("id", task.id),
        ("title", task.title),
        ("status", task.status),
        ("priority", task.priority),
        ("category", task.category),
        ("estimate", f"{task.estimate_minutes} min" if task.estimate_minutes else None),
        ("due", task.due),
        ("goal", goal),
        ("depends on", ", ".join(task.depends_on)),
        ("tags", ", ".join(task.tags)),
        ("from backlog", ", ".join(task.source_backlog_ids)),
        ("created", task.created_at),
        ("updated", task.updated_at),
        ("completed", task.completed_at),
    ):
        table.add_row(name, cell(value))
    if task.description:
        table.add_row("description", Text(clean_text(task.description)))
    for note in task.notes:
        table.add_row("note", Text(clean_text(note)))
    print_table(console, table)
