"""Format detection, the shared import rules, and the import/export commands."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from workos_tui.cli_interop import add_interop_parsers, cmd_export, cmd_import
from workos_tui.core.interop import (
    EXPORT_FORMATS,
    FORMATS,
    InteropError,
    detect_format,
    export_workspace,
    import_path,
)
from workos_tui.core.store import Store, WorkspaceError

DATA = Path(__file__).parent / "data" / "interop"
TODAY = dt.date(2026, 12, 3)  # the samples are dated around it


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("taskwarrior_export.json", "taskwarrior"),
        ("taskwarrior_export.jsonl", "taskwarrior"),
        ("taskwarrior_bad.json", "taskwarrior"),
        ("todo.txt", "todotxt"),
        ("checklist.md", "markdown"),
        ("personal_os", "personal-os"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt


def test_detect_by_content_not_name(tmp_path: Path) -> None:
    checklist = tmp_path / "notes.txt"
    checklist.write_text("- [ ] a thing\n")
    assert detect_format(checklist) == "markdown"
    tw = tmp_path / "dump"
    tw.write_text((DATA / "taskwarrior_export.jsonl").read_text())
    assert detect_format(tw) == "taskwarrior"
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(InteropError, match="not a personal-os one"):
        detect_format(tmp_path / "empty_dir")
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(InteropError, match="not a Taskwarrior or WorkOS export"):
        detect_format(other)


def test_formats() -> None:
    assert FORMATS == ("taskwarrior", "todotxt", "markdown", "personal-os", "json")
    assert set(EXPORT_FORMATS) <= set(FORMATS)


def test_unknown_format_target_and_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="unknown format 'csv'"):
        import_path(store, DATA / "todo.txt", "csv")
    with pytest.raises(WorkspaceError, match="unknown target"):
        import_path(store, DATA / "todo.txt", target="goals")
    with pytest.raises(WorkspaceError, match="no such file"):
        import_path(store, tmp_path / "nope.txt")
    with pytest.raises(WorkspaceError, match="personal-os exports a folder"):
        export_workspace(store, "personal-os")


def test_not_utf8_is_one_clear_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "todo.txt"
    path.write_bytes(b"(A) caf\xe9\n")
    with pytest.raises(WorkspaceError, match="not UTF-8 text"):
        import_path(store, path)


def test_two_imports_two_undo_steps(store: Store) -> None:
    import_path(store, DATA / "todo.txt")
    import_path(store, DATA / "checklist.md")
    assert [e.label for e in store.history()] == [
        "import markdown (7 tasks)",
        "import todotxt (11 tasks)",
    ]
    store.undo()
    assert len(store.tasks()) == 11
    store.undo()
    assert store.tasks() == []


def test_nothing_new_means_no_undo_entry(store: Store) -> None:
    import_path(store, DATA / "todo.txt")
    import_path(store, DATA / "todo.txt")
    assert len(store.history()) == 1


# --- the commands --------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workos")
    add_interop_parsers(parser.add_subparsers(dest="command"))
    return parser


def test_cmd_import_dry_run_and_real(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["import", str(DATA / "todo.txt"), "--dry-run"])
    assert cmd_import(args, store) == 0
    out = capsys.readouterr().out
    assert "create task: Call the landlord about the leak" in out
    assert "would import todotxt" in out and store.tasks() == []
    args = _parser().parse_args(["import", str(DATA / "personal_os"), "--from", "personal-os"])
    assert cmd_import(args, store) == 0
    assert "imported personal-os" in capsys.readouterr().out


def test_cmd_import_json_report(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(
        ["import", str(DATA / "taskwarrior_export.jsonl"), "--json", "--to", "backlog"]
    )
    cmd_import(args, store)
    report = json.loads(capsys.readouterr().out)
    assert (report["format"], report["target"], report["created"], report["skipped"]) == (
        "taskwarrior",
        "backlog",
        2,
        1,
    )


def test_cmd_export_file_is_private(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "tasks.txt"
    args = _parser().parse_args(["export", "--format", "todotxt", "-o", str(out)])
    assert cmd_export(args, demo_store) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8") == export_workspace(demo_store, "todotxt")


def test_cmd_export_stdout_and_personal_os(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cmd_export(_parser().parse_args(["export"]), demo_store)
    assert json.loads(capsys.readouterr().out)["format"] == "workos"
    with pytest.raises(WorkspaceError, match="-o DIR"):
        cmd_export(_parser().parse_args(["export", "--format", "personal-os"]), demo_store)
    args = _parser().parse_args(["export", "--format", "personal-os", "-o", str(tmp_path / "os")])
    assert cmd_export(args, demo_store) == 0
    assert (tmp_path / "os" / "GOALS.md").exists()


def _workos(*argv: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WORKOS_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "workos_tui", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_subprocess_import_export_and_errors(tmp_path: Path) -> None:
    db = tmp_path / "ws.json"
    bad = _workos("import", str(DATA / "todo_bad.txt"), db=db)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("workos: error: todo_bad.txt line 2: due: not a real date")
    assert len(bad.stderr.strip().splitlines()) == 1
    ok = _workos("import", str(DATA / "taskwarrior_export.json"), "--include-deleted", db=db)
    assert ok.returncode == 0, ok.stderr
    assert "10 created" in ok.stdout
    out = tmp_path / "tw.json"
    exp = _workos("export", "--format", "taskwarrior", "-o", str(out), db=db)
    assert exp.returncode == 0, exp.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(json.loads(out.read_text())) == 10
    undo = _workos("undo", db=db)
    assert undo.returncode == 0 and "import taskwarrior" in undo.stdout
    unknown = _workos("export", "--format", "csv", db=db)
    assert unknown.returncode == 2 and "unknown format 'csv'" in unknown.stderr


def test_today_defaults_to_the_real_date(store: Store) -> None:
    # Without `today`, overdue is judged against the clock: the sample's dates are past.
    import_path(store, DATA / "taskwarrior_export.json")
    assert any(t.priority == "P0" for t in store.tasks())
    assert TODAY.year == 2026
