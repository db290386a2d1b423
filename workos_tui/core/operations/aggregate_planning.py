"""Daily planning's merger: the perspectives' rankings fused into one day plan.

Rankings are combined by reciprocal rank fusion and filled into the hours available.
"""

from __future__ import annotations

from typing import Any

from workos_tui.core.operations.aggregate_gate import Collector, own_answers, task_briefs
from workos_tui.core.run_models import (
    DelegateResult,
    DelegateSpec,
    PlanPerspective,
    RankedTask,
    RunPlan,
)
from workos_tui.core.wording import plural

MAX_FOCUS_TASKS = 3
# Reciprocal rank fusion: score = sum over perspectives of 1 / (RRF_K + rank).
RRF_K = 10


def merge_planning(
    plan: RunPlan, ok: list[tuple[DelegateResult, DelegateSpec]], out: Collector
) -> str:
    """Add the fused day plan to `out`; returns the summary's headline."""
    scores: dict[str, float] = {}
    best_rank: dict[str, int] = {}
    minutes: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    used = 0
    for perspective, spec in own_answers(ok, PlanPerspective, "perspective", "perspective", out):
        briefs = task_briefs(spec)
        seen: set[str] = set()
        ranked: list[RankedTask] = []
        for r in perspective.ranked:
            if r.task_id not in briefs:
                out.rejected.append(f"{spec.label}: task {r.task_id!r} was not in its input")
            elif r.task_id not in seen:
                seen.add(r.task_id)
                ranked.append(r)
        used += 1
        if perspective.summary:
            out.recommend(f"{spec.label}: {perspective.summary}")
        for rank, r in enumerate(ranked, start=1):
            tid = r.task_id
            scores[tid] = scores.get(tid, 0.0) + 1.0 / (RRF_K + rank)
            if rank < best_rank.get(tid, 10**9):
                best_rank[tid] = rank
                minutes[tid] = r.minutes
            titles.setdefault(tid, str(briefs[tid].get("title", "")))
            if r.reason:
                reasons.setdefault(tid, []).append(f"{spec.label}: {r.reason}")
    hours = float(plan.options.get("hours_available") or plan.context.get("hours_available") or 6)
    budget = round(hours * 60)
    date = plan.options.get("date") or plan.context.get("time_context", {}).get("date")
    ranked_ids = sorted(scores, key=lambda t: (-scores[t], best_rank[t]))
    entries: list[dict[str, Any]] = []
    total = 0
    for tid in ranked_ids:
        need = minutes[tid]
        if total + need > budget:
            continue
        total += need
        entries.append(
            {
                "task_id": tid,
                "minutes": need,
                "reason": " | ".join(reasons.get(tid, [])) or "ranked by the perspectives",
                "focus": len(entries) < MAX_FOCUS_TASKS,
            }
        )
    if entries and date:
        focus = ", ".join(f"{e['task_id']} {titles.get(e['task_id'], '')}" for e in entries[:3])
        out.add(
            "plan_day",
            changes={"date": date, "hours_available": hours, "entries": entries},
            # For display: the plan's tasks by title, in order.
            before={"titles": {e["task_id"]: titles.get(e["task_id"], "") for e in entries}},
            sources=[spec.id for _, spec in ok],
            reason=f"{len(entries)} tasks, {total} of {budget} minutes; focus: {focus}",
        )
    left = len(ranked_ids) - len(entries)
    tail = f"; {plural(left, 'ranked task')} did not fit" if left else ""
    return (
        f"Plan for {date or 'today'} from {plural(used, 'perspective')}: "
        f"{len(entries)} tasks in {total} of {budget} minutes{tail}."
    )
