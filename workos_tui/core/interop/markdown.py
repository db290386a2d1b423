"""Markdown: a readable export for sharing, and import of a `- [ ]` / `- [x]` checklist.

The export's task lines (`- [ ] Title · due 2026-12-04 · #tag`) read back as the same
tasks, and a `## P1 …` heading sets the priority of the items under it, so an exported
file can be edited by hand and imported again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workos_tui.core.interop.common import (
    MD_HEADING,
    MD_LIST_ITEM,
    Incoming,
    Occurrences,
    ParseResult,
    split_title,
    stable_hash,
)
from workos_tui.core.models import PRIORITIES, PRIORITY_MEANING, BacklogItem, Priority, Task
from workos_tui.core.store import Store

SYSTEM = "markdown"
CHECKBOX = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*)$")
_HEADING_PRIORITY = re.compile(r"^(P[0-3])\b")
_SEP = " · "


def _meta(segment: str, fields: dict[str, Any]) -> bool:
    """Read one ` · ` segment the export writes; False when it is just text."""
    s = segment.strip()
    if m := re.fullmatch(r"due (\d{4}-\d{2}-\d{2})", s):
        try:
            fields["due"] = dt.date.fromisoformat(m.group(1))
        except ValueError:
            return False
        return True
    if m := re.fullmatch(r"~?(\d+) min", s):
        fields["estimate_minutes"] = int(m.group(1)) or None
        return True
    if s in ("started", "blocked"):
        fields["status"] = s
        return True
    if s and all(re.fullmatch(r"#\S+", t) for t in s.split()):
        fields["tags"] = [t[1:] for t in s.split()]
        return True
    return False


def parse(path: Path, text: str, *, target: str = "tasks") -> ParseResult:
    result = _parse_tasks(path, text)
    return _as_backlog(result) if target == "backlog" else result


def _as_backlog(tasks: ParseResult) -> ParseResult:
    """Open top-level items become backlog items, nested ones their sub-items."""
    result = ParseResult(errors=tasks.errors, skipped=tasks.skipped)
    owner: BacklogItem | None = None
    for rec in tasks.records:
        assert isinstance(rec.model, Task)
        if rec.depth:
            if owner is not None and rec.model.status != "done":
                owner.subitems = [*owner.subitems, rec.model.title]
            continue
        if rec.model.status == "done":
            owner = None
            result.skipped.append(f"{rec.where}: already done")
            continue
        owner = BacklogItem(text=rec.model.title)
        result.records.append(Incoming("backlog", owner, rec.where))
    return result


def _parse_tasks(path: Path, text: str) -> ParseResult:
    result = ParseResult()
    occurrences = Occurrences()
    priority: Priority | None = None
    parents: list[tuple[int, str]] = []  # (indent, title) of open checkbox items
    for line_no, raw in enumerate(text.splitlines(), 1):
        if m := MD_HEADING.match(raw):
            pm = _HEADING_PRIORITY.match(m.group(2))
            priority = pm.group(1) if pm else None  # type: ignore[assignment]
            parents = []
            continue
        m = CHECKBOX.match(raw)
        if not m:
            # The export's "  - goal: X" under a task links the goal back on import.
            item = MD_LIST_ITEM.match(raw)
            if item and item.group(2).startswith("goal: ") and result.records and parents:
                result.records[-1].goal_titles = [item.group(2)[6:].strip()]
            continue
        indent = len(m.group(1).expandtabs(4))
        where = f"{path.name} line {line_no}"
        segments = m.group(3).strip().split(_SEP)
        fields: dict[str, Any] = {}
        while len(segments) > 1 and _meta(segments[-1], fields):
            segments.pop()
        text_part = _SEP.join(segments).strip()
        if not text_part:
            result.errors.append(f"{where}: empty checklist item")
            continue
        while parents and parents[-1][0] >= indent:
            parents.pop()
        parent = parents[-1][1] if parents else None
        parents.append((indent, text_part))
        done = m.group(2) in "xX"
        title, description = split_title(text_part)
        key = occurrences(f"{path.name}#{stable_hash(title)}")
        fields = {
            "title": title,
            "status": "done" if done else fields.get("status", "todo"),
            **{k: v for k, v in fields.items() if k != "status"},
        }
        if description or parent:
            fields["description"] = "\n\n".join(
                p for p in (description, f"Part of: {parent}" if parent else "") if p
            )
        if priority:
            fields["priority"] = priority
        if done:
            fields["completed_at"] = None
        try:
            task = Task.model_validate({**fields, "external_ids": {SYSTEM: key}})
        except ValueError as e:
            result.errors.append(f"{where}: {str(e).splitlines()[0]}")
            continue
        result.records.append(Incoming("tasks", task, where, SYSTEM, key, depth=len(parents) - 1))
    return result


def fallback_key(name: str) -> Callable[[Task], str]:
    """Tasks exported to Markdown match their checklist line when the file is imported."""
    return lambda task: f"{name}#{stable_hash(' '.join(task.title.split()))}"


# --- writing --------------------------------------------------------------------------


def task_line(task: Task) -> str:
    box = "x" if task.status == "done" else " "
    meta: list[str] = []
    if task.status in ("started", "blocked"):
        meta.append(task.status)
    if task.due:
        meta.append(f"due {task.due.isoformat()}")
    if task.estimate_minutes:
        meta.append(f"{task.estimate_minutes} min")
    if task.tags:
        meta.append(" ".join("#" + t.replace(" ", "_") for t in task.tags))
    title = " ".join(task.title.split())
    return f"- [{box}] {_SEP.join([title, *meta])}"


def export(store: Store) -> str:
    settings = store.settings()
    out = [f"# {settings.name}", ""]
    goals = store.goals()
    titles = {g.id: g.title for g in goals}
    if goals:
        out += ["## Goals", ""]
        for g in goals:
            due = f" (by {g.target_date.isoformat()})" if g.target_date else ""
            mark = {"active": "", "achieved": " ✓", "dropped": " (dropped)"}[g.status]
            out.append(f"- **{g.title}**{due}{mark}")
            if g.description:
                out.append(f"  {' '.join(g.description.split())}")
        out.append("")
    tasks = store.tasks()
    if tasks:
        out += ["## Tasks", ""]
        for p in PRIORITIES:
            group = sorted(
                (t for t in tasks if t.priority == p),
                key=lambda t: (t.status == "done", t.due or dt.date.max, t.created_at),
            )
            if not group:
                continue
            out += [f"### {p} — {PRIORITY_MEANING[p]}", ""]
            for t in group:
                out.append(task_line(t))
                if t.goal_id in titles:
                    out.append(f"  - goal: {titles[t.goal_id]}")
            out.append("")
    backlog = store.backlog()
    if backlog:
        out += ["## Backlog", ""]
        for b in backlog:
            out.append(f"- {' '.join(b.text.split())}")
            out.extend(f"  - {' '.join(s.split())}" for s in b.subitems)
        out.append("")
    notes = store.notes()
    if notes:
        out += ["## Notes", ""]
        for n in notes:
            out += [f"### {n.title}", ""]
            if n.tags:
                out += [" ".join("#" + t for t in n.tags), ""]
            if n.body.strip():
                out += [n.body.strip(), ""]
    return "\n".join(out).rstrip() + "\n"
