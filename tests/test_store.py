"""The store: round trips, atomicity, locking, undo, corrupt files, migrations."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from workos_tui.core import store as store_mod
from workos_tui.core.models import BacklogItem, Goal, Note, Task
from workos_tui.core.store import (
    JOURNAL_LIMIT,
    NotFoundError,
    Store,
    StoreWriteError,
    WorkspaceError,
    resolve_path,
)


def test_round_trip_every_kind(db_path: Path) -> None:
    s = Store(db_path)
    g = s.put(Goal(title="Ship v2"))
    t = s.put(Task(title="Fix bug", priority="P0", goal_id=g.id, tags=["x"], estimate_minutes=30))
    b = s.add_backlog_item("idea", ["sub one"])
    n = s.put(Note(title="Notes", body="line"))
    again = Store(db_path)
    assert again.get_task(t.id) == t
    assert again.get_backlog_item(b.id).subitems == ["sub one"]
    assert again.get_goal(g.id).title == "Ship v2"
    assert again.get_note(n.id).body == "line"
    assert [t.id, b.id, g.id, n.id] == ["T1", "B1", "G1", "N1"]


def test_file_mode_is_0600_and_parent_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "ws.json"
    s = Store(path)
    s.add_backlog_item("x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_backup_keeps_previous_version(db_path: Path) -> None:
    s = Store(db_path)
    s.add_backlog_item("first")
    before = db_path.read_bytes()
    s.add_backlog_item("second")
    assert db_path.with_name(db_path.name + ".bak").read_bytes() == before


def test_ids_are_never_reused_even_after_undo(db_path: Path) -> None:
    s = Store(db_path)
    t1 = s.put(Task(title="a"))
    s.undo()
    t2 = s.put(Task(title="a"))
    assert t1.id != t2.id
    s.delete("tasks", t2.id)
    assert s.put(Task(title="a")).id == "T3"


def test_opening_sweeps_only_the_workspace_s_own_stale_temp_files(db_path: Path) -> None:
    Store(db_path).add_backlog_item("first")
    own = db_path.with_name(f".{db_path.name}.x1y2z3w4.tmp")  # a writer killed mid-write
    sidecar = db_path.with_name(f".{db_path.name}.proposals.json.x1y2z3w4.tmp")  # not ours
    for path in (own, sidecar):
        path.write_text("{")
    assert [b.text for b in Store(db_path).backlog()] == ["first"]
    assert not own.exists() and sidecar.exists()


def test_failure_between_temp_write_and_replace_leaves_old_file(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Store(db_path)
    s.add_backlog_item("safe")
    before = db_path.read_bytes()

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_mod.os, "replace", boom)
    with pytest.raises(StoreWriteError, match="No space left"):
        s.add_backlog_item("lost?")
    assert db_path.read_bytes() == before
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".tmp")]
    # The change is kept in memory and saved by a retry.
    assert s.unsaved
    assert [b.text for b in s.backlog()] == ["safe", "lost?"]
    monkeypatch.undo()
    s.retry_save()
    assert not s.unsaved
    assert [b.text for b in Store(db_path).backlog()] == ["safe", "lost?"]


def test_transaction_is_all_or_nothing(db_path: Path) -> None:
    s = Store(db_path)
    s.add_backlog_item("keep")
    before = db_path.read_bytes()
    with pytest.raises(RuntimeError), s.transaction("half"):
        s.put(Task(title="one"))
        s.put(Task(title="two"))
        raise RuntimeError("crash mid-way")
    assert db_path.read_bytes() == before
    assert s.tasks() == []


def test_transaction_writes_once(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(db_path)
    writes = []
    real = store_mod.AtomicJSONStorage.flush
    monkeypatch.setattr(
        store_mod.AtomicJSONStorage, "flush", lambda self: (writes.append(1), real(self))
    )
    with s.transaction("bulk"):
        for i in range(50):
            s.put(Task(title=f"t{i}"))
    assert len(writes) == 1
    assert [e.label for e in s.history()] == ["bulk"]


def test_undo_redo_and_journal_limit(db_path: Path) -> None:
    s = Store(db_path)
    t = s.put(Task(title="x"))
    s.update_task(t.id, status="done")
    assert s.get_task(t.id).completed_at is not None
    assert s.undo().label == f"edit {t.id}"  # type: ignore[union-attr]
    assert s.get_task(t.id).status == "todo"
    s.redo()
    assert s.get_task(t.id).status == "done"
    s.delete("tasks", t.id)
    with pytest.raises(NotFoundError):
        s.get_task(t.id)
    s.undo()
    assert Store(db_path).get_task(t.id).status == "done"
    for i in range(JOURNAL_LIMIT + 20):
        s.add_backlog_item(f"i{i}")
    assert len(s.history()) == JOURNAL_LIMIT
    for _ in range(60):
        assert s.undo() is not None
    assert len(s.backlog()) == JOURNAL_LIMIT + 20 - 60


def test_new_change_clears_redo(db_path: Path) -> None:
    s = Store(db_path)
    s.add_backlog_item("a")
    s.undo()
    s.add_backlog_item("b")
    assert s.redo() is None


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[1, 2]",
        b'{"meta": {}}',
        b'{"meta": {"meta": {"schema_version": 2}}, "tasks": {"T1": {"title": "x", "priority": "P7"}}}',
        b'{"meta": {"meta": {"schema_version": 99}}}',
        b"\xff\xfe\x00",
    ],
)
def test_corrupt_file_is_named_and_left_untouched(db_path: Path, content: bytes) -> None:
    db_path.write_bytes(content)
    with pytest.raises(WorkspaceError) as exc:
        s = Store(db_path)
        s.validate_all()
    assert str(db_path) in str(exc.value)
    assert "\n" not in str(exc.value)
    assert db_path.read_bytes() == content


def test_invalid_task_names_the_field(db_path: Path) -> None:
    db_path.write_text(
        json.dumps(
            {
                "meta": {"meta": {"schema_version": 2}},
                "tasks": {"T4": {"title": "x", "priority": "P7"}},
            }
        )
    )
    s = Store(db_path)
    with pytest.raises(WorkspaceError, match=r"tasks\.T4\.priority"):
        s.tasks()


def test_external_changes_are_picked_up(db_path: Path) -> None:
    a = Store(db_path)
    b = Store(db_path)
    assert not a.refresh()
    b.add_backlog_item("from b")
    assert a.refresh()
    assert [i.text for i in a.backlog()] == ["from b"]
    # A write from `a` after b's write keeps b's item (reload under the lock).
    a.add_backlog_item("from a")
    assert sorted(i.text for i in Store(db_path).backlog()) == ["from a", "from b"]


_WORKER = """
import sys
from workos_tui.core.store import Store
s = Store(sys.argv[1])
for i in range(int(sys.argv[3])):
    s.add_backlog_item(f"{sys.argv[2]}-{i}")
