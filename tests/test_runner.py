"""The runner: sliding window, retries, repair, timeout, cancel, abort, adaptive window."""

from __future__ import annotations

import asyncio
import random
import time
from contextlib import aclosing

import pytest

from tests.scripted_engine import Script, ScriptedEngine
from workos_tui.core.concurrency import AdaptiveWindow
from workos_tui.core.engines.base import TransientError
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
from workos_tui.core.run_models import DelegateSpec, RunPlan, TaskAnalysis
from workos_tui.core.runner import Runner, retry_plan


def make_plan(n: int) -> RunPlan:
    return RunPlan(
        operation="task_analysis",
        delegates=[
            DelegateSpec(
                id=f"d{i}",
                label=f"delegate {i}",
                instructions="",
                payload={"analysis_type": "priority"},
                output_model=TaskAnalysis,
            )
            for i in range(n)
        ],
    )


def runner(engine: ScriptedEngine, **kw: object) -> Runner:
    kw.setdefault("rng", random.Random(1))
    kw.setdefault("backoff_base", 0.001)
    return Runner(engine, **kw)  # type: ignore[arg-type]


async def collect(r: Runner, plan: RunPlan) -> list[RunEvent]:
    return [e async for e in r.run(plan)]


def finished(events: list[RunEvent]) -> RunFinished:
    last = events[-1]
    assert isinstance(last, RunFinished)
    return last


async def test_every_delegate_succeeds_with_ordered_events() -> None:
    engine = ScriptedEngine(default=Script(latency=0.01, deltas=["reading", "deciding"]))
    events = await collect(runner(engine, concurrency=3), make_plan(7))
    end = finished(events)
    assert [r.id for r in end.results] == [f"d{i}" for i in range(7)]
    assert all(r.status == "succeeded" and r.attempts == 1 for r in end.results)
    assert end.results[0].output == {
        "analysis_type": "priority",
        "suggestions": [],
        "findings": ["scripted"],
        "blockers": [],
        "alignments": [],
    }
    assert end.usage.input_tokens == 700
    assert sum(isinstance(e, DelegateQueued) for e in events) == 7
    for i in range(7):
        mine = [e for e in events if getattr(e, "delegate_id", None) == f"d{i}"]
        kinds = [type(e).__name__ for e in mine]
        assert kinds == [
            "DelegateQueued",
            "DelegateStarted",
            "DelegateDelta",
            "DelegateDelta",
            "DelegateSucceeded",
        ]
        assert [e.text for e in mine if isinstance(e, DelegateDelta)] == ["reading", "deciding"]
    succeeded = [e for e in events if isinstance(e, DelegateSucceeded)]
    assert isinstance(succeeded[0].output, TaskAnalysis)


async def test_in_flight_maximum_equals_the_limit() -> None:
    engine = ScriptedEngine(default=Script(latency=0.02))
    await collect(runner(engine, concurrency=4), make_plan(20))
    assert engine.max_in_flight == 4


async def test_sliding_window_a_slow_delegate_does_not_hold_back_the_others() -> None:
    # d0 takes 0.4 s; the 11 others take 0.02 s each through the 2 remaining... of 3 slots.
    scripts = {"d0": Script(latency=0.4)}
    engine = ScriptedEngine(scripts, default=Script(latency=0.02))
    events = await collect(runner(engine, concurrency=3), make_plan(12))
    ends = {e.delegate_id: i for i, e in enumerate(events) if isinstance(e, DelegateSucceeded)}
    # Every fast delegate finished while the slow one was still running: in fixed batches
    # of 3, d3..d11 would have waited for d0.
    assert all(ends[f"d{i}"] < ends["d0"] for i in range(1, 12))
    assert all(engine.started_at[f"d{i}"] < engine.finished_at["d0"] for i in range(1, 12))


