"""Full disk, read-only file system, permission denied while saving.

We run as root (chmod does not deny), so faults are injected where the store touches the
disk: `tempfile.mkstemp`, the temp file's write, `os.fsync`, `os.replace`. Each time: one
clear error, the previous file byte-for-byte intact, the change kept in memory
(`store.unsaved`) and saved by `retry_save()`.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.reliability.conftest import record
from workos_tui import cli
from workos_tui.core import capture, storage
from workos_tui.core.demo import write_demo
from workos_tui.core.models import Task
from workos_tui.core.store import Store, StoreWriteError, WorkspaceError

ERRNOS = {
    errno.ENOSPC: "No space left on device",
    errno.EROFS: "Read-only file system",
    errno.EACCES: "Permission denied",
}
POINTS = ("mkstemp", "write", "fsync", "replace")


def _raiser(code: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, ERRNOS[code])

    return fail


class _FailingFile:
    """What `os.fdopen` returns when the disk fills up during the write."""

    def __init__(self, fd: int, code: int) -> None:
        self.fd, self.code = fd, code

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def fileno(self) -> int:
        return self.fd

    def write(self, data: bytes) -> int:
        raise OSError(self.code, ERRNOS[self.code])


def inject(monkeypatch: pytest.MonkeyPatch, point: str, code: int) -> None:
    if point == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", _raiser(code))
    elif point == "write":
        monkeypatch.setattr(storage.os, "fdopen", lambda fd, *a, **k: _FailingFile(fd, code))
    elif point == "fsync":
        monkeypatch.setattr(storage.os, "fsync", _raiser(code))
    else:
        monkeypatch.setattr(storage.os, "replace", _raiser(code))
    record("disk faults injected")


def temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def demo(db_path: Path) -> Store:
    return write_demo(db_path, today=FIXED_TODAY, now=FIXED_NOW)


@pytest.mark.parametrize("code", list(ERRNOS))
@pytest.mark.parametrize("point", POINTS)
def test_failed_save_keeps_file_and_change(
    demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch, point: str, code: int
) -> None:
    before = db_path.read_bytes()
    inject(monkeypatch, point, code)
    with pytest.raises(StoreWriteError) as err:
        demo.put(Task(title="written on a full disk", priority="P0"))
    message = str(err.value)
    assert ERRNOS[code] in message and str(db_path) in message and "\n" not in message
    with pytest.raises(StoreWriteError):  # a second change while the disk is still full
        demo.update_task("T1", priority="P3")
    monkeypatch.undo()
    assert db_path.read_bytes() == before
    assert temps(db_path.parent) == []
    assert demo.unsaved
    assert "written on a full disk" in {t.title for t in demo.tasks()}
    assert "written on a full disk" not in {t.title for t in Store(db_path).tasks()}
    demo.retry_save()
    assert not demo.unsaved
    fresh = Store(db_path)
    fresh.validate_all()
    assert "written on a full disk" in {t.title for t in fresh.tasks()}
    assert fresh.get_task("T1").priority == "P3"
    assert fresh.undo() is not None and fresh.get_task("T1").priority != "P3"


def test_retry_merges_with_what_another_process_wrote(
    demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inject(monkeypatch, "replace", errno.ENOSPC)
    with pytest.raises(StoreWriteError):
        demo.add_backlog_item("kept in memory")
    monkeypatch.undo()
    other = Store(db_path)  # the CLI, once the disk has room again
    other.add_backlog_item("from the CLI")
    demo.retry_save()
    texts = [b.text for b in Store(db_path).backlog()]
    assert "kept in memory" in texts and "from the CLI" in texts
    ids = [b.id for b in Store(db_path).backlog()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("step", ["undo", "redo"])
def test_failed_undo_is_not_lost_or_half_done(
    demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    assert demo.get_task("T1").priority != "P3"
    demo.update_task("T1", priority="P3")
    if step == "redo":
        demo.undo()
    expected_disk = Store(db_path).get_task("T1").priority
    inject(monkeypatch, "replace", errno.ENOSPC)
    with pytest.raises(StoreWriteError, match="No space left"):
        getattr(demo, step)()
    monkeypatch.undo()
    assert Store(db_path).get_task("T1").priority == expected_disk
    # Either the step is kept and a retry saves it, or memory still matches the file:
    # never an in-memory change that no warning mentions and no retry saves.
    if demo.unsaved:
        demo.retry_save()
        assert Store(db_path).get_task("T1").priority == demo.get_task("T1").priority
    else:
        assert demo.get_task("T1").priority == expected_disk
        getattr(demo, step)()
        assert Store(db_path).get_task("T1").priority != expected_disk


def test_failed_settings_save_is_visible(
    demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inject(monkeypatch, "fsync", errno.EROFS)
    with pytest.raises(StoreWriteError):
        demo.update_settings(hours_available=3)
    monkeypatch.undo()
    on_disk = Store(db_path).settings().hours_available
    assert demo.unsaved or demo.settings().hours_available == on_disk


def test_creating_a_workspace_on_a_read_only_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inject(monkeypatch, "mkstemp", errno.EROFS)
    with pytest.raises(WorkspaceError, match="Read-only file system"):
        Store(tmp_path / "new" / "workspace.json")


@pytest.mark.parametrize("point", POINTS)
def test_cli_reports_one_line_and_exit_2(
    demo: Store,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    point: str,
) -> None:
    before = db_path.read_bytes()
    inject(monkeypatch, point, errno.ENOSPC)
    # A full disk fails the capture inbox's append as well, so the store's write is tried.
    monkeypatch.setattr(capture, "append_entry", _raiser(errno.ENOSPC))
    code = cli.main(["add", "--db", str(db_path), "an idea"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workos: error: ")
    assert "No space left on device" in lines[0] and "Traceback" not in err
    # The process ends: promising to keep the change in memory would be a lie.
    assert "kept in memory" not in lines[0] and "not saved" in lines[0]
    assert db_path.read_bytes() == before


def test_a_capture_inbox_that_cannot_be_written_falls_back_to_the_store(
    demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(capture, "append_entry", _raiser(errno.EACCES))
    assert cli.main(["add", "--db", str(db_path), "an idea"]) == 0
    monkeypatch.undo()
    new_id = capsys.readouterr().out.strip()
    texts = [b.text for b in Store(db_path).backlog()]
    assert texts.count("an idea") == 1 and Store(db_path).get_backlog_item(new_id).text == "an idea"


def test_cli_on_a_read_only_disk_without_a_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inject(monkeypatch, "mkstemp", errno.EROFS)
    code = cli.main(["add", "--db", str(tmp_path / "ro" / "w.json"), "an idea"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Read-only file system" in err


def test_migration_failure_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Path(__file__).parents[1] / "data" / "workspace_v1.json"
    path = tmp_path / "old.json"
    path.write_bytes(source.read_bytes())
    inject(monkeypatch, "replace", errno.ENOSPC)
    with pytest.raises(WorkspaceError, match="No space left"):
        Store(path)
    monkeypatch.undo()
    assert path.read_bytes() == source.read_bytes()
    s = Store(path)  # once there is room, the migration runs and keeps its backup
    assert (tmp_path / "old.json.v1.bak").read_bytes() == source.read_bytes()
    assert s.get_task("T1").status == "started"
