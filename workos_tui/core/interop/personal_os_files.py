"""Tasks/*.md and Knowledge/*.md of a personal-os folder: Markdown files with YAML front
matter, read into tasks and notes.

Front matter is read with `yaml.safe_load` only; keys WorkOS does not model
(`resource_refs`, anything custom) are kept in the task's `extra` for the export.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from workos_tui.core.interop.common import MD_HEADING, Incoming, ParseResult, build, split_title
from workos_tui.core.models import CATEGORIES, Note, Task, parse_priority, parse_status

SYSTEM = "personal_os"
_CATEGORY_ALIASES = {"content": "writing"}


def json_safe(value: Any) -> Any:
    """YAML gives dates and other types; `extra` must stay plain JSON."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any] | None, str, int]:
    """(front matter or None, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            raw = "".join(lines[1:i])
            try:
                data = yaml.safe_load(raw)
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                line = f" line {mark.line + 2}" if mark is not None else ""
                problem = getattr(e, "problem", None) or str(e).splitlines()[0]
                msg = f"{where}{line}: front matter is not valid YAML: {problem}"
                raise ValueError(msg) from None
            except (ValueError, TypeError, OverflowError) as e:
                # YAML's own constructors reject impossible values, e.g. `2026-13-01`.
                raise ValueError(f"{where}: front matter: {e}") from None
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise ValueError(f"{where} line 2: front matter must be a mapping of keys")
            return data, "".join(lines[i + 1 :]), i + 2
    raise ValueError(f"{where} line 1: front matter is not closed with ---")


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        if m := MD_HEADING.match(line):
            return m.group(2)
    return None


def _as_date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def _minutes(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(f"estimated_time: not a number of minutes: {value!r}")
    if isinstance(value, int | float):
        return int(value) if value > 0 else None
    text = str(value).strip().lower()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|hours?)", text):
        return round(float(m.group(1)) * 60)
    if m := re.fullmatch(r"(\d+)\s*(m|min|mins|minutes?)?", text):
        return int(m.group(1)) or None
    raise ValueError(f"estimated_time: not a number of minutes: {value!r}")


def _read_markdown(
    root: Path, path: Path, result: ParseResult
) -> tuple[str, dict[str, Any] | None, str] | None:
    """(relative path, front matter, body), or None with the problem in `result.errors`."""
    rel = path.relative_to(root).as_posix()
    try:
        front, body, _ = split_front_matter(path.read_text(encoding="utf-8"), rel)
    except UnicodeDecodeError:
        result.errors.append(f"{rel}: not UTF-8 text")
        return None
    except ValueError as e:
        result.errors.append(str(e))
        return None
    return rel, front, body


def read_task_file(root: Path, path: Path, result: ParseResult) -> None:
    read = _read_markdown(root, path, result)
    if read is None:
        return
    rel, front, body = read
    if front is None:
        result.skipped.append(f"{rel}: no front matter, not a task file")
        return
    try:
        fields = _task_fields(front, body, path)
    except ValueError as e:
        result.errors.append(f"{rel}: {e}")
        return
    fields["external_ids"] = {SYSTEM: rel}
    fields["extra"] = {SYSTEM: {"front_matter": json_safe(front)}}
    task = build(Task, fields, rel, result)
    if task is not None:
        result.records.append(Incoming("tasks", task, rel, SYSTEM, rel))


def _task_fields(front: dict[str, Any], body: str, path: Path) -> dict[str, Any]:
    raw_title = front.get("title") or _first_heading(body) or path.stem.replace("_", " ")
    title, long_title = split_title(str(raw_title))
    category = str(front.get("category") or "other").strip().lower()
    category = _CATEGORY_ALIASES.get(category, category)
    fields: dict[str, Any] = {
        "title": title,
        "description": "\n\n".join(p for p in (long_title, body.strip()) if p),
        "category": category if category in CATEGORIES else "other",
        "priority": parse_priority(str(front.get("priority") or "P2")),
        "status": parse_status(str(front.get("status") or "n")),
        "estimate_minutes": _minutes(front.get("estimated_time")),
        "due": _as_date(front.get("due_date"), "due_date"),
    }
    created = _as_date(front.get("created_date"), "created_date")
    if created:
        fields["created_at"] = dt.datetime.combine(created, dt.time(), dt.UTC)
    if fields["status"] == "done":
        fields["completed_at"] = None
    tags = front.get("tags")
    if isinstance(tags, list):
        fields["tags"] = [str(t) for t in tags]
    return fields


def read_note_file(root: Path, path: Path, result: ParseResult) -> None:
    read = _read_markdown(root, path, result)
    if read is None:
        return
    rel, front, body = read
    front = front or {}
    title = str(front.get("title") or _first_heading(body) or path.stem.replace("_", " "))
    tags = front.get("tags") or []
    fields: dict[str, Any] = {
        "title": split_title(title)[0],
        "body": body.strip(),
        "tags": [str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
        "external_ids": {SYSTEM: rel},
    }
    note = build(Note, fields, rel, result)
    if note is not None:
        result.records.append(Incoming("notes", note, rel, SYSTEM, rel))
