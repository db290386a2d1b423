"""Theme-aware styles and the small formatters every pane shares (estimates, dates).

Colours come from the current Textual theme, so priorities read on light and dark themes.
"""

from __future__ import annotations

import datetime as dt

from rich.style import Style
from textual.app import App
from textual.color import Color

_CACHE: dict[tuple[int, str], Look] = {}


class Look:
    """Rich styles built from the app's theme variables (`Look.of(app)` caches per theme)."""

    @classmethod
    def of(cls, app: App[object]) -> Look:
        key = (id(app), str(app.theme))
        look = _CACHE.get(key)
        if look is None:
            look = _CACHE[key] = cls(app)
        return look

    def __init__(self, app: App[object]) -> None:
        v = app.theme_variables

        background = Color.parse(v.get("background") or "#000000")

        def c(name: str, fallback: str) -> str:
            # Theme colours may carry alpha ("#E0E0E099"): blend them onto the background.
            try:
                return (background + Color.parse(v.get(name) or fallback)).hex6
            except Exception:
                return fallback

        self.error = Style(color=c("error", "red"), bold=True)
        self.warning = Style(color=c("warning", "yellow"))
        self.success = Style(color=c("success", "green"))
        self.primary = Style(color=c("primary", "blue"))
        self.accent = Style(color=c("accent", "cyan"), bold=True)
        self.muted = Style(color=c("foreground-muted", "bright_black"))
        self.dim = Style(dim=True)
        self.bold = Style(bold=True)
        self.priority = {
            "P0": self.error,
            "P1": self.warning,
            "P2": self.primary,
            "P3": self.muted,
        }
        self.status = {
            "todo": Style(),
            "started": self.accent,
            "blocked": self.error,
            "done": self.success,
        }


def fmt_minutes(minutes: int | None) -> str:
    if not minutes:
        return "—"
    if minutes < 60:
        return f"{minutes}m"
    h, m = divmod(minutes, 60)
    return f"{h}h" if not m else f"{h}h{m:02d}"


def fmt_due(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return "—"
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tmrw"
    if days < -1 or days > 6:
        return due.strftime("%b %d")
    return due.strftime("%a")


def fmt_elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s}s" if s < 60 else f"{s // 60}m{s % 60:02d}s"


def bar(fraction: float, width: int) -> tuple[str, str]:
    """A text progress bar as (filled, empty) parts."""
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    return "█" * filled, "░" * (width - filled)
