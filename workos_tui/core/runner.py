"""The delegate scheduler: runs a `RunPlan`'s delegates through an engine and reports
everything as one stream of events (`core/events.py`).

A sliding window keeps at most `limit` delegates in flight; the next one starts the
moment any finishes. Transient errors are retried with jittered exponential backoff,
an output that fails validation gets one repair attempt, each delegate has a deadline,
and any delegate (or the whole run) can be cancelled at any moment. How the window adapts
to rate limits is `core/concurrency.py`; the backoff and repair rules, `core/retries.py`.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Literal

from pydantic import BaseModel, ValidationError

from workos_tui.core.concurrency import AdaptiveWindow
from workos_tui.core.delegate_record import DelegateRecord
from workos_tui.core.engines.base import (
    Accepted,
    Attempt,
    DelegateFailedError,
    Delta,
    Engine,
    FinalOutput,
    Repair,
    RunAbortedError,
    TransientError,
)
from workos_tui.core.events import (
    ConcurrencyChanged,
    DelegateDelta,
    DelegateQueued,
    DelegateRetrying,
    DelegateStarted,
    RunEvent,
    RunFinished,
)
from workos_tui.core.retries import backoff, validation_summary
from workos_tui.core.run_models import DelegateResult, RunPlan, Usage
from workos_tui.core.wording import plural


class _NoOutputError(Exception):
    """The engine's stream ended without a FinalOutput."""


