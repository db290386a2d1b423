"""Shared fixtures: throwaway workspaces and a fixed clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workos_tui.core.demo import write_demo
from workos_tui.core.store import Store

FIXED_TODAY = dt.date(2026, 12, 3)
FIXED_NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's workspace, config or API key."""
    monkeypatch.setenv("WORKOS_DB", str(tmp_path / "default-workspace.json"))
    monkeypatch.setenv("WORKOS_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("WORKOS_MODEL", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workspace.json"


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(db_path)


@pytest.fixture
def demo_store(db_path: Path) -> Store:
    return write_demo(db_path, today=FIXED_TODAY, now=FIXED_NOW)


def pytest_addoption(parser: pytest.Parser) -> None:
    # Must live in the root conftest: pytest only reads options from there or plugins.
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="run the long adversarial versions in tests/reliability (see benchmarks/)",
    )
