"""The original system's loose delegate outputs, converted into the strict models.

Delegates driven by an MCP host answer in the original format (`item`, `is_duplicate`,
`similar_to`, `is_ambiguous`, `clarification_needed`, `suggested_category`,
`suggested_priority`, `estimated_time`, `ready_to_create`), bare or wrapped as
`{"identifier": ..., "result": {...}}`; newer hosts send our strict models. Both are
accepted; a malformed entry is reported on its own and never stops the others.

Loose values are read in `legacy_values`, and each operation's entries converted in
`legacy_entries`; this module maps the original's names onto ours and aggregates.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from workos_tui.core.matching import similarity
from workos_tui.core.operations.legacy_entries import CONVERTERS
from workos_tui.core.operations.legacy_values import LooseEntryError
from workos_tui.core.run_models import DelegateResult, Proposal
from workos_tui.core.store import Store

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
