"""aggregate: merge the delegates' validated outputs into one `Proposal`.

The aggregator is the security boundary between model output and the workspace: it only
emits the action kinds its operation allows (`ALLOWED_KINDS`) and only for task and goal
ids that were in the delegate's own input. Anything else is rejected and reported in the
summary, as are failed delegates: nothing is dropped silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from workos_tui.core.matching import DUPLICATE_THRESHOLD, STRONG_DUPLICATE_THRESHOLD
from workos_tui.core.models import CATEGORIES, PRIORITIES, parse_priority
from workos_tui.core.run_models import (
    ALLOWED_KINDS,
    SETTABLE_STATUSES,
    ActionKind,
    BacklogTriage,
    DelegateResult,
    DelegateSpec,
    FailedDelegate,
    PlanPerspective,
    Proposal,
    ProposedAction,
    RankedTask,
    RunPlan,
    Suggestion,
    TaskAnalysis,
)

# Kinds never selected by default (none of today's kinds deletes anything; kept as the
# one place to say so when one does).
DESTRUCTIVE_KINDS: frozenset[str] = frozenset()
# When several items' delegates disagree, the more cautious decision wins.
DECISION_PRECEDENCE = ("duplicate", "needs_clarification", "not_actionable", "create_task")
GOAL_LINK_MIN_SCORE = 0.5
MAX_FOCUS_TASKS = 3
# Reciprocal rank fusion: score = sum over perspectives of 1 / (RRF_K + rank).
RRF_K = 10

FIELD_KINDS: dict[str, ActionKind] = {
    "priority": "set_priority",
    "category": "set_category",
    "estimate_minutes": "set_estimate",
    "goal_id": "link_goal",
    "status": "set_status",
}


class _Collector:
    """Builds the proposal's actions ("A1", "A2", ...) and its notes."""

    def __init__(self, plan: RunPlan) -> None:
        self.plan = plan
        self.allowed = ALLOWED_KINDS[plan.operation]
        self.actions: list[ProposedAction] = []
        self.rejected: list[str] = []
        self.recommendations: list[str] = []

    def add(self, kind: ActionKind, **fields: Any) -> ProposedAction | None:
        if kind not in self.allowed:
            self.rejected.append(f"{kind} is not allowed in {self.plan.operation}")
            return None
        action = ProposedAction(id=f"A{len(self.actions) + 1}", kind=kind, **fields)
        if kind in DESTRUCTIVE_KINDS:
            action.selected = False
        self.actions.append(action)
        return action

    def recommend(self, text: str) -> None:
        text = " ".join(text.split())
        if text and text not in self.recommendations:
            self.recommendations.append(text)


