"""Our own JSON: the whole workspace, for backups. Importing restores records by id."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workos_tui.core.interop.common import Incoming, ParseResult, Table, build
from workos_tui.core.models import KINDS, utcnow
from workos_tui.core.store import Store

FORMAT_TAG = "workos"
VERSION = 1
TABLES: tuple[Table, ...] = ("goals", "tasks", "backlog", "notes", "plans")


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and (data.get("format") == FORMAT_TAG or "tasks" in data)


def export(store: Store) -> str:
    doc: dict[str, Any] = {
        "format": FORMAT_TAG,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "settings": store.settings().model_dump(mode="json"),
    }
    readers: dict[str, Callable[[], list[Any]]] = {
        "goals": store.goals,
        "tasks": store.tasks,
        "backlog": store.backlog,
        "notes": store.notes,
        "plans": store.plans,
    }
    for table in TABLES:
        items = sorted(readers[table](), key=lambda m: (len(m.id), m.id))
        doc[table] = [m.model_dump(mode="json") for m in items]
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def parse(path: Path, text: str) -> ParseResult:
    result = ParseResult()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        result.errors.append(f"{path.name} line {e.lineno}: not valid JSON: {e.msg}")
        return result
    if not looks_like(doc):
        result.errors.append(f'{path.name}: not a WorkOS JSON export (no "tasks" list)')
        return result
    if doc.get("version", VERSION) > VERSION:
        result.errors.append(f"{path.name}: written by a newer WorkOS (version {doc['version']})")
        return result
    for table in TABLES:
        items = doc.get(table, [])
        if not isinstance(items, list):
            result.errors.append(f"{path.name}: {table}: must be a list")
            continue
        model_cls, prefix = KINDS[table]
        for i, item in enumerate(items):
            where = f"{path.name} {table}[{i}]"
            if not isinstance(item, dict):
                result.errors.append(f"{where}: not an object")
                continue
            doc_id = item.get("id")
            valid = isinstance(doc_id, str) and doc_id[:1] == prefix and doc_id[1:].isdigit()
            if not valid:
                result.errors.append(f"{where}: id must look like {prefix}12, not {doc_id!r}")
                continue
            model = build(model_cls, item, where, result)
            if model is not None:
                result.records.append(Incoming(table, model, where, keep_id=True))
    return result
