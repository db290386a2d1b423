"""The workspace file: one TinyDB JSON document, written atomically, shared safely.

Guarantees: a kill at any instant leaves the old or the new file (temp file, fsync,
`os.replace`); a transaction writes once and lands whole or not at all; two processes
serialise their read-modify-write on an advisory lock and reload what the other wrote;
every change is journaled in the file itself so it can be undone and redone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from workos_tui.core.journal import Change, JournalEntry, PendingChange, Transaction
from workos_tui.core.locking import WorkspaceLock
from workos_tui.core.models import (
    KINDS,
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
from workos_tui.core.storage import (
    META_ID,
    AtomicJSONStorage,
    WorkspaceDB,
    WorkspaceError,
    remove_stale_temps,
)

__all__ = ["META_ID", "NotFoundError", "Store", "StoreWriteError", "WorkspaceError"]

SCHEMA_VERSION = 2
JOURNAL_LIMIT = 100
M = TypeVar("M", bound=BaseModel)


class NotFoundError(WorkspaceError):
    pass


class StoreWriteError(WorkspaceError):
    """Saving failed; the previous file is intact. `kept`: the change is kept in memory
    (`Store.unsaved`) for `retry_save`; otherwise it was rolled back (undo, settings)."""

    def __init__(self, path: Path, reason: str, *, kept: bool, outcome: str = "") -> None:
        outcome = outcome or (
            "the change is kept in memory until a save works" if kept else "nothing was changed"
        )
        super().__init__(f"could not save {path}: {reason}; {outcome}")
        self.path, self.reason, self.kept = path, reason, kept


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("workos", appauthor=False)) / "workspace.json"


def resolve_path(flag: str | os.PathLike[str] | None) -> Path:
    """`--db` wins over `WORKOS_DB`, which wins over the platform's user data dir."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get("WORKOS_DB")
    return Path(env).expanduser() if env else default_path()


# --- The store --------------------------------------------------------------------


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude={"id"})


