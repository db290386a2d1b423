"""The offline engine: deterministic local heuristics, no network, useful on its own.

Backlog items are checked for duplicates (matching.similarity against the open tasks
in the delegate's input), vagueness, reference material, then category, priority and
estimate; analyses use Taskwarrior-style urgency, dependency graphs and capacity;
planning ranks from urgency, started work and goals. Each step streams one short line
as it is computed, and yields to the event loop so other delegates interleave.

This module is the engine itself; each operation's reasoning is its own module
(`offline_triage.py`, `offline_analysis.py`, `offline_planning.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from workos_tui.core.engines.base import Attempt, Delta, FinalOutput
from workos_tui.core.engines.offline_analysis import analyse, find_cycles
from workos_tui.core.engines.offline_planning import plan_perspective
from workos_tui.core.engines.offline_triage import triage_item
from workos_tui.core.run_models import DelegateSpec, RunPlan

# find_cycles lives with the blockers analysis that uses it, and stays part of this
# module's surface: its tests import it from the engine.
__all__ = ["OfflineEngine", "find_cycles"]


class OfflineEngine:
    """`Engine` implementation; stateless, so one instance serves any number of runs."""

    name = "offline"

    @property
    def label(self) -> str:
        return "offline"

    async def aclose(self) -> None:
        return None

    async def stream(
        self, spec: DelegateSpec, plan: RunPlan, attempt: Attempt
    ) -> AsyncIterator[Delta | FinalOutput]:
        kind = spec.output_model.__name__
        if kind == "BacklogTriage":
            steps = triage_item(spec.payload, plan.context)
        elif kind == "TaskAnalysis":
            steps = analyse(spec.payload, plan.context)
        elif kind == "PlanPerspective":
            steps = plan_perspective(spec.payload, plan.context)
        else:
            raise ValueError(f"the offline engine cannot produce {kind}")
        for step in steps:
            if isinstance(step, Delta):
                yield step
                await asyncio.sleep(0)  # let other delegates' steps interleave
            else:
                yield FinalOutput(step)
                return
