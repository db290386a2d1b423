"""The anthropic engine against the local fake Messages API (never the network)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.fake_anthropic import TRANSIENT_FAULTS, FakeAnthropic
from workos_tui.core import batch as batch_mod
from workos_tui.core.config import DEFAULT_MODEL, Config
from workos_tui.core.engines.anthropic import (
    READ_ONLY_TOOL_NAMES,
    AnthropicEngine,
    ReadableJSON,
    retry_after_from,
)
from workos_tui.core.events import (
    ConcurrencyChanged,
    DelegateDelta,
    DelegateRetrying,
    DelegateSucceeded,
    RunFinished,
)
from workos_tui.core.operations.prepare import prepare
from workos_tui.core.pricing import estimate_cost, estimate_run_cost, price_for
from workos_tui.core.run_models import BacklogTriage, DelegateSpec, RunPlan, Usage
from workos_tui.core.runner import Runner
from workos_tui.core.store import Store

KEY = "sk-ant-test-SECRET-0123456789"
TOOL_MODEL = "claude-sonnet-5"  # takes a forced tool
JSON_MODEL = "claude-sonnet-5-5"  # rejects forced tools: structured outputs instead


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    with FakeAnthropic(latency="uniform:0.005:0.02", retry_after=0.02, seed=7) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        yield server


def engine(store: Store | None, model: str = TOOL_MODEL, **kw: Any) -> AnthropicEngine:
    eng = AnthropicEngine(store=store, config=Config(model=model), **kw)
    eng.cache_prime_min_tokens = 0  # the fake caches any prefix, so always prime
    return eng


async def run(eng: AnthropicEngine, plan: RunPlan, **kw: Any) -> tuple[RunFinished, list[Any]]:
    kw = {"concurrency": 10, "timeout_s": 10.0, "backoff_base": 0.01, **kw}
    events: list[Any] = []
    try:
        async for ev in Runner(eng, **kw).run(plan):
            events.append(ev)
    finally:
        await eng.aclose()
    final = events[-1]
    assert isinstance(final, RunFinished)
    return final, events


def texts(events: list[Any]) -> str:
    return "\n".join(repr(e) for e in events)


def synthetic_plan(n: int) -> RunPlan:
    specs = [
        DelegateSpec(
            id=f"B{i}",
            label=f"item {i}",
            instructions="Triage this backlog item.",
            payload={"item": {"id": f"B{i}", "text": f"call the plumber about leak {i}"}},
            output_model=BacklogTriage,
        )
        for i in range(1, n + 1)
    ]
    return RunPlan(operation="backlog_processing", context={"vocab": "x" * 2000}, delegates=specs)


# --- full runs ----------------------------------------------------------------------


@pytest.mark.parametrize("model", [TOOL_MODEL, JSON_MODEL])
@pytest.mark.parametrize("operation", ["backlog", "analyze", "plan"])
async def test_full_run_of_each_operation(
    fake: FakeAnthropic, demo_store: Store, operation: str, model: str
) -> None:
    plan = prepare(demo_store, operation)
    final, events = await run(engine(demo_store, model), plan)
    assert final.aborted is None
    assert [r.status for r in final.results] == ["succeeded"] * len(plan.delegates)
    assert final.usage.output_tokens > 0 and final.usage.cost_usd > 0
    deltas = [e.text for e in events if isinstance(e, DelegateDelta)]
    assert deltas and not any(d.lstrip().startswith(("{", '"')) for d in deltas)  # readable
    for request in fake.message_requests():
        names = {t["name"] for t in request.get("tools", [])}
        assert names - READ_ONLY_TOOL_NAMES <= {p.output_name for p in plan.delegates[:1]}
        assert not any(w in n for n in names for w in ("create", "update", "delete", "write"))
        if model == JSON_MODEL:
            assert request.get("tool_choice", {}).get("type") not in ("tool", "any")
            assert request["output_config"]["format"]["type"] == "json_schema"
    from workos_tui.core.operations.aggregate import aggregate

    assert aggregate(plan, final.results).actions


async def test_forced_tool_without_store(fake: FakeAnthropic, demo_store: Store) -> None:
    plan = prepare(demo_store, "backlog")
    final, _ = await run(engine(None), plan)
    assert all(r.status == "succeeded" for r in final.results)
    first = fake.message_requests()[0]
    name = plan.delegates[0].output_name
    assert first["tool_choice"] == {"type": "tool", "name": name, "disable_parallel_tool_use": True}
    assert [t["name"] for t in first["tools"]] == [name]


async def test_switches_to_structured_output_when_forced_tool_is_refused(
    fake: FakeAnthropic, demo_store: Store
) -> None:
    fake.reject_forced_tool = ("claude-future",)
    eng = engine(None, "claude-future-9")
    final, events = await run(eng, prepare(demo_store, "plan"), concurrency=1)
    assert all(r.status == "succeeded" for r in final.results)
    assert "structured output" in texts(events)
    assert sum(1 for s in fake.statuses.elements() if s == 400) == 1  # learnt once per run


# --- faults -------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [*TRANSIENT_FAULTS, "max_tokens"])
async def test_each_transient_fault_is_retried(
    fake: FakeAnthropic, demo_store: Store, fault: str
) -> None:
    fake.script = [fault]
    plan = prepare(demo_store, "plan")
    final, events = await run(engine(None), plan, concurrency=1)
    assert [r.status for r in final.results] == ["succeeded"] * len(plan.delegates)
    retries = [e for e in events if isinstance(e, DelegateRetrying)]
    assert len(retries) == 1 and final.results[0].attempts == 2
    expected = {
        "429": "Rate limited",
        "529": "overloaded (529)",
        "500": "(500)",
        "malformed_json": "malformed JSON",
        "cut_short": "ended early",
        "drop": "dropped mid-stream",
        "error_event": "error event mid-stream",
        "max_tokens": "max_tokens",
    }[fault]
    assert expected in retries[0].reason
    if fault == "429":
        assert retries[0].wait_s >= 0.02  # retry-after-ms honoured (plus jitter)


async def test_hang_fails_with_a_timeout(fake: FakeAnthropic, demo_store: Store) -> None:
    fake.script = ["hang"]
    fake.hang_s = 2.0
    plan = prepare(demo_store, "plan")
    plan.delegates[:] = plan.delegates[:1]
    final, _ = await run(engine(None), plan, timeout_s=0.4)
    assert final.results[0].status == "failed"
    assert "timed out" in (final.results[0].error or "")


async def test_spend_limit_fails_without_retry(fake: FakeAnthropic, demo_store: Store) -> None:
    fake.script = ["spend_limit"]
    plan = prepare(demo_store, "plan")
    final, _ = await run(engine(None), plan, concurrency=1)
    first, *rest = final.results
    assert first.status == "failed" and first.attempts == 1
    assert "Spend limit reached" in (first.error or "")
    assert all(r.status == "succeeded" for r in rest)


async def test_twenty_percent_faults_backlog_all_succeed(
    fake: FakeAnthropic, demo_store: Store
) -> None:
    fake.fault_rate = 0.2
    plan = prepare(demo_store, "backlog")
    final, _ = await run(engine(demo_store), plan, max_attempts=6)
    assert [r.status for r in final.results] == ["succeeded"] * len(plan.delegates)
    assert sum(fake.faults_injected.values()) > 0


async def test_bad_key_stops_the_run_with_one_message(
    fake: FakeAnthropic, demo_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    fake.api_key = "the-right-key"
    plan = prepare(demo_store, "backlog")
    final, events = await run(engine(demo_store), plan)
    assert final.aborted and "rejected the API key" in final.aborted
    assert fake.requests <= 10  # not one request per delegate and retries
    assert all(r.status == "failed" for r in final.results)
    assert not any(isinstance(e, DelegateRetrying) for e in events)
    assert KEY not in texts(events) + caplog.text


async def test_missing_key_stops_the_run(
    fake: FakeAnthropic, demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    final, _ = await run(engine(demo_store), prepare(demo_store, "plan"))
    assert final.aborted and "No Anthropic API key" in final.aborted
    assert fake.requests == 0


async def test_unreachable_base_url_stops_the_run(
    monkeypatch: pytest.MonkeyPatch, demo_store: Store
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    final, events = await run(engine(demo_store), prepare(demo_store, "backlog"))
    assert final.aborted and "Cannot reach the Anthropic API" in final.aborted
    assert str(port) in final.aborted and KEY not in texts(events)


# --- concurrency ----------------------------------------------------------------------


async def test_in_flight_never_exceeds_the_window(fake: FakeAnthropic) -> None:
    fake.latency = lambda rng: 0.03
    final, _ = await run(engine(None), synthetic_plan(12), concurrency=3)
    assert all(r.status == "succeeded" for r in final.results)
    assert fake.in_flight_max <= 3


async def test_adaptive_window_beats_a_fixed_one_under_a_4_request_server(
    fake: FakeAnthropic,
) -> None:
    fake.max_in_flight = 4
    fake.retry_after = 0.05
    fake.latency = lambda rng: rng.uniform(0.08, 0.12)
    adaptive, _ = await run(engine(None), synthetic_plan(40), max_attempts=10)
    adaptive_429 = fake.rate_limited["concurrency"]
    fake.rate_limited.clear()
    await run(engine(None), synthetic_plan(40), max_attempts=10, adaptive=False)
    fixed_429 = fake.rate_limited["concurrency"]
    assert all(r.status == "succeeded" for r in adaptive.results)
    assert adaptive_429 * 2 < fixed_429, (adaptive_429, fixed_429)


async def test_slow_start_opens_on_response_starts_not_whole_answers(
    fake: FakeAnthropic,
) -> None:
    """A server that says nothing of its limits: each response start widens the window,
    so it is fully open long before the first answer is complete."""
    fake.latency = lambda rng: 0.3  # spread over each answer's events
    _, events = await run(engine(None), synthetic_plan(20))
    windows = [e.limit for e in events if isinstance(e, ConcurrencyChanged)]
    first_done = next(i for i, e in enumerate(events) if isinstance(e, DelegateSucceeded))
    opened = next(
        i for i, e in enumerate(events) if isinstance(e, ConcurrencyChanged) and e.limit == 10
    )
    assert windows[:7] == [4, 5, 6, 7, 8, 9, 10] and opened < first_done  # 4: it opens


# --- caching, repair, lookups, cancel -------------------------------------------------


async def test_cache_written_once_then_read(fake: FakeAnthropic, demo_store: Store) -> None:
    plan = prepare(demo_store, "backlog")
    final, _ = await run(engine(demo_store), plan)
    writes = [r.usage.cache_creation_input_tokens for r in final.results]
    reads = [r.usage.cache_read_input_tokens for r in final.results]
    assert sum(1 for w in writes if w) == 1  # the first delegate primes the cache
    assert sum(1 for r in reads if r) == len(plan.delegates) - 1
    for request in fake.message_requests():
        assert request["system"][-1]["cache_control"] == {"type": "ephemeral"}
        assert "Shared context" in request["system"][-1]["text"]
    assert final.usage.cost_usd == pytest.approx(sum(r.usage.cost_usd for r in final.results))


async def test_repair_turn_sends_the_validation_error_back(
    fake: FakeAnthropic, demo_store: Store
) -> None:
    fake.invalid_first = True
    plan = prepare(demo_store, "plan")
    final, _ = await run(engine(None), plan, concurrency=1)
    assert all(r.status == "succeeded" and r.attempts == 2 for r in final.results)
    repair = fake.message_requests()[1]
    result = repair["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and result["is_error"] is True
    assert "rejected" in result["content"]
    assert repair["tool_choice"]["type"] == "tool"


async def test_read_only_tool_loop(fake: FakeAnthropic, demo_store: Store) -> None:
    fake.lookups = 2
    plan = prepare(demo_store, "plan")
    plan.delegates[:] = plan.delegates[:1]
    final, events = await run(engine(demo_store), plan)
    assert final.results[0].status == "succeeded"
    requests = fake.message_requests()
    assert len(requests) == 3
    assert requests[0]["tool_choice"]["type"] == "any"
    answer = requests[1]["messages"][-1]["content"][0]
    assert answer["type"] == "tool_result" and "T" in answer["content"]
    assert "looking up: search_tasks" in texts(events)


async def test_tool_loop_stops_after_three_lookups(fake: FakeAnthropic, demo_store: Store) -> None:
    fake.lookups = 10
    plan = prepare(demo_store, "plan")
    plan.delegates[:] = plan.delegates[:1]
    final, _ = await run(engine(demo_store), plan)
    assert final.results[0].status == "succeeded"
    requests = fake.message_requests()
    assert len(requests) == 4
    assert requests[-1]["tool_choice"]["type"] == "tool"


async def test_cancel_closes_the_stream_at_once(fake: FakeAnthropic, demo_store: Store) -> None:
    fake.latency = lambda rng: 5.0  # spread over the stream's events
    fake.chunk = 4
    plan = prepare(demo_store, "plan")
    runner = Runner(engine(None), concurrency=3, timeout_s=30)
    loop = asyncio.get_running_loop()
    started = cancelled_at = loop.time()
    async for ev in runner.run(plan):
        if isinstance(ev, DelegateDelta) and cancelled_at == started:
            cancelled_at = loop.time()
            runner.cancel()
        if isinstance(ev, RunFinished):
            assert {r.status for r in ev.results} == {"cancelled"}
    assert loop.time() - cancelled_at < 3  # did not wait out the 5 s streams
    for _ in range(50):
        if fake.in_flight == 0:
            break
        await asyncio.sleep(0.02)
    assert fake.in_flight == 0  # the server saw the connections go


# --- batches ------------------------------------------------------------------------


async def test_batch_submit_then_collect(fake: FakeAnthropic, demo_store: Store) -> None:
    fake.batch_polls = 2
    plan = prepare(demo_store, "backlog")
    config = Config(model=TOOL_MODEL)
    batch_id = await batch_mod.submit_batch(demo_store, plan, config)
    # The batch (and its plan) is kept in the workspace itself, never with the key.
    assert [r.batch_id for r in demo_store.runs()] == [batch_id]
    assert KEY not in demo_store.path.read_text()
    assert await batch_mod.collect_batch(demo_store, batch_id, config) is None
    results = await batch_mod.collect_batch(demo_store, batch_id, config)
    assert results is not None
    assert [r.id for r in results] == [s.id for s in plan.delegates]
    assert all(r.status == "succeeded" for r in results)
    assert results[0].usage.cost_usd == estimate_cost(TOOL_MODEL, results[0].usage, batch=True)
    assert batch_mod.load_batches(demo_store)[batch_id]["state"] == "collected"
    again = batch_mod.load_batch_plan(demo_store, batch_id)
    assert [s.output_model for s in again.delegates] == [s.output_model for s in plan.delegates]
    submitted = next(r for r in fake.log if r["_path"] == "/v1/messages/batches")
    params = submitted["requests"][0]["params"]
    assert params["tool_choice"]["type"] == "tool" and "stream" not in params


# --- units ---------------------------------------------------------------------------


def test_readable_json_shows_whole_values_once() -> None:
    r = ReadableJSON()
    doc = json.dumps({"item_id": "B1", "title": "Call the plumber", "rationale": "Leak."})
    lines = [line for i in range(0, len(doc), 5) for line in r.feed(doc[i : i + 5])]
    lines += r.finish()
    assert lines == ["title: Call the plumber", "rationale: Leak."]


def test_retry_after_headers() -> None:
    assert retry_after_from(httpx2.Headers({"retry-after-ms": "250", "retry-after": "1"})) == 0.25
    assert retry_after_from(httpx2.Headers({"retry-after": "3"})) == 3.0
    reset = {"anthropic-ratelimit-requests-remaining": "0"}
    reset["anthropic-ratelimit-requests-reset"] = "2000-01-01T00:00:00Z"
    assert retry_after_from(httpx2.Headers(reset)) == 0.0
    assert retry_after_from(httpx2.Headers({})) is None


def test_prices() -> None:
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert estimate_cost("claude-sonnet-5-5", usage) == 12.0
    assert estimate_cost("claude-sonnet-5-5", usage, batch=True) == 6.0
    assert price_for("claude-sonnet-5-20260630") == price_for("claude-sonnet-5")
    assert price_for("claude-opus-9").input > 0 and price_for("mystery").input > 0
    cached = Usage(cache_creation_input_tokens=1_000_000, cache_read_input_tokens=1_000_000)
    assert estimate_cost("claude-sonnet-5", cached) == pytest.approx(2.5 + 0.2)
    plan = synthetic_plan(30)
    assert (
        0
        < estimate_run_cost(plan, DEFAULT_MODEL, batch=True)
        < estimate_run_cost(plan, DEFAULT_MODEL)
    )


def test_default_model_is_current() -> None:
    assert DEFAULT_MODEL == "claude-sonnet-5-5"
    assert AnthropicEngine(config=Config()).label == DEFAULT_MODEL


def test_fake_runs_as_a_subprocess(tmp_path: Path) -> None:
    script = Path(__file__).with_name("fake_anthropic.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--latency", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/_fake/stats", timeout=5) as response:
            assert json.load(response)["requests"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=5)