async def test_transient_errors_are_retried_with_backoff_then_succeed() -> None:
    engine = ScriptedEngine({"d1": Script(attempts=["transient", "transient", "ok"])})
    events = await collect(runner(engine, concurrency=2), make_plan(3))
    end = finished(events)
    assert end.results[1].status == "succeeded"
    assert end.results[1].attempts == 3
    retries = [e for e in events if isinstance(e, DelegateRetrying)]
    assert [(e.delegate_id, e.attempt) for e in retries] == [("d1", 1), ("d1", 2)]
    assert all(e.wait_s > 0 for e in retries)
    assert [n for d, n in engine.calls if d == "d1"] == [1, 2, 3]


async def test_transient_errors_give_up_after_max_attempts() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["transient"] * 10)})
    end = finished(await collect(runner(engine, max_attempts=3), make_plan(2)))
    assert end.results[0].status == "failed"
    assert end.results[0].attempts == 3
    assert "server overloaded" in (end.results[0].error or "")
    assert "3 attempts" in (end.results[0].error or "")
    assert end.results[1].status == "succeeded"  # one failure never fails the run


def test_backoff_is_jittered_exponential_and_honours_retry_after() -> None:
    r = Runner(ScriptedEngine(), backoff_base=1.0, backoff_cap=8.0, rng=random.Random(7))
    waits = [r._backoff(n, None) for n in range(1, 7)]
    for n, w in enumerate(waits, start=1):
        ceiling = min(8.0, 2 ** (n - 1))
        assert ceiling / 2 <= w <= ceiling
    assert len({r._backoff(3, None) for _ in range(20)}) > 1  # jittered
    for _ in range(20):
        assert 5.0 <= r._backoff(1, 5.0) <= 6.0  # retry-after is a floor, plus jitter


async def test_retry_after_is_waited() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["transient"], retry_after=0.15)})
    start = time.perf_counter()
    events = await collect(runner(engine), make_plan(1))
    assert time.perf_counter() - start >= 0.15
    retry = next(e for e in events if isinstance(e, DelegateRetrying))
    assert 0.15 <= retry.wait_s <= 0.15 + 0.001 + 1e-9 + 0.015


async def test_invalid_output_gets_one_repair_attempt() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["invalid", "ok"])})
    events = await collect(runner(engine), make_plan(1))
    end = finished(events)
    assert end.results[0].status == "succeeded"
    assert end.results[0].attempts == 2
    assert "analysis_type" in engine.repairs["d0"]  # the validation error went back
    retry = next(e for e in events if isinstance(e, DelegateRetrying))
    assert retry.reason.startswith("invalid output") and retry.wait_s == 0.0


async def test_invalid_twice_fails_with_a_readable_reason() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["invalid", "invalid", "ok"])})
    end = finished(await collect(runner(engine), make_plan(1)))
    result = end.results[0]
    assert result.status == "failed" and result.attempts == 2
    assert "TaskAnalysis" in (result.error or "") and "repair" in (result.error or "")


async def test_per_delegate_timeout() -> None:
    engine = ScriptedEngine({"d1": Script(attempts=["hang"])}, default=Script(latency=0.01))
    end = finished(await collect(runner(engine, timeout_s=0.2), make_plan(3)))
    assert end.results[1].status == "failed"
    assert "timed out after 0.2 s" in (end.results[1].error or "")
    assert [r.status for r in end.results] == ["succeeded", "failed", "succeeded"]
    assert engine.in_flight == 0  # the hung stream was closed


async def test_cancel_one_delegate_closes_its_stream_at_once() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["hang"])}, default=Script(latency=0.05))
    r = runner(engine, concurrency=5)
    events: list[RunEvent] = []
    async for e in r.run(make_plan(4)):
        events.append(e)
        if isinstance(e, DelegateStarted) and e.delegate_id == "d0":
            await asyncio.sleep(0.01)
            r.cancel("d0")
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            assert engine.closed_streams == 1  # released immediately, not at the end
    end = finished(events)
    assert [x.status for x in end.results] == ["cancelled", "succeeded", "succeeded", "succeeded"]
    assert any(isinstance(e, DelegateCancelled) and e.delegate_id == "d0" for e in events)
    assert not end.cancelled


