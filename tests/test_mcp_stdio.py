"""`workos mcp` as a host starts it: a subprocess speaking MCP over stdin/stdout."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import mcp

from workos_tui.core.store import Store

ROOT = Path(__file__).resolve().parent.parent


async def test_stdio_server_runs_the_backlog_flow(tmp_path: Path) -> None:
    db = tmp_path / "workspace.json"
    store = Store(db)
    store.add_backlog_item("Renew the passport")
    store.add_backlog_item("Draft the Q1 newsletter")
    params = mcp.StdioServerParameters(
        command=sys.executable,
        args=["-m", "workos_tui", "mcp", "--db", str(db)],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "WORKOS_CONFIG": str(tmp_path / "config.toml"),
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
    )
    async with mcp.Client(params, read_timeout_seconds=20) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"prepare_parallel_backlog_processing", "aggregate_parallel_results"} <= names

        prepared = await client.call_tool("prepare_parallel_backlog_processing", {})
        assert prepared.structured_content is not None
        assert prepared.structured_content["items"] == [
            "Renew the passport",
            "Draft the Q1 newsletter",
        ]
        out = await client.call_tool(
            "aggregate_parallel_results",
            {
                "operation_type": "backlog_processing",
                "delegate_results": [
                    {
                        "identifier": "B1",
                        "result": {
                            "item": "Renew the passport",
                            "suggested_category": "personal",
                            "suggested_priority": "P1",
                            "estimated_time": 45,
                            "ready_to_create": True,
                        },
                    },
                    {"item": "Draft the Q1 newsletter", "ready_to_create": True},
                ],
                "auto_create_tasks": True,
            },
        )
        assert not out.is_error and out.structured_content is not None
        assert len(out.structured_content["actions_taken"]) == 2

        bad = await client.call_tool("update_task_status", {"task_id": "T1", "status": "x"})
        assert bad.is_error
        done = await client.call_tool("update_task_status", {"task_id": "T1", "status": "d"})
        assert not done.is_error

    store.refresh()
    assert store.backlog() == []
    assert [(t.title, t.status) for t in store.tasks()] == [
        ("Renew the passport", "done"),
        ("Draft the Q1 newsletter", "todo"),
    ]
