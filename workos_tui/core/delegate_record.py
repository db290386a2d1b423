"""What the runner keeps about one delegate while a run lasts, and how a delegate's end is
recorded: its `DelegateResult` and the event that reports it."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from pydantic import BaseModel

from workos_tui.core.events import DelegateCancelled, DelegateFailed, DelegateSucceeded
from workos_tui.core.run_models import DelegateResult, DelegateSpec, Usage


class DelegateRecord:
    """Book-keeping for one delegate while the run lasts."""

    __slots__ = ("attempts", "cancelled", "index", "result", "spec", "started_at", "task", "usage")

    def __init__(self, index: int, spec: DelegateSpec) -> None:
        self.index = index
        self.spec = spec
        self.task: asyncio.Task[None] | None = None
        self.attempts = 0
        self.usage = Usage()
        self.started_at = 0.0
        self.cancelled = False
        self.result: DelegateResult | None = None

    def elapsed(self) -> float:
        """Seconds since it started (0 if it never did)."""
        return round(time.perf_counter() - self.started_at, 4) if self.started_at else 0.0

    def succeed(self, model: BaseModel, elapsed: float) -> DelegateSucceeded:
        """Record its validated output; the event that reports it."""
        self._record("succeeded", elapsed, output=model.model_dump(mode="json"))
        return DelegateSucceeded(self.spec.id, model, self.usage, self.attempts, elapsed)

    def end(
        self, status: Literal["failed", "cancelled"], error: str | None = None
    ) -> DelegateFailed | DelegateCancelled:
        """Record that it failed or was cancelled; the event that reports it."""
        elapsed = self.elapsed()
        self._record(status, elapsed, error=error)
        if status == "failed":
            return DelegateFailed(
                self.spec.id, error or "failed", self.attempts, elapsed, self.usage
            )
        return DelegateCancelled(self.spec.id, self.attempts, elapsed)

    def _record(
        self,
        status: Literal["succeeded", "failed", "cancelled"],
        elapsed: float,
        *,
        error: str | None = None,
        output: dict[str, Any] | None = None,
    ) -> None:
        self.result = DelegateResult.model_construct(
            id=self.spec.id,
            label=self.spec.label,
            status=status,
            attempts=self.attempts,
            error=error,
            output=output,
            usage=self.usage,
            elapsed_s=elapsed,
        )
