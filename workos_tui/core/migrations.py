"""Schema migrations: each step turns one version's raw document into the next.

The store keeps a copy of the original file (`<file>.v<N>.bak`) before migrating.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

Doc = dict[str, Any]

_V1_STATUS = {"n": "todo", "s": "started", "b": "blocked", "d": "done"}


def _estimate_minutes(text: object) -> int | None:
    """Version 1 kept the work-os estimate text ("30m", "2h", "1.5 hours")."""
    if isinstance(text, int):
        return text if text > 0 else None
    m = re.fullmatch(
        r"\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minutes|h|hr|hrs|hours?)?\s*", str(text or "")
    )
    if not m:
        return None
    value = float(m.group(1))
    minutes = value * 60 if (m.group(2) or "m").startswith("h") else value
    return int(minutes) or None


def _v1_to_v2(doc: Doc) -> Doc:
    """Version 1 (the first layout) stored work-os status letters and estimate text,
    and had no undo journal."""
    for task in doc.get("tasks", {}).values():
        task["status"] = _V1_STATUS.get(task.get("status", "n"), task.get("status", "todo"))
        if "estimated_time" in task:
            task["estimate_minutes"] = _estimate_minutes(task.pop("estimated_time"))
    doc.setdefault("plans", {})
    doc.setdefault("journal", {})
    doc.setdefault("redo", {})
    doc["meta"]["meta"]["schema_version"] = 2
    return doc


MIGRATIONS: dict[int, Callable[[Doc], Doc]] = {1: _v1_to_v2}


def migrate(doc: Doc, from_version: int, to_version: int) -> Doc:
    doc = copy.deepcopy(doc)
    for version in range(from_version, to_version):
        doc = MIGRATIONS[version](doc)
    return doc
