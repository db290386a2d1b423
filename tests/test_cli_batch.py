"""`workos run --batch` and `workos run collect` through the fake Messages API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_anthropic import FakeAnthropic
from workos_tui.core.store import Store

KEY = "sk-ant-test-BATCH-SECRET-42"


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(latency=0.0, seed=1) as server:
        server.batch_polls = 2  # the first collect finds it still processing
        yield server


def workos(db: Path, fake: FakeAnthropic, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": fake.url,
        "ANTHROPIC_API_KEY": KEY,
        "WORKOS_MODEL": "claude-sonnet-5",
    }
    return subprocess.run(
        [sys.executable, "-m", "workos_tui", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_batch_submit_then_collect_into_the_approval_flow(
    demo_store: Store, db_path: Path, fake: FakeAnthropic
) -> None:
    items_before = len(demo_store.backlog())
    submitted = workos(db_path, fake, "run", "backlog", "--batch", "--json")
    assert submitted.returncode == 0, submitted.stderr
    batch_id = json.loads(submitted.stdout)["batch_id"]
    runs = Store(db_path).runs()
    assert [(r.batch_id, r.state) for r in runs] == [(batch_id, "submitted")]
    assert KEY not in db_path.read_text()

    waiting = workos(db_path, fake, "run", "collect")
    assert waiting.returncode == 0
    assert "still processing" in waiting.stderr

    collected = workos(db_path, fake, "run", "collect", batch_id, "--json", "--yes")
    assert collected.returncode == 0, collected.stderr
    report = json.loads(collected.stdout)
    assert report["operation"] == "backlog_processing"
    assert {d["status"] for d in report["delegates"]} == {"succeeded"}
    assert report["applied"] and len(report["applied"]) == len(report["proposal"]["actions"])
    after = Store(db_path)
    assert [r.state for r in after.runs()] == ["collected"]
    assert len(after.backlog()) < items_before
    assert KEY not in collected.stdout + collected.stderr


def test_batch_needs_the_anthropic_engine(demo_store: Store, db_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "workos_tui", "run", "backlog", "--batch", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stderr.startswith("workos: error: --batch needs the anthropic engine")


def test_collect_with_nothing_submitted(demo_store: Store, db_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "workos_tui", "run", "collect", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "no submitted batch" in r.stderr
