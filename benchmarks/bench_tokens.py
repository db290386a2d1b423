"""Benchmark 6: what the shared prefix cache saves, from the fake server's usage accounting.

The same backlog run (the demo workspace's backlog, 10 in flight, anthropic engine against
the fake Messages API) twice: as WorkOS sends it (the tools and the system prompt with the
shared context end in a `cache_control` breakpoint, and the first delegate writes the cache
before the others read it), and with the breakpoint removed (every delegate pays for the
whole prompt). Input tokens billed per delegate = uncached input + 1.25 x cache writes +
the model's read multiplier (0.1) x cache reads.

    python benchmarks/bench_tokens.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from benchlib import FakeServer, fake_env, run_to_end, table, write_results

import workos_tui.core.engines.anthropic as anthropic_engine
import workos_tui.core.engines.anthropic_request as anthropic_request
from workos_tui.core.config import Config
from workos_tui.core.demo import write_demo
from workos_tui.core.operations import prepare_backlog_processing
from workos_tui.core.pricing import CACHE_WRITE_MULTIPLIER, price_for
from workos_tui.core.run_models import RunPlan, Usage

_cached_system_blocks = anthropic_engine.system_blocks


def uncached_system_blocks(plan: RunPlan) -> list[dict[str, Any]]:
    """The same system blocks without the cache breakpoint."""
    blocks = _cached_system_blocks(plan)
    return [{k: v for k, v in b.items() if k != "cache_control"} for b in blocks]


async def run(plan: RunPlan) -> tuple[Usage, int, int]:
    engine = anthropic_engine.AnthropicEngine(store=None, config=Config(engine="anthropic"))
    final = await run_to_end(engine, plan, concurrency=10)
    ok = sum(1 for r in final.results if r.status == "succeeded")
    return final.usage, ok, len(final.results)


async def main() -> None:
    model = Config().resolved_model()
    read_x = price_for(model).cache_read_multiplier
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = write_demo(Path(tmp) / "demo.json")
        plan = prepare_backlog_processing(store)
        with FakeServer("--latency", "fixed:0.05") as server, fake_env(server.url):
            for name, cached in (("cached prefix (ours)", True), ("no cache", False)):
                server.reset()
                if cached:
                    usage, ok, n = await run(plan)
                else:
                    with mock.patch.object(
                        anthropic_request, "system_blocks", uncached_system_blocks
                    ):
                        usage, ok, n = await run(plan)
                billed = (
                    usage.input_tokens
                    + CACHE_WRITE_MULTIPLIER * usage.cache_creation_input_tokens
                    + read_x * usage.cache_read_input_tokens
                )
                prompt = (
                    usage.input_tokens
                    + usage.cache_creation_input_tokens
                    + usage.cache_read_input_tokens
                )
                rows.append(
                    {
                        "variant": name,
                        "delegates": n,
                        "succeeded": ok,
                        "prompt_tokens_per_delegate": prompt / n,
                        "uncached_input_per_delegate": usage.input_tokens / n,
                        "cache_write_per_delegate": usage.cache_creation_input_tokens / n,
                        "cache_read_per_delegate": usage.cache_read_input_tokens / n,
                        "billed_input_per_delegate": billed / n,
                        "cost_usd_per_delegate": usage.cost_usd / n,
                        "usage": usage.model_dump(),
                    }
                )
    base = rows[1]["billed_input_per_delegate"]
    for r in rows:
        r["billed_vs_no_cache"] = r["billed_input_per_delegate"] / base
    print(f"6. token cost per delegate, backlog run of {rows[0]['delegates']} delegates ({model})")
    print(
        table(
            [
                "variant",
                "prompt tokens",
                "uncached input",
                "cache writes",
                "cache reads",
                "billed input tokens",
                "vs no cache",
                "USD / delegate",
            ],
            [
                [
                    r["variant"],
                    round(r["prompt_tokens_per_delegate"]),
                    round(r["uncached_input_per_delegate"]),
                    round(r["cache_write_per_delegate"]),
                    round(r["cache_read_per_delegate"]),
                    round(r["billed_input_per_delegate"]),
                    f"{r['billed_vs_no_cache']:.2f}x",
                    f"{r['cost_usd_per_delegate']:.5f}",
                ]
                for r in rows
            ],
        )
    )
    write_results(
        "bench_tokens",
        {
            "model": model,
            "cache_write_multiplier": CACHE_WRITE_MULTIPLIER,
            "cache_read_multiplier": read_x,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
