"""The `workos` command: quick capture and headless access to the same core as the TUI.

Imports stay lazy: `workos add` must not pay for textual, rich, anthropic or the MCP SDK.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from workos_tui.core.config import Config
    from workos_tui.core.store import Store

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


# Commands whose parsers live in their own modules; importing those modules pulls in
# interop (yaml, every format) and the run machinery, which quick capture must not pay for.
PLUGGED_COMMANDS = ("run", "import", "export")


def build_parser(*, plugged: bool = True) -> argparse.ArgumentParser:
    """The full parser; `plugged=False` leaves out run/import/export (see `main`)."""
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

    p = sub.add_parser("demo", parents=[common], help="open the app on a sample workspace")
    p.add_argument("--no-open", action="store_true", help="write the sample and print its path")

    p = sub.add_parser("add", parents=[common], help="capture a backlog item ('-' reads stdin)")
    p.add_argument("text", nargs="+", help="the item's text, or - for one item per line")

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

    goal = sub.add_parser("goal", parents=[common], help="create goals")
    gsub = goal.add_subparsers(dest="goal_command", metavar="ACTION", required=True)
    ga = gsub.add_parser("add", parents=[common], help="create a goal")
    ga.add_argument("title", nargs="+")
    ga.add_argument("--description", default="")
    ga.add_argument("--target-date", type=parse_date)

    note = sub.add_parser("note", parents=[common], help="create knowledge notes")
    nsub = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)
    na = nsub.add_parser("add", parents=[common], help="create a note")
    na.add_argument("title", nargs="+")
    na.add_argument("--body", default="")
    na.add_argument("--tag", action="append", default=[], dest="tags")

    ls = sub.add_parser("list", parents=[common], help="list backlog, tasks, goals or notes")
    ls.add_argument("kind", nargs="?", default="tasks", choices=LISTABLE)
    ls.add_argument("--status", help="comma-separated statuses (tasks, goals)")
    ls.add_argument("--all", action="store_true", help="include done tasks")
    ls.add_argument("--json", action="store_true", help="a JSON array of the model objects")

    sub.add_parser("undo", parents=[common], help="revert the last change")
    sub.add_parser("redo", parents=[common], help="re-apply the last undone change")
    hist = sub.add_parser("history", parents=[common], help="the undoable changes, newest first")
    hist.add_argument("-n", type=int, default=20)

    sub.add_parser("mcp", parents=[common], help="serve the workspace over MCP (stdio)")

    if plugged:  # imported only when needed: `workos add` starts faster without them
        from workos_tui.cli_interop import add_interop_parsers
        from workos_tui.cli_run import add_run_parser

        add_run_parser(sub)
        add_interop_parsers(sub)
    for command in sub.choices.values():
        _add_common(command)
    return parser


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


# --- commands ---------------------------------------------------------------------


def _open_store(args: argparse.Namespace) -> Store:
    from workos_tui.core.store import Store, resolve_path

    return Store(resolve_path(getattr(args, "db", None)))


def _load_config() -> Config:
    from workos_tui.core.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as e:
        raise UsageError(str(e)) from None


def cmd_add(args: argparse.Namespace) -> int:
    store = _open_store(args)
    if args.text == ["-"]:
        items = _read_items(sys.stdin)
        if not items:
            raise UsageError("no items on standard input")
        from workos_tui.core.models import BacklogItem

        with store.transaction(f"add {len(items)} backlog items"):
            created = [store.put(BacklogItem(text=t, subitems=s)) for t, s in items]
        print("\n".join(i.id for i in created))
        return 0
    text = " ".join(args.text).strip()
    if not text:
        raise UsageError("the item's text is empty")
    print(store.add_backlog_item(text).id)
    return 0


def _read_items(stream: Any) -> list[tuple[str, list[str]]]:
    """One item per non-empty line; an indented `- ` line is a sub-item of the one above."""
    items: list[tuple[str, list[str]]] = []
    for raw in stream:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        stripped = line.lstrip(" \t")
        if line[:1] in (" ", "\t") and stripped.startswith("- ") and items:
            items[-1][1].append(stripped[2:].strip())
        else:
            items.append((line.strip(), []))
    return items


def cmd_task(args: argparse.Namespace) -> int:
    from workos_tui.core.models import Task, utcnow

    store = _open_store(args)
    action = args.task_command
    if action == "add":
        fields = _task_changes(args, store)
        task = store.put(Task(title=" ".join(args.title), **fields))
        print(task.id)
        return 0
    if action == "show":
        task = store.get_task(args.id)
        if args.json:
            print(task.model_dump_json(indent=2))
        else:
            from workos_tui.cli_output import print_task

            print_task(task, store)
        return 0
    if action == "edit":
        changes = _task_changes(args, store)
        if args.title is not None:
            changes["title"] = args.title
        if args.status is not None:
            changes["status"] = _status(args.status)
        if args.note:
            old = store.get_task(args.id).notes
            changes["notes"] = [*old, f"{utcnow().isoformat()} {args.note}"]
        if not changes:
            raise UsageError("nothing to change: give at least one --field")
        print(store.update_task(args.id, **changes).id)
        return 0
    ids = args.id
    verb = "delete" if action == "rm" else f"mark {action}"
    with store.transaction(f"{verb} {', '.join(ids)}"):
        for task_id in ids:
            if action == "rm":
                store.delete("tasks", task_id)
            else:
                status = {"start": "started", "block": "blocked", "done": "done", "reopen": "todo"}
                store.set_status(task_id, status[action])
    return 0


def _status(text: str) -> str:
    from workos_tui.core.models import parse_status

    try:
        return parse_status(text)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _task_changes(args: argparse.Namespace, store: Store) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for attr, field in (
        ("description", "description"),
        ("priority", "priority"),
        ("category", "category"),
        ("estimate", "estimate_minutes"),
        ("tags", "tags"),
    ):
        value = getattr(args, attr, None)
        if value is not None:
            changes[field] = value
    if hasattr(args, "due"):
        changes["due"] = args.due
    if args.goal is not None:
        if args.goal.lower() == "none":
            changes["goal_id"] = None
        else:
            changes["goal_id"] = store.get_goal(args.goal).id
    if args.depends_on is not None:
        deps = [store.get_task(d).id for d in args.depends_on]
        if getattr(args, "id", None) and store.get_task(args.id).id in deps:
            raise UsageError("a task cannot depend on itself")
        changes["depends_on"] = deps
    return changes


def cmd_goal(args: argparse.Namespace) -> int:
    from workos_tui.core.models import Goal

    store = _open_store(args)
    goal = Goal(
        title=" ".join(args.title), description=args.description, target_date=args.target_date
    )
    print(store.put(goal).id)
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from workos_tui.core.models import Note

    store = _open_store(args)
    print(store.put(Note(title=" ".join(args.title), body=args.body, tags=args.tags)).id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = _open_store(args)
    rows: list[Any] = getattr(store, args.kind)()
    if args.status:
        wanted = {s.strip().lower() for s in args.status.split(",") if s.strip()}
        if args.kind == "tasks":
            wanted = {_status(s) for s in wanted}
        rows = [r for r in rows if getattr(r, "status", None) in wanted]
    elif args.kind == "tasks" and not args.all:
        rows = [r for r in rows if r.status != "done"]
    if args.json:
        _write_json([r.model_dump(mode="json") for r in rows])
        return 0
    from workos_tui.cli_output import print_rows

    print_rows(args.kind, rows, store)
    return 0


def _write_json(value: Any) -> None:
    """Pretty JSON on stdout. orjson, because `json.dump` with an indent falls back to the
    pure-Python encoder: 2.3 s of the 4 s `workos list tasks --json` took at 10,000 tasks."""
    import orjson

    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (some test harnesses)
        sys.stdout.write(data.decode())
        return
    sys.stdout.flush()
    out.write(data)
    out.flush()


def cmd_undo(args: argparse.Namespace, redo: bool = False) -> int:
    store = _open_store(args)
    entry = store.redo() if redo else store.undo()
    verb = "Redid" if redo else "Undid"
    print(f"{verb}: {_label(entry.label)}" if entry else f"Nothing to {'redo' if redo else 'undo'}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store = _open_store(args)
    for entry in store.history()[: args.n]:
        print(f"{entry.at}  {_label(entry.label)}  ({len(entry.changes)} documents)")
    return 0


def _label(label: str) -> str:
    """Journal labels come from the file, which anyone may have edited: print them clean."""
    from workos_tui.core.textsafety import clean_text

    return clean_text(label, single_line=True)


def _engine_for(
    args: argparse.Namespace, store: Store, config: Config, name: str | None = None
) -> Any:
    from workos_tui.core.engines import make_engine

    try:
        return make_engine(name or getattr(args, "engine", None), store=store, config=config)
    except ValueError as e:
        raise UsageError(str(e)) from None


def cmd_app(args: argparse.Namespace) -> int:
    config = _load_config()
    store = _open_store(args)
    from workos_tui.tui.app import run_app

    run_app(store, _engine_for(args, store, config), config)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import tempfile

    from workos_tui.core.demo import write_demo

    path = getattr(args, "db", None) or os.path.join(
        tempfile.mkdtemp(prefix="workos-demo-"), "demo.json"
    )
    store = write_demo(path)
    if args.no_open:
        print(path)
        return 0
    config = _load_config()
    from workos_tui.tui.app import run_app

    run_app(
        store, _engine_for(args, store, config, getattr(args, "engine", None) or "offline"), config
    )
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from workos_tui.mcp_server import serve

    serve(_open_store(args), _load_config())
    return 0


def dispatch(args: argparse.Namespace) -> int:
    command = args.command
    simple = {
        "add": cmd_add,
        "task": cmd_task,
        "goal": cmd_goal,
        "note": cmd_note,
        "list": cmd_list,
        "history": cmd_history,
        "demo": cmd_demo,
        "mcp": cmd_mcp,
    }
    if command is None:
        return cmd_app(args)
    if command in simple:
        return simple[command](args)
    if command in ("undo", "redo"):
        return cmd_undo(args, redo=command == "redo")
    if command == "run":
        from workos_tui.cli_run import cmd_run

        return int(cmd_run(args, _open_store(args), _load_config()))
    if command in ("import", "export"):
        import workos_tui.cli_interop as interop

        handler = interop.cmd_import if command == "import" else interop.cmd_export
        return int(handler(args, _open_store(args)))
    raise UsageError(f"unknown command {command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    # Looking up pydantic plugins scans every installed distribution's entry points on the
    # first validation (~0.1 s); WorkOS uses none, so quick capture skips the scan.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from pydantic import ValidationError

    from workos_tui.core.models import format_validation_error
    from workos_tui.core.store import StoreWriteError, WorkspaceError

    try:
        args = build_parser(plugged=_needs_plugged(argv)).parse_args(argv)
        return dispatch(args)
    except StoreWriteError as e:
        # This process ends now: a change "kept in memory" would be lost, so say so.
        print_error(
            f"could not save {e.path}: {e.reason}; the change was not saved" if e.kept else str(e)
        )
        return 2
    except (UsageError, WorkspaceError) as e:
        print_error(str(e))
        return 2
    except ValidationError as e:
        print_error(format_validation_error(e))
        return 2
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
    except BrokenPipeError:
        # `workos list | head`: the reader left; that's fine.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _needs_plugged(argv: Sequence[str] | None) -> bool:
    """False only when the first word is a command the core parser knows (`add`, `list`…):
    anything else (help, no command, run/import/export, a typo) gets the full parser, so
    help and error messages are unchanged."""
    words = list(sys.argv[1:] if argv is None else argv)
    if any(w in ("-h", "--help") for w in words):
        return True
    first = next((w for w in words if not w.startswith("-")), None)
    if first is None or first in PLUGGED_COMMANDS:
        return True
    # `--db PATH add`: PATH is the option's value, not a command.
    if words and words[0] in ("--db", "--engine") and len(words) > 2:
        first = words[2]
    return first not in _CORE_COMMANDS


_CORE_COMMANDS = frozenset(
    {"add", "task", "goal", "note", "list", "undo", "redo", "history", "demo", "mcp"}
)


def print_error(message: str) -> None:
    """The one-line `workos: error: ...` every command prints for bad input."""
    from workos_tui.core.textsafety import clean_text

    print(f"{PROG}: error: {clean_text(message, single_line=True)}", file=sys.stderr)
