"""TinyDB plumbing for the workspace file: an in-memory storage written atomically.

A write goes to a temp file in the same folder, is fsynced and `os.replace`d over the old
one, so a kill at any instant leaves the old or the new file, never a torn one.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from tinydb import Storage, TinyDB
from tinydb.table import Table

META_ID = "meta"


class WorkspaceError(Exception):
    """A problem a person can fix; its message is one line."""


class AtomicJSONStorage(Storage):
    """Keeps the document in memory; `flush` writes it with temp file + fsync + replace."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.data: dict[str, Any] = {}

    def read(self) -> dict[str, Any] | None:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        # Table writes land in memory; the Store decides when a transaction hits disk.
        self.data = data

    def load(self) -> dict[str, Any]:
        raw = self.path.read_bytes()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            where = f" (line {e.lineno} column {e.colno})" if e.lineno else ""
            raise WorkspaceError(f"{self.path}: not valid JSON{where}: {e.msg}") from None
        if not isinstance(data, dict):
            raise WorkspaceError(
                f"{self.path}: not a WorkOS workspace (top level is not an object)"
            )
        return data

    def body_digest(self) -> tuple[bytes, str]:
        """Everything but `meta`, serialised, and its digest."""
        body = orjson.dumps({k: v for k, v in self.data.items() if k != "meta"})
        return body, hashlib.blake2b(body, digest_size=16).hexdigest()

    def flush(self) -> None:
        # The digest of what we validated and wrote lets the next process trust the file
        # without re-validating every task (a hand-edited file no longer matches).
        body, digest = self.body_digest()
        meta = self.data.setdefault("meta", {})
        meta.setdefault(META_ID, {})["digest"] = digest
        payload = b'{"meta":' + orjson.dumps(meta) + (b"," + body[1:] if len(body) > 2 else b"}")
        directory = self.path.parent
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            if self.path.exists():
                _keep_backup(self.path)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(directory)

    def close(self) -> None:
        pass


def _keep_backup(path: Path) -> None:
    """Point `<file>.bak` at the current version: a hard link costs no copy."""
    bak = path.with_name(path.name + ".bak")
    tmp = path.with_name(f".{path.name}.bak.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        try:
            os.link(path, tmp)
        except OSError:
            shutil.copy2(path, tmp)
        os.replace(tmp, bak)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remove_stale_temps(path: Path) -> None:
    """Delete temp files a killed writer left behind. Call it only under the workspace
    lock: writers create them only under that lock, so none of them is in use."""
    with contextlib.suppress(OSError):
        for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _first_line(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


class _Table(Table):
    """Our ids ("T12") are the TinyDB document ids."""

    document_id_class = str  # type: ignore[assignment]

    def write_docs(self, docs: Mapping[str, dict[str, Any] | None]) -> None:
        """Insert, replace or (for None) remove many documents in one table pass."""

        def updater(table: dict[str, Any]) -> None:
            for doc_id, doc in docs.items():
                if doc is None:
                    table.pop(doc_id, None)
                else:
                    table[doc_id] = doc

        self._update_table(updater)  # type: ignore[arg-type]


class WorkspaceDB(TinyDB):
    table_class = _Table
