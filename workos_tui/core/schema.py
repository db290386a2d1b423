"""The layout of a workspace document: its schema version and empty form, the checks a
loaded document must pass, and migrating an older one (after keeping a backup)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from workos_tui.core.models import KINDS, Settings, format_validation_error, utcnow
from workos_tui.core.storage import META_ID, SCHEMA_VERSION, WorkspaceError


def empty_workspace() -> dict[str, Any]:
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


def migrate_with_backup(path: Path, data: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring an older document up to SCHEMA_VERSION, first copying the file to
    `<file>.v<N>.bak`."""
    from workos_tui.core.migrations import migrate

    backup = path.with_name(f"{path.name}.v{version}.bak")
    try:
        shutil.copy2(path, backup)
    except OSError as e:
        raise WorkspaceError(
            f"{path}: cannot keep a backup before migrating: {e.strerror or e}"
        ) from None
    return migrate(data, version, SCHEMA_VERSION)


def check_layout(path: Path, data: dict[str, Any], *, trusted: bool) -> None:
    """Check the tables' shape and the settings; the documents themselves are validated
    on first use (`TableModels`)."""
    for name in KINDS:
        if not isinstance(data.setdefault(name, {}), dict):
            raise WorkspaceError(f"{path}: {name}: must be an object of documents")
    if not trusted:
        load_settings(path, data["meta"][META_ID])


def load_settings(path: Path, meta: dict[str, Any]) -> Settings:
    try:
        return Settings.model_validate(meta.get("settings", {}))
    except ValidationError as e:
        msg = format_validation_error(e, "settings")
        raise WorkspaceError(f"{path}: invalid content: {msg}") from None


def check_serialisable(docs: dict[tuple[str, str], dict[str, Any] | None]) -> None:
    """Refuse, before anything changes, a document JSON cannot hold: a lone surrogate
    (undecodable bytes from argv or stdin) would otherwise make every later save fail."""
    for (table, doc_id), doc in docs.items():
        try:
            orjson.dumps(doc)
        except orjson.JSONEncodeError as e:
            hint = " (undecodable bytes in the text?)" if "surrogate" in str(e) else ""
            raise WorkspaceError(f"{table}.{doc_id}: cannot be saved: {e}{hint}") from None
