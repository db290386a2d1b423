"""How a runner event about one delegate changes its `DelegateState`: plain data, no widgets.

The run screen applies each event here as it arrives; its repaint timer draws the result.
"""

from __future__ import annotations

from workos_tui.core.events import (
    DelegateCancelled,
    DelegateDelta,
    DelegateFailed,
    DelegateQueued,
    DelegateRetrying,
    DelegateStarted,
    DelegateSucceeded,
    RunEvent,
)
from workos_tui.core.run_models import Usage
from workos_tui.tui.widgets.delegate_card import DelegateState


def apply_event(state: DelegateState, event: RunEvent, now: float) -> None:
    """Record an event about `state`'s delegate and mark it dirty.

    `now` is seconds on the screen's clock. Run-wide events (`ConcurrencyChanged`,
    `RunFinished`) are the screen's to handle and never come here.
    """
    if isinstance(event, DelegateDelta):
        state.add_text(event.text)
        return
    if isinstance(event, DelegateQueued):
        if state.state != "queued":  # a retry of a finished delegate
            state.add_text("— retry —")
        state.state, state.elapsed_s, state.reason, state.started_at = "queued", None, "", None
    elif isinstance(event, DelegateStarted):
        state.state, state.attempts, state.retry_at = "running", event.attempt, None
        if state.started_at is None:
            state.started_at = now
    elif isinstance(event, DelegateRetrying):
        state.state, state.retry_at = "retrying", now + event.wait_s
        state.add_text(f"↻ attempt {event.attempt} failed: {event.reason}")
    elif isinstance(event, DelegateSucceeded):
        state.state, state.attempts, state.elapsed_s = (
            "succeeded",
            event.attempts,
            event.elapsed_s,
        )
        _add_usage(state, event.usage)
    elif isinstance(event, DelegateFailed):
        state.state, state.attempts, state.elapsed_s = "failed", event.attempts, event.elapsed_s
        state.reason = event.reason
        _add_usage(state, event.usage)
    elif isinstance(event, DelegateCancelled):
        state.state, state.attempts, state.elapsed_s = (
            "cancelled",
            event.attempts,
            event.elapsed_s,
        )
    state.dirty = True


def _add_usage(state: DelegateState, usage: Usage) -> None:
    state.tokens += usage.total_tokens
    state.cost_usd += usage.cost_usd
