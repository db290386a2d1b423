"""Snapshot tests of the main, run and approval screens at 120×40 and 80×24, on the demo
workspace with a fixed clock and deterministic engines (the same scenes as screenshots/).
Update with `pytest tests/tui/test_snapshots.py --snapshot-update` after checking them."""

from __future__ import annotations

from pathlib import Path

import pytest

from workos_tui.tui.screenshots import SCENES, demo_store

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", ["main", "run", "approval"])
def test_screen_snapshot(snap_compare, tmp_path: Path, scene: str, size: tuple[int, int]) -> None:
    make, settle = SCENES[scene]
    app = make(demo_store(tmp_path))
    assert snap_compare(app, terminal_size=size, run_before=settle)
