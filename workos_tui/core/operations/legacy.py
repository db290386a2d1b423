"""The original system's loose delegate outputs, converted into the strict models.

Delegates driven by an MCP host answer in the original format (`item`, `is_duplicate`,
`similar_to`, `is_ambiguous`, `clarification_needed`, `suggested_category`,
`suggested_priority`, `estimated_time`, `ready_to_create`), bare or wrapped as
`{"identifier": ..., "result": {...}}`; newer hosts send our strict models. Both are
accepted; a malformed entry is reported on its own and never stops the others.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from workos_tui.core.matching import similarity
from workos_tui.core.models import CATEGORIES
from workos_tui.core.run_models import (
    ANALYSIS_TYPES,
    PERSPECTIVES,
    DelegateResult,
    DelegateSpec,
    Proposal,
    RunPlan,
)
from workos_tui.core.store import Store

PRIORITY_WORDS = {
    "critical": "P0",
    "urgent": "P0",
    "highest": "P0",
    "high": "P1",
    "important": "P1",
    "medium": "P2",
    "normal": "P2",
    "moderate": "P2",
    "low": "P3",
    "lowest": "P3",
    "someday": "P3",
}
CATEGORY_WORDS = {
    "tech": "technical",
    "engineering": "technical",
    "development": "technical",
    "dev": "technical",
    "code": "technical",
    "communication": "outreach",
    "email": "outreach",
    "sales": "outreach",
    "marketing": "outreach",
    "content": "writing",
    "docs": "writing",
    "documentation": "writing",
    "analysis": "research",
    "learning": "research",
    "administrative": "admin",
    "operations": "admin",
    "finance": "admin",
    "health": "personal",
    "home": "personal",
}
# Our delegate ids -> the identifiers the original's delegates carried, and back.
ORIGINAL_IDENTIFIERS = {
    "priority": "priority_analysis",
    "category": "category_analysis",
    "blockers": "blocker_analysis",
    "goal_alignment": "goal_alignment_analysis",
    "time_estimates": "time_analysis",
    "priority_focus": "priority_focus",
    "momentum": "momentum_tasks",
    "goal_progress": "goal_progress",
}
OUR_IDENTIFIERS = {v: k for k, v in ORIGINAL_IDENTIFIERS.items()}
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
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|d|days?)\b")


class LooseEntryError(ValueError):
    """One entry could not be understood; the message says why."""


def unwrap(entry: Any) -> tuple[str | None, dict[str, Any]]:
    """(identifier, result) of a bare or `{"identifier", "result"}`-wrapped entry."""
    if isinstance(entry, str):
        try:
            entry = json.loads(entry)
        except json.JSONDecodeError:
            raise LooseEntryError("not a JSON object") from None
    if not isinstance(entry, dict):
        raise LooseEntryError(f"expected an object, got {type(entry).__name__}")
    identifier = entry.get("identifier")
    if "result" in entry:
        result = entry["result"]
        if isinstance(result, str):
            try:
                result = json.loads(result)
            except json.JSONDecodeError:
                raise LooseEntryError("result is not a JSON object") from None
        if not isinstance(result, dict):
            raise LooseEntryError("result must be an object")
        return (str(identifier) if identifier is not None else None), result
    return (str(identifier) if identifier is not None else None), entry


def parse_minutes(value: Any) -> int | None:
    """30, "30", "30 min", "2 hours", "1h 30m", "half a day" -> minutes (None if unknown)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if 0 < value <= 100_000 else None
    text = str(value).strip().lower()
    if text.isdigit():
        n = int(text)
        return n if 0 < n <= 100_000 else None
    if "half a day" in text or "half day" in text:
        return 240
    total = 0.0
    for number, unit in _DURATION.findall(text):
        amount = float(number.replace(",", "."))
        total += amount * (60 if unit.startswith("h") else 480 if unit.startswith("d") else 1)
    minutes = round(total)
    return minutes if 0 < minutes <= 100_000 else None


