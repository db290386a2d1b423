"""`workos mcp` in-process through `mcp.Client`: the original tools, their schemas, the
three original flows with loose delegate results, errors, restarts and a concurrent writer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mcp

from tests.scripted_engine import Script, ScriptedEngine
from workos_tui.core.config import Config
from workos_tui.core.models import Task
from workos_tui.core.store import Store
from workos_tui.mcp_proposals import sidecar_path
from workos_tui.mcp_server import build_server

EXPECTED_INPUTS: dict[str, dict[str, Any]] = {
    # name -> {param: (json type, default or REQUIRED)}
    "prepare_parallel_backlog_processing": {"include_existing_tasks": ("boolean", True)},
    "prepare_parallel_task_analysis": {
        "analysis_types": ("array", ["priority", "category", "blockers"])
    },
    "prepare_parallel_daily_planning": {
        "include_goals": ("boolean", True),
        "include_knowledge": ("boolean", False),
    },
    "aggregate_parallel_results": {
        "operation_type": ("string", "REQUIRED"),
        "delegate_results": ("array", "REQUIRED"),
        "auto_create_tasks": ("boolean", False),
    },
    "clear_backlog": {"item_ids": ("array|null", None)},
    "list_tasks": {
        "category": ("string|null", None),
        "priority": ("string|null", None),
        "status": ("string|null", None),
        "include_done": ("boolean", False),
    },
    "create_task": {
        "title": ("string", "REQUIRED"),
        "category": ("string", "other"),
        "priority": ("string", "P2"),
        "estimated_time": ("integer", 30),
        "content": ("string", ""),
    },
    "update_task_status": {"task_id": ("string", "REQUIRED"), "status": ("string", "REQUIRED")},
    "get_task_summary": {},
    "check_priority_limits": {},
    "process_backlog": {},
    "add_backlog_item": {"text": ("string", "REQUIRED")},
    "list_goals": {},
    "add_note": {"title": ("string", "REQUIRED"), "body": ("string", "")},
    "search_notes": {"query": ("string", "REQUIRED")},
    "run_parallel_operation": {
        "operation": ("string", "REQUIRED"),
        "options": ("object|null", None),
    },
    "apply_proposal": {
        "proposal_id": ("string", "REQUIRED"),
        "action_ids": ("array|null", None),
    },
}


def _type_of(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:
        return "|".join(p["type"] for p in prop["anyOf"])
    return str(prop["type"])


class Session:
    """A connected client with helpers that fail the test on an unexpected tool error."""

    def __init__(self, client: mcp.Client) -> None:
        self.client = client

    async def ok(self, name: str, **args: Any) -> dict[str, Any]:
        r = await self.client.call_tool(name, args)
        assert not r.is_error, r.content[0].text  # type: ignore[union-attr]
        assert r.structured_content is not None
        # The text content carries the same JSON for hosts that ignore structured content.
        assert json.loads(r.content[0].text) == r.structured_content  # type: ignore[union-attr]
        result: dict[str, Any] = r.structured_content
        return result

    async def error(self, name: str, **args: Any) -> str:
        r = await self.client.call_tool(name, args)
        assert r.is_error, r.structured_content
        text: str = r.content[0].text  # type: ignore[union-attr]
        return text


@contextlib.asynccontextmanager
async def connect(store: Store, engine: Any = None) -> AsyncIterator[Session]:
    # Not a fixture: anyio's task groups must be entered and left in the same task.
    async with mcp.Client(build_server(store, Config(), engine=engine)) as client:
        yield Session(client)


def _task_images(store: Store) -> dict[str, dict[str, Any]]:
    store.refresh()
    return {t.id: t.model_dump(mode="json") for t in store.tasks()}


# --- the tool list -----------------------------------------------------------------


async def test_every_original_tool_is_listed_with_its_exact_inputs(store: Store) -> None:
    async with connect(store) as empty:
        tools = {t.name: t for t in (await empty.client.list_tools()).tools}
        assert set(EXPECTED_INPUTS) <= set(tools)
        for name, params in EXPECTED_INPUTS.items():
            schema = tools[name].input_schema
            props = schema.get("properties", {})
            assert set(props) == set(params), name
            required = {p for p, (_, default) in params.items() if default == "REQUIRED"}
            assert set(schema.get("required", [])) == required, name
            for p, (json_type, default) in params.items():
                assert _type_of(props[p]) == json_type, (name, p)
                if default != "REQUIRED":
                    assert props[p]["default"] == default, (name, p)
            assert tools[name].description, name
        items = tools["aggregate_parallel_results"].input_schema["properties"]["delegate_results"]
        assert items["items"]["type"] == "object"


# --- everyday tools ----------------------------------------------------------------


async def test_everyday_tools_work_without_the_tui(store: Store) -> None:
    async with connect(store) as empty:
        made = await empty.ok(
            "create_task",
            title="Ship the beta",
            category="technical",
            priority="1",
            estimated_time=90,
            content="cut the release branch",
        )
        assert made["success"] and made["task_id"] == "T1"
        assert made["task"]["priority"] == "P1" and made["task"]["estimated_time"] == 90
        await empty.ok("create_task", title="Email Sam", category="outreach")
        await empty.ok(
            "update_task_status", task_id="t2", status="d"
        )  # original code, lower-case id
        moved = await empty.ok("update_task_status", task_id="Ship the beta.md", status="s")
        assert moved["task_id"] == "T1" and moved["new_status"] == "started"
        assert moved["status_code"] == "s"

        listed = await empty.ok("list_tasks")
        assert [t["id"] for t in listed["tasks"]] == ["T1"] and listed["count"] == 1
        done = await empty.ok("list_tasks", status="d")
        assert [t["title"] for t in done["tasks"]] == ["Email Sam"]
        both = await empty.ok("list_tasks", include_done=True, category="technical,outreach")
        assert both["count"] == 2
        assert (await empty.ok("list_tasks", priority="P0,P3"))["count"] == 0

        summary = await empty.ok("get_task_summary")
        assert summary["total_tasks"] == 2 and summary["active_tasks"] == 1
        assert summary["by_status"] == {"started": 1, "done": 1}
        assert summary["time_by_priority"]["P1"] == {"total_minutes": 90, "total_hours": 1.5}

        for n in range(4):
            await empty.ok("create_task", title=f"Fire {n}", priority="P0")
        limits = await empty.ok("check_priority_limits")
        assert limits["balanced"] is False and limits["alerts"] == ["P0 has 4 tasks (limit: 3)"]

        assert (await empty.ok("process_backlog"))["message"] == "Backlog is already clear"
        added = await empty.ok("add_backlog_item", text="Look into SSO pricing")
        backlog = await empty.ok("process_backlog")
        assert backlog["count"] == 1 and backlog["parsed_items"][0]["id"] == added["item_id"]
        assert backlog["content"] == "- Look into SSO pricing"

        note = await empty.ok(
            "add_note", title="SSO vendors", body="Okta and WorkOS are the options"
        )
        found = await empty.ok("search_notes", query="okta")
        assert [r["id"] for r in found["results"]] == [note["note_id"]]
        assert (await empty.ok("search_notes", query="kubernetes"))["count"] == 0
        assert (await empty.ok("list_goals"))["goals"] == []

        # Everything landed in the workspace the TUI reads.
        store.refresh()
        assert store.get_task("T1").status == "started" and store.get_task("T2").status == "done"
        assert [b.text for b in store.backlog()] == ["Look into SSO pricing"]


async def test_list_goals_reports_progress(demo_store: Store) -> None:
    async with connect(demo_store) as demo:
        goals = (await demo.ok("list_goals"))["goals"]
        assert {g["id"] for g in goals} == {g.id for g in demo_store.goals()}
        assert all({"title", "status", "tasks_total", "tasks_done"} <= set(g) for g in goals)


async def test_errors_are_tool_errors_and_the_server_lives_on(store: Store) -> None:
    async with connect(store) as empty:
        await empty.ok("create_task", title="Real task")
        assert "status must be one of" in await empty.error(
            "update_task_status", task_id="T1", status="finished"
        )
        assert "no task with id or title 'T99'" in await empty.error(
            "update_task_status", task_id="T99", status="d"
        )
        assert "category must be one of" in await empty.error(
            "create_task", title="x", category="marketing"
        )
        assert "priority must be one of" in await empty.error(
            "create_task", title="x", priority="P9"
        )
        assert "title" in await empty.error("create_task", title="   ")
        assert "status must be one of" in await empty.error("list_tasks", status="n,zzz")
        assert "no proposal with id 'nope'" in await empty.error(
            "apply_proposal", proposal_id="nope"
        )
        assert "unknown operation" in await empty.error(
            "aggregate_parallel_results", operation_type="dance", delegate_results=[]
        )
        assert "unknown analysis type" in await empty.error(
            "prepare_parallel_task_analysis", analysis_types=["vibes"]
        )
        assert "no backlog item with id B7" in await empty.error("clear_backlog", item_ids=["B7"])
        assert "query must not be empty" in await empty.error("search_notes", query=" ")
        # Still serving, and nothing half-written.
        assert (await empty.ok("list_tasks"))["count"] == 1


async def test_sees_changes_other_processes_made(store: Store, db_path: Path) -> None:
    async with connect(store) as empty:
        other = Store(db_path)  # the TUI's store
        other.add_task(Task(title="Written by the TUI"))
        assert [t["title"] for t in (await empty.ok("list_tasks"))["tasks"]] == [
            "Written by the TUI"
        ]


# --- flow 1: "Clear my backlog" -----------------------------------------------------

LOOSE_BACKLOG_RESULTS: list[Any] = [
    # bare, original format: a duplicate named by title in a list, as the original asked
    {
        "item": "Fix the Safari login redirect bug",
        "is_duplicate": True,
        "similar_to": ["Fix login redirect loop on Safari"],
        "is_ambiguous": False,
        "clarification_needed": [],
        "suggested_category": "technical",
        "suggested_priority": "P0",
        "estimated_time": 60,
        "ready_to_create": False,
    },
    # wrapped, as hosts return delegate output: the original's aggregator dropped these
    {
        "identifier": "B5",
        "result": {
            "item": "Prepare slides for the January all-hands",
            "is_duplicate": False,
            "similar_to": [],
            "is_ambiguous": False,
            "clarification_needed": [],
            "suggested_category": "writing",
            "suggested_priority": "P1",
            "estimated_time": "2 hours",
            "ready_to_create": True,
        },
    },
    {
        "identifier": "B9",
        "result": {
            "item": "Schedule a dentist appointment",
            "suggested_category": "personal",
            "suggested_priority": "low",
            "estimated_time": "15 min",
            "ready_to_create": True,
        },
    },
    # a JSON string, as some hosts pass a delegate's reply
    json.dumps(
        {
            "item": "Order a new monitor for the home office",
            "suggested_category": "admin",
            "suggested_priority": "P3",
            "estimated_time": 20,
            "ready_to_create": True,
        }
    ),
    {
        "identifier": "B7",
        "result": {
            "item": "that thing from the meeting",
            "is_ambiguous": True,
            "clarification_needed": ["Which meeting, and what was the thing?"],
            "ready_to_create": False,
        },
    },
    # our strict format, wrapped
    {
        "identifier": "B11",
        "result": {
            "item_id": "B11",
            "decision": "create_task",
            "title": "Make the billing webhook handler idempotent",
            "category": "technical",
            "priority": "P1",
            "estimate_minutes": 180,
        },
    },
    # malformed entries: reported one by one, never failing the call
    "not json at all",
    {"item": "Something that was never in the backlog", "ready_to_create": True},
    {"identifier": "B6", "result": {"item_id": "B6", "decision": "duplicate"}},
]


async def test_flow_clear_my_backlog(demo_store: Store) -> None:
    async with connect(demo_store) as demo:
        prepared = await demo.ok("prepare_parallel_backlog_processing", include_existing_tasks=True)
        assert prepared["operation"] == "parallel_backlog_processing"
        assert prepared["total_items"] == 14 == len(prepared["items"]) == len(prepared["item_ids"])
        assert prepared["items"][0] == "Fix the Safari login redirect bug"
        assert prepared["existing_tasks_count"] == 16  # the open tasks
        assert set(prepared["existing_tasks"][0]) == {
            "id",
            "title",
            "category",
            "status",
            "priority",
        }
        fmt = prepared["delegate_instructions"]
        assert {"task", "check_for", "output_format", "strict_output_format"} <= set(fmt)
        assert "ready_to_create" in fmt["output_format"]
        assert fmt["strict_output_format"]["title"] == "BacklogTriage"

        before = _task_images(demo_store)
        out = await demo.ok(
            "aggregate_parallel_results",
            operation_type="backlog_processing",
            delegate_results=LOOSE_BACKLOG_RESULTS,
            auto_create_tasks=True,
        )
        assert out["delegates_processed"] == 9 and out["entries_used"] == 6
        assert [e.split(":")[0] for e in out["errors"]] == ["entry 7", "entry 8", "entry 9"]
        assert "never in the backlog" in out["errors"][1]
        assert "duplicate_of" in out["errors"][2]
        created = {t["title"]: t for t in out["created_tasks"]}
        assert set(created) == {
            "Prepare slides for the January all-hands",
            "Schedule a dentist appointment",
            "Order a new monitor for the home office",
            "Make the billing webhook handler idempotent",
        }
        assert created["Prepare slides for the January all-hands"]["estimated_time"] == 120
        assert created["Schedule a dentist appointment"]["priority"] == "P3"
        assert len(out["actions_taken"]) == 4
        assert all(a.startswith("Created task: ") for a in out["actions_taken"])
        assert out["summary"]["duplicates"] == 1 and out["summary"]["needs_clarification"] == 1
        assert out["summary"]["created"] == 4 and out["ready_to_create"] == []
        assert out["duplicates"][0]["task_id"] == "T1"

        # auto_create_tasks created tasks and nothing else: no existing task changed.
        after = _task_images(demo_store)
        assert {k: v for k, v in after.items() if k in before} == before
        assert len(after) == len(before) + 4
        # The created tasks' items left the backlog; the duplicate and the vague item stayed.
        backlog = {b.id for b in demo_store.backlog()}
        assert not backlog & {"B5", "B9", "B11", "B14"}
        assert {"B1", "B7"} <= backlog

        # clear_backlog() removes nothing still waiting on a person, and says why.
        cleared = await demo.ok("clear_backlog")
        kept = {k["id"]: k["reason"] for k in cleared["kept"]}
        assert cleared["removed"] == []
        assert f"apply_proposal('{out['proposal_id']}'" in kept["B1"]
        assert kept["B7"].startswith("attach_questions proposed")

        # Apply the merge and the questions: B1 is consumed, B7 now waits for an answer.
        ids = [
            a["id"] for a in out["actions"] if a["kind"] in {"merge_into_task", "attach_questions"}
        ]
        applied = await demo.ok("apply_proposal", proposal_id=out["proposal_id"], action_ids=ids)
        assert applied["applied"] == ids
        demo_store.refresh()
        assert "B1" in demo_store.get_task("T1").source_backlog_ids
        kept = {k["id"]: k["reason"] for k in (await demo.ok("clear_backlog"))["kept"]}
        assert "B1" not in kept
        assert kept["B7"] == "waiting for clarification: Which meeting, and what was the thing?"
        # Named, it goes.
        named = await demo.ok("clear_backlog", item_ids=["b7"])
        assert named["removed"] == [{"id": "B7", "text": "that thing from the meeting"}]


async def test_clear_backlog_default_removes_items_a_task_came_from(store: Store) -> None:
    async with connect(store) as empty:
        for text in ("Book the venue", "Vague idea", "Untouched"):
            await empty.ok("add_backlog_item", text=text)
        # The TUI (or an import) made a task from B1 without removing it; B2 awaits an answer.
        store.refresh()
        store.add_task(Task(title="Book the venue", source_backlog_ids=["B1"]))
        item = store.get_backlog_item("B2")
        store.put(item.model_copy(update={"questions": ["Which idea?"]}))
        out = await empty.ok("clear_backlog")
        assert [r["id"] for r in out["removed"]] == ["B1"]
        assert {k["id"] for k in out["kept"]} == {"B2", "B3"}
        assert out["remaining"] == 2
        assert (await empty.ok("clear_backlog", item_ids=[]))["removed_count"] == 0


# --- flow 2: "Give me a full analysis of my tasks" ----------------------------------


async def test_flow_full_analysis(demo_store: Store) -> None:
    async with connect(demo_store) as demo:
        prepared = await demo.ok(
            "prepare_parallel_task_analysis",
            analysis_types=["priority", "category", "blockers", "goal_alignment", "time_estimates"],
        )
        assert prepared["operation"] == "parallel_task_analysis"
        assert prepared["total_active_tasks"] == 16
        assert [d["identifier"] for d in prepared["delegates"]] == [
            "priority_analysis",
            "category_analysis",
            "blocker_analysis",
            "goal_alignment_analysis",
            "time_analysis",
        ]
        assert all(
            {"identifier", "task", "data", "output"} <= set(d) for d in prepared["delegates"]
        )
        default = await demo.ok("prepare_parallel_task_analysis")
        assert default["analysis_types"] == ["priority", "category", "blockers"]

        results = [
            {
                "identifier": "priority_analysis",
                "result": {
                    "suggestions": [
                        {"task_id": "T11", "suggested_priority": "high", "reason": "expires soon"}
                    ],
                    "recommendations": ["P1 is overloaded: move two tasks to P2"],
                },
            },
            {"identifier": "category_analysis", "findings": ["Writing work is thin this month"]},
            {
                "identifier": "blocker_analysis",
                "result": {
                    "blocked_tasks": [{"id": "T8", "blocked_by": ["T7"], "suggestion": "Chase"}]
                },
            },
            {
                "identifier": "time_analysis",
                "result": {"findings": ["About 40 hours of open work"]},
            },
            {"identifier": "mood_analysis", "result": {}},
        ]
        before = _task_images(demo_store)
        out = await demo.ok(
            "aggregate_parallel_results", operation_type="task_analysis", delegate_results=results
        )
        assert out["errors"] == ["entry 5: unknown analysis 'mood_analysis'"]
        assert out["analysis_results"] == results
        assert out["summary"]["analyses_completed"] == 4
        assert [a["kind"] for a in out["actions"]] == ["set_priority"]
        assert "P1 is overloaded: move two tasks to P2" in out["recommendations"]
        assert _task_images(demo_store) == before  # a proposal only

        applied = await demo.ok("apply_proposal", proposal_id=out["proposal_id"])
        assert applied["applied"] == ["A1"]
        demo_store.refresh()
        assert demo_store.get_task("T11").priority == "P1"
        again = await demo.ok("apply_proposal", proposal_id=out["proposal_id"])
        assert again["applied"] == [] and again["already_applied"] == ["A1"]
        assert "no action A9" in await demo.error(
            "apply_proposal", proposal_id=out["proposal_id"], action_ids=["A9"]
        )


# --- flow 3: "What should I work on today?" -----------------------------------------


async def test_flow_what_should_i_work_on_today(demo_store: Store) -> None:
    async with connect(demo_store) as demo:
        prepared = await demo.ok("prepare_parallel_daily_planning", include_knowledge=True)
        assert prepared["operation"] == "parallel_daily_planning"
        assert set(prepared["time_context"]) >= {"day", "date", "hour", "time_of_day"}
        assert [d["identifier"] for d in prepared["delegates"]] == [
            "priority_focus",
            "momentum_tasks",
            "goal_progress",
        ]
        assert prepared["knowledge_context"] and "title" in prepared["knowledge_context"][0]
        no_goals = await demo.ok("prepare_parallel_daily_planning", include_goals=False)
        assert "goal_progress" not in [d["identifier"] for d in no_goals["delegates"]]

        results = [
            {
                "identifier": "priority_focus",
                "result": {
                    "tasks": [
                        {"task_id": "T7", "reason": "P0 and it blocks T8", "minutes": 30},
                        {"title": "Submit November expense report", "reason": "due", "minutes": 20},
                    ]
                },
            },
            {
                "identifier": "momentum_tasks",
                "recommendations": [
                    "Keep the churn interviews going while they are fresh",
                    {
                        "task": "Interview five churned customers",
                        "reason": "started",
                        "minutes": 60,
                    },
                ],
            },
            {"identifier": "goal_progress", "result": {"recommendations": ["Outline the report"]}},
        ]
        out = await demo.ok(
            "aggregate_parallel_results", operation_type="daily_planning", delegate_results=results
        )
        assert out["errors"] == []
        assert out["summary"]["delegates_consulted"] == 3
        assert "Keep the churn interviews going while they are fresh" in out["recommendations"]
        assert "Outline the report" in out["recommendations"]
        planned = {e["task_id"]: e for e in out["plan"]["entries"]}
        assert {"T7", "T10", "T5"} <= set(planned)
        assert planned["T7"]["title"] == "Get the survey export from the vendor"
        assert demo_store.latest_plan() is None

        await demo.ok("apply_proposal", proposal_id=out["proposal_id"])
        demo_store.refresh()
        plan = demo_store.latest_plan()
        assert plan is not None and {e.task_id for e in plan.entries} == set(planned)


# --- run_parallel_operation and restarts ---------------------------------------------


async def test_run_parallel_operation_then_apply_after_a_restart(demo_store: Store) -> None:
    engine = ScriptedEngine(default=Script(latency=0.001))
    async with mcp.Client(build_server(demo_store, Config(), engine=engine)) as client:
        out = await Session(client).ok("run_parallel_operation", operation="backlog")
    assert out["operation"] == "backlog_processing" and out["engine"] == "scripted"
    assert len(out["delegates"]) == 14
    assert all(d["status"] == "succeeded" for d in out["delegates"])
    assert out["actions"] and out["applied"] == []
    assert len(demo_store.backlog()) == 14  # not applied

    sidecar = sidecar_path(demo_store.path)
    assert stat.S_IMODE(os.stat(sidecar).st_mode) == 0o600

    # A new server process (here: a new store and server on the same file) can apply it.
    restarted = Store(demo_store.path)
    async with mcp.Client(build_server(restarted, Config())) as client:
        applied = await Session(client).ok("apply_proposal", proposal_id=out["proposal_id"])
    assert applied["applied"] and applied["created_tasks"]
    restarted.refresh()
    assert len(restarted.backlog()) < 14


async def test_run_parallel_operation_rejects_unknown_operations(store: Store) -> None:
    async with connect(store) as empty:
        assert "unknown operation" in await empty.error(
            "run_parallel_operation", operation="juggle"
        )


# --- two writers on one file ---------------------------------------------------------

_TUI_WRITER = """
import pathlib, sys, time
from workos_tui.core.store import Store
store = Store(sys.argv[1])
pathlib.Path(sys.argv[3]).touch()
for n in range(int(sys.argv[2])):
    store.add_backlog_item(f"tui {n}")
    time.sleep(0.01)
