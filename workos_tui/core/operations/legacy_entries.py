"""One loose entry per operation, converted into its strict output model's fields.

Each converter finds the delegate an entry answers (its backlog item, analysis type or
perspective) and returns (delegate id, fields); `LooseEntryError` says why it could not.
"""

from __future__ import annotations

import json
import re
from typing import Any

from workos_tui.core.matching import similarity
from workos_tui.core.operations.aggregate_gate import task_briefs
from workos_tui.core.operations.legacy_values import (
    LooseEntryError,
    as_list,
    parse_category_loose,
    parse_minutes,
    parse_priority_loose,
    unwrap,
)
from workos_tui.core.run_models import ANALYSIS_TYPES, PERSPECTIVES, DelegateSpec, RunPlan

PERSPECTIVE_ALIASES = {
    "priority_focus": "priority_focus",
    "priority": "priority_focus",
    "momentum": "momentum",
    "momentum_tasks": "momentum",
    "goal_progress": "goal_progress",
    "goals": "goal_progress",
}
ITEM_MATCH_MIN = 0.8
TASK_MATCH_MIN = 0.75

# --- backlog ------------------------------------------------------------------------


def _find_item(plan: RunPlan, identifier: str | None, result: dict[str, Any]) -> DelegateSpec:
    specs = plan.delegates
    by_id = {s.id.upper(): s for s in specs}
    for key in (result.get("item_id"), identifier, result.get("id")):
        if isinstance(key, str):
            k = key.strip().upper()
            if k in by_id:
                return by_id[k]
            m = re.fullmatch(r"(?:ITEM[_ -]?)?(\d+)", k)
            if m and 1 <= int(m.group(1)) <= len(specs) and not k.startswith("B"):
                return specs[int(m.group(1)) - 1]
    text = result.get("item") or result.get("text")
    if isinstance(text, dict):
        text = text.get("text")
    if isinstance(text, str) and text.strip():
        wanted = " ".join(text.split()).casefold()
        for s in specs:
            if " ".join(s.payload["item"]["text"].split()).casefold() == wanted:
                return s
        best = max(specs, key=lambda s: similarity(text, s.payload["item"]["text"]), default=None)
        if best is not None and similarity(text, best.payload["item"]["text"]) >= ITEM_MATCH_MIN:
            return best
        raise LooseEntryError(f"item {text[:60]!r} is not in the backlog")
    raise LooseEntryError("names no backlog item (item, item_id or identifier)")


def _find_task(ref: Any, candidates: dict[str, dict[str, Any]]) -> str | None:
    if isinstance(ref, dict):
        ref = ref.get("id") or ref.get("task_id") or ref.get("title")
    if not isinstance(ref, str) or not ref.strip():
        return None
    key = ref.strip()
    if key.upper() in {c.upper() for c in candidates}:
        return next(c for c in candidates if c.upper() == key.upper())
    scored = [(similarity(key, str(b.get("title", ""))), tid) for tid, b in candidates.items()]
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= TASK_MATCH_MIN else None


def backlog_entry(plan: RunPlan, entry: Any) -> tuple[str, dict[str, Any]]:
    """(delegate id, BacklogTriage-shaped dict) for one entry."""
    identifier, result = unwrap(entry)
    spec = _find_item(plan, identifier, result)
    item = spec.payload["item"]
    if "decision" in result:  # already the strict model
        return spec.id, {**result, "item_id": item["id"]}
    questions = as_list(result.get("clarification_needed")) or as_list(
        result.get("clarification_questions")
    )
    title = str(result.get("title") or result.get("suggested_title") or item["text"])[:500]
    triage: dict[str, Any] = {
        "item_id": item["id"],
        "title": title,
        "category": parse_category_loose(result.get("suggested_category")),
        "priority": parse_priority_loose(result.get("suggested_priority")),
        "estimate_minutes": parse_minutes(result.get("estimated_time")),
        "rationale": str(result.get("reasoning") or result.get("rationale") or "")[:1000],
    }
    if result.get("is_duplicate"):
        dup = _find_task(result.get("similar_to"), task_briefs(spec, plan.context))
        if dup is None:
            raise LooseEntryError(
                f"is_duplicate, but similar_to {str(result.get('similar_to'))[:60]!r} "
                "matches no open task in scope"
            )
        title_of = task_briefs(spec, plan.context)[dup].get("title", "")
        triage.update(
            decision="duplicate",
            duplicate_of=dup,
            similarity=round(max(similarity(item["text"], str(title_of)), 0.0), 4),
        )
    elif result.get("is_ambiguous") or (questions and not result.get("ready_to_create")):
        triage.update(
            decision="needs_clarification",
            clarification_questions=questions
            or ["What exactly needs to be done, and what does done look like?"],
        )
    elif result.get("ready_to_create", True):
        triage["decision"] = "create_task"
    else:
        triage["decision"] = "not_actionable"
    return spec.id, triage


