"""The main screen's top lines: the workspace header and the warning shown while unsaved."""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from workos_tui.core.models import Task
from workos_tui.tui.widgets.look import Look
from workos_tui.tui.widgets.safe import safe_text


class WorkspaceHeader(Static):
    """Workspace name, counts, and the engine in use."""

    _parts: tuple[Text, Text, Text, Text] | None = None

    def show(
        self,
        name: str,
        engine: str,
        tasks: list[Task],
        n_backlog: int,
        n_goals: int,
        today: dt.date,
    ) -> None:
        look = Look.of(self.app)
        open_tasks = [t for t in tasks if t.status != "done"]
        overdue = sum(t.is_overdue(today) for t in open_tasks)
        blocked = sum(t.status == "blocked" for t in open_tasks)
        counts = Text.assemble(
            (f"{n_backlog}", look.bold), " backlog · ",
            (f"{len(open_tasks)}", look.bold), " open · ",
            (f"{overdue}", look.error if overdue else look.bold), " overdue · ",
            (f"{blocked}", look.warning if blocked else look.bold), " blocked · ",
            (f"{n_goals}", look.bold), " goals",
        )  # fmt: skip
        self._parts = (
            Text.assemble(("WorkOS", look.accent), " · ", safe_text(name)),
            counts,
            Text.assemble(("engine ", look.muted), safe_text(engine)),
            safe_text(engine),
        )
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        """The engine in use is never cut: when the line is short, the word "engine" goes
        first, then the workspace's name gives way (counts stay whole)."""
        parts = self._parts
        if parts is None:
            return
        title, counts, engine_text, engine_only = parts
        width = self.size.width or 10_000
        narrow = sum(t.cell_len for t in (title, counts, engine_text)) + 4 > width
        if narrow:
            engine_text = engine_only
        grid = Table.grid(expand=True, padding=(0, 2))  # columns never touch when squeezed
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="center", no_wrap=True)
        # Wide: counts centred between two equal sides. Narrow: the engine takes only its
        # own width and the name the rest.
        grid.add_column(
            ratio=None if narrow else 1,
            justify="right",
            no_wrap=True,
            min_width=engine_text.cell_len,
        )
        grid.add_row(title, counts, engine_text)
        self.update(grid)


class SaveWarning(Static):
    """Shown while a change is kept in memory because the file could not be written."""

    def show(self, unsaved: bool, error: str | None) -> None:
        self.set_class(unsaved, "-visible")
        if unsaved:
            self.update(
                Text.assemble(
                    "⚠ Not saved: ",
                    safe_text(error or "the workspace file could not be written"),
                    ". Your changes are kept in memory; ctrl+s retries.",
                )
            )
