"""The delegate scheduler: runs a `RunPlan`'s delegates through an engine and reports
everything as one stream of events (`core/events.py`).

A sliding window keeps at most `limit` delegates in flight; the next one starts the
moment any finishes. Transient errors are retried with jittered exponential backoff,
an output that fails validation gets one repair attempt, each delegate has a deadline,
and any delegate (or the whole run) can be cancelled at any moment.

Adaptive concurrency works like TCP's congestion control:
- slow start (for engines behind a rate-limited API, `slow_start`): the window opens at
  `SLOW_START_WINDOW` and grows by one per success, so it doubles with each window's worth
  of successes, until the first rate limit or `concurrency`. Other engines start at full
  width;
- on a rate limit the window drops to what the server evidently accepted (the requests that
  were in flight before the rejected one; half the window when there were none), and that
  level becomes the ceiling; a level that had been accepted and now fails is at least
  halved (multiplicative decrease). One burst of 429s from the same window moves it once;
- from there +1 per window's worth of successes (additive increase), except that the step
  back to the window that was refused is taken only after `PROBE_WINDOWS` windows' worth
  (twice as long each time the same level is refused again), so a steady state just under
  a server's limit rarely touches it. Never above `concurrency`.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from workos_tui.core.engines.base import (
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
    DelegateCancelled,
    DelegateDelta,
    DelegateFailed,
    DelegateQueued,
    DelegateRetrying,
    DelegateStarted,
    DelegateSucceeded,
    RunEvent,
    RunFinished,
)
from workos_tui.core.run_models import DelegateResult, DelegateSpec, RunPlan, Usage

# TCP's initial window (RFC 3390: up to 4 segments): small enough that a first burst
# costs a rate-limited server little, large enough that a run without rate limits loses
# well under one round trip to the ramp (4, 8, then `concurrency`).
SLOW_START_WINDOW = 4
# Successes at the ceiling, in windows' worth, before probing one above it; doubled after
# each failed probe, up to PROBE_WINDOWS_MAX.
PROBE_WINDOWS = 4
PROBE_WINDOWS_MAX = 64


class _NoOutputError(Exception):
    """The engine's stream ended without a FinalOutput."""


class _Delegate:
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