async def test_cancel_the_whole_run() -> None:
    engine = ScriptedEngine(default=Script(latency=60))
    r = runner(engine, concurrency=3)
    events: list[RunEvent] = []
    start = time.perf_counter()
    async for e in r.run(make_plan(10)):
        events.append(e)
        if isinstance(e, DelegateStarted) and e.delegate_id == "d2":
            r.cancel()
    assert time.perf_counter() - start < 20  # did not wait for the 60 s delegates
    end = finished(events)
    assert end.cancelled
    assert {x.status for x in end.results} == {"cancelled"}
    assert engine.closed_streams == 3 and engine.in_flight == 0
    assert sum(isinstance(e, DelegateCancelled) for e in events) == 10


async def test_cancel_a_queued_delegate_never_starts_it() -> None:
    engine = ScriptedEngine(default=Script(latency=0.02))
    r = runner(engine, concurrency=1)
    events: list[RunEvent] = []
    async for e in r.run(make_plan(3)):
        events.append(e)
        if isinstance(e, DelegateQueued) and e.delegate_id == "d2":
            r.cancel("d2")
    end = finished(events)
    assert [x.status for x in end.results] == ["succeeded", "succeeded", "cancelled"]
    assert "d2" not in {d for d, _ in engine.calls}


async def test_leaving_the_loop_cancels_running_delegates() -> None:
    engine = ScriptedEngine(default=Script(latency=5))
    r = runner(engine, concurrency=4)
    async with aclosing(r.run(make_plan(8))) as stream:
        async for e in stream:
            if isinstance(e, DelegateStarted) and e.delegate_id == "d3":
                break
    assert engine.in_flight == 0 and engine.closed_streams == 4
    assert not r.running


async def test_delegate_failed_error_is_not_retried() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["fail", "ok"])})
    end = finished(await collect(runner(engine), make_plan(2)))
    assert end.results[0].status == "failed" and end.results[0].attempts == 1
    assert end.results[0].error == "spend limit reached"
    assert end.results[1].status == "succeeded"


async def test_run_aborted_stops_the_run_with_one_reason() -> None:
    engine = ScriptedEngine(
        {"d1": Script(latency=0.01, attempts=["abort"])}, default=Script(latency=60)
    )
    start = time.perf_counter()
    events = await collect(runner(engine, concurrency=3), make_plan(12))
    assert time.perf_counter() - start < 20  # did not wait for the 60 s ones
    end = finished(events)
    assert end.aborted == "invalid API key"
    assert all(x.status == "failed" and x.error == "invalid API key" for x in end.results)
    assert len(engine.calls) == 3  # nothing started after the abort
    assert sum(isinstance(e, DelegateFailed) for e in events) == 12


async def test_engine_bug_fails_only_that_delegate() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=[KeyError("boom")])})
    end = finished(await collect(runner(engine), make_plan(2)))
    assert end.results[0].status == "failed"
    assert "KeyError" in (end.results[0].error or "")
    assert end.results[1].status == "succeeded"


async def test_stream_without_output_is_retried() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["no_output", "ok"])})
    end = finished(await collect(runner(engine), make_plan(1)))
    assert end.results[0].status == "succeeded" and end.results[0].attempts == 2


