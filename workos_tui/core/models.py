"""The workspace's data model: the contract shared by the store, the CLI's JSON and MCP.

Every model is strict about its enumerations and forgiving about nothing else that
would corrupt a workspace: a bad value is rejected with a message naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workos_tui.core.clock import utcnow as utcnow  # where the models' users import it
from workos_tui.core.ids import PREFIXES

Status = Literal["todo", "started", "blocked", "done"]
Priority = Literal["P0", "P1", "P2", "P3"]
Category = Literal["technical", "outreach", "research", "writing", "admin", "personal", "other"]
GoalStatus = Literal["active", "achieved", "dropped"]

STATUSES: tuple[Status, ...] = get_args(Status)
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
CATEGORIES: tuple[Category, ...] = get_args(Category)
GOAL_STATUSES: tuple[GoalStatus, ...] = get_args(GoalStatus)

PRIORITY_MEANING: dict[Priority, str] = {
    "P0": "critical, this week",
    "P1": "important, this month",
    "P2": "normal",
    "P3": "nice to have",
}

# The work-os status letters, still accepted wherever a status is typed.
STATUS_CODES: dict[str, Status] = {"n": "todo", "s": "started", "b": "blocked", "d": "done"}


def parse_status(value: str) -> Status:
    """A status word or one of the original one-letter codes, case-insensitive."""
    v = value.strip().lower()
    v = STATUS_CODES.get(v, v)
    if v not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)} (or n/s/b/d), not {value!r}")
    return v  # type: ignore[return-value,unused-ignore]


def parse_priority(value: str) -> Priority:
    v = value.strip().upper()
    if v in {"0", "1", "2", "3"}:
        v = "P" + v
    if v not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, not {value!r}")
    return v  # type: ignore[return-value,unused-ignore]


class _Model(BaseModel):
    # Unknown keys are errors: a typo in a field name must never be silently dropped.
    # defer_build: schemas are built on first use, which keeps `workos add` start-up quick.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


INT_RANGE = (-(2**63), 2**64 - 1)  # what orjson writes and reads back as an int


def _json_sized(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not INT_RANGE[0] <= value <= INT_RANGE[1]:
        return str(value)
    if isinstance(value, dict):
        return {k: _json_sized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_sized(v) for v in value]
    return value


class BacklogItem(_Model):
    id: str = ""
    text: str = Field(min_length=1, max_length=10_000)
    subitems: list[str] = Field(default_factory=list)
    created_at: dt.datetime = Field(default_factory=utcnow)
    questions: list[str] = Field(default_factory=list)

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v


class Task(_Model):
    id: str = ""
    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    status: Status = "todo"
    priority: Priority = "P2"
    category: Category = "other"
    estimate_minutes: int | None = Field(default=None, gt=0, le=100_000)
    due: dt.date | None = None
    goal_id: str | None = None
    depends_on: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    completed_at: dt.datetime | None = None
    source_backlog_ids: list[str] = Field(default_factory=list)
    # Where an imported task came from ("taskwarrior" -> uuid, "todotxt" -> line hash, ...),
    # so re-importing the same file updates instead of duplicating.
    external_ids: dict[str, str] = Field(default_factory=dict)
    # Fields of other systems we do not model (Taskwarrior UDAs, todo.txt extensions),
    # kept verbatim so that an export gives them back.
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("extra")
    @classmethod
    def _extra_fits_json(cls, v: dict[str, Any]) -> dict[str, Any]:
        """Integers beyond 64 bits (a Taskwarrior UDA can hold any) are kept as their
        digits: the workspace's JSON writer cannot store them and its reader would round
        them to floats."""
        return _json_sized(v)  # type: ignore[no-any-return]

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v

    @field_validator("status", mode="before")
    @classmethod
    def _status_codes(cls, v: object) -> object:
        return STATUS_CODES.get(v, v) if isinstance(v, str) else v

    @property
    def is_open(self) -> bool:
        return self.status != "done"

    def is_overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.status != "done" and self.due < today


class Goal(_Model):
    id: str = ""
    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    status: GoalStatus = "active"
    target_date: dt.date | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class Note(_Model):
    id: str = ""
    title: str = Field(min_length=1, max_length=500)
    body: str = ""
    tags: list[str] = Field(default_factory=list)
    created_at: dt.datetime = Field(default_factory=utcnow)
    external_ids: dict[str, str] = Field(default_factory=dict)


class DayPlanEntry(_Model):
    task_id: str
    minutes: int = Field(ge=0)
    reason: str = ""
    focus: bool = False


class DayPlan(_Model):
    """The applied daily plan, shown as "Today"."""

    id: str = ""
    date: dt.date
    hours_available: float = Field(gt=0, le=24)
    entries: list[DayPlanEntry] = Field(default_factory=list)
    created_at: dt.datetime = Field(default_factory=utcnow)


class BatchRun(_Model):
    """A run submitted through the Message Batches API, collected later."""

    id: str = ""
    batch_id: str
    state: Literal["submitted", "collected"] = "submitted"
    operation: str
    model: str
    submitted_at: dt.datetime = Field(default_factory=utcnow)
    # custom_id sent to the API -> delegate id; delegate id -> its output model's name
    custom_ids: dict[str, str] = Field(default_factory=dict)
    outputs: dict[str, str] = Field(default_factory=dict)
    plan: dict[str, Any] = Field(default_factory=dict)


DEFAULT_LIMITS: dict[Priority, int] = {"P0": 3, "P1": 7}


class Settings(_Model):
    """Workspace settings: they travel with the data file, unlike the per-user config."""

    name: str = "My workspace"
    priority_limits: dict[Priority, int] = Field(default_factory=lambda: dict(DEFAULT_LIMITS))
    hours_available: float = Field(default=6.0, gt=0, le=24)
    stale_after_days: int = Field(default=7, gt=0)


Entity = BacklogItem | Task | Goal | Note | DayPlan | BatchRun

# Table name -> model, and the id prefix each kind gets ("T12").
_CLASSES: dict[str, type[_Model]] = {
    "backlog": BacklogItem,
    "tasks": Task,
    "goals": Goal,
    "notes": Note,
    "plans": DayPlan,
    "runs": BatchRun,
}
KINDS: dict[str, tuple[type[_Model], str]] = {n: (c, PREFIXES[n]) for n, c in _CLASSES.items()}


def _loc_part(part: object) -> str:
    """A key from a hand-edited file may hold newlines or escapes: quote it then."""
    text = str(part)
    return text if text.isprintable() and " " not in text else repr(text)


def format_validation_error(err: ValidationError, where: str = "") -> str:
    """One line naming the field(s) at fault, for `workos: error:` messages."""
    parts = []
    for e in err.errors(include_url=False)[:3]:
        loc = ".".join(_loc_part(p) for p in e["loc"]) or "value"
        parts.append(f"{where}{'.' if where and loc else ''}{loc}: {e['msg']}")
    more = err.error_count() - 3
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
