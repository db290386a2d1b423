"""Taskwarrior's `task export` JSON (an array or one object per line), both ways.

Lossless by construction: each imported task keeps its whole original record in
`extra["taskwarrior"]["record"]` next to the WorkOS fields as first imported. Export starts
from that record and rewrites only the fields edited in WorkOS since, so a round trip with
no edits gives back every field of every task, user-defined attributes included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path
from typing import Any

from workos_tui.core.interop.common import Incoming, ParseResult, as_utc, snapshot, split_title
from workos_tui.core.models import Priority, Status, Task
from workos_tui.core.store import Store

SYSTEM = "taskwarrior"
STATUSES = ("pending", "completed", "deleted", "waiting", "recurring")
DATE_FIELDS = ("entry", "due", "scheduled", "wait", "until", "start", "end", "modified")
_PRIORITY: dict[str, Priority] = {"H": "P1", "M": "P2", "L": "P3"}
_TW_PRIORITY: dict[Priority, str] = {"P0": "H", "P1": "H", "P2": "M", "P3": "L"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_COMPACT = re.compile(r"^\d{8}T\d{6}Z$")
# The WorkOS fields an import derives from a record; an edit to any of them is exported.
MAPPED = ("title", "description", "status", "priority", "due", "tags", "notes", "completed_at")
_NAMESPACE = uuid.UUID("6f1c9d0e-5b7a-4c1e-9a51-0b7e2f0c9d11")


# --- dates ----------------------------------------------------------------------------


def parse_date(value: Any) -> dt.datetime:
    """`20261203T150000Z` (what `task export` writes), or an ISO 8601 timestamp."""
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    if _COMPACT.match(value):
        return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    try:
        return as_utc(dt.datetime.fromisoformat(value))
    except ValueError:
        raise ValueError(f"not a date (YYYYMMDDTHHMMSSZ): {value!r}") from None


def format_date(value: dt.datetime) -> str:
    return as_utc(value).strftime("%Y%m%dT%H%M%SZ")


def _local_date(value: dt.datetime) -> dt.date:
    # Taskwarrior stores `due:friday` as local midnight in UTC: the local date is the one meant.
    return value.astimezone().date()


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone()


# --- reading --------------------------------------------------------------------------


def _records(text: str, name: str, result: ParseResult) -> list[tuple[str, Any]]:
    """(where, object) for each record, with the line each one starts on."""
    out: list[tuple[str, Any]] = []
    stripped = text.lstrip()
    if stripped.startswith("["):
        decoder = json.JSONDecoder()
        pos = text.index("[") + 1
        n = 0
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos >= len(text):
                result.errors.append(f"{name}: the JSON array is not closed")
                return out
            if text[pos] == "]":
                if text[pos + 1 :].strip():
                    after = text.count("\n", 0, pos) + 1
                    result.errors.append(f"{name} line {after}: text after the JSON array")
                return out
            n += 1
            start = text.count("\n", 0, pos) + 1
            try:
                obj, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as e:
                where = f"{name} record {n} (line {e.lineno})"
                result.errors.append(f"{where}: not valid JSON: {e.msg}")
                return out
            out.append((f"{name} record {n} (line {start})", obj))
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name} line {line_no}"
        try:
            out.append((where, json.loads(line)))
        except json.JSONDecodeError as e:
            result.errors.append(f"{where}: not valid JSON: {e.msg} (column {e.colno})")
    return out


def _check(rec: Any) -> str | None:
    """The first problem with a record, or None."""
    if not isinstance(rec, dict):
        return "not a JSON object"
    for required in ("uuid", "status", "entry", "description"):
        if required not in rec:
            return f"missing {required!r}"
    if not isinstance(rec["uuid"], str) or not _UUID.match(rec["uuid"]):
        return f"uuid: not a UUID: {rec['uuid']!r}"
    if rec["status"] not in STATUSES:
        return f"status: must be one of {', '.join(STATUSES)}, not {rec['status']!r}"
    if not isinstance(rec["description"], str) or not rec["description"].strip():
        return "description: must be a non-empty string"
    for name in DATE_FIELDS:
        if name in rec:
            try:
                parse_date(rec[name])
            except ValueError as e:
                return f"{name}: {e}"
    if rec.get("priority", "") not in ("", "H", "M", "L"):
        return f"priority: must be H, M or L, not {rec['priority']!r}"
    tags = rec.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return "tags: must be a list of strings"
    if "project" in rec and not isinstance(rec["project"], str):
        return "project: must be a string"
    annotations = rec.get("annotations", [])
    if not isinstance(annotations, list):
        return "annotations: must be a list"
    for i, a in enumerate(annotations, 1):
        if not isinstance(a, dict) or not isinstance(a.get("description"), str):
            return f"annotations[{i}]: needs a description"
        if "entry" in a:
            try:
                parse_date(a["entry"])
            except ValueError as e:
                return f"annotations[{i}].entry: {e}"
    try:
        _depends(rec)
    except ValueError as e:
        return f"depends: {e}"
    return None


def _depends(rec: dict[str, Any]) -> list[str]:
    raw = rec.get("depends", [])
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(u, str) for u in items):
        raise ValueError("must be a comma-separated string or a list of UUIDs")
    out = [u.strip() for u in items if u.strip()]
    for u in out:
        if not _UUID.match(u):
            raise ValueError(f"not a UUID: {u!r}")
    return out


def _map(rec: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The WorkOS fields of one (valid) record."""
    status_tw: str = rec["status"]
    start = "start" in rec
    due = _local_date(parse_date(rec["due"])) if "due" in rec else None
    status: Status = {"completed": "done", "deleted": "done"}.get(status_tw, "todo")  # type: ignore[assignment]
    if status == "todo" and start:
        status = "started"
    tags: list[str] = list(dict.fromkeys(rec.get("tags", [])))
    priority: Priority = _PRIORITY.get(rec.get("priority", ""), "P2")
    overdue = due is not None and due < today and status_tw != "recurring"
    if status != "done" and ("next" in tags or overdue):
        priority = "P0"
    project = rec.get("project")
    if project and project not in tags:
        tags.append(project)
    title, description = split_title(rec["description"])
    hints = []
    wait = _local_date(parse_date(rec["wait"])) if "wait" in rec else None
    if status_tw == "waiting" or (wait is not None and wait > today):
        hints.append(f"waiting until {wait or '?'}")
    if status_tw == "recurring":
        hints.append(f"recurring template, repeats {rec.get('recur', '?')}")
    if status_tw == "deleted":
        hints.append("deleted")
    if hints:
        note = f"Taskwarrior: {'; '.join(hints)}."
        description = f"{description}\n\n{note}".strip()
    end = parse_date(rec["end"]) if "end" in rec else None
    entry = parse_date(rec["entry"])
    return {
        "title": title,
        "description": description,
        "status": status,
        "priority": priority,
        "due": due,
        "tags": tags,
        "notes": [a["description"] for a in rec.get("annotations", [])],
        "created_at": entry,
        "updated_at": parse_date(rec["modified"]) if "modified" in rec else entry,
        "completed_at": (end or entry) if status == "done" else None,
        "depends_on": [],
        "external_ids": {SYSTEM: rec["uuid"].lower()},
    }