def validation_summary(err: ValidationError, limit: int = 3) -> str:
    """A short, readable account of what failed validation (sent back for repair)."""
    parts = []
    for e in err.errors(include_url=False)[:limit]:
        loc = ".".join(str(p) for p in e["loc"]) or "output"
        parts.append(f"{loc}: {e['msg']}")
    more = err.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


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
        self.limit = concurrency
        self.in_flight = 0
        self._delegates: list[_Delegate] = []
        self._by_id: dict[str, _Delegate] = {}
        self._queue: deque[_Delegate] = deque()
        self._events: deque[RunEvent] = deque()
        self._wake = asyncio.Event()
        self._remaining = 0
        self._plan: RunPlan | None = None
        self._aborted: str | None = None
        self._run_cancelled = False
        self._closing = False
        self._successes = 0  # since the window last moved
        self._epoch = 0  # bumps when the window shrinks
        self._ceiling: int | None = None  # the level the server accepted at the last cut
        self._refused_at: int | None = None  # the window at the last cut
        self._probe_windows = PROBE_WINDOWS
        self._sent = 0  # attempts sent so far (an attempt's sequence number)
        self._active: set[int] = set()  # sequence numbers of the attempts in a request
        self._room: list[asyncio.Future[None]] = []  # retries waiting for the window

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
            emit(ConcurrencyChanged(self.limit, "slow start: +1 per success up to the limit"))
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

    # -- scheduling ------------------------------------------------------------

    def _reset(self, plan: RunPlan) -> None:
        ids = [s.id for s in plan.delegates]
        if len(set(ids)) != len(ids):
            raise ValueError("delegate ids in a plan must be unique")
        self._plan = plan
        self._delegates = [_Delegate(i, s) for i, s in enumerate(plan.delegates)]
        self._by_id = {d.spec.id: d for d in self._delegates}
        self._queue = deque(self._delegates)
        self._events = deque()
        self._wake = asyncio.Event()
        self._remaining = len(self._delegates)
        self._aborted = None
        self._run_cancelled = False
        self._closing = False
        slow = self.adaptive and self.slow_start
        self.limit = min(self.concurrency, SLOW_START_WINDOW) if slow else self.concurrency
        self.in_flight = 0
        self._successes = 0
        self._epoch = 0
        self._ceiling = None
        self._refused_at = None
        self._probe_windows = PROBE_WINDOWS
        self._sent = 0
        self._active = set()
        self._room = []

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
        d: _Delegate,
        status: Literal["failed", "cancelled"],
        *,
        error: str | None = None,
        output: dict[str, Any] | None = None,
    ) -> None:
        elapsed = round(time.perf_counter() - d.started_at, 4) if d.started_at else 0.0
        d.result = DelegateResult.model_construct(
            id=d.spec.id,
            label=d.spec.label,
            status=status,
            attempts=d.attempts,
            error=error,
            output=output,
            usage=d.usage,
            elapsed_s=elapsed,
        )
        self._remaining -= 1
        if status == "failed":
            self._emit(DelegateFailed(d.spec.id, error or "failed", d.attempts, elapsed, d.usage))
        else:
            self._emit(DelegateCancelled(d.spec.id, d.attempts, elapsed))

    def _finish_cancelled(self, d: _Delegate) -> None:
        if self._aborted is not None:
            self._finish(d, "failed", error=self._aborted)
        else:
            self._finish(d, "cancelled")

    def _lost(self, d: _Delegate) -> DelegateResult:  # pragma: no cover - defensive
        return DelegateResult(id=d.spec.id, label=d.spec.label, status="cancelled")

    # -- adaptive concurrency ------------------------------------------------------

    def _rate_limited(self, epoch: int, accepted: int) -> None:
        """A request was refused (429/529) while `accepted` requests sent before it were in
        flight. Only a request sent after the last cut may cut again: one burst of 429s
        from the same window moves it once, not once per request."""
        if not self.adaptive or epoch != self._epoch or self.limit == 1:
            return
        limit, ceiling = self.limit, self._ceiling
        # What the server evidently took; with nothing sent before the refused request
        # still in flight there is no evidence, and the window halves.
        estimate = accepted if accepted > 0 else limit // 2
        if ceiling is None or limit > ceiling:
            # Slow start, or above the ceiling: back to what the server took.
            new = max(1, min(estimate, limit - 1))
            if self._refused_at is not None and limit <= self._refused_at:
                # Refused again where it was refused before: probe there half as often.
                self._probe_windows = min(self._probe_windows * 2, PROBE_WINDOWS_MAX)
            if accepted > 0:
                reason = f"rate limited: window set to the {new} in flight the server accepted"
            else:
                reason = "rate limited: window halved"
        else:
            # The level the server accepted before fails now: cut multiplicatively.
            new = max(1, min(estimate, limit // 2))
            self._probe_windows = PROBE_WINDOWS
            reason = "rate limited at the level accepted before: window halved"
        self.limit = self._ceiling = new
        self._refused_at = limit
        self._epoch += 1
        self._successes = 0
        self._emit(ConcurrencyChanged(new, reason))

    def _succeeded_once(self) -> None:
        if not self.adaptive or self.limit >= self.concurrency:
            return
        self._successes += 1
        limit, refused = self.limit, self._refused_at
        if self._ceiling is None:  # slow start: +1 per success doubles the window per round
            reason = "slow start: window grown by one"
        elif refused is not None and limit < refused <= limit + 1:
            # The next step is where the server refused last: only after a long streak.
            if self._successes < limit * self._probe_windows:
                return
            reason = f"probing: {limit + 1} in flight, refused before"
        else:  # additive increase
            if self._successes < limit:
                return
            reason = "recovering: window grown by one"
        self._successes = 0
        self.limit += 1
        self._emit(ConcurrencyChanged(self.limit, reason))

    async def _wait_for_room(self) -> None:
        """After a cut, delegates that were in flight keep their places in the window, so
        it can hold more than it now allows; one coming back from a backoff sends again
        only once the requests in flight fit the window."""
        loop = asyncio.get_running_loop()
        while len(self._active) >= self.limit:
            waiter: asyncio.Future[None] = loop.create_future()
            self._room.append(waiter)
            await waiter

    def _make_room(self) -> None:
        waiters, self._room = self._room, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- one delegate --------------------------------------------------------------

    async def _drive(self, d: _Delegate) -> None:
        try:
            async with asyncio.timeout(self.timeout_s):
                await self._attempts(d)
        except TimeoutError:
            self._finish(
                d,
                "failed",
                error=f"timed out after {self.timeout_s:g} s ({_plural(d.attempts, 'attempt')})",
            )
        except RunAbortedError as e:
            self._abort(d, e.reason)
        except DelegateFailedError as e:
            self._finish(d, "failed", error=e.reason)
        except Exception as e:  # an engine bug must not take the run down
            self._finish(d, "failed", error=f"engine error: {type(e).__name__}: {e}")

    def _on_done(self, d: _Delegate, _task: asyncio.Task[None]) -> None:
        # A done callback, not a `finally`: a task cancelled before its first step never
        # runs its body, and must still free its slot and be reported.
        self.in_flight -= 1
        if d.result is None:
            self._finish_cancelled(d)
        if not self._closing:
            self._fill()

    def _abort(self, d: _Delegate, reason: str) -> None:
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

    async def _attempts(self, d: _Delegate) -> None:
        spec = d.spec
        repair: Repair | None = None
        repaired = False
        transient_failures = 0
        emit = self._emit
        while True:
            if len(self._active) >= self.limit:
                await self._wait_for_room()
            d.attempts += 1
            number = d.attempts
            epoch = self._epoch
            seq = self._sent
            self._sent += 1
            active = self._active
            active.add(seq)
            emit(DelegateStarted(spec.id, number))
            try:
                try:
                    raw = await self._stream_once(d, Attempt(number, repair))
                finally:
                    active.discard(seq)
                    if self._room:
                        self._make_room()
            except TransientError as e:
                if e.usage is not None:
                    d.usage = d.usage + e.usage
                if e.rate_limited:
                    self._rate_limited(epoch, sum(1 for s in active if s < seq))
                transient_failures += 1
                if transient_failures >= self.max_attempts:
                    raise DelegateFailedError(
                        f"{e.reason} (gave up after {_plural(d.attempts, 'attempt')})"
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
            elapsed = round(time.perf_counter() - d.started_at, 4)
            self._succeeded_once()
            d.result = DelegateResult.model_construct(
                id=spec.id,
                label=spec.label,
                status="succeeded",
                attempts=d.attempts,
                error=None,
                output=model.model_dump(mode="json"),
                usage=d.usage,
                elapsed_s=elapsed,
            )
            self._remaining -= 1
            emit(DelegateSucceeded(spec.id, model, d.usage, d.attempts, elapsed))
            return

    async def _stream_once(self, d: _Delegate, attempt: Attempt) -> FinalOutput:
        stream = self.engine.stream(d.spec, self._plan, attempt)  # type: ignore[arg-type]
        final: FinalOutput | None = None
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
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        if final is None:
            raise _NoOutputError
        d.usage = d.usage + final.usage
        return final

    def _backoff(self, failures: int, retry_after: float | None) -> float:
        """Equal-jitter exponential backoff; a server's retry-after is a floor, plus jitter
        so that delegates told the same wait do not all come back at the same instant."""
        if retry_after is not None and retry_after >= 0:
            return round(
                retry_after + self.rng.uniform(0, max(self.backoff_base, 0.1 * retry_after)), 3
            )
        ceiling: float = min(self.backoff_cap, self.backoff_base * 2.0 ** (failures - 1))
        return round(ceiling / 2 + self.rng.uniform(0, ceiling / 2), 3)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def retry_plan(plan: RunPlan, results: list[DelegateResult]) -> RunPlan:
    """The same plan restricted to the delegates that did not succeed (for "retry failed")."""
    ok = {r.id for r in results if r.status == "succeeded"}
    return plan.subset({s.id for s in plan.delegates} - ok)
