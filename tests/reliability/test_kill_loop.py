"""Crash safety: SIGKILL a process at random moments while it applies large transactions.

After every kill the workspace must load, validate, and hold exactly the state before or
after the last transaction (the child logs each committed transaction number), and the
undo journal must agree with it. 30 kills here, 200 with --long.
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
from workos_tui.core.store import Store

CHILD = Path(__file__).with_name("kill_child.py")
ROOT = Path(__file__).resolve().parents[2]


def _spawn(db: Path, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(log)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _stderr(child: subprocess.Popen[str]) -> str:
    if child.poll() is None:
        child.kill()
    return child.stderr.read() if child.stderr else ""


def _close(child: subprocess.Popen[str]) -> None:
    for stream in (child.stdin, child.stdout, child.stderr):
        if stream:
            stream.close()


def _last_logged(log: Path) -> int | None:
    if not log.exists():
        return None
    last: int | None = None
    for line in log.read_text(encoding="utf-8").splitlines():
        word = line.split()[-1] if line.strip() else ""
        if word.isdigit():
            last = int(word)
    return last


def check_state(db: Path, logged: int | None) -> int:
    """The committed transaction number the file holds; fails on any torn or lost state."""
    store = Store(db)
    store.validate_all()
    tasks = {t.id: t for t in store.tasks()}
    if not tasks:  # killed before the very first transaction landed
        assert logged is None
        return -1
    n = int(tasks["T1"].title.split()[1])
    if logged is None:
        assert n in (0, 1), n
    else:
        assert n in (logged, logged + 1), f"file holds txn {n}, last logged {logged}"
    bulk = [t for t in tasks.values() if t.title.startswith("bulk ")]
    assert len(bulk) == 60
    assert all(t.description.split()[:2] == ["txn", str(n)] for t in bulk), "torn transaction"
    added = sorted(int(t.title.split()[1]) for t in tasks.values() if t.title.startswith("added"))
    assert added == list(range(1, n + 1)), "a committed transaction was lost"
    if n > 0:
        assert store.history()[0].label == f"txn {n}"
    return n


def kill_loop(tmp_path: Path, kills: int, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    db, log = tmp_path / "workspace.json", tmp_path / "committed.log"
    stats = {"kills": 0, "mid_write": 0, "transactions": 0}
    nxt = _spawn(db, log)
    try:
        for _ in range(kills):
            child, nxt = nxt, _spawn(db, log)  # the next one imports while this one runs
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", _stderr(child)
            time.sleep(rng.uniform(0.0, 0.4))
            assert child.poll() is None, _stderr(child)
            child.send_signal(signal.SIGKILL)
            child.wait()
            _close(child)
            stats["kills"] += 1
            if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
                stats["mid_write"] += 1
            n = check_state(db, _last_logged(log))
            stats["transactions"] = max(stats["transactions"], n)
    finally:
        nxt.kill()
        nxt.wait()
        _close(nxt)
    # Stale temp files from killed writers are cleaned up by the next open.
    Store(db)
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    return stats


def test_kill_loop(tmp_path: Path) -> None:
    stats = kill_loop(tmp_path, kills=30)
    assert stats["transactions"] >= 10  # the loop made real progress between kills
    record("kills survived", stats["kills"])
    record("kills mid-write", stats["mid_write"])
    record("transactions committed (kill loop)", stats["transactions"])


@pytest.mark.long
def test_kill_loop_long(tmp_path: Path) -> None:
    stats = kill_loop(tmp_path, kills=200, seed=1)
    record("kills survived", stats["kills"])
    record("kills mid-write", stats["mid_write"])
    record("transactions committed (kill loop)", stats["transactions"])
