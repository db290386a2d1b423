"""The capture inbox: `<workspace>.inbox`, one JSON line per quick capture, which the store
merges into the workspace on its next load and removes after its next write.

Quick capture appends a line instead of rewriting the workspace, so `workos add` costs the
same with 10 tasks or 10,000 and never imports pydantic. Each line is one journaled change:

    {"seq": 4, "at": "2026-12-04T09:30:00+00:00", "label": "add backlog item B17",
     "items": {"B17": {"text": "...", "subitems": [], "created_at": "...", "questions": []}}}

`seq` numbers the captures; the workspace's meta keeps `inbox_seq`, the last one merged, so
a line is merged exactly once even if the process that merged it died before emptying the
inbox. The ids are allocated by the capture itself, past the workspace's counters and every
id still waiting in the inbox, all under the workspace lock. A line cut short by a kill
has no newline and is ignored (its capture never printed an id). Nothing here imports
pydantic or orjson: importing either costs more than the whole capture.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def inbox_path(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + ".inbox")


def read_entries(inbox: Path) -> list[dict[str, Any]]:
    """The inbox's complete, well-formed lines, in the order they were appended."""
    try:
        raw = inbox.read_bytes()
    except OSError:
        return []
    entries = []
    for line in raw.split(b"\n")[:-1]:  # the part after the last newline is cut short
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if _well_formed(entry):
            entries.append(entry)
    return entries


def _well_formed(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    seq, items = entry.get("seq"), entry.get("items")
    return (
        isinstance(seq, int)
        and isinstance(entry.get("label"), str)
        and isinstance(entry.get("at"), str)
        and isinstance(items, dict)
        and bool(items)
        and all(isinstance(k, str) and isinstance(v, dict) for k, v in items.items())
    )


def pending_entries(
    own_meta: dict[str, Any], entries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The entries the workspace has not merged yet (each seq once)."""
    merged = own_meta.get("inbox_seq", 0)
    seen: set[int] = set()
    pending = []
    for entry in entries:
        seq = entry["seq"]
        if seq > merged and seq not in seen:
            seen.add(seq)
            pending.append(entry)
    return pending


def append_entry(inbox: Path, entry: dict[str, Any]) -> None:
    """Append one line and fsync it; a line left cut short by a killed writer is closed
    first so that it cannot swallow this one."""
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    fd = os.open(inbox, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size:
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                line = b"\n" + line
        try:
            if os.write(fd, line) != len(line):
                raise OSError("short write to the inbox")
            os.fsync(fd)
        except OSError:
            # Not added after all: take back whatever part of the line reached the file, so
            # that the store's own attempt cannot add the items a second time.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)


def remove(inbox: Path) -> None:
    """Empty the inbox once its entries are in the workspace file (under the lock). If it
    cannot be removed it stays, harmlessly: the file's `inbox_seq` says its lines are in."""
    with contextlib.suppress(OSError):
        os.unlink(inbox)
