"""Turn parsed records into one undoable change: match, merge, preview, write.

Matching is on the source id kept in `external_ids` (Taskwarrior uuid, todo.txt line
hash, file path), so importing the same file twice updates instead of duplicating.
Goals match on their title and backlog items on their text (neither keeps a source id).
Planning never writes: a dry run is the plan without the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workos_tui.core.interop.common import (
    Entity,
    ImportFailed,
    ImportReport,
    Incoming,
    ParseResult,
)
from workos_tui.core.models import BacklogItem, Goal, Note, Task
from workos_tui.core.store import Store

FallbackKey = Callable[[Task], str | None]

_NEW = "new:"  # placeholder ids of records created by this import, replaced on write

_NOUN = {
    "tasks": "task",
    "backlog": "backlog item",
    "goals": "goal",
    "notes": "note",
    "plans": "plan",
}


@dataclass
class _Planned:
    rec: Incoming
    ref: str  # the existing id, or a placeholder for a new record
    existing: Entity | None
    model: Entity


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Index:
    """Existing (and already planned) records, found by the keys an import matches on."""

    def __init__(self, store: Store, fallback: FallbackKey | None, system: str) -> None:
        self.by_source: dict[tuple[str, str, str], str] = {}
        self.by_id: dict[tuple[str, str], Entity] = {}
        self.goal_by_title: dict[str, str] = {}
        self.backlog_by_text: dict[str, str] = {}
        for t in store.tasks():
            self._add("tasks", t)
            if fallback is not None and system not in t.external_ids:
                key = fallback(t)
                if key:
                    self.by_source.setdefault(("tasks", system, key), t.id)
        for n in store.notes():
            self._add("notes", n)
        for g in store.goals():
            self._add("goals", g)
        for b in store.backlog():
            self._add("backlog", b)
        for p in store.plans():
            self._add("plans", p)

    def _add(self, table: str, model: Entity, ref: str | None = None) -> None:
        ref = ref or model.id
        self.by_id[(table, ref)] = model
        if isinstance(model, Task | Note):
            for system, key in model.external_ids.items():
                self.by_source[(table, system, key)] = ref
        if isinstance(model, Goal):
            self.goal_by_title.setdefault(_fold(model.title), ref)
        if isinstance(model, BacklogItem):
            self.backlog_by_text.setdefault(_fold(model.text), ref)

    def find(self, rec: Incoming) -> str | None:
        if rec.keep_id:
            return rec.model.id if (rec.table, rec.model.id) in self.by_id else None
        if rec.key is not None:
            found = self.by_source.get((rec.table, rec.system, rec.key))
            if found:
                return found
        if isinstance(rec.model, Goal):
            return self.goal_by_title.get(_fold(rec.model.title))
        if isinstance(rec.model, BacklogItem):
            return self.backlog_by_text.get(_fold(rec.model.text))
        return None


def _merge(existing: Entity, new: Entity) -> Entity:
    """The existing record with the fields the source sets; our own fields are kept."""
    fields = set(new.model_fields_set) - {"id"}
    data = existing.model_dump()
    for name in fields:
        data[name] = getattr(new, name)
    if isinstance(existing, Task | Note) and isinstance(new, Task | Note):
        data["external_ids"] = {**existing.external_ids, **new.external_ids}
    if isinstance(existing, Task) and isinstance(new, Task):
        data["extra"] = {**existing.extra, **new.extra}
    return type(existing).model_validate(data)


def plan_import(
    store: Store,
    result: ParseResult,
    *,
    fmt: str,
    source: str,
    target: str,
    dry_run: bool,
    skip_invalid: bool,
    system: str = "",
    fallback: FallbackKey | None = None,
) -> tuple[ImportReport, list[_Planned]]:
    if result.errors and not skip_invalid:
        raise ImportFailed(result.errors)
    report = ImportReport(
        format=fmt, source=source, target=target, dry_run=dry_run, errors=list(result.errors)
    )
    index = _Index(store, fallback, system)
    planned: list[_Planned] = []
    by_ref: dict[tuple[str, str], _Planned] = {}
    for n, rec in enumerate(result.records, 1):
        ref = index.find(rec)
        if ref is not None and (rec.table, ref) in by_ref:
            # The same record twice in one import: the later one wins.
            earlier = by_ref[(rec.table, ref)]
            earlier.model = _merge(earlier.model, rec.model)
            earlier.rec = rec
            continue
        existing = index.by_id.get((rec.table, ref)) if ref else None
        if existing is not None and ref is not None:
            model = _merge(existing, rec.model)
        else:
            ref = rec.model.id if rec.keep_id else f"{_NEW}{n}"
            model = rec.model
        p = _Planned(rec, ref, existing, model)
        planned.append(p)
        by_ref[(rec.table, ref)] = p
        index._add(rec.table, model, ref)

    for p in planned:
        p.model = _resolve(p, index)
        noun = _NOUN[p.rec.table]
        label = _label_of(p.model)
        if p.existing is None:
            report.created += 1
            report.preview.append(f"create {noun}: {label}")
        elif p.model == p.existing:
            report.unchanged += 1
            report.preview.append(f"unchanged {p.ref}: {label}")
        else:
            report.updated += 1
            report.preview.append(f"update {p.ref}: {label}")
    report.skipped = len(result.skipped)
    report.preview.extend(f"skip {why}" for why in result.skipped)
    report.preview.extend(f"invalid {e}" for e in result.errors)
    return report, [p for p in planned if p.existing is None or p.model != p.existing]


def _resolve(p: _Planned, index: _Index) -> Entity:
    """Links by source id and goal title, now that every record has an id or placeholder."""
    model, rec = p.model, p.rec
    if not isinstance(model, Task) or rec.keep_id:
        return model
    update: dict[str, Any] = {}
    if rec.depends or "depends_on" in rec.model.model_fields_set:
        deps = []
        for key in rec.depends:
            ref = index.by_source.get(("tasks", rec.system, key))
            if ref and ref != p.ref and ref not in deps:
                deps.append(ref)
        update["depends_on"] = deps
    for title in rec.goal_titles:
        goal = index.goal_by_title.get(_fold(title))
        if goal:
            update["goal_id"] = goal
            break
    return model.model_copy(update=update) if update else model


def write_import(store: Store, report: ImportReport, planned: list[_Planned]) -> None:
    """One transaction, one undoable change."""
    if not planned:
        return
    count = report.created + report.updated
    nouns = {p.rec.table for p in planned}
    noun = "tasks" if nouns == {"tasks"} else "records"
    label = f"import {report.format} ({count} {noun})"
    with store.transaction(label):
        real: dict[str, str] = {}
        for p in planned:
            if p.ref.startswith(_NEW):
                saved = store.put(p.model.model_copy(update={"id": ""}))
                real[p.ref] = saved.id
                p.model = saved
        for p in planned:
            model = p.model
            if isinstance(model, Task):
                deps = [real.get(d, d) for d in model.depends_on]
                goal = real.get(model.goal_id, model.goal_id) if model.goal_id else None
                model = model.model_copy(update={"depends_on": deps, "goal_id": goal})
            store.put(model)


def _label_of(model: Entity) -> str:
    if isinstance(model, BacklogItem):
        return model.text
    if isinstance(model, Task | Goal | Note):
        return model.title
    return f"plan for {model.date}"
