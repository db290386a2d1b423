"""Backlog processing's merger: one action per triaged item, in-run duplicates folded.

When several delegates answer about one item, the more cautious decision wins; items that
describe the same thing become one new task.
"""

from __future__ import annotations

from typing import Any

from workos_tui.core.matching import DUPLICATE_THRESHOLD
from workos_tui.core.models import PRIORITIES
from workos_tui.core.operations.aggregate_gate import Collector, own_answers, task_briefs
from workos_tui.core.run_models import BacklogTriage, DelegateResult, DelegateSpec, RunPlan
from workos_tui.core.wording import plural

# When several items' delegates disagree, the more cautious decision wins.
DECISION_PRECEDENCE = ("duplicate", "needs_clarification", "not_actionable", "create_task")


def merge_backlog(
    plan: RunPlan, ok: list[tuple[DelegateResult, DelegateSpec]], out: Collector
) -> str:
    """Add the triaged items' actions to `out`; returns the summary's headline."""
    chosen: dict[str, tuple[BacklogTriage, str]] = {}
    titles: dict[str, str] = {}
    for triage, spec in own_answers(
        ok, BacklogTriage, "item_id", "item", out, lambda spec: spec.payload["item"]["id"]
    ):
        item_id = triage.item_id
        if triage.decision == "duplicate":
            candidates = task_briefs(spec, plan.context)
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
        f"{plural(counts['create'], 'new task')}"
    )
    if counts["merged_items"]:
        headline += f" ({plural(counts['merged_items'], 'in-run duplicate')} folded in)"
    headline += (
        f", {plural(counts['merge'], 'merge')} into existing tasks, "
        f"{counts['clarify']} need{'s' if counts['clarify'] == 1 else ''} clarification, "
        f"{counts['note']} saved as {'a note' if counts['note'] == 1 else 'notes'}."
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
