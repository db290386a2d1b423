"""`workos import` and `workos export`: thin wrappers over `core.interop`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workos_tui.core.interop import (
    EXPORT_FORMATS,
    FORMATS,
    export_personal_os,
    export_workspace,
    import_path,
    normalize_format,
)
from workos_tui.core.storage import write_atomically
from workos_tui.core.store import Store, WorkspaceError
from workos_tui.core.textsafety import clean_text


def add_interop_parsers(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import",
        help="import tasks from Taskwarrior, todo.txt, Markdown, personal-os or JSON",
        description="Import a file or a personal-os folder as one undoable change. "
        "Importing the same source again updates what it imported before.",
    )
    p.add_argument("path", metavar="FILE|DIR", help="the file, or a personal-os folder")
    p.add_argument(
        "--format",
        "--from",
        dest="format",
        metavar="F",
        help=f"one of {', '.join(FORMATS)} (guessed from the content when not given)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid records of a file with some bad ones (else nothing is imported)",
    )
    p.add_argument(
        "--include-deleted", action="store_true", help="Taskwarrior: import deleted tasks too"
    )
    p.add_argument(
        "--to",
        dest="target",
        choices=("tasks", "backlog"),
        default="tasks",
        help="where the items of a task list go (default: tasks)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    e = subparsers.add_parser(
        "export",
        help="export the workspace (taskwarrior, todotxt, markdown, json or personal-os)",
        description="Write the workspace to stdout or a file (created with mode 0600). "
        "personal-os writes a new folder given with -o.",
    )
    e.add_argument(
        "--format",
        dest="format",
        metavar="F",
        default="json",
        help=f"one of {', '.join((*EXPORT_FORMATS, 'personal-os'))} (default: json)",
    )
    e.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    report = import_path(
        store,
        Path(args.path),
        args.format,
        dry_run=args.dry_run,
        skip_invalid=args.skip_invalid,
        include_deleted=args.include_deleted,
        target=args.target,
    )
    if getattr(args, "json", False):
        print(report.model_dump_json(indent=2))
        return 0
    if args.dry_run:
        for line in report.preview:
            print(clean_text(line, single_line=True))
    else:
        for problem in report.errors:
            print(
                f"workos: skipped invalid: {clean_text(problem, single_line=True)}", file=sys.stderr
            )
    print(clean_text(report.summary(), single_line=True))
    return 0


def cmd_export(args: argparse.Namespace, store: Store) -> int:
    fmt = normalize_format(args.format)
    if fmt == "personal-os":
        if not args.output:
            raise WorkspaceError("personal-os exports a folder: give one with -o DIR")
        written = export_personal_os(store, Path(args.output))
        print(f"wrote {len(written)} files to {args.output}")
        return 0
    text = export_workspace(store, fmt)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    write_private(Path(args.output).expanduser(), text)
    return 0


def write_private(path: Path, text: str) -> None:
    """Atomically write a file only its owner can read: exports hold personal data."""
    directory = path.parent
    if not directory.is_dir():
        raise WorkspaceError(f"{directory}: no such folder")
    if path.is_dir():
        raise WorkspaceError(f"{path}: is a folder")
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as e:
        raise WorkspaceError(f"{path}: cannot write: {e.strerror or e}") from None
