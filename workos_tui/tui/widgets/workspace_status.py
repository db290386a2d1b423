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
        grid = Table.grid(expand=True, padding=(0, 2))  # columns never touch when squeezed
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="center", no_wrap=True)
        grid.add_column(ratio=1, justify="right", no_wrap=True)
        title = Text.assemble(("WorkOS", look.accent), " · ", safe_text(name))
        engine_text = Text.assemble(("engine ", look.muted), safe_text(engine))
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
