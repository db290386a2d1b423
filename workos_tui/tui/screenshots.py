"""Write screenshots/*.svg from the real app on the demo workspace, with a fixed clock and
a scripted engine (no network, no secrets): `python -m workos_tui.tui.screenshots`.

The snapshot tests drive the app through the same scenes, so the README's pictures and
the tested screens are the same thing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from workos_tui.core.config import Config
from workos_tui.core.demo import write_demo
from workos_tui.core.engines.base import Delta, FinalOutput
from workos_tui.core.store import Store
from workos_tui.tui.app import WorkOSApp
from workos_tui.tui.screens.approval import ApprovalScreen
from workos_tui.tui.screens.run import RunScreen

TODAY = dt.date(2026, 12, 3)
NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
SIZE = (120, 40)


def fixed_clock() -> dt.datetime:
    return NOW


class SceneEngine:
    """A deterministic engine for the run picture: the offline engine's own reasoning
    lines, then some delegates finish, one fails, and the rest keep "thinking" forever,
    so the run screen can be captured mid-run."""

    name = "scripted"
    label = "claude-sonnet-5-5 (scripted)"

    def __init__(self, store: Store, fail: set[str], hang: set[str]) -> None:
        from workos_tui.core.engines import make_engine

        self.offline = make_engine("offline", store=store, config=Config())
        self.fail, self.hang = fail, hang

    async def stream(self, spec: Any, plan: Any, attempt: Any) -> Any:
        from workos_tui.core.engines.base import DelegateFailedError
        from workos_tui.core.run_models import Usage

        final = None
        async for item in self.offline.stream(spec, plan, attempt):
            if isinstance(item, Delta):
                yield item
            else:
                final = item
        if spec.id in self.fail:
            raise DelegateFailedError("the model's answer named a task that does not exist")
        if spec.id in self.hang:
            yield Delta("Weighing priority against the due dates…")
            await asyncio.Event().wait()
        assert isinstance(final, FinalOutput)
        usage = Usage(input_tokens=1480 + 37 * len(spec.label), output_tokens=212, cost_usd=0.0076)
        yield FinalOutput(final.output, usage)

    async def aclose(self) -> None:
        pass


def demo_store(directory: Path) -> Store:
    return write_demo(directory / "workspace.json", today=TODAY, now=NOW)


def demo_app(store: Store, engine: Any = None, **kw: Any) -> WorkOSApp:
    from workos_tui.core.engines import make_engine

    engine = engine or make_engine("offline", store=store, config=Config())
    return WorkOSApp(store, engine, Config(concurrency=6), clock=fixed_clock, poll_interval=0, **kw)


def run_scene_app(store: Store) -> WorkOSApp:
    hang = {"B2", "B3", "B6", "B7", "B10", "B11"}
    return demo_app(store, SceneEngine(store, fail={"B5"}, hang=hang))


def _footer_ready(app: Any) -> bool:
    from textual.widgets import Footer

    return any(bool(f.children) for f in app.screen.query(Footer))


async def _until(pilot: Any, predicate: Callable[[], bool], timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise TimeoutError("the scene did not settle")
        await pilot.pause(0.02)
    await pilot.pause()


async def open_palette(pilot: Any) -> None:
    """Open the palette and wait until its command list is whole and stays so (the
    providers fill it asynchronously; a fixed pause caught it half-filled now and then)."""
    from textual.command import CommandList, CommandPalette

    await settle_main(pilot)
    await pilot.press("ctrl+p")
    app = pilot.app
    await _until(pilot, lambda: isinstance(app.screen, CommandPalette))
    counts: list[int] = []

    def settled() -> bool:
        counts.append(app.screen.query_one(CommandList).option_count)
        return len(counts) >= 10 and counts[-1] > 0 and len(set(counts[-10:])) == 1

    await _until(pilot, settled)
    await pilot.pause(0.2)


async def settle_run(pilot: Any) -> None:
    """Start "Process backlog" and wait for the mid-run moment: 6 delegates thinking,
    three queued behind the concurrency window, the rest done or failed."""
    app = pilot.app
    app.launcher.process_backlog()
    await _until(pilot, lambda: isinstance(app.screen, RunScreen))
    screen = app.screen

    def settled() -> bool:
        states = [s.state for s in screen.states.values()]
        return (
            states.count("running") == 6 and "failed" in states and bool(screen.states["B11"].lines)
        )

    await _until(pilot, settled)
    # The repaint timer paints a few cards per tick: wait until every card shows its state.
    await _until(pilot, lambda: not any(s.dirty for s in screen.states.values()))
    await _until(pilot, lambda: _footer_ready(app))
    await pilot.pause(0.2)


async def settle_approval(pilot: Any) -> None:
    app = pilot.app
    app.launcher.process_backlog()
    await _until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
    await _until(pilot, lambda: _footer_ready(app))
    await pilot.pause(0.2)


async def settle_main(pilot: Any) -> None:
    await _until(pilot, lambda: _footer_ready(pilot.app))
    await pilot.pause(0.2)


SCENES: dict[str, tuple[Callable[[Store], WorkOSApp], Callable[[Any], Awaitable[None]]]] = {
    "main": (demo_app, settle_main),
    "palette": (demo_app, open_palette),
    "run": (run_scene_app, settle_run),
    "approval": (demo_app, settle_approval),
}


async def capture(name: str, out: Path, size: tuple[int, int] = SIZE) -> Path:
    make, settle = SCENES[name]
    with tempfile.TemporaryDirectory() as tmp:
        app = make(demo_store(Path(tmp)))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            path = out / f"{name}.svg"
            path.write_text(app.export_screenshot(title=f"WorkOS: {name}"), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    out = Path(args[0]) if args else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name in SCENES:
        print(asyncio.run(capture(name, out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
