"""The command palette's WorkOS commands (one Provider, as posting does): runs, undo,
engine, import and export. Textual's own system commands stay (`App.COMMANDS | {...}`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from workos_tui.tui.app import WorkOSApp

Command = tuple[str, Callable[[], object], str]


class WorkOSCommands(Provider):
    def _commands(self) -> list[Command]:
        from workos_tui.tui.screens.main import MainScreen

        app: WorkOSApp = self.app  # type: ignore[assignment]
        if not isinstance(self.screen, MainScreen):
            return []
        launcher = app.launcher
        return [
            (
                "Process backlog",
                launcher.process_backlog,
                "One delegate per backlog item: triage into tasks",
            ),
            (
                "Analyze tasks",
                launcher.analyze_tasks,
                "Priority, category, blockers, goals, estimates",
            ),
            ("Plan my day", launcher.plan_day, "Three planning perspectives merged into Today"),
            ("Undo last change", app.action_undo, "Revert the newest change (also: u)"),
            ("Redo", app.action_redo, "Re-apply the change just undone (also: ctrl+r)"),
            ("Switch engine", launcher.switch_engine, f"Now: {app.engine_label()}"),
            (
                "Export workspace",
                launcher.export_workspace,
                "Write the workspace as JSON, Markdown, ...",
            ),
            ("Import…", launcher.import_file, "Taskwarrior, todo.txt, Markdown, personal-os, JSON"),
            (
                "Help: all WorkOS keys",
                app.action_show_help,
                "Every key and how to remap it (also: ?)",
            ),
        ]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
