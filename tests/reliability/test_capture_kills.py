"""Crash safety of quick capture: SIGKILL a process at random moments while it appends to
the workspace's inbox and, every few captures, writes through the store (which merges the
inbox and removes it).

After every kill the workspace loads and validates; every capture whose id the process got
back is there exactly once, sub-item included; nothing is there twice; and each capture is
its own undoable change. 15 kills here, 100 with --long. (A kill rarely lands in the
narrowest windows, between a store's write and its removal of the inbox, or inside one
append; tests/test_capture.py puts the file in those states directly.)
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import record
from workos_tui.core import inbox
from workos_tui.core.store import Store

CHILD = Path(__file__).with_name("capture_child.py")
ROOT = Path(__file__).resolve().parents[2]
NUMBERS_PER_CHILD = 100_000  # each child counts from its own start, so no text repeats


def _printed(out: Path) -> list[str]:
    """The lines the child finished printing (a line cut short by the kill is not one)."""
    raw = out.read_text(encoding="utf-8") if out.exists() else ""
    return raw.split("\n")[:-1]


def _wait_for_output(out: Path, child: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not _printed(out):
        assert child.poll() is None, f"the child exited with {child.returncode}"
        assert time.monotonic() < deadline, "the child printed nothing"
        time.sleep(0.01)


def check_state(db: Path, printed: set[str]) -> dict[str, int]:
    store = Store(db)
    store.validate_all()
    items = store.backlog()
    texts = [b.text for b in items]
    assert len(texts) == len(set(texts)), "a capture was added twice"
    missing = printed - set(texts)
    assert not missing, f"captures lost: {sorted(missing)[:5]}"
    for item in items:
        if item.text.startswith("capture "):
            assert item.subitems == [f"sub of {item.text.split()[1]}"], item
    labels = [entry.label for entry in store.history()]
    assert len(labels) == len(set(labels)), "one change journaled twice"
    return {"items": len(items), "waiting": len(inbox.read_entries(inbox.inbox_path(db)))}


def kill_captures(tmp_path: Path, kills: int, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    db = tmp_path / "workspace.json"
    Store(db)  # a workspace WorkOS wrote, so captures take the inbox path
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    printed: set[str] = set()
    stats = {"kills": 0, "captures": 0, "with_inbox_waiting": 0}
    for round_ in range(kills):
        out = tmp_path / f"child-{round_}.out"
        with out.open("wb") as stdout:
            child = subprocess.Popen(
                [sys.executable, str(CHILD), str(db), str(round_ * NUMBERS_PER_CHILD)],
                stdout=stdout,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=ROOT,
            )
        try:
            _wait_for_output(out, child)
            time.sleep(rng.uniform(0.0, 0.15))
            assert child.poll() is None, f"the child exited with {child.returncode}"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        stats["kills"] += 1
        lines = _printed(out)
        assert not any(line.startswith("refused") for line in lines), lines[-1]
        printed.update(lines)
        state = check_state(db, printed)
        stats["captures"] = state["items"]
        stats["with_inbox_waiting"] += state["waiting"] > 0
    return stats


def test_captures_survive_kills(tmp_path: Path) -> None:
    stats = kill_captures(tmp_path, kills=15)
    assert stats["captures"] >= 30  # the children made real progress between kills
    record("kills survived (quick capture)", stats["kills"])
    record("captures checked after kills", stats["captures"])


@pytest.mark.long
def test_captures_survive_kills_long(tmp_path: Path) -> None:
    stats = kill_captures(tmp_path, kills=100, seed=1)
    record("kills survived (quick capture)", stats["kills"])
    record("captures checked after kills", stats["captures"])
