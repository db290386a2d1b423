"""What every piece of the offline engine's reasoning shares: the `Step` it yields, the
day it reasons about, and how its streamed lines quote text and speak of due dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workos_tui.core.engines.base import Delta
from workos_tui.core.wording import plural

Step = Delta | dict[str, Any]  # a line to stream, or (last) the output


def quote(text: str, width: int = 48) -> str:
    """`text` on one line in quotation marks, cut to `width` with an ellipsis."""
    line = " ".join(str(text).split())
    return "“" + (line if len(line) <= width else line[: width - 1] + "…") + "”"


def plan_date(context: dict[str, Any]) -> dt.date:
    """The day the plan reasons about: its context's date, else today."""
    raw = context.get("today") or context.get("time_context", {}).get("date")
    return dt.date.fromisoformat(raw) if raw else dt.date.today()


def due_phrase(due: str | None, today: dt.date) -> str:
    """When `due` falls, said from `today` (due tomorrow, overdue by 2 days...); "" if none."""
    if not due:
        return ""
    days = (dt.date.fromisoformat(due) - today).days
    if days < 0:
        return f"overdue by {plural(-days, 'day')}"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {days} days"
