"""The workspace document held in memory and kept in step with its file: opened or created
under the lock, (re)loaded, saved, and a change whose save failed kept until one works."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workos_tui.core import inbox
from workos_tui.core.ids import allocate, creation_order, note_used, rebase
from workos_tui.core.journal import (
    JOURNAL_LIMIT,
    Change,
    JournalEntry,
    PendingChange,
    journal_docs,
)
from workos_tui.core.locking import WorkspaceLock
from workos_tui.core.models import BacklogItem
from workos_tui.core.schema import check_layout, empty_workspace, migrate_with_backup
from workos_tui.core.storage import (
    META_ID,
    SCHEMA_VERSION,
    AtomicJSONStorage,
    StoreWriteError,
    WorkspaceDB,
    WorkspaceError,
    check_version,
    remove_stale_temps,
)
from workos_tui.core.table_models import TableModels

__all__ = ["JOURNAL_LIMIT", "StoreWriteError", "WorkspaceFile"]

Stat = tuple[int, int, int]  # mtime_ns, size, inode
DiskStat = tuple[Stat | None, Stat | None]  # the workspace file, its capture inbox


def _stat_of(path: Path) -> Stat | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class WorkspaceFile:
    """The file side of the `Store`: its raw document, models, lock and saving."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self._mutex = threading.RLock()
        self._unsaved: list[PendingChange] = []
        self._stat: DiskStat | None = None
        self._inbox = inbox.inbox_path(self.path)
        self._inbox_read = False  # the inbox is merged in memory: remove it after a write
        self.generation = 0  # bumps whenever the data changes, here or on disk
        self._trusted = False  # the file is exactly what a WorkOS writer validated
        if not self.path.exists():
            if not create:
                raise WorkspaceError(f"{self.path}: no such workspace")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise WorkspaceError(
                    f"{self.path.parent}: cannot create folder: {e.strerror}"
                ) from None
        self._filelock = WorkspaceLock(str(self.path) + ".lock")
        self._db = WorkspaceDB(str(self.path), storage=AtomicJSONStorage)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self._models = TableModels(self.path, self._storage)
        with self._locked():
            remove_stale_temps(self.path)
            if self.path.exists() and self.path.stat().st_size > 0:
                self._load()
            else:
                self._storage.data = empty_workspace()
                self._trusted = True
                try:
                    self._write()
                except OSError as e:
                    raise WorkspaceError(
                        f"{self.path}: cannot create the workspace: {e.strerror or e}"
                    ) from None
                self._index()

    # -- loading -------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._mutex:
            try:
                self._filelock.acquire(timeout=30)
            except OSError as e:
                raise WorkspaceError(f"{self.path}: cannot lock: {e.strerror or e}") from None
            except TimeoutError:
                raise WorkspaceError(f"{self.path}: locked by another process for 30 s") from None
            try:
                yield
            finally:
                self._filelock.release()

    def _disk_stat(self) -> DiskStat:
        """What says the file or its capture inbox changed since we last read them."""
        return (_stat_of(self.path), _stat_of(self._inbox))

    def _load(self) -> None:
        stat = self._disk_stat()
        try:
            data = self._storage.load()
        except OSError as e:
            raise WorkspaceError(f"{self.path}: cannot read: {e.strerror or e}") from None
        version = check_version(self.path, data)
        if version < SCHEMA_VERSION:
            data = migrate_with_backup(self.path, data, version)
        self._storage.data = data
        self._trusted = self._storage.trusted
        self._index()
        self._merge_inbox()
        if version < SCHEMA_VERSION:
            try:
                self._write()
            except OSError as e:
                raise WorkspaceError(
                    f"{self.path}: cannot migrate from schema {version}: {e.strerror or e}; "
                    "the file is unchanged"
                ) from None
        else:
            self._stat = stat
        renamed: dict[tuple[str, str], str] = {}
        for pending in self._unsaved:
            rebase(pending, renamed, self._storage.data, self._next_id)
            self._apply_pending(pending)

    def _merge_inbox(self) -> None:
        """Apply the captures waiting in the inbox, each as the journaled change that
        `Store.put` would have made; the next write makes them part of the file."""
        entries = inbox.read_entries(self._inbox)
        self._inbox_read = bool(entries) or self._inbox.exists()
        own = self._meta()
        backlog = self._storage.data.setdefault("backlog", {})
        for entry in inbox.pending_entries(own, entries):
            docs: dict[tuple[str, str], dict[str, Any] | None] = {}
            for item_id, doc in entry["items"].items():
                try:
                    BacklogItem.model_validate({**doc, "id": item_id})
                except ValidationError:
                    break  # not what capture writes: the whole entry is left out
                # Capture allocated past every id in use; an id taken all the same (a file
                # restored from its backup) gets a new one rather than overwrite a document.
                taken = item_id in backlog or ("backlog", item_id) in docs
                docs[("backlog", self._next_id("backlog") if taken else item_id)] = doc
            else:
                changes = [Change(table, doc_id, None) for table, doc_id in docs]
                self._apply_pending(
                    PendingChange(docs, JournalEntry(entry["label"], entry["at"], changes))
                )
            own["inbox_seq"] = entry["seq"]

    def _index(self) -> None:
        """Check the layout and settings now; the tables' documents on first use."""
        check_layout(self.path, self._storage.data, trusted=self._trusted)
        self._models.reindex()
        self.generation += 1

    def validate_all(self) -> None:
        """Validate every table now (the loaders are otherwise lazy)."""
        self._models.validate_all()

    def _meta(self) -> dict[str, Any]:
        return self._storage.data["meta"][META_ID]  # type: ignore[no-any-return]

    def _next_id(self, table: str) -> str:
        return allocate(self._meta(), table)

    # -- writing -------------------------------------------------------------

    def _apply_pending(self, pending: PendingChange) -> None:
        self._apply_docs(pending.docs)
        self._push_journal("journal", pending.undo)
        self._storage.data["redo"] = {}

    def _save(self, entry: PendingChange | None, *, rollback: str | None = None) -> None:
        """Write the file. On failure a journaled change is kept in memory for
        `retry_save`; with `rollback` (undo, redo, settings) memory goes back to the file."""
        try:
            self._write()
        except OSError as e:
            reason = str(e.strerror or e)
            if rollback is not None:
                with contextlib.suppress(WorkspaceError):
                    self._load()  # the file, plus changes kept from earlier failures
                self.generation += 1
                raise StoreWriteError(self.path, reason, kept=False, outcome=rollback) from None
            if entry is not None and entry not in self._unsaved:
                self._unsaved.append(entry)
            self.generation += 1
            raise StoreWriteError(self.path, reason, kept=True) from None
        self._unsaved.clear()
        self.generation += 1

    def _write(self) -> None:
        self._storage.flush()
        if self._inbox_read:  # its captures are in the file now (meta's inbox_seq says so)
            inbox.remove(self._inbox)
            self._inbox_read = False
        self._stat = self._disk_stat()

    def _apply_docs(self, docs: dict[tuple[str, str], dict[str, Any] | None]) -> None:
        by_table: dict[str, dict[str, dict[str, Any] | None]] = {}
        for (table, doc_id), doc in docs.items():
            by_table.setdefault(table, {})[doc_id] = doc
        counters = self._meta().setdefault("counters", {})
        for table, table_docs in by_table.items():
            present = self._storage.data.get(table, {})
            reinserted = any(d is not None and i not in present for i, d in table_docs.items())
            self._db.table(table).write_docs(table_docs)  # type: ignore[attr-defined]
            for doc_id, doc in table_docs.items():
                self._models.written(table, doc_id, doc)
                note_used(counters, doc_id)
            if reinserted:
                self._restore_order(table)

    def _restore_order(self, table: str) -> None:
        """Documents brought back by undo go back to their place, not to the end: ids grow
        with creation, so id order is creation order."""
        data = self._storage.data
        data[table] = {k: data[table][k] for k in sorted(data[table], key=creation_order)}
        self._models.reorder(table, creation_order)

    def _push_journal(self, name: str, entry: JournalEntry) -> None:
        docs = journal_docs(self._meta(), self._storage.data.get(name, {}), entry)
        self._db.table(name).write_docs(docs)  # type: ignore[attr-defined]

    def _pop_journal(self, name: str) -> JournalEntry | None:
        table = self._storage.data.get(name, {})
        if not table:
            return None
        key = max(table, key=int)
        entry = JournalEntry.from_doc(table[key])
        self._db.table(name).write_docs({key: None})  # type: ignore[attr-defined]
        return entry

    # -- failures ------------------------------------------------------------

    @property
    def unsaved(self) -> bool:
        return bool(self._unsaved)

    def discard_unsaved(self) -> None:
        """Forget changes a failed save kept in memory: memory goes back to the file. For a
        caller that reported the failure and must not save the change later behind its
        requester's back (the MCP server: a client that retries would get it twice)."""
        with self._mutex, self._locked():
            if self._unsaved:
                self._unsaved.clear()
                self._load()

    def retry_save(self) -> None:
        """Write changes kept in memory after a failed save (reapplied on the latest file)."""
        with self._mutex, self._locked():
            if self._unsaved:
                self._load()
                self._save(None)
