"""prepare_*: read the workspace and plan a run, one `DelegateSpec` per delegate.

Payloads are plain JSON data (what a model is shown). Every task or goal a delegate may
name in its output appears in its payload or in the shared context by id; the aggregator
rejects ids outside that scope.

Each operation's payloads are built in its own module (`prepare_backlog`,
`prepare_analysis`, `prepare_planning`) from the briefs in `prepare_briefs`.
"""

from __future__ import annotations

from typing import Any

from workos_tui.core.operations.prepare_analysis import prepare_task_analysis
from workos_tui.core.operations.prepare_backlog import prepare_backlog_processing
from workos_tui.core.operations.prepare_planning import prepare_daily_planning
from workos_tui.core.run_models import Operation, RunPlan
from workos_tui.core.store import Store

# The way in to planning a run: every plan builder can be imported from here.
__all__ = [
    "prepare",
    "prepare_backlog_processing",
    "prepare_daily_planning",
    "prepare_task_analysis",
    "resolve_operation",
]

OPERATION_ALIASES: dict[str, Operation] = {
    "backlog_processing": "backlog_processing",
    "backlog": "backlog_processing",
    "parallel_backlog_processing": "backlog_processing",
    "task_analysis": "task_analysis",
    "analysis": "task_analysis",
    "analyze": "task_analysis",
    "parallel_task_analysis": "task_analysis",
    "daily_planning": "daily_planning",
    "plan": "daily_planning",
    "planning": "daily_planning",
    "parallel_daily_planning": "daily_planning",
}


def resolve_operation(operation: str) -> Operation:
    found = OPERATION_ALIASES.get(operation.strip().lower().replace("-", "_"))
    if found is None:
        names = ", ".join(sorted({"backlog", "analyze", "plan", *OPERATION_ALIASES.values()}))
        raise ValueError(f"unknown operation {operation!r} (expected one of: {names})")
    return found


def prepare(store: Store, operation: str, **options: Any) -> RunPlan:
    """Plan a run of `operation` (a name or an alias such as "backlog", "analyze", "plan")."""
    op = resolve_operation(operation)
    if op == "backlog_processing":
        return prepare_backlog_processing(store, **options)
    if op == "task_analysis":
        return prepare_task_analysis(store, **options)
    return prepare_daily_planning(store, **options)