def _dicts(spec: DelegateSpec, context: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """Every dict in a delegate's payload and the shared context's open tasks."""
    stack: list[Any] = [(context or {}).get("open_tasks", []), spec.payload]  # payload first
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            yield value
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def scope_ids(spec: DelegateSpec, context: dict[str, Any] | None = None) -> set[str]:
    """Every id in a delegate's payload (and the shared context's open tasks)."""
    found: set[str] = set()
    for d in _dicts(spec, context):
        for key, v in d.items():
            if key in {"id", "task_id", "goal_id"} and isinstance(v, str):
                found.add(v)
            elif key in {"depends_on", "waiting_on", "blocked_by"} and isinstance(v, list):
                found.update(x for x in v if isinstance(x, str))
    return found


def _task_briefs(
    spec: DelegateSpec, context: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Task dicts (id starting with T) found in a payload, first occurrence wins."""
    briefs: dict[str, dict[str, Any]] = {}
    for d in _dicts(spec, context):
        vid = d.get("id")
        if isinstance(vid, str) and vid.startswith("T") and "title" in d:
            briefs.setdefault(vid, d)
    return briefs


def _validated(
    result: DelegateResult, spec: DelegateSpec, model: type[BaseModel], out: _Collector
) -> Any:
    try:
        return model.model_validate(result.output or {})
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "output"
        out.rejected.append(f"{spec.label}: output rejected ({where}: {first['msg']})")
        return None


M = TypeVar("M", BacklogTriage, TaskAnalysis, PlanPerspective)


def _own_answers(
    ok: list[tuple[DelegateResult, DelegateSpec]],
    model: type[M],
    field: str,
    noun: str,
    out: _Collector,
    expected_of: Callable[[DelegateSpec], Any] | None = None,
) -> Iterator[tuple[M, DelegateSpec]]:
    """Valid outputs that answer their own delegate's question (its backlog item, analysis
    type or perspective); the others are rejected with the reason."""
    for result, spec in ok:
        answer = _validated(result, spec, model, out)
        if answer is None:
            continue
        got = getattr(answer, field)
        expected = expected_of(spec) if expected_of else spec.payload.get(field)
        if expected and got != expected:
            out.rejected.append(
                f"{spec.label}: answered about {got!r}, not its own {noun} {expected!r}"
            )
            continue
        yield answer, spec


def aggregate(plan: RunPlan, results: list[DelegateResult]) -> Proposal:
    """One proposal from a run's results (in any order; several per delegate allowed)."""
    out = _Collector(plan)
    specs = {s.id: s for s in plan.delegates}
    failed: list[FailedDelegate] = []
    ok: list[tuple[DelegateResult, DelegateSpec]] = []
    for r in results:
        spec = specs.get(r.id)
        if spec is None:
            out.rejected.append(f"result for unknown delegate {r.id!r}")
        elif r.status != "succeeded":
            reason = r.error or ("cancelled" if r.status == "cancelled" else "failed")
            failed.append(FailedDelegate(id=r.id, label=r.label or spec.label, reason=reason))
        else:
            ok.append((r, spec))
    if plan.operation == "backlog_processing":
        headline = _backlog(plan, ok, out)
    elif plan.operation == "task_analysis":
        headline = _analysis(plan, ok, out)
    else:
        headline = _planning(plan, ok, out)
    for a in out.actions:
        if a.kind == "merge_into_task" and (a.confidence or 0.0) < STRONG_DUPLICATE_THRESHOLD:
            a.selected = False
    parts = [headline]
    if failed:
        listed = "; ".join(f"{f.label} ({f.reason})" for f in failed)
        parts.append(f"{len(failed)} delegate{'s' if len(failed) != 1 else ''} failed: {listed}.")
    if out.rejected:
        parts.append(f"Rejected {len(out.rejected)}: " + "; ".join(out.rejected) + ".")
    return Proposal(
        id=f"P{uuid.uuid4().hex[:8]}",
        operation=plan.operation,
        actions=out.actions,
        summary=" ".join(parts),
        recommendations=out.recommendations,
        failed_delegates=failed,
    )


# --- backlog processing ------------------------------------------------------------


def _backlog(plan: RunPlan, ok: list[tuple[DelegateResult, DelegateSpec]], out: _Collector) -> str:
    chosen: dict[str, tuple[BacklogTriage, str]] = {}
    titles: dict[str, str] = {}
    for triage, spec in _own_answers(
        ok, BacklogTriage, "item_id", "item", out, lambda spec: spec.payload["item"]["id"]
    ):
        item_id = triage.item_id
        if triage.decision == "duplicate":
            candidates = _task_briefs(spec, plan.context)
            if triage.duplicate_of not in candidates:
                out.rejected.append(
                    f"{spec.label}: names task {triage.duplicate_of!r}, which was not in its input"
                )
                continue
            titles[triage.duplicate_of] = str(candidates[triage.duplicate_of].get("title", ""))
        previous = chosen.get(item_id)
        if previous is None or DECISION_PRECEDENCE.index(
            triage.decision
        ) < DECISION_PRECEDENCE.index(previous[0].decision):
            chosen[item_id] = (triage, spec.id)

    items = {
        s.payload["item"]["id"]: s.payload["item"] for s in plan.delegates if "item" in s.payload
    }
    order = [
        s.payload["item"]["id"]
        for s in plan.delegates
        if s.payload.get("item", {}).get("id") in chosen
    ]
    creates = [i for i in order if chosen[i][0].decision == "create_task"]
    groups = _group_items([(i, items[i]["text"]) for i in creates])
    group_of = {member: g for g in groups for member in g}
    counts = {"create": 0, "merged_items": 0, "merge": 0, "clarify": 0, "note": 0}
    emitted: set[str] = set()
    for item_id in order:
        triage, delegate_id = chosen[item_id]
        item = items[item_id]
        text = _item_text(item)
        if triage.decision == "create_task":
            group = group_of[item_id]
            if group[0] in emitted:
                continue
            emitted.add(group[0])
            members = [chosen[m][0] for m in group]
            base = members[0]
            priority = min((m.priority for m in members), key=PRIORITIES.index)
            estimates = [m.estimate_minutes for m in members if m.estimate_minutes]
            dues = [m.due for m in members if m.due]
            description = "\n".join(f"- {s}" for m in group for s in items[m].get("subitems", []))
            reason = base.rationale or "a clear, actionable item"
            if len(group) > 1:
                reason = f"{' and '.join(group)} describe the same thing: one task. {reason}"
                counts["merged_items"] += len(group) - 1
            out.add(
                "create_task",
                backlog_item_ids=list(group),
                changes={
                    "title": base.title.strip(),
                    "category": base.category,
                    "priority": priority,
                    "estimate_minutes": max(estimates) if estimates else None,
                    "due": min(dues).isoformat() if dues else None,
                    "description": description,
                    "source_backlog_ids": list(group),
                },
                sources=[chosen[m][1] for m in group],
                reason=reason,
            )
            counts["create"] += 1
        elif triage.decision == "duplicate":
            task_id = triage.duplicate_of or ""
            out.add(
                "merge_into_task",
                task_id=task_id,
                backlog_item_ids=[item_id],
                changes={"append_note": text},
                before={"title": titles.get(task_id, "")},
                sources=[delegate_id],
                reason=triage.rationale
                or f"same as {task_id} (similarity {triage.similarity:.2f})",
                confidence=triage.similarity,
            )
            counts["merge"] += 1
        elif triage.decision == "needs_clarification":
            out.add(
                "attach_questions",
                backlog_item_ids=[item_id],
                changes={"questions": list(triage.clarification_questions)},
                sources=[delegate_id],
                reason=triage.rationale or "too vague to act on; stays in the backlog",
            )
            counts["clarify"] += 1
        else:
            out.add(
                "save_note",
                backlog_item_ids=[item_id],
                changes={"title": _short(item["text"], 80), "body": text},
                sources=[delegate_id],
                reason=triage.rationale or "reference material, not a task",
            )
            counts["note"] += 1
    headline = (
        f"{len(order)} of {len(plan.delegates)} backlog items triaged: "
        f"{counts['create']} new task{'s' if counts['create'] != 1 else ''}"
    )
    if counts["merged_items"]:
        headline += f" ({counts['merged_items']} in-run duplicate item(s) folded in)"
    headline += (
        f", {counts['merge']} merge{'s' if counts['merge'] != 1 else ''} into existing tasks, "
        f"{counts['clarify']} need{'s' if counts['clarify'] == 1 else ''} clarification, "
        f"{counts['note']} saved as note{'s' if counts['note'] != 1 else ''}."
    )
    return headline


def _group_items(texts: list[tuple[str, str]]) -> list[list[str]]:
    from workos_tui.core.matching import group_similar

    return group_similar(texts, threshold=DUPLICATE_THRESHOLD)


def _item_text(item: dict[str, Any]) -> str:
    subitems = item.get("subitems") or []
    text = str(item.get("text", ""))
    return text + "".join(f"\n- {s}" for s in subitems)


def _short(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


# --- task analysis -----------------------------------------------------------------


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


def _analysis(plan: RunPlan, ok: list[tuple[DelegateResult, DelegateSpec]], out: _Collector) -> str:
    picks: dict[tuple[str, str], list[tuple[Suggestion, Any, str, dict[str, Any]]]] = {}
    order: list[tuple[str, str]] = []
    for analysis, spec in _own_answers(ok, TaskAnalysis, "analysis_type", "analysis", out):
        scope = scope_ids(spec)
        goals = {i for i in scope if i.startswith("G")}
        briefs = _task_briefs(spec)
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
        f"{len(ok)} analyses: {n} suggested change{'s' if n != 1 else ''}, "
        f"{len(out.recommendations)} recommendation{'s' if len(out.recommendations) != 1 else ''}."
    )


# --- daily planning ----------------------------------------------------------------


def _planning(plan: RunPlan, ok: list[tuple[DelegateResult, DelegateSpec]], out: _Collector) -> str:
    scores: dict[str, float] = {}
    best_rank: dict[str, int] = {}
    minutes: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    used = 0
    for perspective, spec in _own_answers(ok, PlanPerspective, "perspective", "perspective", out):
        briefs = _task_briefs(spec)
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
    tail = f"; {left} ranked task{'s' if left != 1 else ''} did not fit" if left else ""
    return (
        f"Plan for {date or 'today'} from {used} perspective{'s' if used != 1 else ''}: "
        f"{len(entries)} tasks in {total} of {budget} minutes{tail}."
    )


def selected_ids(proposal: Proposal, ids: Iterable[str] | None) -> list[str]:
    """`ids` in proposal order (None: the default selection); unknown ids are an error."""
    if ids is None:
        return proposal.default_selection
    wanted = list(dict.fromkeys(ids))
    known = {a.id for a in proposal.actions}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise KeyError(f"no action {', '.join(unknown)} in this proposal")
    chosen = set(wanted)
    return [a.id for a in proposal.actions if a.id in chosen]
