"""apply_proposal: write the approved actions as one undoable change.

Every action is re-validated first (the person may have edited a title, priority,
category or estimate on the approval screen, and the workspace may have changed since
the run), so that either every selected action lands or none does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from workos_tui.core.models import (
    BacklogItem,
    DayPlan,
    DayPlanEntry,
    Note,
    Task,
    format_validation_error,
    parse_priority,
    utcnow,
)
from workos_tui.core.operations.aggregate import selected_ids
from workos_tui.core.operations.aggregate_analysis import FIELD_KINDS
from workos_tui.core.run_models import ALLOWED_KINDS, SETTABLE_STATUSES, Proposal, ProposedAction
from workos_tui.core.store import NotFoundError, Store, WorkspaceError
from workos_tui.core.wording import plural

OPERATION_WORDS = {
    "backlog_processing": "backlog processing",
    "task_analysis": "task analysis",
    "daily_planning": "daily plan",
}
KIND_FIELDS = {kind: field for field, kind in FIELD_KINDS.items()}


class ApplyError(WorkspaceError):
    """An action cannot be applied; nothing was written."""


def apply_proposal(
    store: Store, proposal: Proposal, action_ids: Iterable[str] | None = None
) -> list[str]:
    """Apply the chosen actions (None: the default selection) in one transaction.

    Returns the ids applied. Backlog items are removed only when an applied action
    consumed them; items that need clarification, or whose action was not chosen, stay.
    """
    try:
        ids = selected_ids(proposal, action_ids)
    except KeyError as e:
        raise ApplyError(str(e.args[0])) from None
    actions = [proposal.action(i) for i in ids]
    if not actions:
        return []
    allowed = ALLOWED_KINDS[proposal.operation]
    writes: list[Callable[[], None]] = []
    consumed: list[str] = []
    for action in actions:
        if action.kind not in allowed:
            raise ApplyError(f"{action.id}: {action.kind} is not allowed in {proposal.operation}")
        try:
            writes.append(_prepare_write(store, action))
        except (ValidationError, ValueError, NotFoundError) as e:
            msg = format_validation_error(e) if isinstance(e, ValidationError) else str(e)
            raise ApplyError(f"{action.id} ({action.kind}): {msg}") from None
        if action.kind in {"create_task", "merge_into_task", "save_note"}:
            consumed.extend(action.backlog_item_ids)
    n = len(actions)
    label = f"apply {OPERATION_WORDS[proposal.operation]} ({plural(n, 'change')})"
    with store.transaction(label):
        for write in writes:
            write()
        present = {b.id for b in store.backlog()}
        for item_id in dict.fromkeys(consumed):
            if item_id in present:
                store.delete("backlog", item_id)
    return ids


def _prepare_write(store: Store, action: ProposedAction) -> Callable[[], None]:
    """Validate one action against the current workspace; return the write to do."""
    c = action.changes
    kind = action.kind
    if kind == "create_task":
        fields: dict[str, Any] = {
            "title": str(c.get("title", "")).strip(),
            "category": str(c.get("category", "other")).strip().lower(),
            "priority": parse_priority(str(c.get("priority", "P2"))),
            "estimate_minutes": _minutes(c.get("estimate_minutes")),
            "description": str(c.get("description") or ""),
            "source_backlog_ids": list(c.get("source_backlog_ids") or action.backlog_item_ids),
        }
        for key in ("due", "goal_id"):
            if c.get(key):
                fields[key] = c[key]
        task = Task.model_validate(fields)
        return lambda: _put(store, task)
    if kind == "merge_into_task":
        target = store.get_task(action.task_id or "")
        text = str(c.get("append_note", "")).strip()
        sources = ", ".join(action.backlog_item_ids)
        note = f"From backlog {sources}: {text}" if sources else text
        notes = [*target.notes, note] if text else list(target.notes)
        linked = list(dict.fromkeys([*target.source_backlog_ids, *action.backlog_item_ids]))
        task_id = target.id
        return lambda: _update(store, task_id, notes=notes, source_backlog_ids=linked)
    if kind == "attach_questions":
        questions = [str(q) for q in c.get("questions", []) if str(q).strip()]
        items = [store.get_backlog_item(i) for i in action.backlog_item_ids]
        updated = [
            BacklogItem.model_validate(
                {**b.model_dump(), "questions": list(dict.fromkeys([*b.questions, *questions]))}
            )
            for b in items
        ]
        return lambda: _put_all(store, updated)
    if kind == "save_note":
        note_model = Note.model_validate(
            {
                "title": str(c.get("title", "")).strip() or "Backlog note",
                "body": str(c.get("body", "")),
                "tags": ["backlog"],
            }
        )
        return lambda: _put(store, note_model)
    if kind in KIND_FIELDS:
        field = KIND_FIELDS[kind]
        target = store.get_task(action.task_id or "")
        value = c.get(field)
        if field == "priority":
            value = parse_priority(str(value))
        elif field == "estimate_minutes":
            value = _minutes(value)
        elif field == "goal_id" and value is not None:
            value = store.get_goal(str(value)).id
        elif field == "status" and value not in SETTABLE_STATUSES:
            raise ValueError(f"status may only be set to {' or '.join(sorted(SETTABLE_STATUSES))}")
        Task.model_validate({**target.model_dump(), field: value})
        task_id = target.id
        return lambda: _update(store, task_id, **{field: value})
    if kind == "plan_day":
        known = {t.id for t in store.tasks() if t.is_open}
        entries = [
            DayPlanEntry.model_validate(e)
            for e in c.get("entries", [])
            if isinstance(e, dict) and e.get("task_id") in known
        ]
        day = DayPlan.model_validate(
            {
                "date": c.get("date") or dt.date.today().isoformat(),
                "hours_available": c.get("hours_available", 6),
                "entries": [e.model_dump() for e in entries],
                "created_at": utcnow(),
            }
        )
        return lambda: _put(store, day)
    raise ValueError(f"unknown action kind {kind!r}")


def _minutes(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("estimate must be a number of minutes")
    return int(str(value).strip())


def _put(store: Store, model: Any) -> None:
    store.put(model)


def _put_all(store: Store, models: list[Any]) -> None:
    for m in models:
        store.put(m)


def _update(store: Store, task_id: str, **changes: Any) -> None:
    store.update_task(task_id, **changes)
