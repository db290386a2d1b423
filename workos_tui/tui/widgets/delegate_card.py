"""One delegate of a run: its label, state badge, timings, tokens and streamed text.

The card renders from a plain `DelegateState` that the run screen updates on every event;
the screen's repaint timer calls `refresh()` only on cards whose state is dirty, so 50
delegates streaming fast cost at most ~20 repaints a second each.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from workos_tui.tui.widgets.look import Look, fmt_elapsed
from workos_tui.tui.widgets.safe import clean, safe_text

MAX_LINES = 500  # kept per delegate; older lines scroll away

BADGES = {
    "queued": "queued",
    "running": "running",
    "retrying": "retrying",
    "succeeded": "done",
    "failed": "failed",
    "cancelled": "cancelled",
}


@dataclass
class DelegateState:
    """What the run screen knows about one delegate; plain data, updated per event."""

    id: str
    label: str
    state: str = "queued"
    attempts: int = 0
    started_at: float | None = None  # seconds on the screen's clock
    elapsed_s: float | None = None  # final, from the runner
    retry_at: float | None = None
    tokens: int = 0
    cost_usd: float = 0.0
    reason: str = ""
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_LINES))
    dirty: bool = True

    def add_text(self, text: str) -> None:
        """Engines stream whole short lines: each delta is a line (or several)."""
        for part in text.split("\n"):
            line = clean(part)
            if line:
                self.lines.append(line)
        self.dirty = True

    def all_lines(self) -> list[str]:
        return list(self.lines)

    @property
    def finished(self) -> bool:
        return self.state in ("succeeded", "failed", "cancelled")


class DelegateCard(Widget, can_focus=True):
    """A bordered card; focus it to scroll its text (pageup/pagedown, mouse wheel)."""

    DEFAULT_CSS = """
    DelegateCard {
        height: 7;
        border: round $border-blurred;
        border-title-color: $foreground;
        border-subtitle-color: $foreground-muted;
        padding: 0 1;
        background: $background;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DelegateCard:focus {
        background: $boost;
        border-title-style: bold underline;
        border-title-color: $primary;
    }
    """

    BINDINGS = [
        Binding("pageup", "scroll_text(1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_text(-1)", "Scroll down", show=False),
    ]

    def __init__(self, state: DelegateState, now: Callable[[], float]) -> None:
        super().__init__(id=f"card-{_safe_id(state.id)}")
        self.state = state
        self._now = now  # a callable returning seconds; the screen's clock
        self.back = 0  # lines scrolled back from the newest
        self._shown_state = ""
        self.border_title = Text.assemble((f"{state.id} ", "dim"), safe_text(state.label))

    def sync(self) -> None:
        """Repaint from the state (called by the screen's timer when dirty)."""
        s = self.state
        if s.state != self._shown_state:
            # An inline border colour, not a CSS class: a class change restyles the
            # screen, which costs milliseconds x 50 delegates.
            self.styles.border = ("round", self._state_color(s.state))
            self._shown_state = s.state
        s.dirty = False
        self.refresh()

    def _state_style(self, state: str) -> Style:
        """The badge's style; the border takes its colour. Queued and cancelled: muted."""
        look = Look.of(self.app)
        return {
            "running": look.accent,
            "retrying": look.warning,
            "succeeded": look.success,
            "failed": look.error,
        }.get(state, look.muted)

    def _state_color(self, state: str) -> str:
        color = self._state_style(state).color
        return str(color.name if color else "grey")

    def _elapsed(self) -> float:
        s = self.state
        if s.elapsed_s is not None:
            return s.elapsed_s
        if s.started_at is None:
            return 0.0
        return max(0.0, self._now() - s.started_at)

    def render(self) -> Text:
        s = self.state
        look = Look.of(self.app)
        badge_style = self._state_style(s.state)
        badge = BADGES[s.state]
        if s.state == "retrying" and s.retry_at is not None:
            badge = f"retrying in {max(0, round(s.retry_at - self._now()))}s"
        status = Text.assemble((f"● {badge}", badge_style))
        if s.state != "queued":
            status.append(f"  {fmt_elapsed(self._elapsed())}", style=look.muted)
        if s.attempts > 1:
            status.append(f"  attempt {s.attempts}", style=look.warning)
        if s.tokens:
            status.append(f"  {s.tokens:,} tok", style=look.muted)
        if self.back:
            status.append(f"  ↑{self.back}", style=look.accent)
        status.no_wrap, status.overflow = True, "ellipsis"
        height = max(1, self.content_region.height - 1)
        lines = s.all_lines()
        if s.state == "failed" and s.reason:
            lines = [*lines, f"✗ {clean(s.reason)}"]
        end = len(lines) - self.back
        shown = lines[max(0, end - height) : max(0, end)]
        body = [
            Text(
                line,
                style=look.error if line.startswith("✗ ") else "",
                no_wrap=True,
                overflow="ellipsis",
            )
            for line in shown
        ]
        return Text("\n").join([status, *body])

    def action_scroll_text(self, direction: int) -> None:
        total = len(self.state.all_lines())
        page = max(1, self.content_region.height - 1)
        self.back = max(0, min(max(0, total - page), self.back + direction * page))
        self.refresh()

    def on_mouse_scroll_up(self) -> None:
        self.back = min(max(0, len(self.state.all_lines()) - 1), self.back + 1)
        self.refresh()

    def on_mouse_scroll_down(self) -> None:
        self.back = max(0, self.back - 1)
        self.refresh()


def _safe_id(delegate_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in delegate_id)