# --- analysis and planning ----------------------------------------------------------


def _spec_named(plan: RunPlan, name: str | None) -> DelegateSpec | None:
    if not name:
        return None
    for s in plan.delegates:
        if s.id == name:
            return s
    return None


def analysis_entry(plan: RunPlan, entry: Any) -> tuple[str, dict[str, Any]]:
    identifier, result = unwrap(entry)
    raw = str(result.get("analysis_type") or identifier or "").strip().lower()
    kind = raw.removesuffix("_analysis")
    if kind not in ANALYSIS_TYPES:
        raise LooseEntryError(f"unknown analysis {raw or '(none)'!r}")
    spec = _spec_named(plan, kind)
    if spec is None:
        raise LooseEntryError(f"{kind} analysis was not part of this run")
    suggestions = []
    for s in result.get("suggestions") or []:
        if not isinstance(s, dict):
            continue
        task_id = s.get("task_id") or s.get("id")
        if "field" in s:
            suggestions.append({**s, "task_id": task_id})
            continue
        for key, field in (
            ("suggested_priority", "priority"),
            ("suggested_category", "category"),
            ("estimated_time", "estimate_minutes"),
            ("suggested_estimate", "estimate_minutes"),
            ("goal_id", "goal_id"),
        ):
            if key in s:
                value = s[key]
                if field == "priority":
                    value = parse_priority_loose(value)
                elif field == "category":
                    value = parse_category_loose(value)
                elif field == "estimate_minutes":
                    value = parse_minutes(value)
                suggestions.append(
                    {
                        "task_id": task_id,
                        "field": field,
                        "suggested": value,
                        "reason": str(s.get("reason") or s.get("reasoning") or ""),
                    }
                )
    findings = [
        f if isinstance(f, str) else json.dumps(f, ensure_ascii=False)
        for key in ("findings", "recommendations", "insights", "issues", "alerts")
        for f in (result.get(key) or [])
    ]
    blockers = []
    for b in result.get("blockers") or result.get("blocked_tasks") or []:
        if isinstance(b, dict) and (b.get("task_id") or b.get("id")):
            blockers.append(
                {
                    "task_id": b.get("task_id") or b.get("id"),
                    "blocked_by": as_list(b.get("blocked_by")),
                    "unblocking_step": str(
                        b.get("unblocking_step") or b.get("suggestion") or b.get("action") or ""
                    ),
                }
            )
    return spec.id, {
        "analysis_type": kind,
        "suggestions": suggestions,
        "findings": findings,
        "blockers": blockers,
        "alignments": result.get("alignments") or [],
    }


def planning_entry(plan: RunPlan, entry: Any) -> tuple[str, dict[str, Any]]:
    identifier, result = unwrap(entry)
    raw = str(result.get("perspective") or identifier or "").strip().lower()
    name = PERSPECTIVE_ALIASES.get(raw)
    if name is None or name not in PERSPECTIVES:
        raise LooseEntryError(f"unknown perspective {raw or '(none)'!r}")
    spec = _spec_named(plan, name)
    if spec is None:
        raise LooseEntryError(f"perspective {name} was not part of this run")
    if "ranked" in result:
        return spec.id, {**result, "perspective": name}
    briefs = task_briefs(spec)
    ranked = []
    listed: Any = next(
        (result[k] for k in ("tasks", "recommended_tasks", "top_tasks", "ranking") if k in result),
        [],
    )
    for r in listed if isinstance(listed, list) else []:
        tid = _find_task(r, briefs)
        if tid is None:
            raise LooseEntryError(f"task {str(r)[:60]!r} is not among this perspective's tasks")
        minutes = (
            parse_minutes(r.get("minutes") or r.get("estimated_time"))
            if isinstance(r, dict)
            else None
        )
        ranked.append(
            {
                "task_id": tid,
                "reason": str(r.get("reason", "")) if isinstance(r, dict) else "",
                "minutes": min(minutes or int(briefs[tid].get("estimate_minutes") or 30), 1440),
            }
        )
    return spec.id, {
        "perspective": name,
        "ranked": ranked,
        "summary": str(result.get("summary") or result.get("reasoning") or ""),
    }


CONVERTERS = {
    "backlog_processing": backlog_entry,
    "task_analysis": analysis_entry,
    "daily_planning": planning_entry,
}
