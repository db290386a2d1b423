"""Reliability suite: `--long` switches every test to its long version (more kills, more
faults, more hypothesis examples); figures are recorded for benchmarks/reliability_long.py."""

from __future__ import annotations

import atexit
import json
import os
from collections import Counter
from collections.abc import Iterator

import pytest

# name -> count; written to $WORKOS_RELIABILITY_FIGURES at exit when that is set.
FIGURES: Counter[str] = Counter()
CANARY_KEY = "sk-ant-api03-CANARY-7f3e9b1d-DO-NOT-LEAK-5a8c2e"


def record(name: str, n: int = 1) -> None:
    FIGURES[name] += n


def _dump_figures() -> None:
    target = os.environ.get("WORKOS_RELIABILITY_FIGURES")
    if target and FIGURES:
        with open(target, "w", encoding="utf-8") as f:
            json.dump(dict(FIGURES), f, indent=1, sort_keys=True)


atexit.register(_dump_figures)


@pytest.fixture
def long_run(request: pytest.FixtureRequest) -> bool:
    """True with `pytest --long`: tests scale their loops up."""
    return bool(request.config.getoption("--long", default=False))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--long", default=False):
        return
    skip = pytest.mark.skip(reason="long version: run with --long (benchmarks/reliability_long.py)")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def canary_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY_KEY)
    yield CANARY_KEY


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import HealthCheck, settings

    common = {
        "deadline": None,
        "database": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    }
    settings.register_profile("reliability-ci", max_examples=60, **common)  # type: ignore[arg-type]
    settings.register_profile("reliability-long", max_examples=1500, **common)  # type: ignore[arg-type]
    long = config.getoption("--long", default=False)
    settings.load_profile("reliability-long" if long else "reliability-ci")
