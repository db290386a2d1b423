"""Task analysis's merger: the analyses' field suggestions checked, one action per change.

Where analyses disagree about a field, the most confident suggestion wins and the others
are named in its reason; findings and blockers become recommendations.
"""

from __future__ import annotations

from typing import Any

from workos_tui.core.models import CATEGORIES, parse_priority
from workos_tui.core.operations.aggregate_gate import (
    Collector,
    own_answers,
    scope_ids,
    task_briefs,
)
from workos_tui.core.run_models import (
    SETTABLE_STATUSES,
    ActionKind,
    DelegateResult,
    DelegateSpec,
    RunPlan,
    Suggestion,
    TaskAnalysis,
)
from workos_tui.core.wording import plural

GOAL_LINK_MIN_SCORE = 0.5

FIELD_KINDS: dict[str, ActionKind] = {
    "priority": "set_priority",
    "category": "set_category",
    "estimate_minutes": "set_estimate",
    "goal_id": "link_goal",
    "status": "set_status",
}


def _check_value(field: str, value: Any, goals: set[str]) -> Any:
    """The suggested value in canonical form; ValueError when it is not acceptable."""
    if field == "priority":
        return parse_priority(str(value))
    if field == "category":
        v = str(value).strip().lower()
        if v not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return v
    if field == "estimate_minutes":
        if isinstance(value, bool):
            raise ValueError("estimate must be a number of minutes")
        minutes = int(str(value).strip())
        if not 0 < minutes <= 100_000:
            raise ValueError(f"estimate out of range: {minutes}")
        return minutes
    if field == "goal_id":
        if value is None:
            return None
        if str(value) not in goals:
            raise ValueError(f"goal {value!r} was not in its input")
        return str(value)
    if field == "status":
        if value not in SETTABLE_STATUSES:
            raise ValueError(f"status may only be set to {' or '.join(sorted(SETTABLE_STATUSES))}")
        return value
    raise ValueError(f"unknown field {field!r}")


def merge_analysis(
    plan: RunPlan, ok: list[tuple[DelegateResult, DelegateSpec]], out: Collector
) -> str:
    """Add the analyses' checked changes to `out`; returns the summary's headline."""
    picks: dict[tuple[str, str], list[tuple[Suggestion, Any, str, dict[str, Any]]]] = {}
    order: list[tuple[str, str]] = []
    for analysis, spec in own_answers(ok, TaskAnalysis, "analysis_type", "analysis", out):
        scope = scope_ids(spec)
        goals = {i for i in scope if i.startswith("G")}
        briefs = task_briefs(spec)
        suggestions = list(analysis.suggestions)
        explicit = {(s.task_id, s.field) for s in suggestions}
        for al in analysis.alignments:
            brief = briefs.get(al.task_id)
            if (
                al.goal_id
                and brief is not None
                and brief.get("goal_id") is None
                and al.score >= GOAL_LINK_MIN_SCORE
                and (al.task_id, "goal_id") not in explicit
            ):
                suggestions.append(
                    Suggestion(
                        task_id=al.task_id,
                        field="goal_id",
                        current=None,
                        suggested=al.goal_id,
                        reason=f"serves goal {al.goal_id} (alignment {al.score:.2f})",
                        confidence=al.score,
                    )
                )
        for s in suggestions:
            brief = briefs.get(s.task_id)
            if brief is None or s.task_id not in scope:
                out.rejected.append(f"{spec.label}: task {s.task_id!r} was not in its input")
                continue
            try:
                value = _check_value(s.field, s.suggested, goals)
            except ValueError as e:
                out.rejected.append(f"{spec.label}: {s.task_id}.{s.field}: {e}")
                continue
            current = brief.get(s.field, s.current)
            if value == current:
                continue
            pick_key: tuple[str, str] = (s.task_id, s.field)
            if pick_key not in picks:
                order.append(pick_key)
            picks.setdefault(pick_key, []).append((s, value, spec.label, brief))
        for finding in analysis.findings:
            out.recommend(finding)
        for b in analysis.blockers:
            if b.task_id not in scope or any(x not in scope for x in b.blocked_by):
                out.rejected.append(f"{spec.label}: blocker names ids that were not in its input")
                continue
            by = ", ".join(b.blocked_by) or "nothing recorded"
            step = f": {b.unblocking_step}" if b.unblocking_step else ""
            out.recommend(f"{b.task_id} is blocked by {by}{step}")
    for key in order:
        ranked = sorted(picks[key], key=lambda p: -p[0].confidence)
        best, value, label, brief = ranked[0]
        reason = best.reason or f"suggested by {label} analysis"
        others = [p for p in ranked[1:] if p[1] != value]
        if others:
            reason += "; " + "; ".join(
                f"{p[2]} suggested {p[1]!s} (confidence {p[0].confidence:.2f})" for p in others
            )
        task_id, field = key
        out.add(
            FIELD_KINDS[field],
            task_id=task_id,
            changes={field: value},
            before={field: brief.get(field), "title": brief.get("title", "")},
            sources=list(dict.fromkeys(p[2] for p in ranked)),
            reason=reason,
            confidence=best.confidence,
        )
    n = len(out.actions)
    return (
        f"{plural(len(ok), 'analysis', 'analyses')}: {plural(n, 'suggested change')}, "
        f"{plural(len(out.recommendations), 'recommendation')}."
    )
