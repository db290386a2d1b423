"""Backlog processing's plan: one delegate per backlog item, with its likely duplicates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workos_tui.core.matching import DUPLICATE_THRESHOLD, most_similar
from workos_tui.core.models import PRIORITY_MEANING
from workos_tui.core.operations.prepare_briefs import CATEGORY_HINTS, one_line, task_brief
from workos_tui.core.run_models import BacklogTriage, DelegateSpec, RunPlan
from workos_tui.core.store import Store

# A model sees every open task only in small workspaces; otherwise each item's payload
# carries the candidates found locally (matching.most_similar), so a prompt stays small.
SHARED_TASKS_LIMIT = 60
MAX_CANDIDATES = 8
CANDIDATE_MIN_SCORE = 0.3

BACKLOG_INSTRUCTIONS = """\
You triage one backlog item of a personal work manager. Decide exactly one of:
- duplicate: the item describes an open task listed among the candidates (or the open
  tasks); give duplicate_of (that task's id) and similarity (0..1);
- needs_clarification: too vague to act on (no clear action, "that thing", a question);
  give 1-3 concrete clarification_questions;
- not_actionable: reference material or an idea to keep, not work to do;
- create_task: clear work; give a short imperative title, category, priority (P0 critical
  this week, P1 important this month, P2 normal, P3 nice to have) and estimate_minutes.
Only use task ids that appear in your input. Keep the rationale to one sentence."""


def prepare_backlog_processing(
    store: Store,
    include_existing_tasks: bool = True,
    *,
    max_candidates: int = MAX_CANDIDATES,
    today: dt.date | None = None,
) -> RunPlan:
    """One delegate per backlog item (its sub-items travel with it)."""
    today = today or dt.date.today()
    open_tasks = [t for t in store.tasks() if t.is_open]
    choices = [(t.id, t.title) for t in open_tasks]
    by_id = {t.id: t for t in open_tasks}
    context: dict[str, Any] = {
        "today": today.isoformat(),
        "categories": CATEGORY_HINTS,
        "priorities": dict(PRIORITY_MEANING),
        "duplicate_threshold": DUPLICATE_THRESHOLD,
        "open_task_count": len(open_tasks),
    }
    if include_existing_tasks and len(open_tasks) <= SHARED_TASKS_LIMIT:
        context["open_tasks"] = [
            {k: v for k, v in task_brief(t).items() if k != "description"} for t in open_tasks
        ]
    delegates = []
    for item in store.backlog():
        candidates: list[dict[str, Any]] = []
        if include_existing_tasks and choices:
            query = item.text
            for task_id, score in most_similar(
                query, choices, limit=max_candidates, min_score=CANDIDATE_MIN_SCORE
            ):
                t = by_id[task_id]
                candidates.append(
                    {
                        "id": t.id,
                        "title": t.title,
                        "status": t.status,
                        "priority": t.priority,
                        "category": t.category,
                        "similarity": score,
                    }
                )
        delegates.append(
            DelegateSpec(
                id=item.id,
                label=one_line(item.text),
                instructions=BACKLOG_INSTRUCTIONS,
                payload={
                    "item": {"id": item.id, "text": item.text, "subitems": list(item.subitems)},
                    "candidates": candidates,
                },
                output_model=BacklogTriage,
            )
        )
    return RunPlan(
        operation="backlog_processing",
        context=context,
        delegates=delegates,
        options={"include_existing_tasks": include_existing_tasks},
    )
