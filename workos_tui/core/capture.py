"""Quick capture: backlog items written straight into the workspace file, without the
typed store, so `workos add` never imports pydantic (half of its start-up time before).

It takes only the plain case: a file WorkOS wrote and signed, at the current schema, and
items the model would accept. Anything else returns None and the caller goes through the
`Store`, which creates, migrates, validates and words the errors. What it writes is what
`Store.put(BacklogItem(...))` writes: the same document, id, journal entry and file
(`tests/test_capture.py` compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workos_tui.core.clock import json_time, utcnow
from workos_tui.core.ids import allocate, creation_order
from workos_tui.core.journal import Change, JournalEntry, journal_docs
from workos_tui.core.locking import WorkspaceLock
from workos_tui.core.storage import (
    META_ID,
    SCHEMA_VERSION,
    AtomicJSONStorage,
    WorkspaceError,
    check_version,
    remove_stale_temps,
)

MAX_TEXT = 10_000  # BacklogItem.text's max_length
LOCK_TIMEOUT_S = 30.0

Item = tuple[str, Sequence[str]]


def plain(text: str) -> bool:
    """Text the model takes as it is: not blank, not too long, and valid UTF-8 (argv and
    stdin can carry lone surrogates, which the store refuses with its own message)."""
    if not text.strip() or len(text) > MAX_TEXT:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def backlog_doc(text: str, subitems: Sequence[str], created: str) -> dict[str, object]:
    """A new BacklogItem's document, as `model_dump(mode="json")` writes it (id aside)."""
    return {"text": text, "subitems": list(subitems), "created_at": created, "questions": []}


def capture_label(ids: Sequence[str]) -> str:
    """The journal's name for a capture, as `workos history` shows it."""
    return f"add backlog item {ids[0]}" if len(ids) == 1 else f"add {len(ids)} backlog items"


def capture(path: Path, items: Sequence[Item]) -> list[str] | None:
    """Add `items` (text, sub-items) to the backlog in one journaled change and return their
    ids, or None when this case is the `Store`'s to handle."""
    if not items or not all(
        plain(t) and all(plain(s) or s == "" for s in subs) for t, subs in items
    ):
        return None
    if not path.is_file() or path.stat().st_size == 0:
        return None
    lock = WorkspaceLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except (OSError, TimeoutError):
        return None
    try:
        return _capture_locked(path, items)
    finally:
        lock.release()


def _capture_locked(path: Path, items: Sequence[Item]) -> list[str] | None:
    remove_stale_temps(path)
    storage = AtomicJSONStorage(str(path))
    try:
        data = storage.load()
        if not storage.trusted or check_version(path, data) != SCHEMA_VERSION:
            return None
    except (OSError, WorkspaceError):
        return None
    meta = data["meta"][META_ID]
    backlog = data.setdefault("backlog", {})
    now = utcnow()
    created = json_time(now)
    ids: list[str] = []
    for text, subitems in items:
        doc_id = allocate(meta, "backlog")
        if doc_id in backlog:  # a counter behind its table: the store's rebase sorts it out
            return None
        backlog[doc_id] = backlog_doc(text, subitems, created)
        ids.append(doc_id)
    data["backlog"] = {k: backlog[k] for k in sorted(backlog, key=creation_order)}
    changes = [Change("backlog", i, None) for i in ids]
    entry = JournalEntry(capture_label(ids), now.isoformat(), changes)
    journal = data.setdefault("journal", {})
    for key, doc in journal_docs(meta, journal, entry).items():
        if doc is None:
            journal.pop(key, None)
        else:
            journal[key] = doc
    data["redo"] = {}
    storage.data = data
    try:
        storage.flush()
    except OSError:
        return None  # the file is as it was; the store tries again and says why it can't
    return ids
