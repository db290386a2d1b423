"""`workos run`: JSON report, --yes, no terminal, bad input, literal text, confirmation."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workos_tui.cli_run import LiveView, add_run_parser, cmd_run
from workos_tui.core.config import Config
from workos_tui.core.events import DelegateDelta, DelegateQueued, DelegateStarted
from workos_tui.core.store import Store


def workos(*args: str, db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WORKOS_DB": str(db), "NO_COLOR": "1"}
    env.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "workos_tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="workos")
    add_run_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["run", *argv])


def test_json_report_applies_nothing_without_yes(demo_store: Store, db_path: Path) -> None:
    result = workos("run", "backlog", "--engine", "offline", "--json", db=db_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {
        "operation",
        "engine",
        "concurrency",
        "elapsed_s",
        "delegates",
        "proposal",
        "applied",
    }
    assert report["operation"] == "backlog_processing" and report["engine"] == "offline"
    assert report["concurrency"] == 10 and report["applied"] == []
    d = report["delegates"][0]
    assert set(d) >= {"id", "label", "status", "attempts", "error", "output", "usage"}
    assert d["status"] == "succeeded" and d["output"]["decision"] == "duplicate"
    actions = report["proposal"]["actions"]
    assert {"id", "kind"} <= set(actions[0]) and report["proposal"]["summary"]
    assert len(Store(db_path).backlog()) == 14


def test_yes_turns_the_demo_backlog_into_tasks(demo_store: Store, db_path: Path) -> None:
    result = workos(
        "run", "backlog", "--engine", "offline", "--json", "--yes", "--concurrency", "3", db=db_path
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["concurrency"] == 3
    assert report["applied"] == [a["id"] for a in report["proposal"]["actions"]]
    store = Store(db_path)
    assert {b.id for b in store.backlog()} == {"B7", "B8"}  # the vague ones, with questions
    assert all(b.questions for b in store.backlog())
    assert store.get_task("T1").notes and store.get_task("T2").notes  # near-duplicates merged
    assert len(store.tasks()) == 17 + 8
    assert store.history()[0].label.startswith("apply backlog processing")


def test_table_output_without_a_terminal_applies_nothing(demo_store: Store, db_path: Path) -> None:
    result = workos("run", "analyze", "--engine", "offline", "--types", "blockers", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "set status" in result.stdout and "T4" in result.stdout
    assert "Nothing applied (no terminal)" in result.stderr
    assert Store(db_path).get_task("T4").status == "todo"


def test_plan_with_hours_and_yes(demo_store: Store, db_path: Path) -> None:
    result = workos("run", "plan", "--engine", "offline", "--hours", "2", "--yes", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "Applied 1 change" in result.stdout
    plan = Store(db_path).latest_plan()
    assert plan is not None and plan.hours_available == 2
    assert sum(e.minutes for e in plan.entries) <= 120


def test_bad_input_is_one_line_and_exit_2(demo_store: Store, db_path: Path) -> None:
    result = workos("run", "plan", "--hours", "30", db=db_path)
    assert result.returncode == 2
    assert result.stderr.startswith("workos: error:") and "at most 24" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "--types", "speed"], "unknown analysis type 'speed'"),
        (["backlog", "--types", "priority"], "--types only applies"),
    ],
)
def test_bad_options_exit_2_before_any_work(
    demo_store: Store, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cmd_run(parse(*argv, "--engine", "offline"), demo_store, Config()) == 2
    err = capsys.readouterr().err
    assert err.startswith("workos: error:") and message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv", [["dance"], ["backlog", "--concurrency", "0"], ["plan", "--hours", "x"]]
)
def test_bad_arguments_are_refused_by_the_parser(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse(*argv)


def test_markup_in_items_is_shown_literally(store: Store, db_path: Path) -> None:
    store.add_backlog_item("Write the [bold red]launch[/] post \x1b[31mnow")
    result = workos("run", "backlog", "--engine", "offline", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "[bold red]launch[/]" in result.stdout
    assert "\x1b" not in result.stdout


def test_cmd_run_direct_and_confirmation(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    answers = iter(["n"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert cmd_run(parse("plan", "--engine", "offline"), demo_store, Config()) == 0
    assert demo_store.latest_plan() is None  # declined
    answers = iter(["y"])
    assert cmd_run(parse("plan", "--engine", "offline"), demo_store, Config()) == 0
    assert demo_store.latest_plan() is not None
    assert "Applied 1 change" in capsys.readouterr().out


def test_cmd_run_returns_130_when_interrupted(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(coro: object) -> None:
        coro.close()  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr("asyncio.run", interrupted)
    assert cmd_run(parse("backlog", "--engine", "offline", "--yes"), demo_store, Config()) == 130
    assert "nothing applied" in capsys.readouterr().err
    assert len(demo_store.backlog()) == 14


def test_live_view_renders_text_literally() -> None:
    from rich.console import Console

    view = LiveView()
    view.update(DelegateQueued("B1", "[link=http://x]click[/link]"))
    view.update(DelegateStarted("B1", 1))
    view.update(DelegateDelta("B1", "step \x1b]8;;http://evil\x07one"))
    console = Console(width=120, record=True, color_system=None)
    console.print(view)
    text = console.export_text()
    assert "[link=http://x]click[/link]" in text
    assert "running" in text and "step one" in text
