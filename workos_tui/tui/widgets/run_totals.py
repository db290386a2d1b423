"""The run screen's totals line: delegates by state, elapsed time, tokens and cost."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.text import Text
from textual.widgets import Static

from workos_tui.tui.widgets.delegate_card import DelegateState
from workos_tui.tui.widgets.look import Look, fmt_elapsed
from workos_tui.tui.widgets.safe import safe_text

OPERATION_TITLES = {
    "backlog_processing": "Process backlog",
    "task_analysis": "Analyze tasks",
    "daily_planning": "Plan my day",
}


class RunTotals(Static):
    """done/failed/running/queued, elapsed, tokens and cost."""

    def show(
        self,
        operation: str,
        states: Collection[DelegateState],
        elapsed: float,
        *,
        window: int | None,
        finished: bool,
        aborted: str | None,
    ) -> None:
        look = Look.of(self.app)
        counts = {
            k: 0 for k in ("succeeded", "failed", "running", "retrying", "queued", "cancelled")
        }
        tokens, cost = 0, 0.0
        for s in states:
            counts[s.state] += 1
            tokens += s.tokens
            cost += s.cost_usd
        title = OPERATION_TITLES.get(operation, operation)
        parts: list[Any] = [
            (f"{title} ", look.accent),
            (f"· {len(states)} delegates  ", look.muted),
            (f"✓ {counts['succeeded']} done  ", look.success),
            (f"✗ {counts['failed']} failed  ", look.error if counts["failed"] else look.muted),
            (f"▶ {counts['running'] + counts['retrying']} running  ", look.accent),
            (f"… {counts['queued']} queued  ", look.muted),
        ]
        if counts["cancelled"]:
            parts.append((f"⊘ {counts['cancelled']} cancelled  ", look.muted))
        parts.append((f"{fmt_elapsed(elapsed)} elapsed  ", ""))
        parts.append((f"{tokens:,} tokens  ${cost:.3f}", look.muted))
        if window is not None:
            parts.append((f"  window {window}", look.warning))
        text = Text.assemble(*parts)
        if finished:
            text.append("  · finished", style=look.success)
        if aborted:
            text.append_text(Text.assemble("  · ", safe_text(aborted, look.error)))
        text.no_wrap, text.overflow = True, "ellipsis"
        self.update(text, layout=False)  # one line, fixed size: no relayout of 50 cards
