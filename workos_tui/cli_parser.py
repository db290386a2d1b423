"""The `workos` argument parser: commands, options and their value types.

Bad input raises `UsageError`, which `cli.main` prints as one line and exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

PROG = "workos"
LISTABLE = ("backlog", "tasks", "goals", "notes")


class UsageError(Exception):
    """Bad input on the command line: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def parse_date(text: str) -> dt.date | None:
    """ISO dates, `today`, `tomorrow`, `+3d`, `+2w`; `none` clears."""
    t = text.strip().lower()
    if t in {"none", "-", ""}:
        return None
    today = dt.date.today()
    if t == "today":
        return today
    if t == "tomorrow":
        return today + dt.timedelta(days=1)
    try:
        if t.startswith("+") and t[1:-1].isdigit() and t[-1] in "dw":
            n = int(t[1:-1])
            return today + dt.timedelta(days=n * (7 if t[-1] == "w" else 1))
        return dt.date.fromisoformat(t)
    except (ValueError, OverflowError):
        raise UsageError(f"not a date: {text!r} (use YYYY-MM-DD, today, tomorrow or +3d)") from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of minutes > 0, not {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"must be a whole number > 0, not {text!r}")
    return int(text)


def _priority(text: str) -> str:
    from workos_tui.core.models import parse_priority

    try:
        return parse_priority(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _category(text: str) -> str:
    from workos_tui.core.models import CATEGORIES

    if text.lower() not in CATEGORIES:
        raise argparse.ArgumentTypeError(f"category must be one of {', '.join(CATEGORIES)}")
    return text.lower()


def build_parser(*, only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with `only` one core command's (see `core_command`): each
    argument costs argparse a help formatter, and quick capture needs 7, not 112."""
    common = _Parser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="workspace file (else $WORKOS_DB)")
    common.add_argument(
        "--engine",
        default=argparse.SUPPRESS,
        choices=("offline", "anthropic"),
        help="delegate engine (else anthropic when ANTHROPIC_API_KEY is set, else offline)",
    )

    parser = _Parser(
        prog=PROG,
        parents=[common],
        description="A keyboard-driven work manager with parallel AI delegates. "
        "With no command, opens the app.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, add_command in _CORE_COMMANDS.items():
        if only is None or name == only:
            add_command(sub, common)
    if only is None:
        # run, import and export have their parsers in their own modules, which pull in
        # interop (yaml, every format) and the run machinery: only the full parser pays.
        from workos_tui.cli_interop import add_interop_parsers
        from workos_tui.cli_run import add_run_parser

        add_run_parser(sub)
        add_interop_parsers(sub)
    for command in sub.choices.values():
        _add_common(command)
    return parser


def _demo(sub: Any, common: _Parser) -> None:
    p = sub.add_parser("demo", parents=[common], help="open the app on a sample workspace")
    p.add_argument("--no-open", action="store_true", help="write the sample and print its path")


def _add(sub: Any, common: _Parser) -> None:
    p = sub.add_parser("add", parents=[common], help="capture a backlog item ('-' reads stdin)")
    p.add_argument("text", nargs="+", help="the item's text, or - for one item per line")


def _task(sub: Any, common: _Parser) -> None:
    task = sub.add_parser("task", parents=[common], help="create and change tasks")
    tsub = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    ta = tsub.add_parser("add", parents=[common], help="create a task")
    ta.add_argument("title", nargs="+")
    _task_fields(ta)
    for name, help_text in (
        ("start", "mark started"),
        ("block", "mark blocked"),
        ("done", "mark done"),
        ("reopen", "mark todo again"),
        ("rm", "delete (undoable)"),
        ("show", "print every field"),
    ):
        tp = tsub.add_parser(name, parents=[common], help=help_text)
        tp.add_argument("id", nargs="+" if name != "show" else None)
        if name == "show":
            tp.add_argument("--json", action="store_true")
    te = tsub.add_parser("edit", parents=[common], help="change fields of a task")
    te.add_argument("id")
    te.add_argument("--title")
    te.add_argument("--status")
    te.add_argument("--note", help="append a timestamped note")
    _task_fields(te)


def _goal(sub: Any, common: _Parser) -> None:
    goal = sub.add_parser("goal", parents=[common], help="create goals")
    gsub = goal.add_subparsers(dest="goal_command", metavar="ACTION", required=True)
    ga = gsub.add_parser("add", parents=[common], help="create a goal")
    ga.add_argument("title", nargs="+")
    ga.add_argument("--description", default="")
    ga.add_argument("--target-date", type=parse_date)


def _note(sub: Any, common: _Parser) -> None:
    note = sub.add_parser("note", parents=[common], help="create knowledge notes")
    nsub = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)
    na = nsub.add_parser("add", parents=[common], help="create a note")
    na.add_argument("title", nargs="+")
    na.add_argument("--body", default="")
    na.add_argument("--tag", action="append", default=[], dest="tags")


def _list(sub: Any, common: _Parser) -> None:
    ls = sub.add_parser("list", parents=[common], help="list backlog, tasks, goals or notes")
    ls.add_argument("kind", nargs="?", default="tasks", choices=LISTABLE)
    ls.add_argument("--status", help="comma-separated statuses (tasks, goals)")
    ls.add_argument("--all", action="store_true", help="include done tasks")
    ls.add_argument("--json", action="store_true", help="a JSON array of the model objects")


def _plain(name: str, help_text: str) -> Callable[[Any, _Parser], None]:
    """A command with no arguments of its own."""

    def add(sub: Any, common: _Parser) -> None:
        sub.add_parser(name, parents=[common], help=help_text)

    return add


def _history(sub: Any, common: _Parser) -> None:
    hist = sub.add_parser("history", parents=[common], help="the undoable changes, newest first")
    hist.add_argument("-n", type=_count, default=20, help="how many (default 20)")


# The commands the core parser knows, in the order `--help` lists them (run, import and
# export follow, from their own modules).
_CORE_COMMANDS: dict[str, Callable[[Any, _Parser], None]] = {
    "demo": _demo,
    "add": _add,
    "task": _task,
    "goal": _goal,
    "note": _note,
    "list": _list,
    "undo": _plain("undo", "revert the last change"),
    "redo": _plain("redo", "re-apply the last undone change"),
    "history": _history,
    "mcp": _plain("mcp", "serve the workspace over MCP (stdio)"),
}


def _add_common(parser: argparse.ArgumentParser) -> None:
    """`--db` and `--engine` work after any sub-command too (`workos run backlog --db x`)."""
    for flag, kwargs in (
        ("--db", {"default": argparse.SUPPRESS}),
        ("--engine", {"default": argparse.SUPPRESS, "choices": ("offline", "anthropic")}),
    ):
        # Already there when it came from `common` or the command defines its own.
        with contextlib.suppress(argparse.ArgumentError):
            parser.add_argument(flag, **kwargs)


def _task_fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--description")
    p.add_argument("--priority", type=_priority)
    p.add_argument("--category", type=_category)
    p.add_argument("--estimate", type=_positive_int, help="minutes")
    p.add_argument("--due", type=parse_date, default=argparse.SUPPRESS)
    p.add_argument("--goal", help="goal id ('none' clears)")
    p.add_argument("--depends-on", action="append", dest="depends_on", metavar="ID")
    p.add_argument("--tag", action="append", dest="tags")


def core_command(argv: Sequence[str] | None) -> str | None:
    """The core command that `argv` runs (`add`, `list`…), or None for the full parser:
    help, no command, run/import/export and typos get it, so help and error messages are
    those of the full parser."""
    words = list(sys.argv[1:] if argv is None else argv)
    if any(w in ("-h", "--help") for w in words):
        return None
    # `--db PATH add`: PATH is the option's value, not a command.
    if words and words[0] in ("--db", "--engine") and len(words) > 2:
        words = words[2:]
    first = next((w for w in words if not w.startswith("-")), None)
    return first if first in _CORE_COMMANDS else None
