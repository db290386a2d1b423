"""Model validation: bad values are rejected with a message naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from workos_tui.core.models import (
    BacklogItem,
    Goal,
    Task,
    format_validation_error,
    parse_priority,
    parse_status,
)


def test_task_defaults() -> None:
    t = Task(title="Write")
    assert (t.status, t.priority, t.category) == ("todo", "P2", "other")
    assert t.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("priority", "P9"),
        ("status", "finished"),
        ("category", "fun"),
        ("estimate_minutes", 0),
        ("estimate_minutes", -5),
        ("due", "next tuesday"),
        ("title", "   "),
    ],
)
def test_task_rejects_bad_values_naming_the_field(field: str, value: object) -> None:
    data = {"title": "ok", field: value}
    with pytest.raises(ValidationError) as exc:
        Task.model_validate(data)
    assert format_validation_error(exc.value).startswith(field)


def test_unknown_fields_are_errors_not_silently_dropped() -> None:
    with pytest.raises(ValidationError) as exc:
        Task.model_validate({"title": "x", "priorty": "P1"})
    assert "priorty" in format_validation_error(exc.value)


def test_original_status_letters_are_accepted() -> None:
    assert Task(title="x", status="s").status == "started"  # type: ignore[arg-type]
    assert parse_status("D") == "done"
    assert parse_priority("1") == "P1"
    with pytest.raises(ValueError, match="status must be one of"):
        parse_status("nope")


def test_overdue_only_for_open_tasks() -> None:
    today = dt.date(2026, 12, 3)
    late = Task(title="x", due=dt.date(2026, 12, 1))
    assert late.is_overdue(today)
    assert not late.model_copy(update={"status": "done"}).is_overdue(today)


def test_backlog_and_goal_validation() -> None:
    with pytest.raises(ValidationError):
        BacklogItem(text="")
    with pytest.raises(ValidationError) as exc:
        Goal.model_validate({"title": "g", "status": "won"})
    assert "status" in format_validation_error(exc.value)