"""


async def test_tui_and_server_writing_at_once_lose_nothing(store: Store, db_path: Path) -> None:
    async with connect(store) as empty:
        n = 25
        ready = db_path.with_name("writer-ready")
        writer = subprocess.Popen(
            [sys.executable, "-c", _TUI_WRITER, str(db_path), str(n), str(ready)]
        )
        try:
            while not ready.exists():  # start together, so the writes interleave
                await asyncio.sleep(0.01)
            for i in range(n):
                await empty.ok("add_backlog_item", text=f"mcp {i}")
                await empty.ok("create_task", title=f"mcp task {i}")
        finally:
            assert writer.wait(timeout=20) == 0
        texts = {b.text for b in Store(db_path).backlog()}
        assert texts == {f"tui {i}" for i in range(n)} | {f"mcp {i}" for i in range(n)}
        assert (await empty.ok("get_task_summary"))["total_tasks"] == n
        assert (await empty.ok("process_backlog"))["count"] == 2 * n


async def test_temp_files_of_a_killed_server_are_swept(store: Store) -> None:
    """A server killed mid-write leaves `.<sidecar>.<random>.tmp`; the next one that writes
    proposals removes it (it holds the sidecar's lock, so no writer is using it)."""
    sidecar = sidecar_path(store.path)
    left = sidecar.with_name(f".{sidecar.name}.k1ll3d00.tmp")
    left.write_text('{"seq": 1, "entries": {')
    store.add_backlog_item("Call the bank")
    async with connect(store) as client:
        out = await client.ok(
            "aggregate_parallel_results",
            operation_type="backlog_processing",
            delegate_results=[{"item": "Call the bank", "ready_to_create": True}],
        )
    assert not left.exists()
    assert out["proposal_id"] in json.loads(sidecar.read_text())["entries"]
    assert [p.name for p in store.path.parent.glob(".*.tmp")] == []


async def test_damaged_proposal_sidecar_is_set_aside_not_fatal(store: Store) -> None:
    sidecar = sidecar_path(store.path)
    sidecar.write_text("{not json")
    results = [{"item": "Call the bank", "ready_to_create": True}]
    store.add_backlog_item("Call the bank")
    async with connect(store) as empty:
        out = await empty.ok(
            "aggregate_parallel_results",
            operation_type="backlog_processing",
            delegate_results=results,
        )
        applied = await empty.ok("apply_proposal", proposal_id=out["proposal_id"])
    assert [t["title"] for t in applied["created_tasks"]] == ["Call the bank"]
    assert json.loads(sidecar.read_text())["entries"][out["proposal_id"]]["applied"] == ["A1"]
