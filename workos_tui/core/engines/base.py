"""The engine interface: how the runner asks one delegate for its output.

An engine turns a `DelegateSpec` into a stream of `Delta`s (text a person can read as it
forms) ending in exactly one `FinalOutput` (the raw output, validated by the runner). An
engine behind a rate-limited API also says when the server took a request (`Accepted`).
Engines signal trouble with the exceptions below; the runner owns retries and timing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from workos_tui.core.run_models import DelegateSpec, RunPlan, Usage


@dataclass(frozen=True, slots=True)
class Delta:
    """A piece of streamed text; engines send whole short lines where they can."""

    text: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """The server took the request: its response has started. `headroom` is how many more
    requests the server says it would take now (its requests-remaining), None when it
    does not say. The runner's slow start widens on this, one response-start after
    sending, instead of waiting for whole answers."""

    headroom: int | None = None


@dataclass(frozen=True, slots=True)
class FinalOutput:
    output: dict[str, Any]
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True, slots=True)
class Repair:
    """Sent on the repair attempt: what came back last time and why it was rejected."""

    previous_output: dict[str, Any] | None
    error: str


@dataclass(frozen=True, slots=True)
class Attempt:
    number: int  # 1-based, counting retries and the repair
    repair: Repair | None = None


class EngineError(Exception):
    """Base class; `reason` is a sentence a person can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientError(EngineError):
    """Worth retrying after a wait (rate limits, overload, dropped streams)."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        rate_limited: bool = False,
        usage: Usage | None = None,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.rate_limited = rate_limited
        self.usage = usage


class DelegateFailedError(EngineError):
    """This delegate cannot succeed (e.g. spend limit reached): fail it, don't retry."""


class RunAbortedError(EngineError):
    """No delegate can succeed (bad key, unreachable server): stop the whole run early."""


@runtime_checkable
class Engine(Protocol):
    name: str  # "offline", "anthropic", "scripted"

    @property
    def label(self) -> str:
        """What the header shows: "offline" or the model's name."""
        ...

    def stream(
        self, spec: DelegateSpec, plan: RunPlan, attempt: Attempt
    ) -> AsyncIterator[Delta | Accepted | FinalOutput]:
        """Run one attempt of one delegate. Must end with exactly one FinalOutput."""
        ...

    async def aclose(self) -> None:
        """Release connections; called once when the run ends."""
        ...
