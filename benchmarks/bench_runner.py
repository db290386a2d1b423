"""Benchmarks 1-3: the delegate runner against the alternatives.

1. Wall time for N delegates through the real anthropic engine against the fake Messages
   API (its own process, per-request latency from a seeded distribution): sequential
   (a window of 1), the original design (fixed batches of 10, each waiting for its
   slowest) and ours (a sliding window of 10), next to the lower bound
   `max(max latency, sum of latencies / 10)` computed from the latencies the server drew.
2. A server that accepts 4 requests in flight (429 with retry-after beyond): our adaptive
   window against a fixed window of 10.
3. Orchestration overhead: 1,000 delegates through an instant engine, CPU time each.

    python benchmarks/bench_runner.py            # all three, about 4 minutes
    python benchmarks/bench_runner.py --only 3   # one of them
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import heapq
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import (
    FakeServer,
    elapsed,
    fake_env,
    generate_workspace,
    median,
    run_to_end,
    table,
    write_results,
)

from workos_tui.core.config import Config
from workos_tui.core.engines.anthropic import AnthropicEngine
from workos_tui.core.engines.base import Attempt, FinalOutput
from workos_tui.core.events import RunFinished
from workos_tui.core.operations import prepare_backlog_processing
from workos_tui.core.run_models import RunPlan
from workos_tui.core.runner import Runner
from workos_tui.core.store import Store

CONCURRENCY = 10
SIZES = (5, 10, 20, 50, 200)
SEQUENTIAL_MAX_N = 50  # sequential at N=200 would take ~70 s per distribution
DISTRIBUTIONS = {
    "fixed 0.3 s": "fixed:0.3",
    "uniform 0.1-0.5 s": "uniform:0.1:0.5",
    "long tail (lognormal, median 0.25 s, sigma 0.8)": "longtail:0.25:0.8",
}
SEED = 20261203


def make_plan(n: int, workdir: Path) -> RunPlan:
    path = workdir / "runner-workspace.json"
    if not path.exists():
        generate_workspace(path, tasks=30, backlog=max(SIZES))
    plan = prepare_backlog_processing(Store(path))
    return plan.model_copy(update={"delegates": plan.delegates[:n]})


def new_engine() -> AnthropicEngine:
    # store=None: no read-only lookups, one request per delegate.
    return AnthropicEngine(store=None, config=Config(engine="anthropic"))


# --- the three schedulers -------------------------------------------------------------


async def run_window(plan: RunPlan, concurrency: int, *, adaptive: bool = True) -> dict[str, Any]:
    """Ours (and, with a window of 1, sequential): the Runner's sliding window."""
    start = time.perf_counter()
    final = await run_to_end(new_engine(), plan, concurrency=concurrency, adaptive=adaptive)
    wall = elapsed(start)
    failed = [r for r in final.results if r.status != "succeeded"]
    return {"wall_s": wall, "failed": len(failed), "errors": [r.error for r in failed][:3]}


async def run_batches(plan: RunPlan, batch: int = CONCURRENCY) -> dict[str, Any]:
    """The original design: fixed batches of `batch`, each waiting for its slowest.

    Same engine, same requests, same output validation as the runner; only the
    scheduling differs (no retries are needed: this server injects no faults)."""
    engine = new_engine()
    failed = 0

    async def one(spec: Any) -> None:
        nonlocal failed
        output = None
        async for item in engine.stream(spec, plan, Attempt(1)):
            if isinstance(item, FinalOutput):
                output = item.output
        try:
            spec.output_model.model_validate(output)
        except Exception:
            failed += 1

    start = time.perf_counter()
    try:
        for i in range(0, len(plan.delegates), batch):
            await asyncio.gather(*(one(s) for s in plan.delegates[i : i + batch]))
    finally:
        await engine.aclose()
    return {"wall_s": elapsed(start), "failed": failed, "errors": []}


def lower_bound(latencies: list[float], concurrency: int = CONCURRENCY) -> float:
    return max(max(latencies), sum(latencies) / concurrency)


def ideal_window(latencies: list[float], concurrency: int = CONCURRENCY) -> float:
    """The wall time of a sliding window with no overhead at all: each request, in the
    order it was sent, starts the instant a place frees up. No scheduler that learns a
    request's latency only by sending it can do better on average; the lower bound assumes
    one that knows them all in advance."""
    free = [0.0] * concurrency
    for latency in latencies:
        heapq.heappush(free, heapq.heappop(free) + latency)
    return max(free)


def ideal_batches(latencies: list[float], batch: int = CONCURRENCY) -> float:
    """The original design with no overhead: each batch of 10 (in the order sent) lasts as
    long as its slowest request."""
    return sum(max(latencies[i : i + batch]) for i in range(0, len(latencies), batch))


# --- 1. scaling ------------------------------------------------------------------------


