"""The `workos` command through real subprocesses: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workos_tui.core.models import BacklogItem, Goal, Note, Task
from workos_tui.core.store import Store


def workos(
    *args: str, db: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "workos_tui", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(
        cmd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result
    assert result.stderr.startswith("workos: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr


def test_add_and_list_json(db_path: Path) -> None:
    r = workos("add", "Buy", "milk", db=db_path)
    assert (r.returncode, r.stdout) == (0, "B1\n")
    items = [
        BacklogItem.model_validate(x)
        for x in json.loads(workos("list", "backlog", "--json", db=db_path).stdout)
    ]
    assert [i.text for i in items] == ["Buy milk"]


def test_add_from_stdin_with_subitems(db_path: Path) -> None:
    text = "Plan trip\n  - book hotel\n\t- flights\n\nCall mom\n"
    r = workos("add", "-", db=db_path, stdin=text)
    assert r.stdout.split() == ["B1", "B2"]
    items = Store(db_path).backlog()
    assert [(i.text, i.subitems) for i in items] == [
        ("Plan trip", ["book hotel", "flights"]),
        ("Call mom", []),
    ]
    assert [e.label for e in Store(db_path).history()] == ["add 2 backlog items"]


def test_db_env_var_and_flag(tmp_path: Path) -> None:
    env_db = tmp_path / "env.json"
    flag_db = tmp_path / "flag.json"
    workos("add", "via env", env={"WORKOS_DB": str(env_db)})
    workos("add", "via flag", db=flag_db, env={"WORKOS_DB": str(env_db)})
    assert [b.text for b in Store(env_db).backlog()] == ["via env"]
    assert [b.text for b in Store(flag_db).backlog()] == ["via flag"]


def test_task_lifecycle(db_path: Path) -> None:
    g = workos(
        "goal", "add", "Ship", "v2", "--target-date", "2027-01-31", db=db_path
    ).stdout.strip()
    t1 = workos(
        "task",
        "add",
        "Write spec",
        "--priority",
        "p1",
        "--category",
        "writing",
        "--estimate",
        "45",
        "--due",
        "2026-12-24",
        "--goal",
        g,
        db=db_path,
    ).stdout.strip()
    t2 = workos("task", "add", "Build it", "--depends-on", t1, db=db_path).stdout.strip()
    s = Store(db_path)
    spec = s.get_task(t1)
    assert (spec.priority, spec.category, spec.estimate_minutes, str(spec.due), spec.goal_id) == (
        "P1",
        "writing",
        45,
        "2026-12-24",
        g,
    )
    assert s.get_task(t2).depends_on == [t1]
    for action, status in (
        ("start", "started"),
        ("block", "blocked"),
        ("done", "done"),
        ("reopen", "todo"),
    ):
        assert workos("task", action, t1.lower(), db=db_path).returncode == 0
        assert Store(db_path).get_task(t1).status == status
    assert (
        workos(
            "task", "edit", t1, "--title", "Write the spec", "--note", "asked Sam", db=db_path
        ).returncode
        == 0
    )
    edited = Store(db_path).get_task(t1)
    assert edited.title == "Write the spec"
    assert edited.notes[0].endswith("asked Sam")
    assert workos("task", "rm", t2, db=db_path).returncode == 0
    assert [t.id for t in Store(db_path).tasks()] == [t1]
    assert "Undid: delete" in workos("undo", db=db_path).stdout
    assert len(Store(db_path).tasks()) == 2


def test_note_and_lists(db_path: Path) -> None:
    workos("note", "add", "Meeting", "--body", "first line\nsecond", db=db_path)
    notes = [
        Note.model_validate(x)
        for x in json.loads(workos("list", "notes", "--json", db=db_path).stdout)
    ]
    assert notes[0].body == "first line\nsecond"
    goals = json.loads(workos("list", "goals", "--json", db=db_path).stdout)
    assert goals == []
    assert "Meeting" in workos("list", "notes", db=db_path).stdout


def test_list_hides_done_unless_asked(demo_store: Store, db_path: Path) -> None:
    open_tasks = [
        Task.model_validate(x) for x in json.loads(workos("list", "--json", db=db_path).stdout)
    ]
    all_tasks = json.loads(workos("list", "tasks", "--all", "--json", db=db_path).stdout)
    done = json.loads(workos("list", "tasks", "--status", "d", "--json", db=db_path).stdout)
    assert all(t.status != "done" for t in open_tasks)
    assert len(all_tasks) == len(open_tasks) + len(done) == 17
    # Piped (here: captured) output keeps one line per task whatever the width, for grep.
    table = workos("list", db=db_path, env={"COLUMNS": "40"}).stdout
    row = next(line for line in table.splitlines() if line.startswith("T1 "))
    assert "Fix login redirect loop on Safari" in row and "started" in row


def test_goal_json_round_trip(db_path: Path) -> None:
    workos("goal", "add", "Run", "--description", "half marathon", db=db_path)
    [goal] = [
        Goal.model_validate(x)
        for x in json.loads(workos("list", "goals", "--json", db=db_path).stdout)
    ]
    assert goal.description == "half marathon"


def test_history_lists_the_newest_changes_first(db_path: Path) -> None:
    workos("add", "first", db=db_path)
    workos("task", "add", "second", db=db_path)
    lines = workos("history", "-n", "1", db=db_path).stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith("add task T1  (1 document)")


def test_undo_with_nothing_to_undo(db_path: Path) -> None:
    r = workos("undo", db=db_path)
    assert (r.returncode, r.stdout.strip()) == (0, "Nothing to undo")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("task", "add", "x", "--priority", "P9"), "priority must be one of"),
        (("task", "add", "x", "--estimate", "-3"), "whole number of minutes"),
        (("history", "-n", "-5"), "argument -n: must be a whole number > 0"),
        (("task", "add", "x", "--due", "someday"), "not a date"),
        (("task", "done", "T404"), "no task with id 'T404'"),
        (("task", "edit", "T404", "--title", "y"), "no task with id"),
        (("task", "add", "x", "--goal", "G9"), "no goal with id"),
        (("bogus",), "invalid choice"),
        (("add", ""), "empty"),
        (("list", "--status", "nope"), "status must be one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    db_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    Store(db_path)
    assert_one_line_error(workos(*args, db=db_path), fragment)


@pytest.mark.parametrize(
    "content", [b"{oops", b'{"meta": {"meta": {"schema_version": 2}}, "tasks": {"T1": {}}}']
)
def test_corrupt_workspace_exit_2_and_untouched(db_path: Path, content: bytes) -> None:
    db_path.write_bytes(content)
    for args in (("list", "tasks"), ("add", "x"), ("task", "add", "y")):
        r = workos(*args, db=db_path)
        assert_one_line_error(r, str(db_path))
        assert db_path.read_bytes() == content


def test_terminal_escapes_in_text_are_not_interpreted(db_path: Path) -> None:
    evil = "[bold red]x[/] \x1b]8;;http://evil\x07link\x1b]8;;\x07 \x1b[2J\u202eabc"
    workos("add", evil, db=db_path)
    out = workos("list", "backlog", db=db_path).stdout
    assert "[bold red]x[/]" in out
    assert "\x1b" not in out and "\u202e" not in out
    # The data itself is kept exactly as typed.
    assert Store(db_path).backlog()[0].text == evil


def test_demo_writes_sample_workspace(tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    r = workos("demo", "--no-open", db=path)
    assert r.returncode == 0 and r.stdout.strip() == str(path)
    s = Store(path)
    assert (
        len(s.backlog()) >= 12
        and len(s.tasks()) >= 15
        and len(s.goals()) == 3
        and len(s.notes()) == 4
    )
    assert {t.category for t in s.tasks()} >= {
        "technical",
        "outreach",
        "research",
        "writing",
        "admin",
        "personal",
    }
    assert {t.priority for t in s.tasks()} == {"P0", "P1", "P2", "P3"}
    assert {t.status for t in s.tasks()} == {"todo", "started", "blocked", "done"}
    assert_one_line_error(workos("demo", "--no-open", db=path), "already exists")


def test_core_never_imports_textual() -> None:
    code = (
        "import sys, workos_tui.core.store, workos_tui.core.models, workos_tui.core.run_models, "
        "workos_tui.core.events, workos_tui.core.demo, workos_tui.cli, pkgutil, importlib\n"
        "import workos_tui.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'workos_tui.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'textual' not in sys.modules, 'core imported textual'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_quick_capture_imports_stay_light() -> None:
    code = (
        "import sys; from workos_tui.cli import main\n"
        "import tempfile, os; p = os.path.join(tempfile.mkdtemp(), 'w.json')\n"
        "assert main(['add', 'x', '--db', p]) == 0\n"
        "heavy = [m for m in ('textual', 'anthropic', 'mcp', 'rich', 'rapidfuzz') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, capture_output=True)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["add", "an idea"], "add"),
        (["--db", "w.json", "add", "x"], "add"),
        (["--db=w.json", "list", "tasks"], "list"),
        (["task", "done", "T1"], "task"),
        (["add", "--help"], None),  # help comes from the full parser
        (["run", "backlog"], None),
        (["import", "x.json"], None),
        (["lst"], None),  # a typo: the full parser names every command
        ([], None),
    ],
)
def test_core_command_picks_the_parser_to_build(argv: list[str], expected: str | None) -> None:
    from workos_tui.cli_parser import build_parser, core_command

    assert core_command(argv) == expected
    if expected is not None:
        # The one-command parser reads the command as the full parser does.
        full, one = build_parser().parse_args(argv), build_parser(only=expected).parse_args(argv)
        assert vars(one) == vars(full)
