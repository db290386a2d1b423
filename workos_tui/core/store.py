"""The workspace store: typed reads, transactions and undo over one workspace file.

Guarantees: a kill at any instant leaves the old or the new file (temp file, fsync,
`os.replace`); a transaction writes once and lands whole or not at all; two processes
serialise their read-modify-write on an advisory lock and reload what the other wrote;
every change is journaled in the file itself so it can be undone and redone.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from workos_tui.core.ids import KIND_NAMES, normalize_id, table_of
from workos_tui.core.journal import Change, JournalEntry, PendingChange, Transaction
from workos_tui.core.models import (
    BacklogItem,
    BatchRun,
    DayPlan,
    Goal,
    Note,
    Settings,
    Task,
    format_validation_error,
    utcnow,
)
from workos_tui.core.schema import check_serialisable, load_settings
from workos_tui.core.storage import (
    META_ID,
    AtomicJSONStorage,
    StoreWriteError,
    WorkspaceError,
    resolve_path,
)
from workos_tui.core.workspace_file import JOURNAL_LIMIT, WorkspaceFile

__all__ = [
    "JOURNAL_LIMIT",
    "META_ID",
    "AtomicJSONStorage",
    "NotFoundError",
    "Store",
    "StoreWriteError",
    "WorkspaceError",
    "normalize_id",
    "resolve_path",
]

M = TypeVar("M", bound=BaseModel)


class NotFoundError(WorkspaceError):
    pass


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude={"id"})


class Store(WorkspaceFile):
    """Typed access to one workspace file. Every write is a journaled transaction."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self._txn: Transaction | None = None  # first: loading may allocate ids
        super().__init__(path, create=create)

    def refresh(self) -> bool:
        """Reload if another process changed the file. Cheap when nothing changed."""
        with self._mutex:
            if self._txn is not None or self._disk_stat() == self._stat:
                return False
            with self._locked():
                self._load()
            return True

    # -- reading -------------------------------------------------------------

    def _all(self, table: str) -> list[Any]:
        models = self._models.table(table)
        txn = self._txn
        if txn is None or table not in txn.pending:
            return list(models.values())
        merged: dict[str, Any] = dict(models)
        for doc_id, m in txn.pending[table].items():
            if m is None:
                merged.pop(doc_id, None)
            else:
                merged[doc_id] = m
        return list(merged.values())

    def _get(self, table: str, doc_id: str) -> Any | None:
        txn = self._txn
        if txn is not None and doc_id in txn.pending.get(table, {}):
            return txn.pending[table][doc_id]
        return self._models.table(table).get(doc_id)

    def _require(self, table: str, doc_id: str) -> Any:
        found = self._get(table, normalize_id(doc_id))
        if found is None:
            raise NotFoundError(f"no {KIND_NAMES.get(table, table)} with id {doc_id!r}")
        return found

    def backlog(self) -> list[BacklogItem]:
        return self._all("backlog")

    def tasks(self) -> list[Task]:
        return self._all("tasks")

    def goals(self) -> list[Goal]:
        return self._all("goals")

    def notes(self) -> list[Note]:
        return self._all("notes")

    def plans(self) -> list[DayPlan]:
        return self._all("plans")

    def get_task(self, task_id: str) -> Task:
        return self._require("tasks", task_id)  # type: ignore[no-any-return]

    def get_backlog_item(self, item_id: str) -> BacklogItem:
        return self._require("backlog", item_id)  # type: ignore[no-any-return]

    def get_goal(self, goal_id: str) -> Goal:
        return self._require("goals", goal_id)  # type: ignore[no-any-return]

    def get_note(self, note_id: str) -> Note:
        return self._require("notes", note_id)  # type: ignore[no-any-return]

    def runs(self) -> list[BatchRun]:
        return self._all("runs")

    def latest_plan(self) -> DayPlan | None:
        plans = self.plans()
        return max(plans, key=lambda p: (p.date, p.created_at)) if plans else None

    def settings(self) -> Settings:
        return load_settings(self.path, self._meta())

    # -- writing -------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, label: str = "change") -> Iterator[Transaction]:
        """Group writes: one file write, one undoable change, all or nothing.

        Nested transactions join the outermost one.
        """
        with self._mutex:
            if self._txn is not None:
                yield self._txn
                return
            with self._locked():
                if self._disk_stat() != self._stat:
                    self._load()
                # Never rewrite a file we could not fully read: it stays byte-for-byte intact.
                if not self._trusted:
                    self.validate_all()
                    self._trusted = True
                txn = Transaction(label)
                self._txn = txn
                try:
                    yield txn
                except BaseException:
                    self._txn = None
                    raise
                self._txn = None
                if txn:
                    self._commit(txn)

    def put(self, model: M, label: str | None = None) -> M:
        """Insert (assigning an id when it has none) or replace one entity."""
        table = table_of(model)
        with self.transaction(label or f"save {KIND_NAMES[table]}") as txn:
            if not model.id:  # type: ignore[attr-defined]
                model = model.model_copy(update={"id": self._next_id(table)})
                if label is None and txn.label.startswith("save "):
                    txn.label = f"add {KIND_NAMES[table]} {model.id}"  # type: ignore[attr-defined]
            doc_id: str = model.id  # type: ignore[attr-defined]
            self._record(txn, table, doc_id, model)
        return model

    def delete(self, table: str, doc_id: str) -> None:
        found = self._require(table, doc_id)
        with self.transaction(f"delete {KIND_NAMES[table]} {found.id}") as txn:
            self._record(txn, table, found.id, None)

    def _record(self, txn: Transaction, table: str, doc_id: str, model: BaseModel | None) -> None:
        key = (table, doc_id)
        if key not in txn.before:
            current = self._models.table(table).get(doc_id)
            txn.before[key] = _dump(current) if current is not None else None
        txn.pending.setdefault(table, {})[doc_id] = model

    def _next_id(self, table: str) -> str:
        doc_id = super()._next_id(table)
        if self._txn is not None:
            self._txn.meta_dirty = True  # the counter moved: the transaction must write
        return doc_id

    def update_settings(self, **changes: Any) -> Settings:
        """Settings are not journaled: undo is for the person's data."""
        with self.transaction("settings") as txn:
            try:
                new = Settings.model_validate({**self.settings().model_dump(), **changes})
            except ValidationError as e:
                raise WorkspaceError(format_validation_error(e, "settings")) from None
            self._meta()["settings"] = new.model_dump(mode="json")
            txn.meta_dirty = True
        return new

    def _commit(self, txn: Transaction) -> None:
        undo = JournalEntry(txn.label)
        forward: dict[tuple[str, str], dict[str, Any] | None] = {}
        for (table, doc_id), before in txn.before.items():
            m = txn.pending[table][doc_id]
            after = _dump(m) if m is not None else None
            if before != after:
                undo.changes.append(Change(table, doc_id, before))
                forward[(table, doc_id)] = after
        check_serialisable(forward)
        pending = PendingChange(forward, undo)
        if forward:
            self._apply_pending(pending)
            self._save(pending)
        else:  # settings or counters only: not journaled, rolled back if the save fails
            self._save(None, rollback="the change was not made")

    # -- undo ----------------------------------------------------------------

    def history(self) -> list[JournalEntry]:
        """Undoable changes, newest first."""
        table = self._storage.data.get("journal", {})
        return [JournalEntry.from_doc(table[k]) for k in sorted(table, key=int, reverse=True)]

    def undo(self) -> JournalEntry | None:
        """Revert the newest journaled change; it can then be redone."""
        return self._step("journal", "redo")

    def redo(self) -> JournalEntry | None:
        return self._step("redo", "journal")

    def _step(self, source: str, target: str) -> JournalEntry | None:
        with self._mutex, self._locked():
            if self._txn is not None:
                raise WorkspaceError("cannot undo inside a transaction")
            if self._disk_stat() != self._stat:
                self._load()
            entry = self._pop_journal(source)
            if entry is None:
                return None
            current = [
                Change(
                    c.table,
                    c.id,
                    _dump(m) if (m := self._models.table(c.table).get(c.id)) else None,
                )
                for c in entry.changes
            ]
            self._apply_docs({(c.table, c.id): c.doc for c in reversed(entry.changes)})
            self._push_journal(target, JournalEntry(entry.label, entry.at, current))
            self._save(
                None, rollback=f"nothing was {'undone' if source == 'journal' else 'redone'}"
            )
            return entry

    # -- conveniences used by every front end --------------------------------

    def add_backlog_item(self, text: str, subitems: list[str] | None = None) -> BacklogItem:
        return self.put(BacklogItem(text=text, subitems=subitems or []))

    def add_task(self, task: Task) -> Task:
        return self.put(task)

    def update_task(self, task_id: str, **changes: Any) -> Task:
        with self.transaction(f"edit {task_id}"):
            task = self.get_task(task_id)
            data = {**task.model_dump(), **changes, "updated_at": utcnow()}
            if "status" in changes:
                done = data["status"] == "done"
                data["completed_at"] = (task.completed_at or utcnow()) if done else None
            try:
                new = Task.model_validate(data)
            except ValidationError as e:
                raise WorkspaceError(format_validation_error(e)) from None
            return self.put(new)

    def set_status(self, task_id: str, status: str) -> Task:
        return self.update_task(task_id, status=status)
