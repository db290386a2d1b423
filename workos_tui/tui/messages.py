"""App-wide messages: what one part of the UI tells the rest. Widget-local messages are
nested in their widgets (`TaskTable.Highlighted`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class WorkspaceChanged(Message):
    """The workspace's data changed (here, by undo, or in another process): repaint."""

    reason: str = ""


@dataclass
class ItemHighlighted(Message):
    """A pane's cursor moved to an item: the detail panel follows it."""

    kind: str  # "tasks" | "backlog" | "goals"
    item_id: str | None


@dataclass
class SaveFailed(Message):
    """A write did not reach the disk; the change is kept in memory until a retry works."""

    error: str
