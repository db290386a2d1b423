"""Daily planning's plan: one delegate per perspective on what to do today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workos_tui.core.models import Task
from workos_tui.core.operations.prepare_briefs import (
    TASKS_PER_DELEGATE,
    most_relevant,
    one_line,
    task_brief,
)
from workos_tui.core.run_models import DelegateSpec, PlanPerspective, RunPlan
from workos_tui.core.store import Store
from workos_tui.core.urgency import open_dependencies, urgencies

# A goal's most urgent open tasks: the perspective ranks goals, then picks within them.
TASKS_PER_GOAL = 20
KNOWLEDGE_NOTES = 5

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

    omitted: dict[str, dict[str, int]] = {"priority_focus": {}, "momentum": {}, "goal_progress": {}}

    def briefs(
        perspective: str, name: str, tasks: list[Task], limit: int = TASKS_PER_DELEGATE
    ) -> list[dict[str, Any]]:
        """The most urgent first (`actionable` is sorted so), capped per list."""
        shown = most_relevant(name, tasks, omitted[perspective], limit)
        return [brief(t) for t in shown]

    started = [t for t in actionable if t.status == "started"]
    perspectives: dict[str, dict[str, Any]] = {
        "priority_focus": {"tasks": briefs("priority_focus", "tasks", actionable)},
        "momentum": {
            "started": [
                brief(t, days_since_update=(today - t.updated_at.date()).days)
                for t in most_relevant("started", started, omitted["momentum"])
            ],
            "nearly_done": briefs(
                "momentum", "nearly_done", [t for t in started if (t.estimate_minutes or 0) <= 60]
            ),
            "unblocked_dependents": briefs(
                "momentum",
                "unblocked_dependents",
                [t for t in actionable if t.depends_on and t.status != "started"],
            ),
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
                    "open_tasks": briefs(
                        "goal_progress",
                        f"{g.id} open_tasks",
                        [t for t in actionable if t.goal_id == g.id],
                        TASKS_PER_GOAL,
                    ),
                }
            )
        perspectives["goal_progress"] = {"goals": goals}
    for name, payload in perspectives.items():
        if omitted[name]:
            payload["not_shown"] = omitted[name]
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
                "first_line": one_line(n.body.strip().splitlines()[0], 200)
                if n.body.strip()
                else "",
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
