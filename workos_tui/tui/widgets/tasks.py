"""The Tasks pane: a DataTable of tasks with a `/` filter that matches as you type."""

from __future__ import annotations

import datetime as dt
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Input

from workos_tui.core.models import Goal
from workos_tui.tui.keys import bindings
from workos_tui.tui.messages import ItemHighlighted
from workos_tui.tui.widgets.look import Look, fmt_due, fmt_minutes
from workos_tui.tui.widgets.safe import clean, safe_text
from workos_tui.tui.widgets.task_view import TaskRow

# Column key, header, fixed width (None: the title takes what is left).
COLUMNS: list[tuple[str, str, int | None]] = [
    ("pri", "Pri", 3),
    ("title", "Title", None),
    ("category", "Category", 9),
    ("estimate", "Est", 5),
    ("due", "Due", 7),
    ("status", "Status", 7),
    ("goal", "Goal", 10),
]
# Dropped, in this order, while the title would get fewer cells than the column asks for:
# the goal only beside a roomy title (the detail panel shows it too); the category down to
# 24 cells, which three panes at 120 columns leave even when the table scrolls.
DROP_ORDER = (("goal", 32), ("category", 24))
GAP = 1  # cells between columns (the table's own cell padding is turned off)
# DataTable measures every cell it is given (~0.3 ms a row on 2 cores), so a big workspace
# is added in chunks: the first screenful at once, the rest between frames, so the app
# paints and answers keys while it fills (10,000 tasks: first paint 8 s -> 1 s).
FIRST_CHUNK = 200
CHUNK = 250


class TaskTable(DataTable[Text]):
    """The table itself; its bindings show in the footer while it has focus."""

    BINDINGS = [
        *bindings(
            "edit",
            "cycle_status",
            "done",
            "priority_0",
            "priority_1",
            "priority_2",
            "priority_3",
            "delete",
            "sort",
            "down",
            "up",
        )
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, cell_padding=0, **kwargs)  # type: ignore[arg-type]

    @property
    def highlighted_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value


class FilterInput(Input):
    BINDINGS = [Binding("escape", "close", "Close filter", show=True)]

    class Closed(Message):
        def __init__(self, clear: bool) -> None:
            super().__init__()
            self.clear = clear

    def action_close(self) -> None:
        self.post_message(self.Closed(clear=True))


