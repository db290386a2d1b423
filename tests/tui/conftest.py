"""TUI fixtures: a fixed clock, no cursor blink, the demo workspace, ready-made apps."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.scripted_engine import Script, ScriptedEngine
from workos_tui.core.config import Config
from workos_tui.core.demo import write_demo
from workos_tui.core.engines import make_engine
from workos_tui.core.store import Store
from workos_tui.tui.app import WorkOSApp


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes snapshots flaky."""
    original = Input.__init__

    def init(self: Input, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.set_reactive(Input.cursor_blink, False)

    monkeypatch.setattr(Input, "__init__", init)


@pytest.fixture
def demo(db_path: Path) -> Store:
    return write_demo(db_path, today=FIXED_TODAY, now=FIXED_NOW)


@pytest.fixture
def offline_engine(demo: Store) -> Any:
    return make_engine("offline", store=demo, config=Config())


def make_app(
    store: Store, engine: Any = None, config: Config | None = None, **kw: Any
) -> WorkOSApp:
    engine = engine or make_engine("offline", store=store, config=Config())
    kw.setdefault("clock", fixed_clock)
    kw.setdefault("poll_interval", 0)
    return WorkOSApp(store, engine, config or Config(), **kw)


@pytest.fixture
def app_factory(demo: Store) -> Callable[..., WorkOSApp]:
    def factory(engine: Any = None, config: Config | None = None, **kw: Any) -> WorkOSApp:
        return make_app(demo, engine, config, **kw)

    return factory


def scripted(**scripts: Script) -> ScriptedEngine:
    return ScriptedEngine(scripts, default=Script(deltas=["reading the item", "deciding"]))


async def wait_for(pilot: Any, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Pause the pilot until `predicate()` holds (workers finish, screens open)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    await pilot.pause()  # let a screen that just opened mount
