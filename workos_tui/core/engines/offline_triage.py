"""The offline engine's backlog triage: is an item a duplicate of an open task, reference
material, too vague to act on, or a new task (and with what category, priority, estimate
and due date)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workos_tui.core.engines.base import Delta
from workos_tui.core.engines.heuristics import (
    assess_vagueness,
    guess_category,
    guess_due,
    guess_estimate,
    guess_priority,
    is_reference,
    make_title,
)
from workos_tui.core.engines.offline_steps import Step, plan_date, quote
from workos_tui.core.matching import DUPLICATE_THRESHOLD, similarity, tokens
from workos_tui.core.wording import plural


def triage_item(payload: dict[str, Any], context: dict[str, Any]) -> Iterator[Step]:
    item = payload["item"]
    text: str = item["text"]
    subitems: list[str] = list(item.get("subitems") or [])
    full = " ".join([text, *subitems])
    yield Delta(
        f"Reading {item['id']}: {quote(text)}"
        + (f" (+{len(subitems)} sub-items)" if subitems else "")
    )
    content = tokens(text)
    yield Delta(f"Key words: {' '.join(content[:8]) or '(none)'}")

    candidates: dict[str, dict[str, Any]] = {}
    for c in [*payload.get("candidates", []), *context.get("open_tasks", [])]:
        candidates.setdefault(c["id"], c)
    best_id, best_score = None, 0.0
    for task_id, c in candidates.items():
        score = similarity(text, str(c.get("title", "")))
        if score > best_score:
            best_id, best_score = task_id, score
    if best_id is None:
        yield Delta("No open tasks to compare with")
    else:
        title = candidates[best_id]["title"]
        yield Delta(
            f"Compared with {len(candidates)} open tasks; closest {best_id} {quote(title)} at {best_score:.2f}"
        )
    base = {"item_id": item["id"]}
    if best_id is not None and best_score >= DUPLICATE_THRESHOLD:
        yield Delta(f"Duplicate of {best_id} (≥ {DUPLICATE_THRESHOLD:.2f})")
        yield {
            **base,
            "decision": "duplicate",
            "duplicate_of": best_id,
            "similarity": round(best_score, 4),
            "title": candidates[best_id]["title"],
            "rationale": f"Same work as {best_id} {quote(candidates[best_id]['title'], 60)} "
            f"(similarity {best_score:.2f}).",
        }
        return

    marker = is_reference(text)
    if marker:
        yield Delta(f"Reference material ({marker}), not a task")
        yield {
            **base,
            "decision": "not_actionable",
            "title": make_title(text),
            "rationale": f"Reference material ({marker}): worth keeping as a note, not work to do.",
        }
        return

    vagueness = assess_vagueness(text, len(content))
    if vagueness.reasons:
        yield Delta("Clarity: " + "; ".join(vagueness.reasons))
    if vagueness.vague:
        yield Delta(f"Too vague: {plural(len(vagueness.questions), 'question')} to ask")
        yield {
            **base,
            "decision": "needs_clarification",
            "clarification_questions": vagueness.questions,
            "rationale": "Too vague to act on: " + "; ".join(vagueness.reasons) + ".",
        }
        return

    category, why_cat, _scores = guess_category(full)
    yield Delta(f"Category {category}" + (f" (from {', '.join(why_cat[:3])})" if why_cat else ""))
    priority, why_pri = guess_priority(full)
    yield Delta(f"Priority {priority}" + (f" ({why_pri!r})" if why_pri else " (no urgency words)"))
    minutes, why_est = guess_estimate(text, len(subitems))
    yield Delta(f"Estimate {minutes} min ({why_est})")
    due, why_due = guess_due(text, plan_date(context))
    if due is not None:
        yield Delta(f"Due {due:%a %Y-%m-%d} ({why_due!r})")
    title = make_title(text)
    yield {
        **base,
        "decision": "create_task",
        "title": title,
        "category": category,
        "priority": priority,
        "estimate_minutes": minutes,
        "due": due.isoformat() if due else None,
        "similarity": round(best_score, 4),
        "rationale": f"Clear and actionable; closest existing task scored {best_score:.2f}.",
    }
