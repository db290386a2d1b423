"""What every format shares: the import report, the parsed-record type and helpers.

A format module only *parses* (file -> `Incoming` records + error lines) and *exports*
(store -> text); matching, dry runs and the single transaction live in `apply.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from workos_tui.core.models import (
    BacklogItem,
    DayPlan,
    Goal,
    Note,
    Priority,
    Task,
    format_validation_error,
)
from workos_tui.core.store import WorkspaceError
from workos_tui.core.wording import plural

# Markdown lines every Markdown reader here shares: a list item (bullet or number) with its
# indent, and an ATX heading with its level.
MD_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

Table = Literal["tasks", "backlog", "goals", "notes", "plans"]
Entity = Task | BacklogItem | Goal | Note | DayPlan


class InteropError(WorkspaceError):
    """An import or export that cannot go ahead; the message is one line."""


class ImportFailed(InteropError):
    """Some records are invalid and `skip_invalid` was not given: nothing was imported."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        more = len(errors) - 1
        tail = f" (and {plural(more, 'more problem')})" if more > 0 else ""
        super().__init__(
            f"{errors[0]}{tail}; nothing imported (--skip-invalid imports the valid records)"
        )


class ImportReport(BaseModel):
    """What an import did (or, for a dry run, would do)."""

    format: str
    source: str
    target: str = "tasks"
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = Field(default_factory=list)
    # One line per record: "create task: Buy milk", "update T4: ...", "skip ...".
    preview: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        parts = [f"{self.created} created", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.errors:
            parts.append(f"{len(self.errors)} invalid")
        return f"{verb} {self.format} from {self.source}: {', '.join(parts)}"


@dataclass
class Incoming:
    """One parsed record, not yet matched against the workspace."""

    table: Table
    model: Entity
    where: str  # "todo.txt line 4", for previews and errors
    system: str = ""  # key in `external_ids` ("taskwarrior", "todotxt", ...)
    key: str | None = None  # the source id in that system
    depends: list[str] = field(default_factory=list)  # source ids of prerequisite tasks
    goal_titles: list[str] = field(default_factory=list)  # first match links the goal
    keep_id: bool = False  # JSON backups carry our own ids
    depth: int = 0  # nesting in the source (Markdown sub-items)


@dataclass
class ParseResult:
    records: list[Incoming] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "<where>: why", shown in previews


# --- helpers ------------------------------------------------------------------------


def stable_hash(text: str, length: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


class Occurrences:
    """Suffixes repeated keys ("abc", "abc-2") so identical lines stay distinct records."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, key: str) -> str:
        n = self._seen.get(key, 0) + 1
        self._seen[key] = n
        return key if n == 1 else f"{key}-{n}"


def build(cls: type[Any], data: dict[str, Any], where: str, result: ParseResult) -> Any | None:
    """Validate a model, turning a pydantic error into one error line."""
    try:
        return cls.model_validate(data)
    except ValidationError as e:
        result.errors.append(f"{where}: {format_validation_error(e)}")
        return None


def split_title(text: str) -> tuple[str, str]:
    """A title fits the model (one line, 500 chars); the full text goes to the description."""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    if len(first) <= 500 and first == text.strip():
        return first, ""
    return first[:497].rstrip() + "…" if len(first) > 500 else first, text.strip()


def as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


PRIORITY_LETTER: dict[Priority, str] = {"P0": "A", "P1": "B", "P2": "C", "P3": "D"}


def letter_priority(letter: str) -> Priority:
    """todo.txt: A -> P0, B -> P1, C -> P2, anything lower -> P3."""
    return {"A": "P0", "B": "P1", "C": "P2"}.get(letter.upper(), "P3")  # type: ignore[return-value]


def snapshot(task: Task, fields: tuple[str, ...]) -> dict[str, Any]:
    """The JSON form of some task fields, to tell later whether they were edited."""
    return task.model_dump(mode="json", include=set(fields))
