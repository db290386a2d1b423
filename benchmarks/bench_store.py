"""Benchmark 5: the store with big workspaces (1,000 and 10,000 generated tasks).

- open: `Store(path)`, and the first read of every task (validation happens on first use);
- `workos add` as a whole process against `python -c pass` (medians of interleaved runs);
- apply 500 actions in one transaction: `operations.apply_proposal` with a synthetic
  task-analysis Proposal (500 priority/category/estimate changes on distinct tasks);
- `workos list tasks --json` as a whole process;
- the TUI's first paint at 10,000 tasks: from `run_test()` starting until the tasks table
  has rows (the app is built inside the timed region; the store is opened before it),
  and until it holds every open task.

    python benchmarks/bench_store.py
    python benchmarks/bench_store.py --runs 21   # more process runs per median
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import generate_workspace, median, table, write_results

from workos_tui.core.operations import apply_proposal
from workos_tui.core.run_models import Proposal, ProposedAction
from workos_tui.core.store import Store

SIZES = (1_000, 10_000)
TARGETS = {"add_over_python": 4.0, "apply_500_s": 0.5, "first_paint_s": 1.5}


def workos_command() -> list[str]:
    """The installed `workos` console script (what a person runs), else `-m workos_tui`."""
    script = Path(sys.executable).parent / "workos"
    found = str(script) if script.exists() else shutil.which("workos")
    return [found] if found else [sys.executable, "-m", "workos_tui"]


def child_env(db: Path, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["WORKOS_DB"] = str(db)
    env["WORKOS_CONFIG"] = str(tmp / "no-config.toml")  # the user's config plays no part
    return env


def timed_run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return took


def bench_processes(db: Path, tmp: Path, runs: int) -> dict[str, Any]:
    env = child_env(db, tmp)
    workos = workos_command()
    bare, add, listing = [], [], []
    for i in range(runs):  # interleaved, so load on the machine hits both alike
        bare.append(timed_run([sys.executable, "-c", "pass"], env))
        add.append(timed_run([*workos, "add", f"Benchmark capture {i}"], env))
    for _ in range(max(5, runs // 3)):
        listing.append(timed_run([*workos, "list", "tasks", "--json"], env))
    return {
        "python_c_pass_s": median(bare),
        "workos_add_s": median(add),
        "add_over_python": median(add) / median(bare),
        "list_tasks_json_s": median(listing),
        "runs": runs,
        "command": workos,
    }


def bench_open(db: Path, repeats: int = 7) -> dict[str, Any]:
    opened, first_read = [], []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        store = Store(db, create=False)
        t1 = time.perf_counter()
        n = len(store.tasks())
        t2 = time.perf_counter()
        opened.append(t1 - t0)
        first_read.append(t2 - t1)
    return {"open_s": median(opened), "first_read_all_tasks_s": median(first_read), "tasks": n}


def synthetic_proposal(store: Store, n: int, round_: int) -> Proposal:
    """500 task-analysis actions on distinct tasks, values changing every round."""
    from workos_tui.core.models import CATEGORIES, PRIORITIES

    tasks = [t for t in store.tasks() if t.status != "done"][:n]
    assert len(tasks) == n, f"only {len(tasks)} open tasks"
    actions = []
    for i, t in enumerate(tasks):
        kind = ("set_priority", "set_category", "set_estimate")[i % 3]
        value: Any
        if kind == "set_priority":
            field, value = "priority", PRIORITIES[(i + round_) % len(PRIORITIES)]
        elif kind == "set_category":
            field, value = "category", CATEGORIES[(i + round_) % len(CATEGORIES)]
        else:
            field, value = "estimate_minutes", 15 * (1 + (i + round_) % 8)
        actions.append(
            ProposedAction(id=f"A{i + 1}", kind=kind, task_id=t.id, changes={field: value})
        )
    return Proposal(id=f"bench-{round_}", operation="task_analysis", actions=actions)


def bench_apply(db: Path, n: int = 500, repeats: int = 5) -> dict[str, Any]:
    store = Store(db, create=False)
    store.tasks()
    times = []
    for round_ in range(1, repeats + 1):
        proposal = synthetic_proposal(store, n, round_)
        gc.collect()
        start = time.perf_counter()
        applied = apply_proposal(store, proposal)
        times.append(time.perf_counter() - start)
        assert len(applied) == n
    return {"actions": n, "apply_s": median(times), "apply_runs_s": times}


async def first_paint(db: Path, timeout: float = 60.0) -> dict[str, Any]:
    """Seconds from building the app until the tasks table has rows (first paint), and
    until it holds every open task (a table filled in chunks is usable before that)."""
    from textual.widgets import DataTable

    from tests.scripted_engine import ScriptedEngine
    from workos_tui.core.config import Config
    from workos_tui.tui.app import WorkOSApp

    store = Store(db, create=False)
    expected = sum(1 for t in store.tasks() if t.status != "done")
    gc.collect()
    start = time.perf_counter()
    app = WorkOSApp(store=store, engine=ScriptedEngine(), config=Config(), poll_interval=0)
    rows, painted, complete = 0, None, None
    async with app.run_test(size=(160, 50)) as pilot:
        while time.perf_counter() - start < timeout:
            tables = app.screen.query(DataTable)
            rows = max((t.row_count for t in tables), default=0)
            if rows and painted is None:
                painted = time.perf_counter() - start
            if rows >= expected:
                complete = time.perf_counter() - start
                break
            await pilot.pause(0.005)
    return {"first_paint_s": painted, "all_rows_s": complete, "rows": rows, "open_tasks": expected}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="process runs per median (>= 15)")
    parser.add_argument("--no-tui", action="store_true", help="skip the TUI first paint")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for n in SIZES:
            db = tmp / f"workspace-{n}.json"
            t0 = time.perf_counter()
            generate_workspace(db, tasks=n, backlog=20)
            print(f"generated {n} tasks in {time.perf_counter() - t0:.1f} s", flush=True)
            row: dict[str, Any] = {"tasks": n, "file_mb": db.stat().st_size / 1e6}
            row |= bench_open(db)
            row |= bench_processes(db, tmp, args.runs)
            row |= bench_apply(db)
            if not args.no_tui and n == max(SIZES):
                row |= asyncio.run(first_paint(db))
            rows.append(row)
            print(
                f"  {n} tasks: add {row['workos_add_s']:.3f}s vs python "
                f"{row['python_c_pass_s']:.3f}s, apply {row['apply_s']:.3f}s",
                flush=True,
            )
    print("\n5. the store with big workspaces")
    print(
        table(
            [
                "tasks",
                "file MB",
                "open s",
                "first read s",
                "python -c pass s",
                "workos add s",
                "add / python",
                "apply 500 s",
                "list --json s",
                "first paint s",
                "all rows s",
            ],
            [
                [
                    r["tasks"],
                    r["file_mb"],
                    r["open_s"],
                    r["first_read_all_tasks_s"],
                    r["python_c_pass_s"],
                    r["workos_add_s"],
                    f"{r['add_over_python']:.2f}x",
                    r["apply_s"],
                    r["list_tasks_json_s"],
                    r.get("first_paint_s"),
                    r.get("all_rows_s"),
                ]
                for r in rows
            ],
        )
    )
    print(f"targets: {TARGETS}")
    write_results("bench_store", {"targets": TARGETS, "rows": rows})


if __name__ == "__main__":
    main()
