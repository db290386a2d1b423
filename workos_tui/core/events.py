"""The runner's event stream: the one thing every front end renders a run from.

Events are small frozen dataclasses (not pydantic: a run of 1,000 delegates emits tens
of thousands of them, and each must cost microseconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from workos_tui.core.run_models import DelegateResult, Usage


@dataclass(frozen=True, slots=True)
class DelegateQueued:
    delegate_id: str
    label: str


@dataclass(frozen=True, slots=True)
class DelegateStarted:
    delegate_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class DelegateDelta:
    delegate_id: str
    text: str


@dataclass(frozen=True, slots=True)
class DelegateRetrying:
    delegate_id: str
    attempt: int  # the attempt that failed
    reason: str
    wait_s: float


@dataclass(frozen=True, slots=True)
class DelegateSucceeded:
    delegate_id: str
    output: BaseModel
    usage: Usage
    attempts: int
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class DelegateFailed:
    delegate_id: str
    reason: str
    attempts: int
    elapsed_s: float
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True, slots=True)
class DelegateCancelled:
    delegate_id: str
    attempts: int
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class ConcurrencyChanged:
    """Adaptive concurrency moved the window (rate limits down, successes up)."""

    limit: int
    reason: str


@dataclass(frozen=True, slots=True)
class RunFinished:
    results: list[DelegateResult]
    elapsed_s: float
    usage: Usage
    aborted: str | None = None  # why the run stopped early (bad key, unreachable server)
    cancelled: bool = False


RunEvent = (
    DelegateQueued
    | DelegateStarted
    | DelegateDelta
    | DelegateRetrying
    | DelegateSucceeded
    | DelegateFailed
    | DelegateCancelled
    | ConcurrencyChanged
    | RunFinished
)
