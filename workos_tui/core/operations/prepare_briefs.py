"""What every operation's delegates are told about the workspace: task briefs, category hints.

Each prepare_* module builds its payloads from these, so a task reads the same to every
delegate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from workos_tui.core.models import Task

T = TypeVar("T")

TASKS_PER_DELEGATE = 150
"""At most this many tasks go to one delegate in one list, the most relevant first. 10,000
briefs would not fit a model's context, and nobody reviews 10,000 suggestions; counts and
totals are still computed over every task, and the delegate is told how many it was not
shown (a model can look others up with search_tasks)."""

CATEGORY_HINTS: dict[str, str] = {
    "technical": "code, bugs, infrastructure, tooling, design work in software",
    "outreach": "emails, calls, replies, contacting people outside the team",
    "research": "investigating, interviewing, analysing data, comparing options",
    "writing": "documents, posts, reports, documentation, copy",
    "admin": "paperwork, expenses, scheduling, bookings, renewals, planning meetings",
    "personal": "health, errands, family, hobbies",
    "other": "anything that fits none of the above",
}


def one_line(text: str, width: int = 60) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def task_brief(task: Task, **extra: Any) -> dict[str, Any]:
    """What a delegate is told about one task."""
    brief: dict[str, Any] = {
        "id": task.id,
        "title": task.title,
        "status": task.status,
        "priority": task.priority,
        "category": task.category,
        "estimate_minutes": task.estimate_minutes,
        "due": task.due.isoformat() if task.due else None,
        "goal_id": task.goal_id,
    }
    if task.depends_on:
        brief["depends_on"] = list(task.depends_on)
    if task.description:
        brief["description"] = one_line(task.description, 200)
    brief.update(extra)
    return brief


def most_relevant(
    name: str, items: Sequence[T], omitted: dict[str, int], limit: int = TASKS_PER_DELEGATE
) -> list[T]:
    """The first `limit` of `items` (already ordered most relevant first); how many were
    left out is recorded under `name` in `omitted`, which goes into the payload."""
    if len(items) > limit:
        omitted[name] = len(items) - limit
    return list(items[:limit])
