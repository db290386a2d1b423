"""Terminal safety: markup, ANSI/OSC escapes and bidi controls in any text are shown
literally or stripped by the CLI, never interpreted. (The TUI: tests/reliability/
test_tui_faults.py and tests/tui/test_safety_and_sync.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.reliability.conftest import record
from workos_tui import cli
from workos_tui.core.demo import write_demo
from workos_tui.core.models import Goal, Note, Task
from workos_tui.core.store import Store
from workos_tui.core.textsafety import clean_text

MARKUP = "[bold red]loud[/] [link=https://evil.example]click[/link] [@click=app.quit]q[/]"
ESCAPES = (
    "\x1b]8;;https://evil.example\x07osc8\x1b]8;;\x07"
    "\x1b]0;window title\x07"
    "\x1b[2J\x1b[31mred\x1b[0m"
    "\x1bP1$tpwn\x1b\\"
    "\x9b31m\x9d0;c1\x9c"
    "\u202eevil\u202c\u2066iso\u2069\u200f"
)
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
SGR = re.compile(r"\x1b\[[0-9;]*m")


@given(st.text())
def test_clean_text_leaves_no_control_or_bidi(text: str) -> None:
    record("hypothesis inputs tried")
    out = clean_text(text)
    assert not FORBIDDEN.search(out)
    assert clean_text(out) == out
    line = clean_text(text, single_line=True)
    assert "\n" not in line and "\t" not in line


@given(st.lists(st.sampled_from([MARKUP, ESCAPES, "\x1b", "[", "]", "\x07", "\x9c", "x"])))
def test_clean_text_on_cut_sequences(parts: list[str]) -> None:
    record("hypothesis inputs tried")
    assert not FORBIDDEN.search(clean_text("".join(parts)))


@pytest.fixture
def hostile(db_path: Path) -> Path:
    store = write_demo(db_path, today=FIXED_TODAY, now=FIXED_NOW)
    hostile_text = f"{MARKUP} {ESCAPES} end"
    store.put(
        Task(
            title=hostile_text,
            description=hostile_text,
            tags=[MARKUP],
            notes=[ESCAPES],
            priority="P0",
        )
    )
    store.put(Goal(title=hostile_text, description=ESCAPES))
    store.put(Note(title=hostile_text, body=ESCAPES, tags=[ESCAPES]))
    store.add_backlog_item(hostile_text, subitems=[ESCAPES])
    return db_path


COMMANDS = [
    ["list", "tasks"],
    ["list", "backlog"],
    ["list", "goals"],
    ["list", "notes"],
    ["task", "show", "T18"],
    ["history"],
    ["run", "backlog", "--engine", "offline"],
    ["run", "analyze", "--engine", "offline"],
    ["task", "show", MARKUP + ESCAPES],  # an error message quoting what was typed
    ["task", "add", ESCAPES, "--due", ESCAPES],
]


@pytest.mark.parametrize("color", [False, True], ids=["piped", "terminal"])
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_cli_shows_hostile_text_literally(
    hostile: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    color: bool,
) -> None:
    if color:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("COLUMNS", "200")
    else:
        monkeypatch.setenv("NO_COLOR", "1")
    code = cli.main([*argv, "--db", str(hostile)])
    out, err = capsys.readouterr()
    both = SGR.sub("", out + err)  # our own styling is fine; nothing else is
    assert code in (0, 2)
    assert not FORBIDDEN.search(both), repr(FORBIDDEN.findall(both)[:5])
    assert "evil.example\x07" not in both
    if argv[0] == "list" or (argv[:2] == ["task", "show"] and code == 0):
        flat = " ".join(both.split())
        assert "[bold red]loud[/]" in flat or "[bold" in flat  # literal, maybe wrapped


def test_journal_labels_from_a_hand_edited_file_are_cleaned(
    hostile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = orjson.loads(hostile.read_bytes())
    newest = max(raw["journal"], key=int)
    raw["journal"][newest]["label"] = f"edit {ESCAPES}"
    hostile.write_bytes(orjson.dumps(raw))
    assert cli.main(["history", "--db", str(hostile)]) == 0
    assert not FORBIDDEN.search(capsys.readouterr().out)
    Store(hostile)
