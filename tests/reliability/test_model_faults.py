"""Model and network faults against the fake Messages API (never the network).

30% transient faults (429, 529, 500, dropped connection, stream cut short, `error` event,
malformed JSON) plus 10% invalid outputs: every delegate ends succeeded or failed with a
reason, nothing is written before approval, the proposal holds only validated actions.
A hanging server: per-delegate timeouts fire and cancel works. A 401, a wrong base URL or
no network: one clear message, and the run stops early.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.fake_anthropic import FakeAnthropic
from tests.reliability.conftest import record
from workos_tui import cli
from workos_tui.core.config import Config
from workos_tui.core.demo import write_demo
from workos_tui.core.engines.anthropic import AnthropicEngine
from workos_tui.core.events import DelegateStarted, RunFinished
from workos_tui.core.operations import aggregate, apply_proposal, prepare, scope_ids
from workos_tui.core.run_models import ALLOWED_KINDS
from workos_tui.core.runner import Runner
from workos_tui.core.store import Store

TOOL_MODEL = "claude-sonnet-5"


class FlakyModel(FakeAnthropic):
    """The fake API, plus a share of answers that are well-formed but invalid."""

    def __init__(self, *, invalid_rate: float, **kw: Any) -> None:
        super().__init__(**kw)
        self.invalid_rate = invalid_rate
        self.invalid_rng = random.Random(kw.get("seed", 0) + 1)
        self.invalid_sent = 0

    def respond(self, request: dict[str, Any], fault: str | None) -> dict[str, Any]:
        message = super().respond(request, fault)
        with self.lock:
            broken = self.invalid_rng.random() < self.invalid_rate
            if broken:
                self.invalid_sent += 1
        if broken:
            for block in message["content"]:
                if block["type"] == "tool_use":
                    block["input"] = {"decision": "delete_everything", "item_id": "T1"}
                elif block["type"] == "text":
                    block["text"] = "Sure! Here is what I think: not JSON at all"
        return message


@pytest.fixture
def big_backlog(db_path: Path) -> Store:
    store = write_demo(db_path, today=FIXED_TODAY, now=FIXED_NOW)
    with store.transaction("more ideas"):
        for i in range(30):
            store.add_backlog_item(f"Idea number {i}: look into the quarterly report part {i}")
    return store


def _engine(store: Store | None) -> AnthropicEngine:
    return AnthropicEngine(store=store, config=Config(model=TOOL_MODEL))


async def _run(plan: Any, store: Store | None, **kw: Any) -> RunFinished:
    eng = _engine(store)
    kw = {"concurrency": 8, "timeout_s": 20.0, "backoff_base": 0.01, **kw}
    final = None
    try:
        async for ev in Runner(eng, **kw).run(plan):
            if isinstance(ev, RunFinished):
                final = ev
    finally:
        await eng.aclose()
    assert final is not None
    return final


def _faulty_run(
    store: Store, monkeypatch: pytest.MonkeyPatch, seed: int, max_attempts: int = 4
) -> dict[str, int]:
    with FlakyModel(
        fault_rate=0.3, invalid_rate=0.1, retry_after=0.01, seed=seed, latency="uniform:0:0.01"
    ) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-faults")
        before = store.path.read_bytes()
        plan = prepare(store, "backlog")
        final = asyncio.run(_run(plan, store, max_attempts=max_attempts))
        assert store.path.read_bytes() == before  # nothing applied before approval
        for r in final.results:
            assert r.status in ("succeeded", "failed"), r
            if r.status == "failed":
                assert r.error and r.error.strip()
            else:
                assert r.output is not None
        proposal = aggregate(plan, final.results)
        scope = set().union(*(scope_ids(s, plan.context) for s in plan.delegates))
        items = {s.payload["item"]["id"] for s in plan.delegates}
        for a in proposal.actions:
            assert a.kind in ALLOWED_KINDS["backlog_processing"]
            assert set(a.backlog_item_ids) <= items
            assert a.task_id is None or a.task_id in scope
        tasks_before = {t.id: t for t in store.tasks()}
        apply_proposal(store, proposal)
        after = Store(store.path)
        after.validate_all()
        assert set(tasks_before) <= {t.id for t in after.tasks()}
        faults = sum(fake.faults_injected.values())
        return {
            "delegates": len(final.results),
            "faults": faults + fake.invalid_sent,
            "failed": sum(r.status == "failed" for r in final.results),
        }


def test_thirty_percent_faults_and_ten_percent_invalid(
    big_backlog: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats = _faulty_run(big_backlog, monkeypatch, seed=3)
    assert stats["faults"] >= 5
    record("model faults injected", stats["faults"])
    record("delegates run under faults", stats["delegates"])


@pytest.mark.long
def test_thirty_percent_faults_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for seed in range(10):
        store = write_demo(tmp_path / f"w{seed}.json", today=FIXED_TODAY, now=FIXED_NOW)
        with store.transaction("more ideas"):
            for i in range(60):
                store.add_backlog_item(f"Idea {i} about topic {seed}-{i}")
        stats = _faulty_run(store, monkeypatch, seed=seed, max_attempts=3)
        record("model faults injected", stats["faults"])
        record("delegates run under faults", stats["delegates"])


# --- hangs and cancel -----------------------------------------------------------------


@pytest.fixture
def hanging(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    with FakeAnthropic(faults=("hang",), fault_rate=1.0, hang_s=60.0) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-hang")
        yield fake


def test_hanging_server_per_delegate_timeouts_fire(
    hanging: FakeAnthropic, big_backlog: Store
) -> None:
    plan = prepare(big_backlog, "plan")
    start = time.monotonic()
    final = asyncio.run(_run(plan, None, timeout_s=0.4, max_attempts=2))
    assert time.monotonic() - start < 30  # 0.4 s timeouts fired; the server hangs 60 s
    assert {r.status for r in final.results} == {"failed"}
    assert all("timed out" in (r.error or "") for r in final.results)
    record("model faults injected", sum(hanging.faults_injected.values()))


def test_cancel_stops_a_hanging_run_at_once(hanging: FakeAnthropic, big_backlog: Store) -> None:
    plan = prepare(big_backlog, "backlog")

    async def go() -> tuple[RunFinished, float]:
        eng = _engine(big_backlog)
        runner = Runner(eng, concurrency=4, timeout_s=60)
        cancelled_at = 0.0
        final = None
        try:
            async for ev in runner.run(plan):
                if isinstance(ev, DelegateStarted) and not cancelled_at:
                    await asyncio.sleep(0.2)
                    cancelled_at = time.monotonic()
                    runner.cancel()
                if isinstance(ev, RunFinished):
                    final = ev
        finally:
            await eng.aclose()
        assert final is not None
        return final, time.monotonic() - cancelled_at

    final, took = asyncio.run(go())
    assert took < 20  # the server would hang for 60 s
    assert {r.status for r in final.results} == {"cancelled"}


# --- 401, wrong base URL, no network -------------------------------------------------


class _NotAnAPI(BaseHTTPRequestHandler):
    """Some other web server: 404 with an HTML page for everything."""

    def do_POST(self) -> None:
        body = b"<html><body>Not Found</body></html>"
        self.send_response(404)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def not_an_api() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _NotAnAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("case", ["401", "wrong base URL", "no network"])
def test_fatal_errors_give_one_message_and_stop_early(
    case: str,
    big_backlog: Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    not_an_api: str,
) -> None:
    with FakeAnthropic(api_key="the-right-key") as fake:
        url = {
            "401": fake.url,
            "wrong base URL": not_an_api,
            "no network": f"http://127.0.0.1:{_closed_port()}",
        }[case]
        monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-wrong-key")
        before = big_backlog.path.read_bytes()
        start = time.monotonic()
        code = cli.main(["run", "backlog", "--engine", "anthropic", "--db", str(big_backlog.path)])
        took = time.monotonic() - start
        out, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workos: error: the run stopped"), err
    assert "sk-ant-wrong-key" not in out + err
    assert big_backlog.path.read_bytes() == before
    assert took < 15
    report = None
    code = cli.main(
        ["run", "backlog", "--engine", "anthropic", "--json", "--db", str(big_backlog.path)]
    )
    out, _ = capsys.readouterr()
    report = json.loads(out)
    assert code == 2 and report["aborted"] and report["applied"] == []
