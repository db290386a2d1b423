"""todo.txt (one task per line, github.com/todotxt/todo.txt), both ways.

The source id is a hash of the line's words (text, +projects, @contexts) without the done
mark, dates, priority and key:value pairs, so completing a line or moving its due date in
another app updates the same WorkOS task on re-import. An untouched task exports its
original line byte for byte; an edited one is rebuilt, keeping unknown key:value pairs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from workos_tui.core.interop.common import (
    PRIORITY_LETTER,
    Incoming,
    Occurrences,
    ParseResult,
    as_utc,
    letter_priority,
    snapshot,
    split_title,
    stable_hash,
)
from workos_tui.core.models import Task
from workos_tui.core.store import Store

SYSTEM = "todotxt"
MAPPED = ("title", "status", "priority", "due", "tags", "estimate_minutes", "completed_at")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PRIORITY = re.compile(r"^\(([A-Z])\)$")
_EXT = re.compile(r"^([A-Za-z0-9_-]+):([^\s:]+)$")
_EST = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+)m?)?$")


def _is_ext(token: str) -> re.Match[str] | None:
    m = _EXT.match(token)
    # `http://x` is text, not a key:value pair.
    return m if m and not m.group(2).startswith("//") else None


def parse_estimate(value: str) -> int | None:
    """`90`, `90m`, `2h`, `1.5h`, `1h30m` -> minutes."""
    m = _EST.match(value.strip().lower())
    if not m or not any(m.groups()):
        return None
    minutes = round(float(m.group(1) or 0) * 60) + int(m.group(2) or 0)
    return minutes if minutes > 0 else None


def format_estimate(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest}m"
    return f"{hours}h" if hours else f"{rest}m"


class Line:
    """One todo.txt line taken apart."""

    def __init__(self, line: str) -> None:
        self.raw = line
        tokens = line.split()
        self.done = bool(tokens) and tokens[0] == "x"
        if self.done:
            tokens.pop(0)
        self.letter: str | None = None
        self.completed: str | None = None
        self.created: str | None = None
        if self.done:
            if tokens and _DATE.match(tokens[0]):
                self.completed = tokens.pop(0)
                if tokens and _DATE.match(tokens[0]):
                    self.created = tokens.pop(0)
        else:
            if tokens and (m := _PRIORITY.match(tokens[0])):
                self.letter = m.group(1)
                tokens.pop(0)
            if tokens and _DATE.match(tokens[0]):
                self.created = tokens.pop(0)
        self.words: list[str] = []  # the text, with +projects and @contexts in place
        self.projects: list[str] = []
        self.contexts: list[str] = []
        self.ext: list[list[str]] = []
        for tok in tokens:
            if len(tok) > 1 and tok[0] == "+":
                self.projects.append(tok[1:])
                self.words.append(tok)
            elif len(tok) > 1 and tok[0] == "@":
                self.contexts.append(tok[1:])
                self.words.append(tok)
            elif m := _is_ext(tok):
                self.ext.append([m.group(1), m.group(2)])
            else:
                self.words.append(tok)
        if self.done and self.letter is None:
            pri = self.get("pri")
            if pri and len(pri) == 1 and pri.isalpha():
                self.letter = pri.upper()

    def get(self, key: str) -> str | None:
        for k, v in self.ext:
            if k == key:
                return v
        return None

    @property
    def text(self) -> str:
        return " ".join(w for w in self.words if not (len(w) > 1 and w[0] in "+@"))

    @property
    def identity(self) -> str:
        return " ".join(self.words)


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what}: not a real date: {value!r}") from None


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), dt.UTC) if day else None


def parse(path: Path, text: str) -> ParseResult:
    result = ParseResult()
    occurrences = Occurrences()
    for line_no, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path.name} line {line_no}"
        line = Line(raw.strip())
        try:
            fields = _fields(line)
        except ValueError as e:
            result.errors.append(f"{where}: {e}")
            continue
        key = occurrences(stable_hash(line.identity))
        task = Task.model_validate({**fields, "external_ids": {SYSTEM: key}})
        kept = {
            "line": raw.strip(),
            "contexts": line.contexts,
            "ext": line.ext,
            "created": line.created,
            "as_imported": snapshot(task, MAPPED),
        }
        task.extra = {SYSTEM: kept}  # validated, and counts as set for a re-import
        result.records.append(Incoming("tasks", task, where, SYSTEM, key))
    return result


def _fields(line: Line) -> dict[str, Any]:
    if not line.text.strip():
        raise ValueError("no task text (only dates, +projects, @contexts or key:value pairs)")
    title, description = split_title(line.text)
    fields: dict[str, Any] = {
        "title": title,
        "status": "done" if line.done else "todo",
        "tags": list(dict.fromkeys([*line.projects, *line.contexts])),
        "due": _date(line.get("due"), "due"),
        "completed_at": _midnight(_date(line.completed, "completion date")),
    }
    if description:
        fields["description"] = description
    if line.letter:  # no priority: a new task gets the default, an existing one keeps its own
        fields["priority"] = letter_priority(line.letter)
    _date(line.get("t"), "t (threshold)")
    created = _date(line.created, "creation date")
    if created:
        fields["created_at"] = _midnight(created)
    est = line.get("est")
    if est is not None:
        fields["estimate_minutes"] = parse_estimate(est)
    return fields


# --- writing --------------------------------------------------------------------------


def fallback_key(task: Task) -> str:
    """The source id an exported WorkOS task gets back when its line is re-imported."""
    return stable_hash(Line(_build(task, {}, {})).identity)


def export(store: Store) -> str:
    tasks = sorted(store.tasks(), key=lambda t: (t.status == "done", t.created_at, t.id))
    return "".join(line_of(t) + "\n" for t in tasks)


def line_of(task: Task) -> str:
    kept = task.extra.get(SYSTEM)
    if isinstance(kept, dict) and isinstance(kept.get("line"), str):
        seen = kept.get("as_imported") or {}
        if snapshot(task, MAPPED) == seen:
            return str(kept["line"])
        return _build(task, kept, seen)
    return _build(task, {}, {})


def _build(task: Task, kept: dict[str, Any], seen: dict[str, Any]) -> str:
    original = Line(kept["line"]) if kept else None
    now = snapshot(task, MAPPED)

    def same(name: str) -> bool:
        return original is not None and name in seen and seen[name] == now[name]

    parts: list[str] = []
    done = task.status == "done"
    letter = original.letter if original and same("priority") else PRIORITY_LETTER[task.priority]
    if done:
        parts.append("x")
        if task.completed_at:
            parts.append(as_utc(task.completed_at).date().isoformat())
    elif letter:
        parts.append(f"({letter})")
    created = kept.get("created") if kept else as_utc(task.created_at).date().isoformat()
    if created and (not done or task.completed_at):
        parts.append(str(created))
    if original and same("title") and same("tags"):
        parts.extend(original.words)
    else:
        contexts = set(kept.get("contexts", [])) if kept else set()
        parts.append(task.title.replace("\n", " "))
        parts.extend(("@" if t in contexts else "+") + t.replace(" ", "_") for t in task.tags)
    ext: list[list[str]] = [list(p) for p in kept.get("ext", [])] if kept else []
    ext = [p for p in ext if p[0] not in ("due", "est", "pri")]
    if task.due:
        ext.append(["due", task.due.isoformat()])
    if task.estimate_minutes:
        est = original.get("est") if original and same("estimate_minutes") else None
        ext.append(["est", est or format_estimate(task.estimate_minutes)])
    if done and letter:  # todo.txt drops `(A)` on done lines; `pri:` keeps it
        ext.append(["pri", letter])
    parts.extend(f"{k}:{v}" for k, v in ext)
    return " ".join(parts)
