"""Our own JSON: a full backup that restores by id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workos_tui.core.interop import ImportFailed, detect_format, export_workspace, import_path
from workos_tui.core.store import Store


def _everything(s: Store) -> dict[str, list[dict]]:
    return {
        "tasks": [t.model_dump(mode="json") for t in s.tasks()],
        "goals": [g.model_dump(mode="json") for g in s.goals()],
        "backlog": [b.model_dump(mode="json") for b in s.backlog()],
        "notes": [n.model_dump(mode="json") for n in s.notes()],
        "plans": [p.model_dump(mode="json") for p in s.plans()],
    }


def test_backup_and_restore_into_an_empty_workspace(demo_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_text(export_workspace(demo_store, "json"), encoding="utf-8")
    doc = json.loads(path.read_text())
    assert doc["format"] == "workos" and doc["version"] == 1
    assert detect_format(path) == "json"
    fresh = Store(tmp_path / "fresh.json")
    report = import_path(fresh, path)
    assert report.created == sum(len(v) for v in _everything(demo_store).values())
    assert _everything(fresh) == _everything(demo_store)
    # new records after a restore never reuse a restored id
    from workos_tui.core.models import Task

    new = fresh.put(Task(title="after restore"))
    assert new.id not in {t["id"] for t in doc["tasks"]}


def test_restore_reverts_edits_and_is_one_undo(demo_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_text(export_workspace(demo_store, "json"), encoding="utf-8")
    before = _everything(demo_store)
    t = demo_store.tasks()[0]
    demo_store.update_task(t.id, title="edited after the backup")
    report = import_path(demo_store, path)
    assert (report.created, report.updated) == (0, 1)
    assert _everything(demo_store) == before
    demo_store.undo()
    assert demo_store.get_task(t.id).title == "edited after the backup"


def test_invalid_records_are_named(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    doc = {
        "format": "workos",
        "version": 1,
        "tasks": [
            {"id": "T1", "title": "ok"},
            {"id": "T2", "title": "bad", "priority": "P7"},
            {"id": "X9", "title": "bad id"},
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        import_path(store, path)
    assert err.value.errors[0].startswith("backup.json tasks[1]: priority:")
    assert err.value.errors[1] == "backup.json tasks[2]: id must look like T12, not 'X9'"
    report = import_path(store, path, skip_invalid=True)
    assert report.created == 1 and [t.id for t in store.tasks()] == ["T1"]


def test_newer_version_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_text(json.dumps({"format": "workos", "version": 99, "tasks": []}))
    with pytest.raises(ImportFailed, match="newer WorkOS"):
        import_path(store, path)
