"""Task analysis's plan: one delegate per analysis type, each with the tasks it reviews."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workos_tui.core.engines.heuristics import guess_category
from workos_tui.core.matching import keywords, tokens
from workos_tui.core.models import CATEGORIES, PRIORITIES, PRIORITY_MEANING, Task
from workos_tui.core.operations.prepare_briefs import (
    CATEGORY_HINTS,
    TASKS_PER_DELEGATE,
    most_relevant,
    task_brief,
)
from workos_tui.core.run_models import (
    ANALYSIS_TYPES,
    AnalysisType,
    DelegateSpec,
    RunPlan,
    TaskAnalysis,
)
from workos_tui.core.store import Store
from workos_tui.core.urgency import blocking_counts, open_dependencies, urgencies

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

    def most_urgent(tasks: list[Task]) -> list[Task]:
        return sorted(tasks, key=lambda t: -urg.get(t.id, 0.0))

    payloads: dict[AnalysisType, dict[str, Any]] = {}
    omitted: dict[AnalysisType, dict[str, int]] = {kind: {} for kind in types}
    if "priority" in types:
        counts = {p: sum(1 for t in open_tasks if t.priority == p) for p in PRIORITIES}
        # Candidates for a change of priority: the most urgent tasks (to raise) and the
        # least urgent of the P0s and P1s (to lower), then the rest by urgency.
        by_urgency = most_urgent(open_tasks)
        least_urgent_high = [t for t in reversed(by_urgency) if t.priority in ("P0", "P1")]
        raise_n = TASKS_PER_DELEGATE * 2 // 3
        first = by_urgency[:raise_n] + least_urgent_high[: TASKS_PER_DELEGATE - raise_n]
        candidates = list({t.id: t for t in first + by_urgency}.values())
        shown = most_relevant("tasks", candidates, omitted["priority"])
        shown.sort(key=lambda t: (t.priority, -urg.get(t.id, 0.0)))
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
                for t in shown
            ],
        }
    if "category" in types:
        # Tasks whose words point to another category come first.
        def doubtful(t: Task) -> bool:
            return guess_category(f"{t.title} {t.description}")[0] not in (t.category, "other")

        ordered = sorted(open_tasks, key=lambda t: (not doubtful(t), t.category == "other"))
        grouped: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
        for t in most_relevant("tasks", ordered, omitted["category"]):
            grouped[t.category].append(task_brief(t))
        payloads["category"] = {
            "categories": CATEGORY_HINTS,
            "tasks_by_category": {c: ts for c, ts in grouped.items() if ts},
        }
    if "blockers" in types:
        stale_after = settings.stale_after_days
        lists = omitted["blockers"]
        depended_on = {d for t in open_tasks for d in t.depends_on}
        in_graph = [t for t in open_tasks if t.depends_on or t.id in depended_on]
        payloads["blockers"] = {
            "stale_after_days": stale_after,
            "blocked": [
                task_brief(t)
                for t in most_relevant(
                    "blocked", most_urgent([t for t in open_tasks if t.status == "blocked"]), lists
                )
            ],
            "stale_started": [
                task_brief(t, days_since_update=age(t))
                for t in most_relevant(
                    "stale_started",
                    sorted(
                        (t for t in open_tasks if t.status == "started" and age(t) >= stale_after),
                        key=age,
                        reverse=True,
                    ),
                    lists,
                )
            ],
            "dependency_blocked": [
                task_brief(t, waiting_on=open_dependencies(t, by_id))
                for t in most_relevant(
                    "dependency_blocked",
                    most_urgent([t for t in open_tasks if open_dependencies(t, by_id)]),
                    lists,
                )
            ],
            # The dependency graph: only tasks in it, in short form, so cycles are visible.
            "tasks": [
                {"id": t.id, "title": t.title, "status": t.status, "depends_on": t.depends_on}
                for t in most_relevant("tasks", in_graph, lists, TASKS_PER_DELEGATE * 4)
            ],
        }
    if "goal_alignment" in types:
        active = [g for g in store.goals() if g.status == "active"]
        # Unlinked tasks that share words with an active goal come first.
        goal_words = keywords(f"{g.title} {g.description}" for g in active)

        def alignment_order(t: Task) -> tuple[bool, int, float]:
            shared = len(set(tokens(t.title)) & goal_words)
            return (t.goal_id is not None, -shared, -urg.get(t.id, 0.0))

        unlinked_first = sorted(open_tasks, key=alignment_order)
        payloads["goal_alignment"] = {
            "goals": [
                {
                    "id": g.id,
                    "title": g.title,
                    "description": g.description,
                    "target_date": g.target_date.isoformat() if g.target_date else None,
                }
                for g in active
            ],
            "tasks": [
                task_brief(t)
                for t in most_relevant("tasks", unlinked_first, omitted["goal_alignment"])
            ],
        }
    if "time_estimates" in types:
        unestimated_first = sorted(
            open_tasks, key=lambda t: (t.estimate_minutes is not None, -urg.get(t.id, 0.0))
        )
        payloads["time_estimates"] = {
            "capacity": {
                "hours_per_day": settings.hours_available,
                "minutes_per_day": round(settings.hours_available * 60),
                "minutes_per_week": round(settings.hours_available * 60 * 5),
            },
            "totals": {
                "open_tasks": len(open_tasks),
                "estimated_minutes": sum(t.estimate_minutes or 0 for t in open_tasks),
                "estimated_minutes_p0_p1": sum(
                    t.estimate_minutes or 0 for t in open_tasks if t.priority in ("P0", "P1")
                ),
                "without_estimate": sum(1 for t in open_tasks if t.estimate_minutes is None),
            },
            "tasks": [
                task_brief(t)
                for t in most_relevant("tasks", unestimated_first, omitted["time_estimates"])
            ],
        }
    for kind in types:
        if omitted[kind]:
            payloads[kind]["not_shown"] = omitted[kind]
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