class Limited(ScriptedEngine):
    """A server that serves `cap` requests at once and refuses more at once (a 429)."""

    slow_start = True  # like the anthropic engine

    def __init__(self, cap: int, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.cap = cap
        self.rejected = 0

    async def stream(self, spec, plan, attempt):  # type: ignore[no-untyped-def,override]
        if self.in_flight >= self.cap:
            self.rejected += 1
            raise TransientError("rate limited", retry_after=0.01, rate_limited=True)
        async for x in super().stream(spec, plan, attempt):
            yield x


def staggered(n: int) -> dict[str, Script]:
    """Latencies of 10-22 ms, so delegates finish one at a time as real requests do."""
    return {f"d{i}": Script(latency=0.010 + 0.002 * (i * 5 % 7)) for i in range(n)}


def limits_after_each_success(events: list[RunEvent]) -> list[int]:
    limit, out = 0, []
    for e in events:
        if isinstance(e, ConcurrencyChanged):
            limit = e.limit
        elif isinstance(e, DelegateSucceeded):
            out.append(limit)
    return out


def bare_runner(concurrency: int = 10) -> Runner:
    """A runner in its state at the start of a run, for driving the window by hand."""
    r = runner(ScriptedEngine(), concurrency=concurrency, slow_start=True)
    r._reset(make_plan(1))
    return r


def window_moves(r: Runner) -> list[tuple[int, str]]:
    moves = [(e.limit, e.reason) for e in r._events if isinstance(e, ConcurrencyChanged)]
    r._events.clear()
    return moves


async def test_slow_start_opens_at_4_and_doubles_per_window_of_successes() -> None:
    engine = ScriptedEngine(staggered(30))
    engine.slow_start = True  # type: ignore[attr-defined]
    events = await collect(runner(engine, concurrency=10), make_plan(30))
    changes = [e for e in events if isinstance(e, ConcurrencyChanged)]
    assert changes[0].limit == 4 and "slow start" in changes[0].reason
    assert [c.limit for c in changes] == [4, 5, 6, 7, 8, 9, 10]  # +1 per success...
    after = limits_after_each_success(events)
    assert after[:7] == [5, 6, 7, 8, 9, 10, 10]  # ...so 4 successes take 4 to 8
    assert engine.max_in_flight == 10
    first_done = min(engine.finished_at.values())
    assert sum(t < first_done for t in engine.started_at.values()) == 4
    assert all(r.status == "succeeded" for r in finished(events).results)


async def test_local_engines_start_at_full_width() -> None:
    engine = ScriptedEngine(default=Script(latency=0.01))
    events = await collect(runner(engine, concurrency=6), make_plan(12))
    assert not any(isinstance(e, ConcurrencyChanged) for e in events)
    assert engine.max_in_flight == 6
    forced = ScriptedEngine(default=Script(latency=0.01))
    events = await collect(runner(forced, concurrency=6, slow_start=True), make_plan(12))
    assert next(e for e in events if isinstance(e, ConcurrencyChanged)).limit == 4


def test_a_rate_limit_sets_the_window_to_what_the_server_accepted() -> None:
    r = bare_runner()
    assert r.limit == 4 and window_moves(r) == []
    for _ in range(4):
        r._succeeded_once()
    assert [m[0] for m in window_moves(r)] == [5, 6, 7, 8]  # doubled in a window's worth
    r._rate_limited(0, accepted=5)  # 5 in flight were served when the 6th was refused
    assert window_moves(r) == [
        (5, "rate limited: window set to the 5 in flight the server accepted")
    ]
    r._rate_limited(0, accepted=4)  # the rest of the same burst: no second cut
    r._rate_limited(0, accepted=0)
    assert r.limit == 5 and window_moves(r) == []


def test_the_refused_level_is_probed_rarely_and_more_rarely_each_time() -> None:
    r = bare_runner()
    r._succeeded_once()
    r._rate_limited(0, accepted=3)  # refused at 5: slow start ends at the 3 accepted
    assert r.limit == 3
    window_moves(r)
    for _ in range(3):  # 3 -> 4: below the refused level, +1 per window's worth
        r._succeeded_once()
    assert window_moves(r) == [(4, "recovering: window grown by one")]
    for _ in range(4 * 4 - 1):  # 4 -> 5 is where it was refused: four windows' worth...
        r._succeeded_once()
    assert r.limit == 4
    r._succeeded_once()  # ...then one probe
    assert window_moves(r) == [(5, "probing: 5 in flight, refused before")]
    r._rate_limited(1, accepted=4)  # refused at 5 again: the next probe twice as late
    assert window_moves(r) == [
        (4, "rate limited: window set to the 4 in flight the server accepted")
    ]
    for _ in range(8 * 4 - 1):
        r._succeeded_once()
    assert r.limit == 4
    r._succeeded_once()
    assert r.limit == 5
    for _ in range(5):  # past the refused level: +1 per window's worth again
        r._succeeded_once()
    assert r.limit == 6
    assert [m[0] for m in window_moves(r)] == [5, 6]


def test_a_level_that_was_accepted_and_now_fails_is_halved() -> None:
    r = bare_runner()
    for _ in range(6):
        r._succeeded_once()
    assert r.limit == 10
    r._rate_limited(0, accepted=8)
    assert r.limit == 8
    r._rate_limited(1, accepted=7)  # at the ceiling: the server took less than before
    assert r.limit == 4
    assert window_moves(r)[-1] == (4, "rate limited at the level accepted before: window halved")
    r._rate_limited(2, accepted=0)  # no evidence at all: halve
    assert r.limit == 2
    r._rate_limited(3, accepted=0)
    r._rate_limited(4, accepted=5)
    assert r.limit == 1  # never below one, never above the evidence
    r._rate_limited(5, accepted=3)
    assert r.limit == 1


def test_slow_start_widens_on_acceptance_only_while_the_server_has_room() -> None:
    window = AdaptiveWindow(10, slow_start=True)
    seqs = [window.send() for _ in range(4)]
    # The server has room for 3 more, but our 3 other requests may not have reached it.
    assert window.accepted(seqs[0], headroom=3) is None
    assert window.accepted(seqs[1], headroom=0) is None  # full
    # Room for 4 while 2 of ours are unaccepted: one more.
    change = window.accepted(seqs[2], headroom=4)
    assert change is not None and change.limit == 5
    # A server that does not say: each acceptance widens by one.
    change = window.accepted(seqs[3], headroom=None)
    assert change is not None and change.limit == 6
    # A success of an accepted request does not widen it a second time...
    assert window.succeeded(accepted=True) is None
    # ...while engines that never report acceptance still grow per success.
    change = window.succeeded()
    assert change is not None and change.limit == 7
    # After a rate limit, acceptance no longer moves the window (additive increase does).
    assert window.rate_limited(window.epoch, accepted=3) is not None
    assert window.accepted(window.send(), headroom=None) is None


def test_the_window_never_exceeds_concurrency() -> None:
    r = bare_runner(concurrency=3)
    assert r.limit == 3  # slow start never opens above the limit
    for _ in range(50):
        r._succeeded_once()
    assert r.limit == 3 and window_moves(r) == []


async def test_a_rate_limit_from_the_first_request_halves_the_window() -> None:
    # d0 is refused with nothing sent before it in flight: no evidence, so halve (8 -> 4),
    # grow back by one per window's worth, and step back to 8 only after a long streak.
    scripts = {"d0": Script(latency=0.01, attempts=["rate_limited", "ok"], retry_after=0.01)}
    engine = ScriptedEngine(scripts, default=Script(latency=0.01))
    events = await collect(runner(engine, concurrency=8), make_plan(60))
    changes = [e for e in events if isinstance(e, ConcurrencyChanged)]
    assert (changes[0].limit, changes[0].reason) == (4, "rate limited: window halved")
    assert [c.limit for c in changes[1:]] == [5, 6, 7, 8]
    assert all("recovering" in c.reason for c in changes[1:4])
    assert "probing" in changes[4].reason
    after = limits_after_each_success(events)
    assert after.index(8) - after.index(7) == 7 * 4  # four windows' worth at 7
    assert all(r.status == "succeeded" for r in finished(events).results)


async def test_a_burst_of_rate_limits_from_one_window_moves_it_once() -> None:
    limited = Script(latency=0.01, attempts=["rate_limited", "ok"], retry_after=0.01)
    engine = ScriptedEngine({f"d{i}": limited for i in range(4)}, default=Script(latency=0.01))
    events = await collect(runner(engine, concurrency=4), make_plan(4))
    changes = [e.limit for e in events if isinstance(e, ConcurrencyChanged)]
    assert changes[0] == 2
    assert changes.count(2) == 1 and 1 not in changes


async def test_under_a_4_request_server_few_429s_and_no_failures() -> None:
    # The scenario in miniature: 40 delegates, a server that serves 4 at once.
    adaptive = Limited(4, scripts=staggered(40))
    events = await collect(runner(adaptive, concurrency=10), make_plan(40))
    assert all(r.status == "succeeded" for r in finished(events).results)
    fixed = Limited(4, scripts=staggered(40))
    await collect(runner(fixed, concurrency=10, max_attempts=20, adaptive=False), make_plan(40))
    assert adaptive.max_in_flight <= 4
    assert adaptive.rejected <= 4, adaptive.rejected  # slow start's overshoot, one probe
    assert adaptive.rejected * 5 <= fixed.rejected, (adaptive.rejected, fixed.rejected)
    changes = [e for e in events if isinstance(e, ConcurrencyChanged)]
    assert all(c.limit <= 10 for c in changes)
    settled = [c.limit for c in changes if c.reason.startswith("rate limited")]
    assert settled and all(limit in (3, 4) for limit in settled)


async def test_rate_limits_shrink_the_in_flight_count() -> None:
    # Without slow start (a local engine), the evidence still brings the window down.
    class Plain(Limited):
        slow_start = False

    adaptive = Plain(2, default=Script(latency=0.02))
    await collect(runner(adaptive, concurrency=8, max_attempts=20), make_plan(30))
    fixed = Plain(2, default=Script(latency=0.02))
    await collect(runner(fixed, concurrency=8, max_attempts=20, adaptive=False), make_plan(30))
    assert adaptive.rejected * 2 < fixed.rejected


async def test_after_a_cut_a_retry_waits_until_the_requests_fit_the_window() -> None:
    # 5 in flight when the 5th is refused: the window drops to 4 while the 4 others still
    # run; the refused one, back from its short backoff, must not send a 5th request.
    scripts = staggered(12)
    scripts["d4"] = Script(latency=0.0, attempts=["rate_limited", "ok"], retry_after=0.001)
    for i in range(4):
        scripts[f"d{i}"] = Script(latency=0.05)

    class Recording(ScriptedEngine):
        async def stream(self, spec, plan, attempt):  # type: ignore[no-untyped-def,override]
            if attempt.number > 1:
                self.busy_at_retry = self.in_flight
            async for x in super().stream(spec, plan, attempt):
                yield x

    engine = Recording(scripts)
    events = await collect(runner(engine, concurrency=5), make_plan(12))
    changes = [e.limit for e in events if isinstance(e, ConcurrencyChanged)]
    assert changes[0] == 4
    assert engine.busy_at_retry < 4  # without the wait it would have been the 5th
    assert engine.calls.index(("d4", 2)) > 4  # it went once the others made room
    assert all(r.status == "succeeded" for r in finished(events).results)


async def test_non_adaptive_never_changes_the_window() -> None:
    engine = ScriptedEngine({"d0": Script(attempts=["rate_limited"], retry_after=0.0)})
    events = await collect(runner(engine, adaptive=False), make_plan(3))
    assert not any(isinstance(e, ConcurrencyChanged) for e in events)


async def test_the_runner_never_closes_the_engine_and_can_run_again() -> None:
    engine = ScriptedEngine()
    r = runner(engine)
    first = finished(await collect(r, make_plan(3)))
    second = finished(await collect(r, make_plan(2)))
    assert len(first.results) == 3 and len(second.results) == 2
    assert engine.aclosed == 0


async def test_duplicate_delegate_ids_are_refused() -> None:
    plan = make_plan(2)
    plan.delegates[1].id = "d0"
    with pytest.raises(ValueError, match="unique"):
        await collect(runner(ScriptedEngine()), plan)


async def test_retry_plan_keeps_the_delegates_that_did_not_succeed() -> None:
    engine = ScriptedEngine({"d1": Script(attempts=["fail"])})
    plan = make_plan(3)
    end = finished(await collect(runner(engine), plan))
    again = retry_plan(plan, end.results)
    assert [s.id for s in again.delegates] == ["d1"]


async def test_overhead_per_delegate_is_small() -> None:
    # Generous bound for CI; benchmarks/ has the real figure (~0.1 ms per delegate).
    engine = ScriptedEngine()
    plan = make_plan(1000)
    start = time.process_time()
    end = finished(await collect(runner(engine, concurrency=10), plan))
    cpu = time.process_time() - start
    assert len(end.results) == 1000
    assert cpu / 1000 < 0.003