"""


def test_two_processes_adding_concurrently_lose_nothing(db_path: Path) -> None:
    Store(db_path)
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(db_path), name, "100"])
        for name in ("a", "b")
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    texts = [b.text for b in Store(db_path).backlog()]
    assert len(texts) == 200
    assert len(set(texts)) == 200
    assert len({b.id for b in Store(db_path).backlog()}) == 200


def test_migrates_old_schema_with_backup(tmp_path: Path) -> None:
    source = Path(__file__).parent / "data" / "workspace_v1.json"
    path = tmp_path / "old.json"
    path.write_bytes(source.read_bytes())
    s = Store(path)
    tasks = {t.id: t for t in s.tasks()}
    assert tasks["T1"].status == "started"
    assert tasks["T1"].estimate_minutes == 90
    assert tasks["T2"].estimate_minutes == 30
    assert tasks["T2"].status == "done"
    backup = tmp_path / "old.json.v1.bak"
    assert backup.read_bytes() == source.read_bytes()
    assert json.loads(path.read_text())["meta"]["meta"]["schema_version"] == 2


def test_resolve_path_flag_beats_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKOS_DB", str(tmp_path / "env.json"))
    assert resolve_path(None) == tmp_path / "env.json"
    assert resolve_path(str(tmp_path / "flag.json")) == tmp_path / "flag.json"
    monkeypatch.delenv("WORKOS_DB")
    assert resolve_path(None).name == "workspace.json"


def test_unwritable_folder_gives_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    s = Store(folder / "ws.json")
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreWriteError):
            s.put(BacklogItem(text="x"))
    finally:
        folder.chmod(0o700)


def test_undo_puts_deleted_documents_back_in_their_place(db_path: Path) -> None:
    s = Store(db_path)
    for text in ("one", "two", "three", "four"):
        s.add_backlog_item(text)
    with s.transaction("consume two"):
        s.delete("backlog", "B2")
        s.delete("backlog", "B3")
    s.add_backlog_item("five")
    s.undo()
    s.undo()
    assert [b.text for b in s.backlog()] == ["one", "two", "three", "four"]
    assert [b.text for b in Store(db_path).backlog()] == ["one", "two", "three", "four"]


def test_a_hand_edited_file_is_validated_before_any_write(db_path: Path) -> None:
    s = Store(db_path)
    s.put(Task(title="fine", priority="P2"))
    raw = db_path.read_bytes()
    assert Store(db_path)._trusted  # written and signed by us: no need to re-validate
    edited = raw.replace(b'"priority":"P2"', b'"priority":"P9"')
    db_path.write_bytes(edited)
    with pytest.raises(WorkspaceError, match=r"tasks\.T1\.priority"):
        Store(db_path).add_backlog_item("would rewrite the file")
    assert db_path.read_bytes() == edited
