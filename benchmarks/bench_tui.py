"""Benchmark 4: does the UI stay responsive while 50 delegates stream at once?

The app runs headless (`run_test`) with a scripted engine: 50 delegates, all in flight
(concurrency 50), each streaming 20 deltas per second for 3 seconds (1,000 deltas per
second into the run screen). Measured while they stream, for the same time with the
app idle, and with no app at all (the machine's own scheduling noise):

- event-loop lateness: a repeating 10 ms asyncio timer records how late each tick fires
  (p50, p99, max): any handler, repaint or layout that hogs the loop shows up here;
- frames drawn: calls of `App._display` with a compositor update. In textual 8 each screen
  refresh ends in `Screen._compositor_refresh`, which renders the dirty regions and hands
  the update to `App._display`; a headless driver skips the terminal write but the frame
  was computed all the same, so this counts exactly the frames a terminal would get.

    python benchmarks/bench_tui.py
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import generate_workspace, median, percentile, table, write_results

from tests.scripted_engine import Script, ScriptedEngine
from workos_tui.core.config import Config
from workos_tui.core.operations import prepare_backlog_processing
from workos_tui.core.store import Store

DELEGATES = 50
DELTAS_PER_S = 20
STREAM_S = 3.0
TICK_S = 0.010
TARGET_P99_MS = 50.0
SIZE = (160, 50)


class LatenessProbe:
    """A repeating asyncio timer that records how late each tick fires (seconds)."""

    def __init__(self, period: float = TICK_S) -> None:
        self.period = period
        self.lateness: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            due = time.perf_counter() + self.period
            await asyncio.sleep(self.period)
            self.lateness.append(max(0.0, time.perf_counter() - due))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def summary(self) -> dict[str, Any]:
        ms = [x * 1000 for x in self.lateness]
        return {
            "ticks": len(ms),
            "p50_ms": percentile(ms, 50),
            "p99_ms": percentile(ms, 99),
            "max_ms": max(ms),
        }


class FrameCounter:
    """Counts compositor updates handed to `App._display` (see the module docstring)."""

    def __init__(self, app: Any) -> None:
        self.frames = 0
        self.counting = False
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if self.counting and renderable is not None and not app._batch_count:
                self.frames += 1
            original(screen, renderable)

        app._display = display


def delta_texts(n: int) -> list[str]:
    words = [
        "reading",
        "the",
        "item",
        "·",
        "checking",
        "candidates",
        "·",
        "deciding",
        "·",
        "title:",
        "Follow",
        "up",
        "with",
    ]
    return [f"{words[i % len(words)]} {i}" for i in range(n)]


async def measure(db: Path) -> dict[str, Any]:
    from workos_tui.tui.app import WorkOSApp
    from workos_tui.tui.screens.run import RunScreen

    store = Store(db, create=False)
    plan = prepare_backlog_processing(store, include_existing_tasks=False)
    assert len(plan.delegates) == DELEGATES
    n_deltas = int(DELTAS_PER_S * STREAM_S)
    # ScriptedEngine spreads `latency` over deltas + 1 pauses.
    script = Script(latency=(n_deltas + 1) / DELTAS_PER_S, deltas=delta_texts(n_deltas))
    engine = ScriptedEngine(default=script)
    app = WorkOSApp(
        store=store, engine=engine, config=Config(concurrency=DELEGATES), poll_interval=0
    )
    frames = FrameCounter(app)
    result: dict[str, Any] = {}
    # What this machine's scheduler alone costs: the same probe with no app running.
    probe = LatenessProbe()
    c0, w0 = time.process_time(), time.perf_counter()
    probe.start()
    await asyncio.sleep(STREAM_S)
    await probe.stop()
    result["bare loop"] = probe.summary() | {
        "frames": 0,
        "wall_s": time.perf_counter() - w0,
        "cpu_s": time.process_time() - c0,
    }
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        # Baseline: the main screen, idle, for as long as the stream will last.
        probe = LatenessProbe()
        frames.frames, frames.counting = 0, True
        c0, w0 = time.process_time(), time.perf_counter()
        probe.start()
        await asyncio.sleep(STREAM_S)
        await probe.stop()
        result["idle"] = probe.summary() | {
            "frames": frames.frames,
            "wall_s": time.perf_counter() - w0,
            "cpu_s": time.process_time() - c0,
        }
        # The run: 50 delegates streaming.
        gc.collect()
        probe = LatenessProbe()
        frames.frames = 0
        c0, w0 = time.process_time(), time.perf_counter()
        probe.start()
        app.launcher.open_run(plan)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen), type(screen)
        deadline = time.perf_counter() + STREAM_S * 10
        while not screen.finished and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        await probe.stop()
        wall = time.perf_counter() - w0
        # Let the approval screen that opens at the end mount before the app shuts down.
        while type(app.screen).__name__ != "ApprovalScreen" and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        await pilot.pause()
        result["streaming"] = probe.summary() | {
            "frames": frames.frames,
            "wall_s": wall,
            "cpu_s": time.process_time() - c0,
            "card_repaints": getattr(screen, "repaints", None),
            "finished": screen.finished,
            "deltas_sent": len(engine.calls) * n_deltas,
        }
        frames.counting = False
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="runs (the median is reported)")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "tui-workspace.json"
        generate_workspace(db, tasks=200, backlog=DELEGATES)
        for i in range(args.repeat):
            r = asyncio.run(measure(db))
            runs.append(r)
            s = r["streaming"]
            print(
                f"  run {i + 1}: p50 {s['p50_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms, "
                f"max {s['max_ms']:.1f} ms, {s['frames']} frames in {s['wall_s']:.2f} s",
                flush=True,
            )
    rows = []
    for phase in ("bare loop", "idle", "streaming"):
        ph = [r[phase] for r in runs]
        rows.append(
            {
                "phase": phase,
                "p50_ms": median([x["p50_ms"] for x in ph]),
                "p99_ms": median([x["p99_ms"] for x in ph]),
                "max_ms": median([x["max_ms"] for x in ph]),
                "frames": median([x["frames"] for x in ph]),
                "wall_s": median([x["wall_s"] for x in ph]),
                "fps": median([x["frames"] / x["wall_s"] for x in ph]),
                "cpu_share": median([x["cpu_s"] / x["wall_s"] for x in ph]),
            }
        )
    print(
        f"\n4. the run screen with {DELEGATES} delegates streaming {DELTAS_PER_S} deltas/s each "
        f"(median of {args.repeat} runs; lateness of a {TICK_S * 1000:.0f} ms timer)"
    )
    print(
        table(
            ["phase", "p50 ms", "p99 ms", "max ms", "frames", "wall s", "frames/s", "CPU share"],
            [
                [
                    r["phase"],
                    r["p50_ms"],
                    r["p99_ms"],
                    r["max_ms"],
                    r["frames"],
                    r["wall_s"],
                    r["fps"],
                    f"{r['cpu_share']:.0%}",
                ]
                for r in rows
            ],
        )
    )
    print(f"target: p99 lateness under {TARGET_P99_MS:.0f} ms")
    write_results(
        "bench_tui",
        {
            "delegates": DELEGATES,
            "deltas_per_s": DELTAS_PER_S,
            "stream_s": STREAM_S,
            "tick_s": TICK_S,
            "size": SIZE,
            "target_p99_ms": TARGET_P99_MS,
            "summary": rows,
            "runs": runs,
        },
    )


if __name__ == "__main__":
    main()