def parse_priority_loose(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text.upper() in {"P0", "P1", "P2", "P3"}:
        return text.upper()
    if text in {"0", "1", "2", "3"}:
        return "P" + text
    for word, priority in PRIORITY_WORDS.items():
        if word in text:
            return priority
    return "P2"


def parse_category_loose(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text in CATEGORIES:
        return text
    return CATEGORY_WORDS.get(text, "other")


def _as_list(value: Any) -> list[str]:
    if value is None or value is False or value is True:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)]


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
    from workos_tui.core.operations.aggregate_gate import task_briefs

    identifier, result = unwrap(entry)
    spec = _find_item(plan, identifier, result)
    item = spec.payload["item"]
    if "decision" in result:  # already the strict model
        return spec.id, {**result, "item_id": item["id"]}
    questions = _as_list(result.get("clarification_needed")) or _as_list(
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
                    "blocked_by": _as_list(b.get("blocked_by")),
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
    from workos_tui.core.operations.aggregate_gate import task_briefs

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


def normalize_entry(operation: str, entry: Any) -> tuple[Any, list[str]]:
    """Map the original's delegate identifiers to ours and lift plain-text
    recommendations out of planning entries (the core ranks tasks, not sentences)."""
    if not isinstance(entry, dict):
        return entry, []
    entry = dict(entry)
    ident = entry.get("identifier")
    if isinstance(ident, str) and ident.strip().lower() in OUR_IDENTIFIERS:
        entry["identifier"] = OUR_IDENTIFIERS[ident.strip().lower()]
    wrapped = isinstance(entry.get("result"), dict)
    result = dict(entry["result"]) if wrapped else entry
    similar = result.get("similar_to")
    if isinstance(similar, list):
        # The original asked for a list of titles; the closest to the item is the one meant.
        text = str(result.get("item") or "")
        names = [s for s in similar if isinstance(s, str | dict) and s]
        if names:
            result["similar_to"] = max(names, key=lambda s: similarity(text, _name(s)))
    for key in ("analysis_type", "perspective"):
        value = result.get(key)
        if isinstance(value, str) and value.strip().lower() in OUR_IDENTIFIERS:
            result[key] = OUR_IDENTIFIERS[value.strip().lower()]
    texts: list[str] = []
    if operation == "daily_planning":
        ranking_keys = ("ranked", "tasks", "recommended_tasks", "top_tasks", "ranking")
        recs = result.get("recommendations")
        if isinstance(recs, list) and not any(k in result for k in ranking_keys):
            texts = [r for r in recs if isinstance(r, str)]
            picks = [r for r in recs if isinstance(r, dict)]
            result["tasks"] = [
                {**p, "title": p.get("title") or p.get("task")} if "task" in p else p for p in picks
            ]
            result.pop("recommendations")
    if wrapped:
        entry["result"] = result
    return entry, texts


def _name(ref: str | dict[str, Any]) -> str:
    return str(ref.get("title") or ref.get("id") or "") if isinstance(ref, dict) else ref


CONVERTERS = {
    "backlog_processing": backlog_entry,
    "task_analysis": analysis_entry,
    "daily_planning": planning_entry,
}


def aggregate_loose(
    operation: str, entries: list[dict[str, Any]], store: Store, **options: Any
) -> tuple[Proposal, list[str]]:
    """A proposal from delegate outputs an MCP host collected, loose or strict.

    Returns the proposal and one message per entry that could not be used
    ("entry 3: ..."); never raises for a bad entry.
    """
    from workos_tui.core.operations.aggregate import aggregate
    from workos_tui.core.operations.prepare import prepare, resolve_operation

    op = resolve_operation(operation)
    if op == "backlog_processing":
        options.setdefault("max_candidates", 50)
    plan = prepare(store, op, **options)
    convert = CONVERTERS[op]
    specs = {s.id: s for s in plan.delegates}
    results: list[DelegateResult] = []
    errors: list[str] = []
    lifted: list[str] = []
    for n, raw_entry in enumerate(entries, start=1):
        try:
            entry, texts = normalize_entry(op, raw_entry)
            lifted += texts
            delegate_id, output = convert(plan, entry)
            spec = specs[delegate_id]
            model: type[BaseModel] = spec.output_model
            validated = model.model_validate(output)
        except LooseEntryError as e:
            errors.append(f"entry {n}: {e}")
            continue
        except ValidationError as e:
            first = e.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "value"
            errors.append(f"entry {n}: {where}: {first['msg']}")
            continue
        except (TypeError, ValueError, KeyError, AttributeError) as e:
            errors.append(f"entry {n}: not understood ({type(e).__name__}: {e})")
            continue
        results.append(
            DelegateResult(
                id=delegate_id,
                label=spec.label,
                status="succeeded",
                attempts=1,
                output=validated.model_dump(mode="json"),
            )
        )
    proposal = aggregate(plan, results)
    for text in lifted:
        if text not in proposal.recommendations:
            proposal.recommendations.append(text)
    if errors:
        proposal.summary += f" {len(errors)} entr{'ies' if len(errors) != 1 else 'y'} not used."
    return proposal, errors
