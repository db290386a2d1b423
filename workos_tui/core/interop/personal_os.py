"""The original personal-os / work-os folder: Tasks/*.md, BACKLOG.md, GOALS.md, Knowledge/.

Recognising one, reading it whole, and writing a workspace out as one (with the front
matter keys a task came with and WorkOS does not model). Task and note files are read in
`personal_os_files`, BACKLOG.md and GOALS.md in `personal_os_lists`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import yaml

from workos_tui.core.interop.common import InteropError, ParseResult
from workos_tui.core.interop.personal_os_files import SYSTEM, read_note_file, read_task_file
from workos_tui.core.interop.personal_os_lists import read_backlog, read_goals
from workos_tui.core.models import STATUS_CODES, Status
from workos_tui.core.store import Store

# The original's front matter stores a status as its one-letter code.
_LETTER: dict[Status, str] = {status: code for code, status in STATUS_CODES.items()}


def is_personal_os(path: Path) -> bool:
    return path.is_dir() and any(
        (path / name).exists() for name in ("Tasks", "BACKLOG.md", "GOALS.md", "Knowledge")
    )


# --- reading --------------------------------------------------------------------------


def parse(root: Path) -> ParseResult:
    result = ParseResult()
    for path in sorted((root / "Tasks").glob("*.md")) if (root / "Tasks").is_dir() else []:
        read_task_file(root, path, result)
    goals = root / "GOALS.md"
    if goals.is_file():
        read_goals(goals.read_text(encoding="utf-8"), "GOALS.md", result)
    backlog = root / "BACKLOG.md"
    if backlog.is_file():
        read_backlog(backlog.read_text(encoding="utf-8"), "BACKLOG.md", result)
    knowledge = root / "Knowledge"
    if knowledge.is_dir():
        for path in sorted(knowledge.rglob("*.md")):
            read_note_file(root, path, result)
    return result


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