class TasksPane(Vertical):
    """Shows the rows `visible_tasks` chose; the MainScreen owns the filter and sort."""

    class FilterChanged(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "Tasks"
        self._rows: list[TaskRow] = []
        self._goals: dict[str, Goal] = {}
        self._today = dt.date.today()
        self._layout_width = 0
        self._today_view = False
        self._fill_generation = 0  # bumps on every populate; older fills stop

    def compose(self) -> ComposeResult:
        yield FilterInput(
            placeholder="filter: words  status:todo  cat:admin  goal:G1  p1", id="task-filter"
        )
        yield TaskTable(id="task-table")

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    def open_filter(self) -> None:
        self.filter_input.add_class("-open")
        self.filter_input.focus()

    @on(Input.Changed, "#task-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.FilterChanged(event.value))

    @on(Input.Submitted, "#task-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self.filter_input.remove_class("-open")
        self.table.focus()

    @on(FilterInput.Closed)
    def _filter_closed(self, event: FilterInput.Closed) -> None:
        self.filter_input.value = ""
        self.filter_input.remove_class("-open")
        self.table.focus()

    def show(
        self,
        rows: list[TaskRow],
        goals: dict[str, Goal],
        today: dt.date,
        *,
        today_view: bool,
        subtitle: str,
    ) -> None:
        self._rows, self._goals, self._today, self._today_view = rows, goals, today, today_view
        self.border_subtitle = subtitle
        if self.size.width:  # before the first layout, on_resize populates at the real width
            self._populate()

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._layout_width:
            self._populate()

    def _columns(self, width: int) -> list[tuple[str, str, int]]:
        cols = list(COLUMNS)
        if self._today_view:
            cols = [(k, "Plan" if k == "estimate" else h, w) for k, h, w in cols]

        def title_width() -> int:
            return width - 1 - sum((w or 0) + GAP for _, _, w in cols)

        for drop, min_title in DROP_ORDER:
            if title_width() < min_title:
                cols = [c for c in cols if c[0] != drop]
        title = max(10, title_width())
        return [(k, h, (w if w is not None else title) + GAP) for k, h, w in cols]

    def _populate(self) -> None:
        table = self.table
        width = table.size.width or self.size.width or 80
        if len(self._rows) + 1 > table.size.height:  # rows + header overflow: a scrollbar
            width -= table.styles.scrollbar_size_vertical
        self._layout_width = self.size.width
        keep = table.highlighted_id
        cursor_row = table.cursor_row
        table.clear(columns=True)
        cols = self._columns(width)
        for key, header, w in cols:
            table.add_column(header, width=w, key=key)
        self._fill_generation += 1
        if not self._rows:
            return
        ids = [r.task.id for r in self._rows]
        row = ids.index(keep) if keep in ids else min(cursor_row, len(ids) - 1)
        self._fill(self._fill_generation, cols, 0, max(0, row))

    def _fill(
        self, generation: int, cols: list[tuple[str, str, int]], start: int, cursor: int
    ) -> None:
        """Add rows from `start`, one chunk; schedule the next after a frame."""
        if generation != self._fill_generation:
            return  # repopulated since: this fill is stale
        table = self.table
        look = Look.of(self.app)
        title_width = next(w for k, _, w in cols if k == "title") - GAP
        end = min(len(self._rows), start + (FIRST_CHUNK if start == 0 else CHUNK))
        for r in self._rows[start:end]:
            cells = self._cells(r, look, title_width)
            table.add_row(*(cells[k] for k, _, _ in cols), key=r.task.id)
        if start <= cursor < end:
            table.move_cursor(row=cursor, animate=False)
        if end < len(self._rows):
            # A timer, not call_later: the loop goes idle in between, so a frame is drawn.
            self.set_timer(0.001, partial(self._fill, generation, cols, end, cursor))

    def _cells(self, r: TaskRow, look: Look, title_width: int) -> dict[str, Text]:
        t = r.task
        title = safe_text(t.title)
        if r.focus:
            title = Text.assemble(("★ ", look.accent), title)
        if r.waiting_on:
            # Keep the "waiting on" hint visible: cut the title, not the hint.
            hint = Text(f" ← {','.join(r.waiting_on)}", style=look.muted)
            room = max(4, title_width - hint.cell_len - 1)
            if title.cell_len > room:
                title.truncate(room, overflow="ellipsis")
            title = Text.assemble(title, hint)
        # Leave the column gap free: the table only crops at the column's full width.
        title.truncate(title_width, overflow="ellipsis")
        if t.status == "done":
            title.stylize("strike dim")
        goal = self._goals.get(t.goal_id or "")
        due = Text(fmt_due(t.due, self._today))
        if r.overdue:
            due = Text("!" + due.plain, style=look.error)
        status = Text(t.status, style=look.status[t.status])
        if t.status != "blocked" and r.waiting_on:
            status = Text("waiting", style=look.warning)
        est = r.planned_minutes if self._today_view else t.estimate_minutes
        return {
            "pri": Text(t.priority, style=look.priority[t.priority]),
            "title": title,
            "category": _fit(Text(t.category, style=look.muted), 9),
            "estimate": Text(fmt_minutes(est)),
            "due": due,
            "status": status,
            "goal": _fit(safe_text(clean(goal.title) if goal else "—", look.muted), 10),
        }

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(ItemHighlighted("tasks", event.row_key.value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()


def _fit(text: Text, width: int) -> Text:
    text.truncate(width, overflow="ellipsis")
    return text
