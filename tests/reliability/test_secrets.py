"""Secrets: a distinctive fake API key never reaches the workspace, its sidecars, exports,
logs, error messages or the CLI's output, whatever the run goes through (faults, a 401).
Files we write are 0600. (TUI screenshots: test_tui_faults.py.)"""

from __future__ import annotations

import asyncio
import logging
import stat
from pathlib import Path
from typing import Any

import mcp
import pytest

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.fake_anthropic import FakeAnthropic
from tests.reliability.conftest import CANARY_KEY
from workos_tui import cli
from workos_tui.core.config import Config, load_config
from workos_tui.core.demo import write_demo
from workos_tui.mcp_server import build_server


def _grep_tree(root: Path, needle: str) -> list[str]:
    hits = []
    for p in root.rglob("*"):
        if p.is_file() and needle.encode() in p.read_bytes():
            hits.append(str(p))
    return hits


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    db = tmp_path / "ws" / "workspace.json"
    db.parent.mkdir()
    write_demo(db, today=FIXED_TODAY, now=FIXED_NOW)
    return db


def test_key_never_leaks(
    workspace: Path,
    tmp_path: Path,
    canary_key: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    db = str(workspace)
    with FakeAnthropic(fault_rate=0.3, retry_after=0.01, seed=5) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        args = ["--engine", "anthropic", "--db", db]
        cli.main(["run", "backlog", "--json", "--yes", *args])
        cli.main(["run", "analyze", *args])
        cli.main(["run", "plan", "--json", *args])
        fake.api_key = "another-key"  # now every request is a 401
        assert cli.main(["run", "plan", *args]) == 2
        assert cli.main(["run", "plan", "--json", *args]) == 2
        fake.api_key = None

        async def via_mcp() -> None:
            from workos_tui.core.store import Store

            async with mcp.Client(build_server(Store(workspace), Config())) as client:
                for name, args_ in (
                    ("run_parallel_operation", {"operation_type": "backlog_processing"}),
                    ("get_task_summary", {}),
                ):
                    r = await client.call_tool(name, args_)
                    seen.extend(getattr(c, "text", "") for c in r.content)

        asyncio.run(via_mcp())
        log_text = repr(fake.log)
    exports = tmp_path / "exports"
    exports.mkdir()
    for fmt in ("json", "taskwarrior", "todotxt", "markdown"):
        out_file = str(exports / f"out.{fmt}")
        assert cli.main(["export", "--format", fmt, "-o", out_file, "--db", db]) == 0
    pos = str(exports / "pos")
    assert cli.main(["export", "--format", "personal-os", "-o", pos, "--db", db]) == 0
    out, err = capsys.readouterr()
    seen += [out, err, caplog.text, log_text]
    assert not [s for s in seen if CANARY_KEY in s]
    assert _grep_tree(tmp_path, CANARY_KEY) == []
    assert repr(Config(api_key=CANARY_KEY)).count(CANARY_KEY) == 0

    # Modes: the workspace, its backup and sidecars, and every export are the owner's only.
    private = [workspace, workspace.with_name(workspace.name + ".bak")]
    private += [p for p in workspace.parent.glob("*.proposals.json")]
    private += [p for p in exports.rglob("*") if p.is_file()]
    assert len(private) >= 7
    assert {str(p): oct(_mode(p)) for p in private if _mode(p) & 0o077} == {}


def test_bad_config_file_does_not_echo_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    for text in (
        f'api_key = "{CANARY_KEY}"\nconcurrency = "lots"\n',
        f'api_key = "{CANARY_KEY}"\nunknown_setting = 1\n',
        f"api_key = {CANARY_KEY}\n",  # not quoted: a TOML syntax error
        f'api_key = ["{CANARY_KEY}"]\n',
    ):
        config.write_text(text, encoding="utf-8")
        try:
            load_config(config)
        except Exception as e:  # ConfigError
            assert CANARY_KEY not in str(e), text
            assert CANARY_KEY[:20] not in str(e), text


def test_key_from_the_config_file_is_used_but_never_written(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{CANARY_KEY}"\nmodel = "claude-sonnet-5"\n', encoding="utf-8")
    monkeypatch.setenv("WORKOS_CONFIG", str(config))
    with FakeAnthropic(api_key=CANARY_KEY) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        assert cli.main(["run", "plan", "--engine", "anthropic", "--db", str(workspace)]) == 0
        assert fake.statuses.get(200, 0) > 0  # the key from the file was sent ...
        assert CANARY_KEY not in repr(fake.log)  # (the fake keeps no credentials either)
    out, err = capsys.readouterr()
    assert CANARY_KEY not in out + err  # ... and shown nowhere
    assert _grep_tree(workspace.parent, CANARY_KEY) == []
