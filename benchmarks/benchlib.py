"""What every benchmark shares: the machine's description, tables, JSON results, the fake
Messages API as a subprocess, and generated workspaces.

Benchmarks run as scripts (`python benchmarks/bench_x.py`), so this module puts the
repository root on `sys.path` for `tests.fake_anthropic` and `tests.scripted_engine`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FAKE_SERVER = ROOT / "tests" / "fake_anthropic.py"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- the machine ------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": usable,
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_1m": load,
        "commit": commit,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# --- reporting --------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (readable in a terminal and pasteable into the README)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for r in cells:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return path


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --- the fake Messages API ---------------------------------------------------------


class FakeServer:
    """`tests/fake_anthropic.py` in its own process, so its threads do not share our GIL."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> FakeServer:
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE_SERVER), "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.__exit__()
            raise RuntimeError(f"the fake server did not start: {self.url!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def _call(self, path: str, method: str = "GET") -> Any:
        data = b"{}" if method == "POST" else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("/_fake/stats")
        return result

    def latencies(self) -> list[float]:
        return [x["latency"] for x in self._call("/_fake/latencies")["latencies"]]

    def reset(self) -> None:
        """Forget the prompt cache and the latency record (between compared runs)."""
        self._call("/_fake/reset", "POST")


@contextmanager
def fake_env(url: str) -> Iterator[None]:
    """Point the anthropic SDK at the fake server with a dummy key."""
    saved = {k: os.environ.get(k) for k in ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY")}
    os.environ["ANTHROPIC_BASE_URL"] = url
    os.environ["ANTHROPIC_API_KEY"] = "sk-ant-bench-not-a-secret"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --- workspaces -------------------------------------------------------------------

WORDS = [
    "review",
    "draft",
    "fix",
    "write",
    "plan",
    "call",
    "email",
    "update",
    "migrate",
    "test",
    "deploy",
    "design",
    "research",
    "budget",
    "invoice",
    "onboarding",
    "report",
    "survey",
    "release",
    "roadmap",
    "hiring",
    "interview",
    "contract",
    "dashboard",
    "analytics",
    "api",
    "docs",
    "login",
    "billing",
    "offsite",
    "podcast",
    "newsletter",
    "backlog",
]


def generate_workspace(
    path: Path, *, tasks: int = 0, backlog: int = 0, goals: int = 5, seed: int = 7
) -> Path:
    """A workspace file with `tasks` generated tasks and `backlog` items, written through
    the Store (so it is exactly what WorkOS writes, digest included)."""
    from workos_tui.core.models import CATEGORIES, PRIORITIES, BacklogItem, Goal, Task
    from workos_tui.core.store import Store

    rng = random.Random(seed)
    store = Store(path)
    today = dt.date(2026, 12, 3)
    with store.transaction("generate"):
        goal_ids = [
            store.put(Goal(title=f"Goal {i + 1}: {_phrase(rng, 4)}")).id for i in range(goals)
        ]
        for i in range(tasks):
            store.put(
                Task(
                    title=f"{_phrase(rng, 5).capitalize()} #{i + 1}",
                    description=_phrase(rng, 12),
                    priority=rng.choice(PRIORITIES),
                    category=rng.choice(CATEGORIES),
                    status=rng.choice(("todo", "todo", "started", "blocked", "done")),
                    estimate_minutes=rng.choice((15, 30, 60, 90, 120, None)),
                    due=today + dt.timedelta(days=rng.randint(-10, 60))
                    if rng.random() < 0.4
                    else None,
                    goal_id=rng.choice(goal_ids) if goal_ids and rng.random() < 0.3 else None,
                    tags=rng.sample(WORDS, 2),
                )
            )
        for i in range(backlog):
            store.put(BacklogItem(text=f"{_phrase(rng, 8).capitalize()} (item {i + 1})"))
    return path


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def elapsed(start: float) -> float:
    return time.perf_counter() - start


async def run_to_end(engine: Any, plan: Any, **runner_options: Any) -> Any:
    """Run `plan` through a fresh `Runner` on `engine` (closed afterwards); the RunFinished.

    No aggregation: the benchmarks time the delegates, not the proposal."""
    from workos_tui.core.events import RunFinished
    from workos_tui.core.runner import Runner

    final: RunFinished | None = None
    try:
        async for event in Runner(engine, **runner_options).run(plan):
            if isinstance(event, RunFinished):
                final = event
    finally:
        await engine.aclose()
    assert final is not None
    return final
