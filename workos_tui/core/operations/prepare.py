"""prepare_*: read the workspace and plan a run, one `DelegateSpec` per delegate.

Payloads are plain JSON data (what a model is shown). Every task or goal a delegate may
name in its output appears in its payload or in the shared context by id; the aggregator
rejects ids outside that scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workos_tui.core.matching import DUPLICATE_THRESHOLD, most_similar
from workos_tui.core.models import CATEGORIES, PRIORITIES, PRIORITY_MEANING, Task
from workos_tui.core.run_models import (
    ANALYSIS_TYPES,
    AnalysisType,
    BacklogTriage,
    DelegateSpec,
    Operation,
    PlanPerspective,
    RunPlan,
    TaskAnalysis,
)
from workos_tui.core.store import Store
from workos_tui.core.urgency import blocking_counts, open_dependencies, urgencies

CATEGORY_HINTS: dict[str, str] = {
    "technical": "code, bugs, infrastructure, tooling, design work in software",
    "outreach": "emails, calls, replies, contacting people outside the team",
    "research": "investigating, interviewing, analysing data, comparing options",
    "writing": "documents, posts, reports, documentation, copy",
    "admin": "paperwork, expenses, scheduling, bookings, renewals, planning meetings",
    "personal": "health, errands, family, hobbies",
    "other": "anything that fits none of the above",
}

# A model sees every open task only in small workspaces; otherwise each item's payload
# carries the candidates found locally (matching.most_similar), so a prompt stays small.
SHARED_TASKS_LIMIT = 60
MAX_CANDIDATES = 8
CANDIDATE_MIN_SCORE = 0.3
KNOWLEDGE_NOTES = 5

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

ANALYSIS_INSTRUCTIONS: dict[AnalysisType, str] = {
    "priority": (
        "Review the priorities of the open tasks. Suggest priority changes where urgency "
        "(due dates, age, what they block, started work) disagrees with the priority set, "
        "and report any priority whose count exceeds its limit."
    ),
    "category": (
        "Check each open task's category against its title and description; suggest a "
        "better category only where the current one is clearly wrong."
    ),
    "blockers": (
        "Find blocked tasks, started tasks that went stale, and dependency chains or "
        "cycles; name the blocking task ids and one concrete unblocking step for each."
    ),
    "goal_alignment": (
        "Match open tasks to the active goals. For each task give the goal it serves "
        "(or null) and a 0..1 alignment score; suggest goal links for unlinked tasks."
    ),
    "time_estimates": (
        "Check the estimates: suggest estimates where missing or implausible, and "
        "compare the total open work against the available hours."
    ),
}

PLANNING_INSTRUCTIONS: dict[str, str] = {
    "priority_focus": (
        "Rank the tasks that matter most today by urgency: priority, due dates, what "
        "they unblock. Give each ranked task a reason and the minutes it needs today."
    ),
    "momentum": (
        "Rank the tasks that keep momentum: started work, nearly done tasks, and tasks "
        "just unblocked. Give each a reason and the minutes it needs today."
    ),
    "goal_progress": (
        "Rank the tasks that move the active goals forward most, favouring goals with a "
        "near target date or little progress. Give each a reason and minutes."
    ),
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


def _label(text: str, width: int = 60) -> str:
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
        brief["description"] = _label(task.description, 200)
    brief.update(extra)
    return brief


# --- backlog processing ------------------------------------------------------------


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
                label=_label(item.text),
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


# --- task analysis -----------------------------------------------------------------


# The original's delegate identifiers, less "_analysis": blocker_analysis, time_analysis.
TYPE_ALIASES = {"blocker": "blockers", "time": "time_estimates", "goals": "goal_alignment"}


def _parse_types(analysis_types: Any) -> list[AnalysisType]:
    if analysis_types is None:
        return list(ANALYSIS_TYPES)
    if isinstance(analysis_types, str):
        analysis_types = [p for p in analysis_types.split(",") if p.strip()]
    out: list[AnalysisType] = []
    for raw in analysis_types:
        name = str(raw).strip().lower().replace("-", "_").removesuffix("_analysis")
        name = TYPE_ALIASES.get(name, name)
        if name not in ANALYSIS_TYPES:
            raise ValueError(
                f"unknown analysis type {raw!r} (expected some of: {', '.join(ANALYSIS_TYPES)})"
            )
        if name not in out:
            out.append(name)  # type: ignore[arg-type,unused-ignore]
    if not out:
        raise ValueError(f"no analysis type given (expected some of: {', '.join(ANALYSIS_TYPES)})")
    return out


def prepare_task_analysis(
    store: Store,
    analysis_types: Any = None,
    *,
    today: dt.date | None = None,
) -> RunPlan:
    """One delegate per analysis type (default: all five)."""
    types = _parse_types(analysis_types)
    today = today or dt.date.today()
    settings = store.settings()
    all_tasks = store.tasks()
    by_id = {t.id: t for t in all_tasks}
    open_tasks = [t for t in all_tasks if t.is_open]
    urg = urgencies(all_tasks, today)
    blocking = blocking_counts(all_tasks)

    def age(t: Task) -> int:
        return max(0, (today - t.updated_at.date()).days)

    payloads: dict[AnalysisType, dict[str, Any]] = {}
    if "priority" in types:
        counts = {p: sum(1 for t in open_tasks if t.priority == p) for p in PRIORITIES}
        ordered = sorted(open_tasks, key=lambda t: (t.priority, -urg.get(t.id, 0.0)))
        payloads["priority"] = {
            "priority_limits": dict(settings.priority_limits),
            "priority_counts": counts,
            "tasks": [
                task_brief(
                    t,
                    urgency=urg.get(t.id, 0.0),
                    blocking=blocking.get(t.id, 0),
                    days_since_update=age(t),
                    created=t.created_at.date().isoformat(),
                )
                for t in ordered
            ],
        }
    if "category" in types:
        grouped: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
        for t in open_tasks:
            grouped[t.category].append(task_brief(t))
        payloads["category"] = {
            "categories": CATEGORY_HINTS,
            "tasks_by_category": {c: ts for c, ts in grouped.items() if ts},
        }
    if "blockers" in types:
        stale_after = settings.stale_after_days
        payloads["blockers"] = {
            "stale_after_days": stale_after,
            "blocked": [task_brief(t) for t in open_tasks if t.status == "blocked"],
            "stale_started": [
                task_brief(t, days_since_update=age(t))
                for t in open_tasks
                if t.status == "started" and age(t) >= stale_after
            ],
            "dependency_blocked": [
                task_brief(t, waiting_on=open_dependencies(t, by_id))
                for t in open_tasks
                if open_dependencies(t, by_id)
            ],
            "tasks": [
                {"id": t.id, "title": t.title, "status": t.status, "depends_on": t.depends_on}
                for t in open_tasks
            ],
        }
    if "goal_alignment" in types:
        payloads["goal_alignment"] = {
            "goals": [
                {
                    "id": g.id,
                    "title": g.title,
                    "description": g.description,
                    "target_date": g.target_date.isoformat() if g.target_date else None,
                }
                for g in store.goals()
                if g.status == "active"
            ],
            "tasks": [task_brief(t) for t in open_tasks],
        }
    if "time_estimates" in types:
        payloads["time_estimates"] = {
            "capacity": {
                "hours_per_day": settings.hours_available,
                "minutes_per_day": round(settings.hours_available * 60),
                "minutes_per_week": round(settings.hours_available * 60 * 5),
            },
            "tasks": [task_brief(t) for t in open_tasks],
        }
    delegates = [
        DelegateSpec(
            id=kind,
            label=kind.replace("_", " ").capitalize(),
            instructions=ANALYSIS_INSTRUCTIONS[kind],
            payload={"analysis_type": kind, **payloads[kind]},
            output_model=TaskAnalysis,
        )
        for kind in types
    ]
    return RunPlan(
        operation="task_analysis",
        context={
            "today": today.isoformat(),
            "priorities": dict(PRIORITY_MEANING),
            "open_task_count": len(open_tasks),
        },
        delegates=delegates,
        options={"analysis_types": list(types)},
    )


# --- daily planning ----------------------------------------------------------------


def time_context(now: dt.datetime) -> dict[str, Any]:
    hour = now.hour
    if 5 <= hour < 12:
        part = "morning"
    elif 12 <= hour < 17:
        part = "afternoon"
    elif 17 <= hour < 22:
        part = "evening"
    else:
        part = "night"
    return {
        "day": now.strftime("%A"),
        "date": now.date().isoformat(),
        "hour": hour,
        "time_of_day": part,
    }


def prepare_daily_planning(
    store: Store,
    include_goals: bool = True,
    include_knowledge: bool = False,
    now: dt.datetime | None = None,
    hours_available: float | None = None,
) -> RunPlan:
    """Three perspectives (`goal_progress` only with goals) on what to do today."""
    now = now or dt.datetime.now().astimezone()
    today = now.date()
    settings = store.settings()
    hours = float(hours_available) if hours_available is not None else settings.hours_available
    if not 0 < hours <= 24:
        raise ValueError(f"hours available must be more than 0 and at most 24, not {hours:g}")
    all_tasks = store.tasks()
    by_id = {t.id: t for t in all_tasks}
    urg = urgencies(all_tasks, today)
    actionable = [
        t
        for t in all_tasks
        if t.is_open and t.status != "blocked" and not open_dependencies(t, by_id)
    ]
    actionable.sort(key=lambda t: -urg.get(t.id, 0.0))

    def brief(t: Task, **extra: Any) -> dict[str, Any]:
        return task_brief(t, urgency=urg.get(t.id, 0.0), **extra)

    perspectives: dict[str, dict[str, Any]] = {
        "priority_focus": {"tasks": [brief(t) for t in actionable]},
        "momentum": {
            "started": [
                brief(t, days_since_update=(today - t.updated_at.date()).days)
                for t in actionable
                if t.status == "started"
            ],
            "nearly_done": [
                brief(t)
                for t in actionable
                if t.status == "started" and (t.estimate_minutes or 0) <= 60
            ],
            "unblocked_dependents": [
                brief(t) for t in actionable if t.depends_on and t.status != "started"
            ],
        },
    }
    if include_goals:
        goals = []
        for g in store.goals():
            if g.status != "active":
                continue
            linked = [t for t in all_tasks if t.goal_id == g.id]
            goals.append(
                {
                    "id": g.id,
                    "title": g.title,
                    "target_date": g.target_date.isoformat() if g.target_date else None,
                    "done": sum(1 for t in linked if t.status == "done"),
                    "total": len(linked),
                    "open_tasks": [brief(t) for t in actionable if t.goal_id == g.id],
                }
            )
        perspectives["goal_progress"] = {"goals": goals}
    context: dict[str, Any] = {
        "time_context": time_context(now),
        "hours_available": hours,
        "minutes_available": round(hours * 60),
        "max_focus_tasks": 3,
    }
    if include_knowledge:
        notes = sorted(store.notes(), key=lambda n: n.created_at, reverse=True)
        context["knowledge"] = [
            {
                "id": n.id,
                "title": n.title,
                "first_line": _label(n.body.strip().splitlines()[0], 200) if n.body.strip() else "",
            }
            for n in notes[:KNOWLEDGE_NOTES]
        ]
    delegates = [
        DelegateSpec(
            id=name,
            label=name.replace("_", " ").capitalize(),
            instructions=PLANNING_INSTRUCTIONS[name],
            payload={"perspective": name, **payload},
            output_model=PlanPerspective,
        )
        for name, payload in perspectives.items()
    ]
    return RunPlan(
        operation="daily_planning",
        context=context,
        delegates=delegates,
        options={
            "include_goals": include_goals,
            "include_knowledge": include_knowledge,
            "hours_available": hours,
            "date": today.isoformat(),
        },
    )
