"""One whole run without a front end: prepare -> run -> aggregate (nothing is applied).

The CLI and the MCP server call `run_operation`; the TUI drives the same steps itself so
it can show the events as they come.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

from workos_tui.core.engines.base import Engine
from workos_tui.core.events import RunEvent, RunFinished
from workos_tui.core.operations import aggregate, prepare
from workos_tui.core.run_models import RunPlan, RunReport
from workos_tui.core.runner import Runner
from workos_tui.core.store import Store

RunnerFactory = Callable[..., Runner]


async def run_operation(
    store: Store,
    engine: Engine,
    operation: str,
    *,
    options: dict[str, Any] | None = None,
    concurrency: int = 10,
    timeout_s: float = 120,
    on_event: Callable[[RunEvent], Any] | None = None,
    runner_factory: RunnerFactory | None = None,
    plan: RunPlan | None = None,
) -> RunReport:
    """Prepare, run and aggregate `operation`; the report's proposal is not applied.

    `on_event` sees every runner event (it may be a coroutine function);
    `runner_factory(engine, concurrency=, timeout_s=)` lets a caller keep the runner
    (to cancel it) or tune it. A caller that already prepared the plan passes it as
    `plan` (preparing can be the costly part with 10,000 tasks). The engine is not
    closed: its creator does that.
    """
    start = time.perf_counter()
    if plan is None:
        plan = prepare(store, operation, **(options or {}))
    factory = runner_factory or Runner
    runner = factory(engine, concurrency=concurrency, timeout_s=timeout_s)
    finished: RunFinished | None = None
    async for event in runner.run(plan):
        if on_event is not None:
            outcome = on_event(event)
            if inspect.isawaitable(outcome):
                await outcome
        if isinstance(event, RunFinished):
            finished = event
    assert finished is not None  # the runner always ends with RunFinished
    proposal = aggregate(plan, finished.results)
    return RunReport(
        operation=plan.operation,
        engine=engine.name,
        concurrency=concurrency,
        elapsed_s=round(time.perf_counter() - start, 3),
        delegates=finished.results,
        proposal=proposal,
        usage=finished.usage,
        aborted=finished.aborted,
    )