def parse(
    path: Path, text: str, *, include_deleted: bool = False, today: dt.date | None = None
) -> ParseResult:
    today = today or dt.date.today()
    result = ParseResult()
    for where, rec in _records(text, path.name, result):
        problem = _check(rec)
        if problem:
            result.errors.append(f"{where}: {problem}")
            continue
        if rec["status"] == "deleted" and not include_deleted:
            result.skipped.append(f"{where}: deleted ({rec['description'][:60]})")
            continue
        fields = _map(rec, today)
        task = Task.model_validate(fields)
        seen = snapshot(task, MAPPED)
        # Assigned, so it is validated and counts as set (a re-import refreshes it).
        task.extra = {SYSTEM: {"record": rec, "as_imported": seen}}
        project = rec.get("project")
        goals = _goal_candidates(project) if isinstance(project, str) else []
        result.records.append(
            Incoming(
                "tasks",
                task,
                where,
                SYSTEM,
                rec["uuid"].lower(),
                depends=[u.lower() for u in _depends(rec)],
                goal_titles=goals,
            )
        )
    return result


def _goal_candidates(project: str) -> list[str]:
    """`Work.Onboarding` matches a goal called that, or `Onboarding`, or `Work`."""
    parts = [p for p in project.split(".") if p]
    return [project, *reversed(parts)] if len(parts) > 1 else [project]


