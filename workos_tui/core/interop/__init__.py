"""Import from and export to Taskwarrior, todo.txt, Markdown, personal-os folders and JSON.

The TUI and the CLI call only these functions:
`detect_format`, `import_path`, `export_workspace`, `export_personal_os`, `FORMATS`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from workos_tui.core.interop import jsonfmt, markdown, personal_os, taskwarrior, todotxt
from workos_tui.core.interop.apply import FallbackKey, plan_import, write_import
from workos_tui.core.interop.common import (
    ImportFailed,
    ImportReport,
    Incoming,
    InteropError,
    ParseResult,
)
from workos_tui.core.models import BacklogItem, Task
from workos_tui.core.store import Store

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "ImportFailed",
    "ImportReport",
    "InteropError",
    "detect_format",
    "export_personal_os",
    "export_workspace",
    "import_path",
    "normalize_format",
]

FORMATS: tuple[str, ...] = ("taskwarrior", "todotxt", "markdown", "personal-os", "json")
EXPORT_FORMATS: tuple[str, ...] = ("taskwarrior", "todotxt", "markdown", "json")
TARGETS = ("tasks", "backlog")
MAX_BYTES = 64 * 1024 * 1024

_ALIASES = {
    "tw": "taskwarrior",
    "task": "taskwarrior",
    "todo.txt": "todotxt",
    "todo": "todotxt",
    "txt": "todotxt",
    "md": "markdown",
    "personal_os": "personal-os",
    "personalos": "personal-os",
    "work-os": "personal-os",
    "workos": "personal-os",
}


def normalize_format(fmt: str) -> str:
    name = fmt.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in FORMATS:
        raise InteropError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return name


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InteropError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise InteropError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise InteropError(f"{path}: cannot read: {e.strerror or e}") from None


def detect_format(path: Path) -> str:
    """Guess the format from the folder layout or the file's content."""
    path = Path(path)
    if path.is_dir():
        if personal_os.is_personal_os(path):
            return "personal-os"
        raise InteropError(
            f"{path}: a folder, but not a personal-os one (no Tasks/, BACKLOG.md or GOALS.md)"
        )
    if not path.exists():
        raise InteropError(f"{path}: no such file or folder")
    text = _read(path)
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")) or path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            first = stripped.splitlines()[0] if stripped else ""
            try:
                data = json.loads(first)
            except json.JSONDecodeError:
                data = None
            if isinstance(data, dict) and "uuid" in data:
                return "taskwarrior"  # one object per line
            if stripped.startswith("["):
                return "taskwarrior"  # a broken export: the importer names the line
            raise InteropError(f"{path}: JSON, but not a Taskwarrior or WorkOS export") from None
        if jsonfmt.looks_like(data):
            return "json"
        if isinstance(data, list) or (isinstance(data, dict) and "uuid" in data):
            return "taskwarrior"
        raise InteropError(f"{path}: JSON, but not a Taskwarrior or WorkOS export")
    if path.suffix.lower() in (".md", ".markdown"):
        return "markdown"
    if any(markdown.CHECKBOX.match(line) for line in text.splitlines()):
        return "markdown"
    return "todotxt"


def _tasks_to_backlog(result: ParseResult) -> ParseResult:
    out = ParseResult(errors=result.errors, skipped=result.skipped)
    for rec in result.records:
        task = rec.model
        if not isinstance(task, Task):
            out.records.append(rec)
        elif task.status == "done":
            out.skipped.append(f"{rec.where}: already done ({task.title[:40]})")
        else:
            item = BacklogItem(text=task.title, subitems=list(task.notes))
            out.records.append(Incoming("backlog", item, rec.where))
    return out


def import_path(
    store: Store,
    path: Path | str,
    fmt: str | None = None,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    include_deleted: bool = False,
    target: str = "tasks",
    today: dt.date | None = None,
) -> ImportReport:
    """Import a file or folder as one undoable change (nothing at all when `dry_run`).

    Raises `ImportFailed` (a `WorkspaceError`) naming the file, line and problem when a
    record is invalid and `skip_invalid` is false; then nothing is imported.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise InteropError(f"{path}: no such file or folder")
    if target not in TARGETS:
        raise InteropError(f"unknown target {target!r}; choose tasks or backlog")
    fmt = normalize_format(fmt) if fmt else detect_format(path)
    if fmt == "personal-os":
        if not path.is_dir():
            raise InteropError(f"{path}: personal-os imports a folder, not a file")
        result = personal_os.parse(path)
    elif path.is_dir():
        raise InteropError(f"{path}: a folder; {fmt} imports a file")
    system = ""
    fallback: FallbackKey | None = None
    if fmt != "personal-os":
        text = _read(path)
        if fmt == "taskwarrior":
            result = taskwarrior.parse(path, text, include_deleted=include_deleted, today=today)
            system, fallback = taskwarrior.SYSTEM, taskwarrior.fallback_uuid
        elif fmt == "todotxt":
            result = todotxt.parse(path, text)
            system, fallback = todotxt.SYSTEM, todotxt.fallback_key
        elif fmt == "markdown":
            result = markdown.parse(path, text, target=target)
            system, fallback = markdown.SYSTEM, markdown.fallback_key(path.name)
        else:
            result = jsonfmt.parse(path, text)
        if target == "backlog" and fmt in ("taskwarrior", "todotxt"):
            result = _tasks_to_backlog(result)
    report, planned = plan_import(
        store,
        result,
        fmt=fmt,
        source=str(path),
        target=target if fmt not in ("personal-os", "json") else "workspace",
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        system=system,
        fallback=fallback,
    )
    if not dry_run:
        write_import(store, report, planned)
    return report


def export_workspace(store: Store, fmt: str) -> str:
    """The workspace as text in one of `EXPORT_FORMATS`."""
    fmt = normalize_format(fmt)
    if fmt == "taskwarrior":
        return taskwarrior.export(store)
    if fmt == "todotxt":
        return todotxt.export(store)
    if fmt == "markdown":
        return markdown.export(store)
    if fmt == "json":
        return jsonfmt.export(store)
    raise InteropError("personal-os exports a folder: give an output folder (-o DIR)")


def export_personal_os(store: Store, directory: Path | str) -> list[Path]:
    """Write the workspace as a new personal-os folder; returns the files written."""
    return personal_os.export(store, Path(directory).expanduser())