class Runner:
    """Runs delegates in parallel. One `Runner` runs one plan at a time."""

    def __init__(
        self,
        engine: Engine,
        *,
        concurrency: int = 10,
        timeout_s: float = 120.0,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 20.0,
        adaptive: bool = True,
        slow_start: bool | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.engine = engine
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.adaptive = adaptive
        # Slow start protects a rate-limited server from the first burst; an engine says
        # it talks to one with a true `slow_start` attribute (the anthropic engine does).
        # Local engines have no server to protect and start at full width.
        self.slow_start = (
            bool(getattr(engine, "slow_start", False)) if slow_start is None else slow_start
        )
        self.rng = rng or random.Random()
        self._window = AdaptiveWindow(concurrency)
        self.in_flight = 0  # delegates started and not finished, backing off or not
        self._delegates: list[DelegateRecord] = []
        self._by_id: dict[str, DelegateRecord] = {}
        self._queue: deque[DelegateRecord] = deque()
        self._events: deque[RunEvent] = deque()
        self._wake = asyncio.Event()
        self._remaining = 0
        self._plan: RunPlan | None = None
        self._aborted: str | None = None
        self._run_cancelled = False
        self._closing = False

    # -- public --------------------------------------------------------------

    async def run(self, plan: RunPlan) -> AsyncIterator[RunEvent]:
        """Run every delegate of `plan`; yields events, ending with one `RunFinished`."""
        if self._plan is not None:
            raise RuntimeError("this Runner is already running a plan")
        self._reset(plan)
        start = time.perf_counter()
        emit = self._events.append
        for d in self._delegates:
            emit(DelegateQueued(d.spec.id, d.spec.label))
        if self.limit < self.concurrency:
            emit(ConcurrencyChanged(self.limit, "slow start: widens as the server takes requests"))
        self._fill()
        try:
            while True:
                while self._events:
                    yield self._events.popleft()
                if self._remaining == 0:
                    break
                self._wake.clear()
                await self._wake.wait()
            results = [d.result or self._lost(d) for d in self._delegates]
            usage = Usage()
            for r in results:
                usage = usage + r.usage
            yield RunFinished(
                results=results,
                elapsed_s=round(time.perf_counter() - start, 4),
                usage=usage,
                aborted=self._aborted,
                cancelled=self._run_cancelled,
            )
        finally:
            # The consumer stopped listening (or the run is over): nothing keeps running.
            self._closing = True
            leftovers = [
                d.task for d in self._delegates if d.task is not None and not d.task.done()
            ]
            for task in leftovers:
                task.cancel()
            if leftovers:
                await asyncio.gather(*leftovers, return_exceptions=True)
            self._plan = None

    def cancel(self, delegate_id: str | None = None) -> None:
        """Cancel one delegate, or the whole run (None). Safe to call at any moment."""
        if self._plan is None:
            return
        if delegate_id is None:
            self._run_cancelled = True
            targets = list(self._delegates)
        else:
            found = self._by_id.get(delegate_id)
            if found is None:
                return
            targets = [found]
        for d in targets:
            if d.result is not None or d.cancelled:
                continue
            d.cancelled = True
            if d.task is None:
                self._finish_cancelled(d)
            else:
                d.task.cancel()
        self._fill()

    @property
    def running(self) -> bool:
        return self._plan is not None

    @property
    def limit(self) -> int:
        """How many delegates may have a request in flight now (the adaptive window)."""
        return self._window.limit

    # -- scheduling ------------------------------------------------------------

    def _reset(self, plan: RunPlan) -> None:
        ids = [s.id for s in plan.delegates]
        if len(set(ids)) != len(ids):
            raise ValueError("delegate ids in a plan must be unique")
        self._plan = plan
        self._delegates = [DelegateRecord(i, s) for i, s in enumerate(plan.delegates)]
        self._by_id = {d.spec.id: d for d in self._delegates}
        self._queue = deque(self._delegates)
        self._events = deque()
        self._wake = asyncio.Event()
        self._remaining = len(self._delegates)
        self._aborted = None
        self._run_cancelled = False
        self._closing = False
        self._window = AdaptiveWindow(
            self.concurrency, slow_start=self.adaptive and self.slow_start
        )
        self.in_flight = 0

    def _emit(self, event: RunEvent) -> None:
        self._events.append(event)
        self._wake.set()

    def _fill(self) -> None:
        """Start queued delegates while the window has room."""
        queue = self._queue
        while queue and self.in_flight < self.limit:
            d = queue.popleft()
            if d.result is not None:
                continue  # cancelled or failed while queued
            if self._aborted is not None:
                self._finish(d, "failed", error=self._aborted)
                continue
            self.in_flight += 1
            d.started_at = time.perf_counter()
            d.task = task = asyncio.create_task(self._drive(d), name=f"delegate {d.spec.id}")
            task.add_done_callback(functools.partial(self._on_done, d))

    def _finish(
        self,
        d: DelegateRecord,
        status: Literal["failed", "cancelled"],
        *,
        error: str | None = None,
    ) -> None:
        ended = d.end(status, error)
        self._remaining -= 1
        self._emit(ended)

    def _finish_cancelled(self, d: DelegateRecord) -> None:
        if self._aborted is not None:
            self._finish(d, "failed", error=self._aborted)
        else:
            self._finish(d, "cancelled")

    def _lost(self, d: DelegateRecord) -> DelegateResult:  # pragma: no cover - defensive
        return DelegateResult(id=d.spec.id, label=d.spec.label, status="cancelled")

    # -- adaptive concurrency ------------------------------------------------------

    def _rate_limited(self, epoch: int, accepted: int) -> None:
        """A request sent in window `epoch` was refused while `accepted` were in flight."""
        if self.adaptive and (change := self._window.rate_limited(epoch, accepted)):
            self._emit(change)

    def _succeeded_once(self, accepted: bool = False) -> None:
        if self.adaptive and (change := self._window.succeeded(accepted)):
            self._emit(change)

    # -- one delegate --------------------------------------------------------------

    async def _drive(self, d: DelegateRecord) -> None:
        try:
            async with asyncio.timeout(self.timeout_s):
                await self._attempts(d)
        except TimeoutError:
            self._finish(
                d,
                "failed",
                error=f"timed out after {self.timeout_s:g} s ({plural(d.attempts, 'attempt')})",
            )
        except RunAbortedError as e:
            self._abort(d, e.reason)
        except DelegateFailedError as e:
            self._finish(d, "failed", error=e.reason)
        except Exception as e:  # an engine bug must not take the run down
            self._finish(d, "failed", error=f"engine error: {type(e).__name__}: {e}")

    def _on_done(self, d: DelegateRecord, _task: asyncio.Task[None]) -> None:
        # A done callback, not a `finally`: a task cancelled before its first step never
        # runs its body, and must still free its slot and be reported.
        self.in_flight -= 1
        if d.result is None:
            self._finish_cancelled(d)
        if not self._closing:
            self._fill()

    def _abort(self, d: DelegateRecord, reason: str) -> None:
        first = self._aborted is None
        if first:
            self._aborted = reason
        self._finish(d, "failed", error=reason)
        if first:
            for other in self._delegates:
                if other is d or other.result is not None:
                    continue
                other.cancelled = True
                if other.task is None:
                    self._finish(other, "failed", error=reason)
                else:
                    other.task.cancel()

    async def _attempts(self, d: DelegateRecord) -> None:
        spec = d.spec
        repair: Repair | None = None
        repaired = False
        transient_failures = 0
        emit = self._emit
        window = self._window
        while True:
            await window.wait_for_room()
            d.attempts += 1
            number = d.attempts
            epoch = window.epoch
            seq = window.send()
            emit(DelegateStarted(spec.id, number))
            try:
                try:
                    raw, accepted = await self._stream_once(d, Attempt(number, repair), seq)
                finally:
                    window.done(seq)
            except TransientError as e:
                if e.usage is not None:
                    d.usage = d.usage + e.usage
                if e.rate_limited:
                    self._rate_limited(epoch, window.sent_before(seq))
                transient_failures += 1
                if transient_failures >= self.max_attempts:
                    raise DelegateFailedError(
                        f"{e.reason} (gave up after {plural(d.attempts, 'attempt')})"
                    ) from None
                wait = self._backoff(transient_failures, e.retry_after)
                emit(DelegateRetrying(spec.id, number, e.reason, wait))
                await asyncio.sleep(wait)
                continue
            except _NoOutputError:
                transient_failures += 1
                reason = "the engine ended without an output"
                if transient_failures >= self.max_attempts:
                    raise DelegateFailedError(reason) from None
                wait = self._backoff(transient_failures, None)
                emit(DelegateRetrying(spec.id, number, reason, wait))
                await asyncio.sleep(wait)
                continue
            try:
                model: BaseModel = spec.output_model.model_validate(raw.output)
            except ValidationError as e:
                problem = validation_summary(e)
                if repaired:
                    raise DelegateFailedError(
                        f"output did not match {spec.output_name} after a repair attempt: {problem}"
                    ) from None
                repaired = True
                repair = Repair(raw.output, problem)
                emit(DelegateRetrying(spec.id, number, f"invalid output: {problem}", 0.0))
                continue
            elapsed = d.elapsed()
            self._succeeded_once(accepted)
            succeeded = d.succeed(model, elapsed)
            self._remaining -= 1
            emit(succeeded)
            return

    async def _stream_once(
        self, d: DelegateRecord, attempt: Attempt, seq: int
    ) -> tuple[FinalOutput, bool]:
        """One attempt's output, and whether the engine reported the server taking it."""
        stream = self.engine.stream(d.spec, self._plan, attempt)  # type: ignore[arg-type]
        final: FinalOutput | None = None
        accepted = False
        delegate_id = d.spec.id
        events = self._events
        wake = self._wake
        try:
            async for item in stream:
                if isinstance(item, Delta):
                    if item.text:
                        events.append(DelegateDelta(delegate_id, item.text))
                        wake.set()
                elif isinstance(item, FinalOutput):
                    final = item
                elif isinstance(item, Accepted) and not accepted:
                    accepted = True
                    if self.adaptive and (change := self._window.accepted(seq, item.headroom)):
                        self._emit(change)
                        self._fill()  # the wider window has room now, not at the next finish
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        if final is None:
            raise _NoOutputError
        d.usage = d.usage + final.usage
        return final, accepted

    def _backoff(self, failures: int, retry_after: float | None) -> float:
        return backoff(
            failures, retry_after, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng
        )


def retry_plan(plan: RunPlan, results: list[DelegateResult]) -> RunPlan:
    """The same plan restricted to the delegates that did not succeed (for "retry failed")."""
    ok = {r.id for r in results if r.status == "succeeded"}
    return plan.subset({s.id for s in plan.delegates} - ok)
