"""The errors a person can fix: each message is one line (`workos: error: ...`, exit 2)."""

from __future__ import annotations

from pathlib import Path


class WorkspaceError(Exception):
    """A problem a person can fix; its message is one line."""


class StoreWriteError(WorkspaceError):
    """Saving failed; the previous file is intact. `kept`: the change is kept in memory
    (`Store.unsaved`) for `retry_save`; otherwise it was rolled back (undo, settings)."""

    def __init__(self, path: Path, reason: str, *, kept: bool, outcome: str = "") -> None:
        outcome = outcome or (
            "the change is kept in memory until a save works" if kept else "nothing was changed"
        )
        super().__init__(f"could not save {path}: {reason}; {outcome}")
        self.path, self.reason, self.kept = path, reason, kept
