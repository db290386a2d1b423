"""Taskwarrior-style urgency: one number that orders tasks by what needs doing first.

The coefficients are Taskwarrior's defaults (due 12, blocking 8, started 4, age 2,
blocked -5), with its three priorities spread over our four (P0 above Taskwarrior's H).
Used by the offline engine, planning, and any front end that sorts "by urgency".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from workos_tui.core.models import Priority, Task

PRIORITY_COEFFICIENT: dict[Priority, float] = {"P0": 8.0, "P1": 6.0, "P2": 3.9, "P3": 1.8}
DUE_COEFFICIENT = 12.0
BLOCKING_COEFFICIENT = 8.0
STARTED_COEFFICIENT = 4.0
AGE_COEFFICIENT = 2.0
AGE_MAX_DAYS = 365
BLOCKED_COEFFICIENT = -5.0
GOAL_COEFFICIENT = 1.0


def due_factor(due: dt.date | None, today: dt.date) -> float:
    """Taskwarrior's ramp: 1.0 a week or more overdue, 0.2 two weeks or more ahead."""
    if due is None:
        return 0.0
    overdue_days = (today - due).days
    if overdue_days >= 7:
        return 1.0
    if overdue_days >= -14:
        return (overdue_days + 14) * 0.8 / 21 + 0.2
    return 0.2


def blocking_counts(tasks: Iterable[Task]) -> dict[str, int]:
    """How many open tasks wait on each task id."""
    counts: dict[str, int] = {}
    for task in tasks:
        if task.status != "done":
            for dep in task.depends_on:
                counts[dep] = counts.get(dep, 0) + 1
    return counts


def open_dependencies(task: Task, by_id: dict[str, Task]) -> list[str]:
    """The ids this task depends on that are not done yet (unknown ids count as done)."""
    return [
        d for d in task.depends_on if (dep := by_id.get(d)) is not None and dep.status != "done"
    ]


def urgency(
    task: Task,
    today: dt.date,
    *,
    blocking: int = 0,
    waiting_on: int = 0,
) -> float:
    """The urgency of one task. `blocking`: open tasks waiting on it; `waiting_on`: its
    own open dependencies."""
    if task.status == "done":
        return 0.0
    score = PRIORITY_COEFFICIENT[task.priority]
    score += DUE_COEFFICIENT * due_factor(task.due, today)
    if blocking:
        score += BLOCKING_COEFFICIENT
    if task.status == "started":
        score += STARTED_COEFFICIENT
    if task.status == "blocked" or waiting_on:
        score += BLOCKED_COEFFICIENT
    if task.goal_id:
        score += GOAL_COEFFICIENT
    age_days = max(0, (today - task.created_at.date()).days)
    score += AGE_COEFFICIENT * min(age_days, AGE_MAX_DAYS) / AGE_MAX_DAYS
    return round(score, 3)


def urgencies(tasks: Iterable[Task], today: dt.date) -> dict[str, float]:
    """Urgency of every open task, computing blocking links once."""
    task_list = list(tasks)
    by_id = {t.id: t for t in task_list}
    blocking = blocking_counts(task_list)
    return {
        t.id: urgency(
            t,
            today,
            blocking=blocking.get(t.id, 0),
            waiting_on=len(open_dependencies(t, by_id)),
        )
        for t in task_list
        if t.status != "done"
    }
