"""Quick capture: backlog items appended to the workspace's inbox (`core.inbox`) instead of
rewriting the whole file, so `workos add` costs the same at 10 tasks or 10,000 and imports
neither pydantic nor the store.

It takes only the plain case: a workspace file that a WorkOS writer left, at the current
schema, and items the model would accept. Anything else returns None and the caller goes
through the `Store`, which creates, migrates, validates and words the errors. Once merged,
a capture is what `Store.put(BacklogItem(...))` would have written: the same documents,
ids and journal entry (`tests/test_capture.py` compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workos_tui.core.clock import json_time, utcnow
from workos_tui.core.file_layout import SCHEMA_VERSION, read_tail_meta
from workos_tui.core.ids import allocate, note_used
from workos_tui.core.inbox import append_entry, inbox_path, pending_entries, read_entries
from workos_tui.core.locking import WorkspaceLock

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
    """Add `items` (text, sub-items) to the backlog as one journaled change and return their
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
    own = read_tail_meta(path)
    if own is None or own.get("schema_version") != SCHEMA_VERSION:
        return None
    counters = own.get("counters")
    if not isinstance(counters, dict) or not all(isinstance(n, int) for n in counters.values()):
        return None
    inbox = inbox_path(path)
    pending = pending_entries(own, read_entries(inbox))
    seq = max([own.get("inbox_seq", 0), *(e["seq"] for e in pending)]) + 1
    meta: dict[str, Any] = {"counters": dict(counters)}  # a copy: the file is not written
    for entry in pending:  # ids waiting in the inbox are taken too
        for doc_id in entry["items"]:
            note_used(meta["counters"], doc_id)
    now = utcnow()
    created = json_time(now)
    docs = {allocate(meta, "backlog"): backlog_doc(t, subs, created) for t, subs in items}
    ids = list(docs)
    entry = {"seq": seq, "at": now.isoformat(), "label": capture_label(ids), "items": docs}
    try:
        append_entry(inbox, entry)
    except OSError:
        return None  # nothing was added; the store tries again and says why it can't
    return ids
