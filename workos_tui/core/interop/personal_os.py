"""The original personal-os / work-os folder: Tasks/*.md, BACKLOG.md, GOALS.md, Knowledge/.

Task files carry YAML front matter (read with `yaml.safe_load` only); keys WorkOS does
not model (`resource_refs`, anything custom) are kept in `extra` and written back on export.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import yaml

from workos_tui.core.interop.common import (
    Incoming,
    InteropError,
    ParseResult,
    build,
    split_title,
)
from workos_tui.core.models import (
    CATEGORIES,
    Goal,
    Note,
    Task,
    parse_priority,
    parse_status,
)
from workos_tui.core.store import Store

SYSTEM = "personal_os"
_KNOWN = {"title", "category", "priority", "status", "estimated_time", "due_date", "created_date"}
_CATEGORY_ALIASES = {"content": "writing"}
_LETTER = {"todo": "n", "started": "s", "blocked": "b", "done": "d"}
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_BOX = re.compile(r"^\[([ xX])\]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ALL_DONE = re.compile(r"^all done!?\W*$", re.IGNORECASE)


def is_personal_os(path: Path) -> bool:
    return path.is_dir() and any(
        (path / name).exists() for name in ("Tasks", "BACKLOG.md", "GOALS.md", "Knowledge")
    )


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
        if m := _HEADING.match(line):
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


# --- reading --------------------------------------------------------------------------


def parse(root: Path) -> ParseResult:
    result = ParseResult()
    for path in sorted((root / "Tasks").glob("*.md")) if (root / "Tasks").is_dir() else []:
        _task_file(root, path, result)
    goals = root / "GOALS.md"
    if goals.is_file():
        _goals(goals.read_text(encoding="utf-8"), "GOALS.md", result)
    backlog = root / "BACKLOG.md"
    if backlog.is_file():
        _backlog(backlog.read_text(encoding="utf-8"), "BACKLOG.md", result)
    knowledge = root / "Knowledge"
    if knowledge.is_dir():
        for path in sorted(knowledge.rglob("*.md")):
            _note_file(root, path, result)
    return result


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _read_markdown(
    root: Path, path: Path, result: ParseResult
) -> tuple[str, dict[str, Any] | None, str] | None:
    """(relative path, front matter, body), or None with the problem in `result.errors`."""
    rel = _rel(root, path)
    try:
        front, body, _ = split_front_matter(path.read_text(encoding="utf-8"), rel)
    except UnicodeDecodeError:
        result.errors.append(f"{rel}: not UTF-8 text")
        return None
    except ValueError as e:
        result.errors.append(str(e))
        return None
    return rel, front, body


def _task_file(root: Path, path: Path, result: ParseResult) -> None:
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


def _goals(text: str, rel: str, result: ParseResult) -> None:
    """Each top-level heading or list item becomes a goal (see the module docstring)."""
    lines = text.splitlines()
    headings = [
        (i, len(m.group(1)), m.group(2)) for i, ln in enumerate(lines) if (m := _HEADING.match(ln))
    ]
    # A lone `# Goals …` at the top is the document's title, not a goal.
    if headings and headings[0][1] == 1 and sum(1 for h in headings if h[1] == 1) == 1:
        title_line = headings.pop(0)[0]
    else:
        title_line = -1
    top = min((h[1] for h in headings), default=1)
    bounds = [(-1, 0, ""), *headings]
    for k, (start, level, heading) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(lines)
        body = [(i, lines[i]) for i in range(start + 1, end) if i != title_line]
        items = _top_items(body)
        if items:
            for line_no, text_, sub, done in items:
                _add_goal(result, f"{rel} line {line_no}", text_, "\n".join(sub), done)
        elif start >= 0 and level == top:
            prose = [ln.strip() for _, ln in body if ln.strip() and not _HEADING.match(ln)]
            prose = [p for p in prose if p.strip("-*_ ")]
            _add_goal(result, f"{rel} line {start + 1}", heading, "\n".join(prose), False)


def _top_items(body: list[tuple[int, str]]) -> list[tuple[int, str, list[str], bool]]:
    items: list[tuple[int, str, list[str], bool]] = []
    for i, line in body:
        m = _ITEM.match(line)
        if not m or _HEADING.match(line):
            continue
        text = m.group(2).strip()
        if line[: len(m.group(1))].expandtabs(4) == "" and not m.group(1):
            done = False
            if box := _BOX.match(text):
                done, text = box.group(1) in "xX", box.group(2)
            items.append((i + 1, text, [], done))
        elif items:
            items[-1][2].append(text)
    return items


def _add_goal(result: ParseResult, where: str, text: str, description: str, done: bool) -> None:
    title, long_title = split_title(text.strip().strip("*_").strip())
    if not title:
        return
    fields: dict[str, Any] = {
        "title": title,
        "description": "\n\n".join(p for p in (long_title, description) if p),
        "status": "achieved" if done else "active",
    }
    goal = build(Goal, fields, where, result)
    if goal is not None:
        result.records.append(Incoming("goals", goal, where))


def _backlog(text: str, rel: str, result: ParseResult) -> None:
    from workos_tui.core.models import BacklogItem

    lines = text.splitlines()
    has_bullets = any(_ITEM.match(ln) for ln in lines)
    current: list[Any] | None = None  # [where, text, subitems]
    in_done = False  # the sub-items of a done item are done with it
    items: list[list[Any]] = []
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or _HEADING.match(line) or stripped.startswith(("---", ">", "<!--")):
            continue
        m = _ITEM.match(line)
        if m:
            indent, text = m.group(1), m.group(2).strip()
        elif not has_bullets:
            indent, text = line[: len(line) - len(line.lstrip())], stripped
        else:
            result.skipped.append(f"{rel} line {n}: not a list item ({stripped[:40]})")
            continue
        if _ALL_DONE.match(text):
            continue
        done = False
        if box := _BOX.match(text):
            done, text = box.group(1) in "xX", box.group(2).strip()
        if not text:
            continue
        if indent and (current is not None or in_done):
            if current is not None and not done:
                current[2].append(text)
            continue
        if done:
            current, in_done = None, True
            result.skipped.append(f"{rel} line {n}: already done ({text[:40]})")
            continue
        current, in_done = [f"{rel} line {n}", text, []], False
        items.append(current)
    for where, text, sub in items:
        item = build(BacklogItem, {"text": text, "subitems": sub}, where, result)
        if item is not None:
            result.records.append(Incoming("backlog", item, where))


def _note_file(root: Path, path: Path, result: ParseResult) -> None:
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


# --- writing --------------------------------------------------------------------------


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w]+", "_", text.casefold(), flags=re.UNICODE).strip("_")[:60] or "untitled"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}_{n}"
    taken.add(slug)
    return slug


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def export(store: Store, root: Path) -> list[Path]:
    """Write the workspace as a personal-os folder; refuses to overwrite anything."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise InteropError(f"{root}: exists and is not an empty folder; choose a new one")
    written: list[Path] = []
    taken: set[str] = set()
    for task in sorted(store.tasks(), key=lambda t: t.id):
        kept = task.extra.get(SYSTEM, {})
        front = dict(kept.get("front_matter", {})) if isinstance(kept, dict) else {}
        source = task.external_ids.get(SYSTEM, "")
        name = Path(source).stem if source.startswith("Tasks/") else ""
        name = _slug(name or task.title, taken)
        front.update(
            {
                "title": task.title,
                "category": task.category,
                "priority": task.priority,
                "status": _LETTER[task.status],
                "created_date": task.created_at.date().isoformat(),
            }
        )
        for key, value in (("estimated_time", task.estimate_minutes), ("due_date", task.due)):
            if value is None:
                front.pop(key, None)
            else:
                front[key] = value.isoformat() if isinstance(value, dt.date) else value
        if task.tags:
            front["tags"] = list(task.tags)
        head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
        body = task.description.strip() or f"# {task.title}"
        path = root / "Tasks" / f"{name}.md"
        _write(path, f"---\n{head}---\n\n{body}\n")
        written.append(path)
    backlog = ["# Backlog", ""]
    for b in store.backlog():
        backlog.append(f"- {' '.join(b.text.split())}")
        backlog.extend(f"  - {' '.join(s.split())}" for s in b.subitems)
    if not store.backlog():
        backlog.append("all done!")
    _write(root / "BACKLOG.md", "\n".join(backlog) + "\n")
    written.append(root / "BACKLOG.md")
    goals = ["# Goals", ""]
    for g in store.goals():
        goals += [f"## {g.title}", ""]
        if g.description.strip():
            goals += [g.description.strip(), ""]
    _write(root / "GOALS.md", "\n".join(goals).rstrip() + "\n")
    written.append(root / "GOALS.md")
    note_names: set[str] = set()
    for n in store.notes():
        source = n.external_ids.get(SYSTEM, "")
        # Only the file's stem is reused: a stored path must never lead outside `root`.
        stem = Path(source).stem if source.startswith("Knowledge/") else ""
        rel = f"Knowledge/{_slug(stem or n.title, note_names)}.md"
        meta = {"title": n.title, "tags": list(n.tags)}
        head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        path = root / rel
        _write(path, f"---\n{head}---\n\n{n.body.strip()}\n")
        written.append(path)
    return written
