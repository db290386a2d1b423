"""Concurrency: the TUI (run_test, capturing items with keys), `workos add` in a loop in
other processes, and the MCP server (in-process mcp.Client) write one file at the same
time; at the end every write is there, exactly once, and the file validates."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import mcp
import pytest

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.reliability.conftest import record
from tests.tui.conftest import make_app, wait_for
from workos_tui.core.config import Config
from workos_tui.core.demo import write_demo
from workos_tui.core.store import Store
from workos_tui.mcp_server import build_server
from workos_tui.tui.screens.capture import CaptureModal

ROOT = Path(__file__).resolve().parents[2]
HELPER = Path(__file__).with_name("cli_add_loop.py")


def _cli_loop(db: Path, n: int, prefix: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HELPER), str(db), str(n), prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def _mcp_writes(db: Path, n: int) -> list[str]:
    written = []
    async with mcp.Client(build_server(Store(db), Config())) as client:
        for i in range(n):
            text = f"mcp item {i}"
            r = await client.call_tool("add_backlog_item", {"text": text})
            assert not r.is_error, r.content
            written.append(text)
            r = await client.call_tool("create_task", {"title": f"mcp task {i}", "priority": "P3"})
            assert not r.is_error, r.content
            written.append(f"mcp task {i}")
            await asyncio.sleep(0)
    return written


async def _tui_writes(db: Path, n: int) -> list[str]:
    app = make_app(Store(db), poll_interval=0.05)
    written = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CaptureModal))
        for i in range(n):
            text = f"tui item {i}"
            await pilot.press(*text, "enter")
            written.append(text)
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not app.store.unsaved
    return written


async def _all_at_once(db: Path, n_tui: int, n_mcp: int, n_cli: int, procs: int) -> list[str]:
    loops = [_cli_loop(db, n_cli, f"cli{p} item") for p in range(procs)]
    try:
        tui, mcp_written = await asyncio.gather(_tui_writes(db, n_tui), _mcp_writes(db, n_mcp))
    finally:
        outputs = [p.communicate(timeout=120) for p in loops]
    for p, (out, err) in zip(loops, outputs, strict=True):
        assert p.returncode == 0 and out.split()[-1:] == ["done"], err
    cli_written = [f"cli{p} item {i}" for p in range(procs) for i in range(n_cli)]
    return [*tui, *mcp_written, *cli_written]


def _check(db: Path, expected: list[str]) -> None:
    store = Store(db)
    store.validate_all()
    texts = [b.text for b in store.backlog()] + [t.title for t in store.tasks()]
    missing = [t for t in expected if t not in texts]
    assert not missing, f"lost {len(missing)} writes: {missing[:5]}"
    dupes = {t for t in expected if texts.count(t) > 1}
    assert not dupes, f"written twice: {sorted(dupes)[:5]}"
    ids = [b.id for b in store.backlog()] + [t.id for t in store.tasks()]
    assert len(ids) == len(set(ids))


def _run(tmp_path: Path, n_tui: int, n_mcp: int, n_cli: int, procs: int) -> int:
    db = tmp_path / "workspace.json"
    write_demo(db, today=FIXED_TODAY, now=FIXED_NOW)
    expected = asyncio.run(_all_at_once(db, n_tui, n_mcp, n_cli, procs))
    _check(db, expected)
    return len(expected)


def test_tui_cli_and_mcp_write_one_file_at_once(tmp_path: Path) -> None:
    writes = _run(tmp_path, n_tui=10, n_mcp=10, n_cli=15, procs=2)
    record("concurrent writes checked", writes)


@pytest.mark.long
def test_tui_cli_and_mcp_write_one_file_at_once_long(tmp_path: Path) -> None:
    writes = _run(tmp_path, n_tui=120, n_mcp=150, n_cli=200, procs=3)
    record("concurrent writes checked", writes)
