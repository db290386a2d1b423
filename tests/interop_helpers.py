"""Shared bits of the interop tests: the sample files and a fixed 'today'."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "interop"
TODAY = dt.date(2026, 12, 3)


def tw_records(path: Path) -> list[dict[str, Any]]:
    """Parse a Taskwarrior export (array or JSON lines) into its objects."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines() if line.strip()]
