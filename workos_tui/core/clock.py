"""The workspace's clock, kept apart from the models so that quick capture needs no pydantic."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """The current time, timezone-aware and to the second (ids and journals read better)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def json_time(when: dt.datetime) -> str:
    """`when` as the models' JSON writes it: ISO 8601 with "Z" for UTC."""
    text = when.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
