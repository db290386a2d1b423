"""The workspace commands: add, task, goal, note, list, undo, redo and history."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from workos_tui.cli_parser import UsageError

if TYPE_CHECKING:
    from workos_tui.core.store import Store


def open_store(args: argparse.Namespace) -> Store:
    """The workspace every command works on: `--db`, else $WORKOS_DB, else the default."""
    from workos_tui.core.store import Store, resolve_path

    return Store(resolve_path(getattr(args, "db", None)))


def cmd_add(args: argparse.Namespace) -> int:
    """Quick capture: `core.capture` when it can (no pydantic, no store), else the store."""
    from workos_tui.core.capture import capture, capture_label
    from workos_tui.core.file_layout import resolve_path

    if args.text == ["-"]:
        items = _read_items(sys.stdin)
        if not items:
            raise UsageError("no items on standard input")
    else:
        text = " ".join(args.text).strip()
        if not text:
            raise UsageError("the item's text is empty")
        items = [(text, [])]
    ids = capture(resolve_path(getattr(args, "db", None)), items)
    if ids is None:
        from workos_tui.core.models import BacklogItem

        store = open_store(args)
        with store.transaction("add") as txn:
            ids = [store.put(BacklogItem(text=t, subitems=s)).id for t, s in items]
            txn.label = capture_label(ids)
    print("\n".join(ids))
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

    store = open_store(args)
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

    store = open_store(args)
    goal = Goal(
        title=" ".join(args.title), description=args.description, target_date=args.target_date
    )
    print(store.put(goal).id)
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from workos_tui.core.models import Note

    store = open_store(args)
    print(store.put(Note(title=" ".join(args.title), body=args.body, tags=args.tags)).id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = open_store(args)
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
    store = open_store(args)
    entry = store.redo() if redo else store.undo()
    verb = "Redid" if redo else "Undid"
    print(f"{verb}: {_label(entry.label)}" if entry else f"Nothing to {'redo' if redo else 'undo'}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store = open_store(args)
    for entry in store.history()[: args.n]:
        n = len(entry.changes)
        print(f"{entry.at}  {_label(entry.label)}  ({n} document{'' if n == 1 else 's'})")
    return 0


def _label(label: str) -> str:
    """Journal labels come from the file, which anyone may have edited: print them clean."""
    from workos_tui.core.textsafety import clean_text

    return clean_text(label, single_line=True)
