"""The workspace file on disk: its schema check, and TinyDB plumbing for an in-memory
storage written atomically.

A write goes to a temp file in the same folder, is fsynced and `os.replace`d over the old
one, so a kill at any instant leaves the old or the new file, never a torn one. Nothing
here imports pydantic.
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

# Re-exported from the modules that quick capture can import without orjson and TinyDB.
from workos_tui.core.errors import StoreWriteError as StoreWriteError
from workos_tui.core.errors import WorkspaceError as WorkspaceError
from workos_tui.core.file_layout import META_ID as META_ID
from workos_tui.core.file_layout import SCHEMA_VERSION as SCHEMA_VERSION
from workos_tui.core.file_layout import default_path as default_path
from workos_tui.core.file_layout import resolve_path as resolve_path


def check_version(path: Path, data: dict[str, Any]) -> int:
    """The document's schema version; one this WorkOS cannot read is refused."""
    meta = data.get("meta")
    own = meta.get(META_ID) if isinstance(meta, dict) else None
    version = own.get("schema_version") if isinstance(own, dict) else None
    if not isinstance(version, int):
        raise WorkspaceError(f"{path}: not a WorkOS workspace (no meta.schema_version)")
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"{path}: written by a newer WorkOS (schema {version}, this one reads {SCHEMA_VERSION})"
        )
    return version


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
        """Parse the file; `self.trusted` says whether it is exactly what a WorkOS writer
        validated and wrote (so it need not be validated again)."""
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
        self.trusted = _signed(raw, data)
        return data

    def flush(self) -> None:
        # The data is written first and `meta` last, with the length and digest of the
        # bytes before it: the next process checks those bytes as they are on disk (no
        # re-serialising) and trusts the file; a hand-edited file no longer matches.
        body = orjson.dumps({k: v for k, v in self.data.items() if k != "meta"})
        prefix = body[:-1]  # without the closing brace
        meta = self.data.setdefault("meta", {})
        own = meta.setdefault(META_ID, {})
        own["body_bytes"] = len(prefix)
        own["digest"] = _digest(prefix)
        payload = prefix + (b"," if len(prefix) > 1 else b"") + b'"meta":' + orjson.dumps(meta)
        payload += b"}"
        write_atomically(self.path, payload, keep_backup=True)

    trusted = False

    def close(self) -> None:
        pass


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _signed(raw: bytes, data: dict[str, Any]) -> bool:
    own = data.get("meta", {}).get(META_ID, {}) if isinstance(data.get("meta"), dict) else {}
    if not isinstance(own, dict):
        return False
    n, digest = own.get("body_bytes"), own.get("digest")
    if not isinstance(n, int) or not isinstance(digest, str) or not 0 < n <= len(raw):
        return False
    follows = raw[n : n + 8]
    return follows in (b',"meta":', b'"meta":{'[:8]) and _digest(raw[:n]) == digest


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


def write_atomically(path: Path, payload: bytes, *, keep_backup: bool = False) -> None:
    """Replace `path` with `payload` so that a crash at any instant leaves the old file or
    the new one, never a torn one: a private temp file beside it, fsync, rename, fsync the
    folder. With `keep_backup`, `<file>.bak` points at the version being replaced. A temp
    file a killed writer leaves behind is named for `remove_stale_temps`."""
    directory = path.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        if keep_backup and path.exists():
            _keep_backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def remove_stale_temps(path: Path) -> None:
    """Delete temp files a killed `write_atomically(path, ...)` left behind. Call it only
    under the lock that every writer of `path` holds, so none of them is in use. Exactly
    its names (`mkstemp`'s 8 random characters): `.<path>.proposals.json.<random>.tmp`
    belongs to another file and its own lock."""
    with contextlib.suppress(OSError):
        for stale in path.parent.glob(f".{glob.escape(path.name)}.{'?' * 8}.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
