"""Loose values in the original's delegate outputs, read into ours: priority and category
words, durations in minutes, and the entry itself (bare or wrapped, object or JSON text).
"""

from __future__ import annotations

import json
import re
from typing import Any

from workos_tui.core.models import CATEGORIES

PRIORITY_WORDS = {
    "critical": "P0",
    "urgent": "P0",
    "highest": "P0",
    "high": "P1",
    "important": "P1",
    "medium": "P2",
    "normal": "P2",
    "moderate": "P2",
    "low": "P3",
    "lowest": "P3",
    "someday": "P3",
}
CATEGORY_WORDS = {
    "tech": "technical",
    "engineering": "technical",
    "development": "technical",
    "dev": "technical",
    "code": "technical",
    "communication": "outreach",
    "email": "outreach",
    "sales": "outreach",
    "marketing": "outreach",
    "content": "writing",
    "docs": "writing",
    "documentation": "writing",
    "analysis": "research",
    "learning": "research",
    "administrative": "admin",
    "operations": "admin",
    "finance": "admin",
    "health": "personal",
    "home": "personal",
}
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|d|days?)\b")


class LooseEntryError(ValueError):
    """One entry could not be understood; the message says why."""


def unwrap(entry: Any) -> tuple[str | None, dict[str, Any]]:
    """(identifier, result) of a bare or `{"identifier", "result"}`-wrapped entry."""
    if isinstance(entry, str):
        try:
            entry = json.loads(entry)
        except json.JSONDecodeError:
            raise LooseEntryError("not a JSON object") from None
    if not isinstance(entry, dict):
        raise LooseEntryError(f"expected an object, got {type(entry).__name__}")
    identifier = entry.get("identifier")
    if "result" in entry:
        result = entry["result"]
        if isinstance(result, str):
            try:
                result = json.loads(result)
            except json.JSONDecodeError:
                raise LooseEntryError("result is not a JSON object") from None
        if not isinstance(result, dict):
            raise LooseEntryError("result must be an object")
        return (str(identifier) if identifier is not None else None), result
    return (str(identifier) if identifier is not None else None), entry


def parse_minutes(value: Any) -> int | None:
    """30, "30", "30 min", "2 hours", "1h 30m", "half a day" -> minutes (None if unknown)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if 0 < value <= 100_000 else None
    text = str(value).strip().lower()
    if text.isdigit():
        n = int(text)
        return n if 0 < n <= 100_000 else None
    if "half a day" in text or "half day" in text:
        return 240
    total = 0.0
    for number, unit in _DURATION.findall(text):
        amount = float(number.replace(",", "."))
        total += amount * (60 if unit.startswith("h") else 480 if unit.startswith("d") else 1)
    minutes = round(total)
    return minutes if 0 < minutes <= 100_000 else None


def parse_priority_loose(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text.upper() in {"P0", "P1", "P2", "P3"}:
        return text.upper()
    if text in {"0", "1", "2", "3"}:
        return "P" + text
    for word, priority in PRIORITY_WORDS.items():
        if word in text:
            return priority
    return "P2"


def parse_category_loose(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text in CATEGORIES:
        return text
    return CATEGORY_WORDS.get(text, "other")


def as_list(value: Any) -> list[str]:
    if value is None or value is False or value is True:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)]
