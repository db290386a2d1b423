"""The WorkOS Textual app: holds the store, the engine and the config, and is the one
place that writes (so failed saves, undo and repaint are handled the same everywhere)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from workos_tui.core.config import Config
from workos_tui.core.engines.base import Engine
from workos_tui.core.store import Store, StoreWriteError, WorkspaceError
from workos_tui.tui.commands import WorkOSCommands
from workos_tui.tui.keys import keymap_from_config
from workos_tui.tui.launcher import RunLauncher
from workos_tui.tui.messages import SaveFailed, WorkspaceChanged
from workos_tui.tui.screens.capture import CaptureModal
from workos_tui.tui.screens.help import HelpScreen
from workos_tui.tui.screens.main import MainScreen
from workos_tui.tui.widgets.safe import clean

T = TypeVar("T")
Clock = Callable[[], dt.datetime]
EngineFactory = Callable[[str], Engine]

POLL_INTERVAL_S = 1.0


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


class WorkOSApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "WorkOS"
    COMMANDS = App.COMMANDS | {WorkOSCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        store: Store,
        engine: Engine,
        config: Config | None = None,
        *,
        clock: Clock | None = None,
        engine_factory: EngineFactory | None = None,
        poll_interval: float = POLL_INTERVAL_S,
    ) -> None:
        super().__init__()
        self.store = store
        self.engine = engine
        self.config = config or Config()
        self.clock: Clock = clock or _system_clock
        self.engine_factory = engine_factory
        self.poll_interval = poll_interval
        self.save_error: str | None = None
        self.main_screen = MainScreen()
        self.launcher = RunLauncher(self)
        self.keymap, self.unknown_keys = keymap_from_config(self.config.keys)
        self.set_keymap(self.keymap)
        if self.config.theme:
            self.theme = self.config.theme
        self.title = f"WorkOS · {clean(store.settings().name)}"

    # -- the basics ------------------------------------------------------------

    def today(self) -> dt.date:
        return self.clock().date()

    def engine_label(self) -> str:
        try:
            return clean(self.engine.label)
        except Exception:
            return getattr(self.engine, "name", "?")

    def on_mount(self) -> None:
        self.push_screen(self.main_screen)
        if self.unknown_keys:
            self.notify(
                "Unknown actions in config keys: " + ", ".join(self.unknown_keys) + " (see ?)",
                severity="warning",
                timeout=8,
            )
        if self.poll_interval > 0:
            self.set_interval(self.poll_interval, self._poll_store, name="store-poll")

    def changed(self, reason: str = "") -> None:
        """Tell the main screen the workspace changed (it repaints even when not on top)."""
        self.main_screen.post_message(WorkspaceChanged(reason))

    # -- writing ---------------------------------------------------------------

    def write(self, fn: Callable[[], T]) -> T | bool | None:
        """Run one quick store write; report failures; repaint. Returns fn's result, or
        False when the write was refused (the change did not happen)."""
        try:
            result = fn()
        except StoreWriteError as e:
            if not e.kept:  # undo, redo, settings: rolled back, so there is nothing to retry
                self.notify(clean(str(e)), title="Not changed", severity="error", timeout=6)
                return False
            self.post_message(SaveFailed(str(e)))
            self.changed("unsaved")
            return None
        except (WorkspaceError, ValueError) as e:
            self.notify(clean(str(e)), title="Not changed", severity="error", timeout=6)
            return False
        if self.save_error and not self.store.unsaved:
            self.save_error = None
        self.changed("write")
        return result

    @on(SaveFailed)
    def _save_failed(self, event: SaveFailed) -> None:
        self.save_error = event.error
        self.notify(
            clean(event.error) + "\nctrl+s retries.",
            title="Not saved",
            severity="error",
            timeout=10,
        )
        self.changed("unsaved")

    @on(CaptureModal.Captured)
    def _captured(self, event: CaptureModal.Captured) -> None:
        self.write(lambda: self.store.add_backlog_item(event.text))

    def action_undo(self) -> None:
        entry = self.write(self.store.undo)
        if entry is None and not self.store.unsaved:
            self.notify("Nothing to undo.", timeout=2)
        elif entry:
            self.notify(f"Undid: {clean(entry.label)}  (ctrl+r redoes)", timeout=3)  # type: ignore[union-attr]

    def action_redo(self) -> None:
        entry = self.write(self.store.redo)
        if entry is None and not self.store.unsaved:
            self.notify("Nothing to redo.", timeout=2)
        elif entry:
            self.notify(f"Redid: {clean(entry.label)}", timeout=3)  # type: ignore[union-attr]

    def action_retry_save(self) -> None:
        if not self.store.unsaved:
            self.notify("Everything is saved.", timeout=2)
            return
        try:
            self.store.retry_save()
        except (StoreWriteError, WorkspaceError) as e:
            self.post_message(SaveFailed(str(e)))
            return
        self.save_error = None
        self.notify("Saved.", timeout=2)
        self.changed("saved")

    def action_show_help(self) -> None:
        self.push_screen(HelpScreen(self.keymap))

    async def action_quit(self) -> None:
        if self.store.unsaved:
            from workos_tui.tui.screens.pickers import ConfirmModal

            def answer(yes: bool | None) -> None:
                if yes:
                    self.exit()

            self.push_screen(
                ConfirmModal(
                    "Quit with unsaved changes?",
                    "The last changes could not be written to the workspace file.",
                    yes="Quit anyway",
                    no="Stay",
                ),
                answer,
            )
            return
        self.exit()

    # -- changes from other processes -------------------------------------------

    def _poll_store(self) -> None:
        self._refresh_store()

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def _refresh_store(self) -> bool:
        # A stat when nothing changed; a reload (in this thread) when the CLI wrote.
        return self.store.refresh()

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        finished = event.state in (WorkerState.SUCCESS, WorkerState.ERROR)
        if worker.group == "prepare" and finished:
            self.launcher.prepared(worker)
        elif worker.group == "interop" and finished:
            self.launcher.interop_done(worker)
        elif worker.group == "poll":
            if event.state == WorkerState.SUCCESS and worker.result:
                self.changed("reloaded")
            elif event.state == WorkerState.ERROR:
                self.notify(
                    f"Could not reload the workspace: {clean(str(worker.error))}",
                    severity="error",
                    timeout=6,
                )

    # -- engines ---------------------------------------------------------------

    def make_engine(self, name: str) -> Engine:
        if self.engine_factory is not None:
            return self.engine_factory(name)
        from workos_tui.core.engines import make_engine  # type: ignore[attr-defined,unused-ignore]

        engine: Engine = make_engine(name, store=self.store, config=self.config)
        return engine

    def switch_engine(self, name: str) -> None:
        try:
            self.engine = self.make_engine(name)
        except Exception as e:
            self.notify(clean(str(e)), title="Engine not switched", severity="error", timeout=6)
            return
        self.notify(f"Engine: {self.engine_label()}", timeout=2)
        self.changed("engine")


def run_app(store: Store, engine: Engine, config: Config | None = None, **kwargs: Any) -> None:
    """Start the app (what `workos` and `workos demo` call)."""
    WorkOSApp(store, engine, config, **kwargs).run()


def _demo_main() -> None:  # pragma: no cover - a developer's shortcut
    import tempfile

    from workos_tui.core.demo import write_demo

    path = Path(tempfile.mkdtemp()) / "demo.json"
    store = write_demo(path)

    class _NoEngine:
        name = "offline"
        label = "offline"

    run_app(store, _NoEngine(), Config())  # type: ignore[arg-type]


if __name__ == "__main__":  # pragma: no cover
    _demo_main()
