"""`workos mcp`: the original WorkOS MCP tools, served over stdio on our workspace.

A thin front end: every tool reloads the store (the TUI and the CLI write the same file
from other processes), calls the core, and shapes the answer as the original did
(`mcp_compat`). Failures a caller can fix come back as tool errors, never a crash.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError, WithJsonSchema

from workos_tui import mcp_compat as compat
from workos_tui.core.config import Config
from workos_tui.core.models import Note, Task, format_validation_error, parse_priority, parse_status
from workos_tui.core.store import Store, StoreWriteError, WorkspaceError
from workos_tui.mcp_proposals import ProposalBook

F = TypeVar("F", bound=Callable[..., Any])
# Published as the original's `{"type": "object"}`, but any value is let through so that a
# stray string or list is reported as that entry's error instead of failing the call
# (hosts often send a delegate's JSON as a string, which is parsed).
DelegateEntry = Annotated[Any, WithJsonSchema({"type": "object", "additionalProperties": True})]

INSTRUCTIONS = """\
WorkOS: tasks (P0-P3, category, status todo/started/blocked/done or n/s/b/d), a backlog of
loose ideas, goals and notes, in one workspace file shared with the WorkOS TUI and CLI.
Parallel flows: call a prepare_parallel_* tool, run one delegate per entry of its output, then
aggregate_parallel_results with their results (loose or strict, bare or wrapped as
{"identifier", "result"}). Nothing changes until you apply: apply_proposal(proposal_id), or
auto_create_tasks=True, which only creates tasks. clear_backlog() then removes the items the
applied proposals consumed. Hosts that cannot run delegates: run_parallel_operation."""


def _tool_errors(store: Store, lock: threading.Lock, fn: F) -> F:
    """Reload the store first; turn anticipated failures into one-line tool errors."""

    def translate(e: Exception) -> ToolError:
        if isinstance(e, StoreWriteError):
            # The caller is told it failed, so it must stay failed: not saved by a later call.
            store.discard_unsaved()
            return ToolError(f"could not save {e.path}: {e.reason}; nothing was changed")
        if isinstance(e, ValidationError):
            return ToolError(format_validation_error(e))
        if isinstance(e, KeyError):
            return ToolError(f"unknown id {e.args[0]!r}")
        return ToolError(str(e))

    anticipated = (WorkspaceError, ValueError, KeyError)

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                store.refresh()
                return await fn(*args, **kwargs)
            except anticipated as e:
                raise translate(e) from e

        return run_async  # type: ignore[return-value]

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        # Sync tools run in worker threads; one at a time keeps reads and writes ordered.
        with lock:
            try:
                store.refresh()
                return fn(*args, **kwargs)
            except anticipated as e:
                raise translate(e) from e

    return run  # type: ignore[return-value]


def build_server(store: Store, config: Config, *, engine: Any = None) -> MCPServer:
    """The server with every tool registered. `engine` overrides the configured one
    (tests pass a scripted engine for `run_parallel_operation`)."""
    server: MCPServer = MCPServer("workos", instructions=INSTRUCTIONS, log_level="WARNING")
    book = ProposalBook(store.path)
    lock = threading.Lock()

    def tool(fn: F) -> F:
        server.add_tool(_tool_errors(store, lock, fn))
        return fn

    # --- everyday tools -------------------------------------------------------------

    @tool
    def list_tasks(
        category: str | None = None,
        priority: str | None = None,
        status: str | None = None,
        include_done: bool = False,
    ) -> dict[str, Any]:
        """List tasks with optional filters: category, priority (e.g. "P0,P1") and status
        ("n,s,b,d" or "todo,started,blocked,done"), each comma-separated. Done tasks are
        left out unless include_done or asked for by status."""
        tasks = compat.filter_tasks(store.tasks(), category, priority, status, include_done)
        filters = {
            k: v
            for k, v in {
                "category": category,
                "priority": priority,
                "status": status,
                "include_done": include_done,
            }.items()
            if v
        }
        return {
            "tasks": [compat.task_dict(t) for t in tasks],
            "count": len(tasks),
            "filters_applied": filters,
        }

    @tool
    def create_task(
        title: str,
        category: str = "other",
        priority: str = "P2",
        estimated_time: int = 30,
        content: str = "",
    ) -> dict[str, Any]:
        """Create a task. category: technical, outreach, research, writing, admin,
        personal or other; priority P0-P3; estimated_time in minutes; content is its
        description."""
        task = Task(
            title=title.strip(),
            category=compat.parse_category(category),
            priority=compat.checked(parse_priority, priority),
            estimate_minutes=estimated_time,
            description=content,
        )
        task = store.add_task(task)
        return {
            "success": True,
            "task_id": task.id,
            "task": compat.task_dict(task),
            "message": f"Task '{task.title}' created successfully ({task.id})",
        }

    @tool
    def update_task_status(task_id: str, status: str) -> dict[str, Any]:
        """Set a task's status: todo, started, blocked, done, or the original codes
        n (not started), s, b, d. task_id is the id ("T12") or the task's exact title."""
        new = compat.checked(parse_status, status)
        task = store.set_status(compat.find_task(store, task_id).id, new)
        return {
            "success": True,
            "task_id": task.id,
            "new_status": task.status,
            "status_code": compat.CODE_OF[task.status],
            "task": compat.task_dict(task),
        }

    @tool
    def get_task_summary() -> dict[str, Any]:
        """Counts of tasks by priority, category and status, and hours by priority."""
        return compat.task_summary(store)

    @tool
    def check_priority_limits() -> dict[str, Any]:
        """Whether any priority has more open tasks than the workspace's limit."""
        return compat.priority_limits(store)

    @tool
    def process_backlog() -> dict[str, Any]:
        """The backlog's items (with ids, sub-items and open clarification questions)."""
        return compat.backlog_view(store)

    @tool
    def add_backlog_item(text: str) -> dict[str, Any]:
        """Capture a loose idea into the backlog."""
        item = store.add_backlog_item(text)
        return {
            "success": True,
            "item_id": item.id,
            "item": compat.backlog_dict(item),
            "message": f"Added to backlog ({item.id})",
        }

    @tool
    def list_goals() -> dict[str, Any]:
        """Goals with their progress (tasks linked, done, open)."""
        tasks = store.tasks()
        goals = [compat.goal_dict(g, tasks) for g in store.goals()]
        return {"goals": goals, "count": len(goals)}

    @tool
    def add_note(title: str, body: str = "") -> dict[str, Any]:
        """Save a knowledge note."""
        note = store.put(Note(title=title.strip(), body=body))
        return {
            "success": True,
            "note_id": note.id,
            "note": compat.note_dict(note),
            "message": f"Note '{note.title}' saved ({note.id})",
        }

    @tool
    def search_notes(query: str) -> dict[str, Any]:
        """Notes whose title, body or tags contain the query (best first)."""
        results = compat.search_notes(store, query)
        return {"query": query, "results": results, "count": len(results)}

    # --- the parallel flows ---------------------------------------------------------

    from workos_tui import mcp_flows as flows

    @tool
    def prepare_parallel_backlog_processing(include_existing_tasks: bool = True) -> dict[str, Any]:
        """Prepare the backlog for parallel delegates: one delegate per item. Each returns
        the output_format (or the strict one); pass them all to aggregate_parallel_results
        with operation_type "backlog_processing"."""
        return flows.prepare_backlog(store, include_existing_tasks)

    @tool
    def prepare_parallel_task_analysis(
        analysis_types: list[str] = ["priority", "category", "blockers"],  # noqa: B006
    ) -> dict[str, Any]:
        """Prepare task analysis for parallel delegates, one per analysis type: priority,
        category, blockers, goal_alignment, time_estimates. Aggregate with operation_type
        "task_analysis"."""
        return flows.prepare_analysis(store, analysis_types)

    @tool
    def prepare_parallel_daily_planning(
        include_goals: bool = True, include_knowledge: bool = False
    ) -> dict[str, Any]:
        """Prepare daily planning for parallel delegates (priority focus, momentum, goal
        progress). Aggregate with operation_type "daily_planning"."""
        return flows.prepare_planning(store, include_goals, include_knowledge)

    @tool
    def aggregate_parallel_results(
        operation_type: str,
        delegate_results: list[DelegateEntry],
        auto_create_tasks: bool = False,
    ) -> dict[str, Any]:
        """Combine delegate results into one proposal (kept under proposal_id; nothing is
        changed). operation_type: backlog_processing, task_analysis or daily_planning.
        auto_create_tasks applies only the create_task actions, never touching existing
        tasks. Malformed entries are reported in `errors`, one per entry."""
        return flows.aggregate(store, book, operation_type, delegate_results, auto_create_tasks)

    @tool
    def clear_backlog(item_ids: list[str] | None = None) -> dict[str, Any]:
        """Remove the named backlog items, or by default every item a run has consumed
        (turned into a task, merged, or saved as a note). Items waiting for clarification
        are kept unless named."""
        return flows.clear_backlog(store, book, item_ids)

    @tool
    async def run_parallel_operation(
        operation: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run a whole operation (backlog_processing, task_analysis, daily_planning) here
        with the configured engine and return its proposal without applying it; options
        are those of the matching prepare tool. Apply with apply_proposal."""
        return await flows.run_operation(store, config, book, operation, options, engine)

    @tool
    def apply_proposal(proposal_id: str, action_ids: list[str] | None = None) -> dict[str, Any]:
        """Apply a kept proposal: the given action ids, or its default selection. Each
        action is applied once; the change can be undone in the TUI or `workos undo`."""
        return flows.apply(store, book, proposal_id, action_ids)

    return server


def serve(store: Store, config: Config) -> None:
    """Serve `store` over stdio until the host closes the connection."""
    build_server(store, config).run("stdio")
