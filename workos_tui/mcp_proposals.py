"""The MCP server's proposal book: every proposal it returned, kept by id so that
`apply_proposal` works after a restart, and what each applied proposal consumed.

It lives next to the workspace as `<workspace>.proposals.json` (mode 0600), written the
same crash-safe way as the workspace (temp file, fsync, replace) under its own lock.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from filelock import FileLock
from pydantic import BaseModel, Field, ValidationError

from workos_tui.core.run_models import Proposal
from workos_tui.core.storage import remove_stale_temps, write_atomically
from workos_tui.core.store import NotFoundError

KEEP = 50  # proposals kept; older ones are forgotten (their changes are in the journal)
# Applying these turns a backlog item into work the workspace now tracks: the item is done.
CONSUMING_KINDS = frozenset({"create_task", "merge_into_task", "save_note"})


class BookEntry(BaseModel):
    proposal: Proposal
    source: str = ""  # "aggregate_parallel_results" or "run_parallel_operation"
    applied: list[str] = Field(default_factory=list)
    consumed: list[str] = Field(default_factory=list)


def sidecar_path(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + ".proposals.json")


class ProposalBook:
    def __init__(self, workspace: Path, keep: int = KEEP) -> None:
        self.path = sidecar_path(workspace)
        self.keep = keep
        self._lock = FileLock(str(self.path) + ".lock", thread_local=False)
        self._swept = False

    # -- file ----------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"seq": 0, "entries": {}}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            # A damaged sidecar must not stop the workspace from being used: start afresh.
            print(f"workos mcp: ignoring unreadable {self.path}: {e}", file=sys.stderr)
            return {"seq": 0, "entries": {}}
        if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
            return {"seq": 0, "entries": {}}
        return data

    def _write(self, data: dict[str, Any]) -> None:
        if not self._swept:  # temp files of a server killed mid-write (we hold the lock)
            remove_stale_temps(self.path)
            self._swept = True
        write_atomically(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def _entry(self, data: dict[str, Any], proposal_id: str) -> BookEntry:
        raw = data["entries"].get(proposal_id.strip())
        if raw is None:
            known = ", ".join(list(data["entries"])[-5:]) or "none yet"
            raise NotFoundError(f"no proposal with id {proposal_id!r} (recent: {known})")
        try:
            return BookEntry.model_validate(raw)
        except ValidationError:
            raise NotFoundError(f"proposal {proposal_id!r} is damaged in {self.path}") from None

    # -- API -----------------------------------------------------------------

    def add(self, proposal: Proposal, source: str) -> Proposal:
        """Keep `proposal` under its own id (or `prop-<n>` when it has none or a clash)."""
        with self._lock:
            data = self._read()
            entries: dict[str, Any] = data["entries"]
            if not proposal.id or proposal.id in entries:
                seq = int(data.get("seq", 0)) + 1
                data["seq"] = seq
                proposal = proposal.model_copy(update={"id": f"prop-{seq}"})
            entries[proposal.id] = BookEntry(proposal=proposal, source=source).model_dump(
                mode="json"
            )
            for old in list(entries)[: max(0, len(entries) - self.keep)]:
                del entries[old]
            self._write(data)
        return proposal

    def get(self, proposal_id: str) -> BookEntry:
        with self._lock:
            return self._entry(self._read(), proposal_id)

    def mark_applied(self, proposal_id: str, action_ids: list[str]) -> BookEntry:
        """Record applied actions and the backlog items they consumed."""
        with self._lock:
            data = self._read()
            entry = self._entry(data, proposal_id)
            for action_id in action_ids:
                if action_id in entry.applied:
                    continue
                entry.applied.append(action_id)
                action = entry.proposal.action(action_id)
                if action.kind in CONSUMING_KINDS:
                    entry.consumed.extend(
                        i for i in action.backlog_item_ids if i not in entry.consumed
                    )
            data["entries"][entry.proposal.id] = entry.model_dump(mode="json")
            self._write(data)
            return entry

    def consumed(self) -> set[str]:
        """Backlog item ids consumed by any applied proposal still in the book."""
        with self._lock:
            data = self._read()
        out: set[str] = set()
        for raw in data["entries"].values():
            if isinstance(raw, dict):
                out.update(str(i) for i in raw.get("consumed", []))
        return out

    def pending(self) -> dict[str, list[tuple[str, str, str]]]:
        """Backlog item id -> (proposal id, action id, kind) of actions not applied yet,
        newest proposal first: what a person can still apply for that item."""
        with self._lock:
            data = self._read()
        out: dict[str, list[tuple[str, str, str]]] = {}
        for raw in reversed(list(data["entries"].values())):
            try:
                entry = BookEntry.model_validate(raw)
            except ValidationError:
                continue
            for a in entry.proposal.actions:
                if a.id in entry.applied:
                    continue
                for item_id in a.backlog_item_ids:
                    out.setdefault(item_id, []).append((entry.proposal.id, a.id, a.kind))
        return out