async def bench_scaling(workdir: Path, sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for dist_name, spec in DISTRIBUTIONS.items():
        args = ("--latency", spec, "--latency-key", "content", "--seed", str(SEED))
        with FakeServer(*args) as server, fake_env(server.url):
            for n in sizes:
                plan = make_plan(n, workdir)
                row: dict[str, Any] = {"distribution": dist_name, "n": n}
                schedulers: list[tuple[str, Any]] = [
                    ("batched", lambda p: run_batches(p)),
                    ("ours", lambda p: run_window(p, CONCURRENCY)),
                ]
                if n <= SEQUENTIAL_MAX_N:
                    schedulers.insert(0, ("sequential", lambda p: run_window(p, 1)))
                sent: dict[str, list[float]] = {}  # each scheduler's latencies, in the order sent
                for name, run in schedulers:
                    server.reset()
                    gc.collect()
                    result = await run(plan)
                    sent[name] = server.latencies()
                    if sorted(sent[name]) != sorted(next(iter(sent.values()))):
                        raise RuntimeError("the schedulers did not see the same latencies")
                    row[name] = result["wall_s"]
                    row[f"{name}_failed"] = result["failed"]
                drawn = sent["ours"]
                row["sum_latency_s"] = sum(drawn)
                row["max_latency_s"] = max(drawn)
                row["lower_bound_s"] = lower_bound(drawn)
                row["ideal_window_s"] = ideal_window(drawn)
                row["ideal_batches_s"] = ideal_batches(sent["batched"])
                row["ours_over_bound"] = row["ours"] / row["lower_bound_s"]
                row["ours_over_ideal"] = row["ours"] / row["ideal_window_s"]
                row["ours_faster_than_batched"] = 1 - row["ours"] / row["batched"]
                row["ideal_faster_than_batched"] = (
                    1 - row["ideal_window_s"] / row["ideal_batches_s"]
                )
                rows.append(row)
                print(
                    f"  {dist_name[:18]:18} N={n:<4} ours {row['ours']:.2f}s "
                    f"batched {row['batched']:.2f}s bound {row['lower_bound_s']:.2f}s",
                    flush=True,
                )
    return rows


def scaling_table(rows: list[dict[str, Any]]) -> str:
    return table(
        [
            "latency",
            "N",
            "sequential s",
            "batches of 10 s",
            "ours s",
            "ideal window s",
            "lower bound s",
            "ours / ideal",
            "ours / bound",
            "ours vs batches",
            "ideal vs ideal batches",
        ],
        [
            [
                r["distribution"].split(" (")[0],
                r["n"],
                r.get("sequential"),
                r["batched"],
                r["ours"],
                r["ideal_window_s"],
                r["lower_bound_s"],
                f"{r['ours_over_ideal']:.2f}x",
                f"{r['ours_over_bound']:.2f}x",
                _faster(r["ours_faster_than_batched"]),
                _faster(r["ideal_faster_than_batched"]),
            ]
            for r in rows
        ],
    )


def _faster(fraction: float) -> str:
    return f"{fraction:.0%} faster" if fraction >= 0 else f"{-fraction:.0%} slower"


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dists = list(dict.fromkeys(r["distribution"] for r in rows))
    fig, axes = plt.subplots(1, len(dists), figsize=(5 * len(dists), 4.2), sharey=False)
    for ax, dist in zip(axes if len(dists) > 1 else [axes], dists, strict=True):
        mine = [r for r in rows if r["distribution"] == dist]
        ns = [r["n"] for r in mine]
        seq = [(r["n"], r["sequential"]) for r in mine if r.get("sequential") is not None]
        if seq:
            ax.plot(*zip(*seq, strict=True), "o-", label="sequential", color="#999999")
        ax.plot(ns, [r["batched"] for r in mine], "s-", label="batches of 10", color="#d95f02")
        ax.plot(ns, [r["ours"] for r in mine], "o-", label="ours (sliding window)", color="#1b9e77")
        ax.plot(ns, [r["ideal_window_s"] for r in mine], "k:", label="ideal window", linewidth=1)
        ax.plot(ns, [r["lower_bound_s"] for r in mine], "k--", label="lower bound", linewidth=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.set_title(dist, fontsize=9)
        ax.set_xlabel("delegates (N)")
        ax.grid(True, which="both", alpha=0.3)
    first = axes[0] if len(dists) > 1 else axes
    first.set_ylabel("wall time (s)")
    first.legend(fontsize=8)
    fig.suptitle("Wall time against N, concurrency 10 (fake Messages API, same latencies)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path.relative_to(path.parent.parent)}")


# --- 2. rate limits --------------------------------------------------------------------


async def bench_rate_limited(
    workdir: Path, n: int = 40, retry_afters: tuple[float, ...] = (1.0, 0.1)
) -> list[dict[str, Any]]:
    """The same 40 delegates against a server that takes 4 in flight, for two retry-after
    values: 1 s (longer than a request) and 0.1 s (shorter than most requests)."""
    rows = []
    plan = make_plan(n, workdir)
    for retry_after in retry_afters:
        args = (
            *("--latency", "uniform:0.1:0.5", "--latency-key", "content"),
            *("--seed", str(SEED), "--max-in-flight", "4", "--retry-after", str(retry_after)),
        )
        with FakeServer(*args) as server, fake_env(server.url):
            for name, adaptive in (("fixed window of 10", False), ("ours, adaptive", True)):
                server.reset()
                before = server.stats()
                result = await run_window(plan, CONCURRENCY, adaptive=adaptive)
                after = server.stats()
                answered = server.latencies()
                rows.append(
                    {
                        "retry_after_s": retry_after,
                        "scheduler": name,
                        "n": n,
                        "wall_s": result["wall_s"],
                        "requests": after["requests"] - before["requests"],
                        "429s": _count(after, "429") - _count(before, "429"),
                        "failures": result["failed"],
                        "errors": result["errors"],
                        "lower_bound_s": max(max(answered), sum(answered) / 4),
                    }
                )
                print(
                    f"  retry-after {retry_after:g}s, {name}: {rows[-1]['wall_s']:.2f}s, "
                    f"{rows[-1]['429s']} x 429",
                    flush=True,
                )
    return rows


def _count(stats: dict[str, Any], status: str) -> int:
    return int(stats["statuses"].get(status, 0))


# --- 3. overhead -----------------------------------------------------------------------


async def bench_overhead(workdir: Path, n: int = 1000, repeats: int = 5) -> dict[str, Any]:
    from tests.scripted_engine import Script, ScriptedEngine

    path = workdir / "overhead-workspace.json"
    generate_workspace(path, tasks=0, backlog=n)
    plan = prepare_backlog_processing(Store(path), include_existing_tasks=False)
    assert len(plan.delegates) == n
    cpu, wall = [], []
    for _ in range(repeats):
        engine = ScriptedEngine(default=Script())
        runner = Runner(engine, concurrency=CONCURRENCY)
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        ok = 0
        async for event in runner.run(plan):
            if isinstance(event, RunFinished):
                ok = sum(1 for r in event.results if r.status == "succeeded")
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        assert ok == n
    return {
        "n": n,
        "repeats": repeats,
        "cpu_s_runs": cpu,
        "cpu_ms_per_delegate": median(cpu) / n * 1000,
        "wall_ms_per_delegate": median(wall) / n * 1000,
    }


# --- main ------------------------------------------------------------------------------


async def main(only: set[str], sizes: tuple[int, ...]) -> None:
    results: dict[str, Any] = {"concurrency": CONCURRENCY, "seed": SEED}
    out = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if "1" in only:
            print("1. wall time against N (same latencies for every scheduler)")
            rows = await bench_scaling(workdir, sizes)
            results["scaling"] = {
                "sequential_max_n": SEQUENTIAL_MAX_N,
                "distributions": DISTRIBUTIONS,
                "rows": rows,
            }
            print(scaling_table(rows))
            # The README shows the full run's plot; a partial run (--sizes) gets its own file.
            partial = "" if sizes == SIZES else "_" + "-".join(map(str, sizes))
            plot(rows, out / f"wall_time_vs_n{partial}.png")
        if "2" in only:
            print("\n2. rate-limited server (4 in flight; 429 with retry-after beyond)")
            rl = await bench_rate_limited(workdir)
            results["rate_limited"] = rl
            print(
                table(
                    ["retry-after s", "scheduler", "N", "wall s", "requests", "429s", "failures"],
                    [
                        [
                            r["retry_after_s"],
                            r["scheduler"],
                            r["n"],
                            r["wall_s"],
                            r["requests"],
                            r["429s"],
                            r["failures"],
                        ]
                        for r in rl
                    ],
                )
            )
        if "3" in only:
            print("\n3. orchestration overhead (instant engine)")
            ov = await bench_overhead(workdir)
            results["overhead"] = ov
            print(
                table(
                    ["delegates", "CPU ms / delegate", "wall ms / delegate"],
                    [[ov["n"], ov["cpu_ms_per_delegate"], ov["wall_ms_per_delegate"]]],
                )
            )
    suffix = "" if only == {"1", "2", "3"} and sizes == SIZES else "_" + "".join(sorted(only))
    write_results(f"bench_runner{suffix}", results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", default="123", help="which of 1, 2, 3 to run (e.g. 13)")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="N values for benchmark 1"
    )
    ns = parser.parse_args()
    asyncio.run(main(set(ns.only), tuple(int(x) for x in ns.sizes.split(","))))