# --- writing --------------------------------------------------------------------------


def fallback_uuid(task: Task) -> str:
    """A stable uuid for a task that did not come from Taskwarrior, so re-exports agree."""
    return str(uuid.uuid5(_NAMESPACE, f"{task.id}|{task.created_at.isoformat()}"))


def uuid_of(task: Task) -> str:
    return task.external_ids.get(SYSTEM) or fallback_uuid(task)


def export(store: Store) -> str:
    tasks = sorted(store.tasks(), key=lambda t: (t.created_at, _num(t.id)))
    uuids = {t.id: uuid_of(t) for t in tasks}
    goals = {g.id: g.title for g in store.goals()}
    lines = [json.dumps(_record(t, uuids, goals), ensure_ascii=False) for t in tasks]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def _num(task_id: str) -> int:
    return int(task_id[1:]) if task_id[1:].isdigit() else 0


def _record(task: Task, uuids: dict[str, str], goals: dict[str, str]) -> dict[str, Any]:
    kept = task.extra.get(SYSTEM) if isinstance(task.extra.get(SYSTEM), dict) else None
    rec: dict[str, Any]
    if kept and isinstance(kept.get("record"), dict):
        rec = dict(kept["record"])
        seen: dict[str, Any] = kept.get("as_imported") or {}
    else:
        rec = {"uuid": uuids[task.id], "status": "pending", "entry": format_date(task.created_at)}
        if task.goal_id in goals:
            rec["project"] = goals[task.goal_id]
        seen = {}
    now = snapshot(task, MAPPED)
    edited = {name for name in MAPPED if name not in seen or seen[name] != now[name]}
    if "title" in edited:
        rec["description"] = task.title
    if "status" in edited or "completed_at" in edited:
        _set_status(rec, task)
    if "priority" in edited:
        rec["priority"] = _TW_PRIORITY[task.priority]
        tags = rec.get("tags", [])
        if task.priority == "P0" and "next" not in tags:
            rec["tags"] = [*tags, "next"]
    if "due" in edited:
        if task.due is None:
            rec.pop("due", None)
        else:
            rec["due"] = format_date(_local_midnight(task.due))
    if "tags" in edited:
        project = rec.get("project")
        tags = [t for t in task.tags if t != project]
        if "next" in rec.get("tags", []) and task.priority == "P0" and "next" not in tags:
            tags.append("next")
        if tags:
            rec["tags"] = tags
        else:
            rec.pop("tags", None)
    if "notes" in edited or "description" in edited:
        _set_annotations(rec, task, seen)
    if _set_depends(rec, task, uuids) or edited:
        rec["modified"] = format_date(task.updated_at)
    return rec


def _set_status(rec: dict[str, Any], task: Task) -> None:
    if task.status == "done":
        if rec.get("status") not in ("completed", "deleted"):
            rec["status"] = "completed"
        rec["end"] = format_date(task.completed_at or task.updated_at)
        return
    rec["status"] = "pending"
    rec.pop("end", None)
    if task.status == "started":
        rec.setdefault("start", format_date(task.updated_at))
    else:
        rec.pop("start", None)


def _set_annotations(rec: dict[str, Any], task: Task, seen: dict[str, Any]) -> None:
    old = {a.get("description"): a for a in rec.get("annotations", []) if isinstance(a, dict)}
    texts = list(task.notes)
    if task.description and task.description != seen.get("description"):
        texts.insert(0, task.description)
    stamp = format_date(task.updated_at)
    annotations = [old.get(t) or {"entry": stamp, "description": t} for t in texts]
    if annotations:
        rec["annotations"] = annotations
    else:
        rec.pop("annotations", None)


def _set_depends(rec: dict[str, Any], task: Task, uuids: dict[str, str]) -> bool:
    current = [uuids[d] for d in task.depends_on if d in uuids]
    try:
        original = [u.lower() for u in _depends(rec)]
    except ValueError:
        original = []
    known = {u.lower() for u in uuids.values()}
    # Unchanged when the only differences are prerequisites WorkOS never had (not imported).
    if set(current) <= set(original) and all(u in current for u in original if u in known):
        return False
    if current:
        rec["depends"] = current if isinstance(rec.get("depends"), list) else ",".join(current)
    else:
        rec.pop("depends", None)
    return True
