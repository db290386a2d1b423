"""The three operations: prepare a run, aggregate its results, apply what is approved."""

from __future__ import annotations

from workos_tui.core.operations.aggregate import aggregate
from workos_tui.core.operations.aggregate_gate import scope_ids
from workos_tui.core.operations.apply import ApplyError, apply_proposal
from workos_tui.core.operations.legacy import aggregate_loose
from workos_tui.core.operations.prepare import (
    prepare,
    prepare_backlog_processing,
    prepare_daily_planning,
    prepare_task_analysis,
    resolve_operation,
)

__all__ = [
    "ApplyError",
    "aggregate",
    "aggregate_loose",
    "apply_proposal",
    "prepare",
    "prepare_backlog_processing",
    "prepare_daily_planning",
    "prepare_task_analysis",
    "resolve_operation",
    "scope_ids",
]
