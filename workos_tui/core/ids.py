"""Entity ids ("T12"): the kind behind a table, allocation from the file's counters, and
the rules that keep ids unique and in creation order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # quick capture allocates ids without importing pydantic
    from pydantic import BaseModel

    from workos_tui.core.journal import PendingChange

# Table name -> the id prefix its documents get ("T12"); `models.KINDS` adds the classes.
PREFIXES = {"backlog": "B", "tasks": "T", "goals": "G", "notes": "N", "plans": "D", "runs": "R"}

KIND_NAMES = {
    "backlog": "backlog item",
    "tasks": "task",
    "goals": "goal",
    "notes": "note",
    "plans": "day plan",
    "runs": "batch run",
}


def normalize_id(doc_id: str) -> str:
    """Ids are typed by people: accept "t12" for "T12"."""
    doc_id = doc_id.strip()
    return doc_id[:1].upper() + doc_id[1:] if doc_id[1:].isdigit() else doc_id


def table_of(model: BaseModel) -> str:
    from workos_tui.core.models import KINDS

    for name, (cls, _prefix) in KINDS.items():
        if type(model) is cls:
            return name
    raise TypeError(f"not a workspace entity: {type(model).__name__}")


def allocate(meta: dict[str, Any], table: str) -> str:
    """The next id of `table`'s kind, counted in the file's meta."""
    prefix = PREFIXES[table]
    counters = meta.setdefault("counters", {})
    counters[prefix] = counters.get(prefix, 0) + 1
    return f"{prefix}{counters[prefix]}"


def note_used(counters: dict[str, int], doc_id: str) -> None:
    """Move the counter past `doc_id`."""
    # Ids are never reused, even when a save failed and another process wrote.
    prefix, num = doc_id[:1], doc_id[1:]
    if num.isdigit():
        counters[prefix] = max(counters.get(prefix, 0), int(num))


def creation_order(doc_id: str) -> tuple[int, str]:
    """Sort key for ids in the order their documents were created."""
    num = doc_id[1:]
    return (int(num) if num.isdigit() else 1 << 62, doc_id)


def rebase(
    pending: PendingChange,
    renamed: dict[tuple[str, str], str],
    data: dict[str, Any],
    next_id: Callable[[str], str],
) -> None:
    """Give an unsaved insert a new id when another process took its id meanwhile
    (else reapplying it would overwrite their document)."""
    inserted = {(c.table, c.id) for c in pending.undo.changes if c.doc is None}
    for key in list(pending.docs):
        table, doc_id = key
        new_id = renamed.get(key)
        if new_id is None and key in inserted and pending.docs[key] is not None:
            taken = data.get(table, {})
            while (new_id or doc_id) in taken or (table, new_id or doc_id) in pending.docs:
                new_id = next_id(table)
            if new_id is not None:
                renamed[key] = new_id
        if new_id is None:
            continue
        pending.docs[(table, new_id)] = pending.docs.pop(key)
        for c in pending.undo.changes:
            if (c.table, c.id) == key:
                c.id = new_id