class Store:
    """Typed access to one workspace file. Every write is a journaled transaction."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self._mutex = threading.RLock()
        self._txn: Transaction | None = None
        self._unsaved: list[PendingChange] = []
        self._stat: tuple[int, int, int] | None = None
        self._models: dict[str, dict[str, BaseModel]] = {}
        self._raw_seen: dict[str, dict[str, Any]] = {}
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
        with self._locked():
            remove_stale_temps(self.path)
            if self.path.exists() and self.path.stat().st_size > 0:
                self._load()
            else:
                self._storage.data = _empty_workspace()
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

    def _disk_stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self) -> None:
        stat = self._disk_stat()
        try:
            data = self._storage.load()
        except OSError as e:
            raise WorkspaceError(f"{self.path}: cannot read: {e.strerror or e}") from None
        version = data.get("meta", {}).get(META_ID, {}).get("schema_version")
        if not isinstance(version, int):
            raise WorkspaceError(f"{self.path}: not a WorkOS workspace (no meta.schema_version)")
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{self.path}: written by a newer WorkOS (schema {version}, this one reads {SCHEMA_VERSION})"
            )
        if version < SCHEMA_VERSION:
            from workos_tui.core.migrations import migrate

            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            try:
                shutil.copy2(self.path, backup)
            except OSError as e:
                raise WorkspaceError(
                    f"{self.path}: cannot keep a backup before migrating: {e.strerror or e}"
                ) from None
            data = migrate(data, version, SCHEMA_VERSION)
        self._storage.data = data
        self._trusted = self._storage.trusted
        self._index()
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
            self._rebase(pending, renamed)
            self._apply_pending(pending)

    def _rebase(self, pending: PendingChange, renamed: dict[tuple[str, str], str]) -> None:
        """Give an unsaved insert a new id when another process took its id meanwhile
        (else reapplying it would overwrite their document)."""
        inserted = {(c.table, c.id) for c in pending.undo.changes if c.doc is None}
        for key in list(pending.docs):
            table, doc_id = key
            new_id = renamed.get(key)
            if new_id is None and key in inserted and pending.docs[key] is not None:
                taken = self._storage.data.get(table, {})
                while (new_id or doc_id) in taken or (table, new_id or doc_id) in pending.docs:
                    new_id = self._next_id(table)
                if new_id is not None:
                    renamed[key] = new_id
            if new_id is None:
                continue
            pending.docs[(table, new_id)] = pending.docs.pop(key)
            for c in pending.undo.changes:
                if (c.table, c.id) == key:
                    c.id = new_id

    def _index(self) -> None:
        """Check the layout and settings now; tables are validated on first use, so quick
        capture on a 10,000-task workspace does not validate every task."""
        data = self._storage.data
        for name in KINDS:
            if not isinstance(data.setdefault(name, {}), dict):
                raise WorkspaceError(f"{self.path}: {name}: must be an object of documents")
        if not self._trusted:
            try:
                Settings.model_validate(data["meta"][META_ID].get("settings", {}))
            except ValidationError as e:
                msg = format_validation_error(e, "settings")
                raise WorkspaceError(f"{self.path}: invalid content: {msg}") from None
        stale = self._models
        self._models = {}
        for name in KINDS:
            if name in stale:
                self._table_models(name, reuse=stale[name])
        self.generation += 1

    def _table_models(
        self, name: str, reuse: dict[str, BaseModel] | None = None
    ) -> dict[str, BaseModel]:
        """Validated models of one table, reusing those whose raw doc is unchanged."""
        models = self._models.get(name)
        if models is not None:
            return models
        model_cls = KINDS[name][0]
        old_raw = self._raw_seen.get(name, {})
        reuse = reuse or {}
        models = {}
        table = self._storage.data.get(name, {})
        for doc_id, doc in table.items():
            prev = reuse.get(doc_id)
            if prev is not None and old_raw.get(doc_id) == doc:
                models[doc_id] = prev
                continue
            if not isinstance(doc, dict):
                raise WorkspaceError(f"{self.path}: {name}.{doc_id}: must be an object")
            try:
                models[doc_id] = model_cls.model_validate({**doc, "id": doc_id})
            except ValidationError as e:
                msg = format_validation_error(e, f"{name}.{doc_id}")
                raise WorkspaceError(f"{self.path}: invalid content: {msg}") from None
        self._models[name] = models
        self._raw_seen[name] = dict(table)
        return models

    def validate_all(self) -> None:
        """Validate every table now (the loaders are otherwise lazy)."""
        for name in KINDS:
            self._table_models(name)

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
        models = self._table_models(table)
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
        return self._table_models(table).get(doc_id)

    def _require(self, table: str, doc_id: str) -> Any:
        found = self._get(table, normalize_id(doc_id))
        if found is None:
            raise NotFoundError(f"no {_KIND_NAMES.get(table, table)} with id {doc_id!r}")
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
        try:
            return Settings.model_validate(self._meta().get("settings", {}))
        except ValidationError as e:
            msg = format_validation_error(e, "settings")
            raise WorkspaceError(f"{self.path}: invalid content: {msg}") from None

    def _meta(self) -> dict[str, Any]:
        return self._storage.data["meta"][META_ID]  # type: ignore[no-any-return]

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
        table = _table_of(model)
        with self.transaction(label or f"save {_KIND_NAMES[table]}") as txn:
            if not model.id:  # type: ignore[attr-defined]
                model = model.model_copy(update={"id": self._next_id(table)})
                if label is None and txn.label.startswith("save "):
                    txn.label = f"add {_KIND_NAMES[table]} {model.id}"  # type: ignore[attr-defined]
            doc_id: str = model.id  # type: ignore[attr-defined]
            self._record(txn, table, doc_id, model)
        return model

    def delete(self, table: str, doc_id: str) -> None:
        found = self._require(table, doc_id)
        with self.transaction(f"delete {_KIND_NAMES[table]} {found.id}") as txn:
            self._record(txn, table, found.id, None)

    def _record(self, txn: Transaction, table: str, doc_id: str, model: BaseModel | None) -> None:
        key = (table, doc_id)
        if key not in txn.before:
            current = self._table_models(table).get(doc_id)
            txn.before[key] = _dump(current) if current is not None else None
        txn.pending.setdefault(table, {})[doc_id] = model

    def _next_id(self, table: str) -> str:
        prefix = KINDS[table][1]
        counters = self._meta().setdefault("counters", {})
        counters[prefix] = counters.get(prefix, 0) + 1
        if self._txn is not None:
            self._txn.meta_dirty = True
        return f"{prefix}{counters[prefix]}"

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
        _check_serialisable(forward)
        pending = PendingChange(forward, undo)
        if forward:
            self._apply_pending(pending)
            self._save(pending)
        else:  # settings or counters only: not journaled, rolled back if the save fails
            self._save(None, rollback="the change was not made")

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
            model_cls = KINDS[table][0]
            models = self._models.get(table)
            raw_seen = self._raw_seen.setdefault(table, {})
            for doc_id, doc in table_docs.items():
                if models is None:
                    pass  # not indexed yet: validated from the raw docs on first use
                elif doc is None:
                    models.pop(doc_id, None)
                    raw_seen.pop(doc_id, None)
                else:
                    models[doc_id] = model_cls.model_validate({**doc, "id": doc_id})
                    raw_seen[doc_id] = doc
                # Ids are never reused, even when a save failed and another process wrote.
                prefix, num = doc_id[:1], doc_id[1:]
                if num.isdigit():
                    counters[prefix] = max(counters.get(prefix, 0), int(num))
            if reinserted:
                self._restore_order(table)

    def _restore_order(self, table: str) -> None:
        """Documents brought back by undo go back to their place, not to the end: ids grow
        with creation, so id order is creation order."""

        def key(doc_id: str) -> tuple[int, str]:
            num = doc_id[1:]
            return (int(num) if num.isdigit() else 1 << 62, doc_id)

        data = self._storage.data
        data[table] = {k: data[table][k] for k in sorted(data[table], key=key)}
        models = self._models.get(table)
        if models is not None:
            self._models[table] = {k: models[k] for k in sorted(models, key=key)}

    def _push_journal(self, name: str, entry: JournalEntry) -> None:
        meta = self._meta()
        seq = meta.get("journal_seq", 0) + 1
        meta["journal_seq"] = seq
        table = self._db.table(name)
        docs: dict[str, dict[str, Any] | None] = {str(seq): entry.to_doc()}
        keys = sorted(self._storage.data.get(name, {}), key=int)
        for old in keys[: max(0, len(keys) + 1 - JOURNAL_LIMIT)]:
            docs[old] = None
        table.write_docs(docs)  # type: ignore[attr-defined]

    def _pop_journal(self, name: str) -> JournalEntry | None:
        table = self._storage.data.get(name, {})
        if not table:
            return None
        key = max(table, key=int)
        entry = JournalEntry.from_doc(table[key])
        self._db.table(name).write_docs({key: None})  # type: ignore[attr-defined]
        return entry

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
                    _dump(m) if (m := self._table_models(c.table).get(c.id)) else None,
                )
                for c in entry.changes
            ]
            self._apply_docs({(c.table, c.id): c.doc for c in reversed(entry.changes)})
            self._push_journal(target, JournalEntry(entry.label, entry.at, current))
            self._save(
                None, rollback=f"nothing was {'undone' if source == 'journal' else 'redone'}"
            )
            return entry

    # -- failures ------------------------------------------------------------

    @property
    def unsaved(self) -> bool:
        return bool(self._unsaved)

    def retry_save(self) -> None:
        """Write changes kept in memory after a failed save (reapplied on the latest file)."""
        with self._mutex, self._locked():
            if self._unsaved:
                self._load()
                self._save(None)

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


def _check_serialisable(docs: dict[tuple[str, str], dict[str, Any] | None]) -> None:
    """Refuse, before anything changes, a document JSON cannot hold: a lone surrogate
    (undecodable bytes from argv or stdin) would otherwise make every later save fail."""
    for (table, doc_id), doc in docs.items():
        try:
            orjson.dumps(doc)
        except orjson.JSONEncodeError as e:
            raise WorkspaceError(
                f"{table}.{doc_id}: cannot be saved: {e} (undecodable bytes in the text?)"
            ) from None


def normalize_id(doc_id: str) -> str:
    """Ids are typed by people: accept "t12" for "T12"."""
    doc_id = doc_id.strip()
    return doc_id[:1].upper() + doc_id[1:] if doc_id[1:].isdigit() else doc_id


_KIND_NAMES = {
    "backlog": "backlog item",
    "tasks": "task",
    "goals": "goal",
    "notes": "note",
    "plans": "day plan",
    "runs": "batch run",
}


def _table_of(model: BaseModel) -> str:
    for name, (cls, _prefix) in KINDS.items():
        if type(model) is cls:
            return name
    raise TypeError(f"not a workspace entity: {type(model).__name__}")


def _empty_workspace() -> dict[str, Any]:
    return {
        "meta": {
            META_ID: {
                "schema_version": SCHEMA_VERSION,
                "counters": {},
                "settings": Settings().model_dump(mode="json"),
                "created_at": utcnow().isoformat(),
            }
        },
        **{name: {} for name in KINDS},
        "journal": {},
        "redo": {},
    }
