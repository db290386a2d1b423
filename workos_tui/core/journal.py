"""The undo journal: what undoing (or redoing) a change writes back, kept in the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workos_tui.core.clock import utcnow

if TYPE_CHECKING:
    from pydantic import BaseModel

JOURNAL_LIMIT = 100  # undoable changes kept in the file


@dataclass
class Change:
    """One document's image to restore: None means the document did not exist."""

    table: str
    id: str
    doc: dict[str, Any] | None


@dataclass
class JournalEntry:
    """What undoing (or redoing) one change writes back.

    The undo journal keeps the before-images of a change, the redo journal the images
    captured at undo time, so a bulk insert of 10,000 tasks costs 10,000 small entries.
    """

    label: str
    at: str = field(default_factory=lambda: utcnow().isoformat())
    changes: list[Change] = field(default_factory=list)

    def to_doc(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "at": self.at,
            "changes": [[c.table, c.id, c.doc] for c in self.changes],
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> JournalEntry:
        return cls(doc["label"], doc["at"], [Change(*c) for c in doc["changes"]])


def journal_docs(
    meta: dict[str, Any], journal: Mapping[str, Any], entry: JournalEntry
) -> dict[str, dict[str, Any] | None]:
    """The documents that push `entry` onto a journal table (undo or redo): the entry under
    the next sequence number (counted in `meta`), and None for the oldest entries beyond
    JOURNAL_LIMIT."""
    seq = meta.get("journal_seq", 0) + 1
    meta["journal_seq"] = seq
    docs: dict[str, dict[str, Any] | None] = {str(seq): entry.to_doc()}
    keys = sorted(journal, key=int)
    for old in keys[: max(0, len(keys) + 1 - JOURNAL_LIMIT)]:
        docs[old] = None
    return docs


@dataclass
class PendingChange:
    """A committed change on its way to disk: the new docs and its undo entry."""

    docs: dict[tuple[str, str], dict[str, Any] | None]
    undo: JournalEntry


class Transaction:
    """The changes of one `with store.transaction():` block, not yet on disk."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.pending: dict[str, dict[str, BaseModel | None]] = {}
        self.before: dict[tuple[str, str], dict[str, Any] | None] = {}
        self.meta_dirty = False  # settings or id counters changed: write even without changes

    def __bool__(self) -> bool:
        return bool(self.before) or self.meta_dirty
