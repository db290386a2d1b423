"""What every operation's delegates are told about the workspace: task briefs, category hints.

Each prepare_* module builds its payloads from these, so a task reads the same to every
delegate.
"""

from __future__ import annotations

from typing import Any

from workos_tui.core.models import Task

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
