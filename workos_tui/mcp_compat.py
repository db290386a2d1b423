"""Shapes of the original WorkOS MCP tools, built from our core models.

Every output keeps the original's field names and adds ours beside them (ids, our status
words, the strict schemas). No MCP import here: these are plain functions over the store,
plans and proposals, so they are tested without a server. The original's words to its
delegates, which the prepare_parallel_* payloads carry, are in `mcp_delegate_formats`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from workos_tui.core.matching import similarity
from workos_tui.core.models import (
    CATEGORIES,
    PRIORITIES,
    STATUS_CODES,
    BacklogItem,
    Category,
    Goal,
    Note,
    Status,
    Task,
    parse_priority,
    parse_status,
)
from workos_tui.core.operations.legacy import ORIGINAL_IDENTIFIERS
from workos_tui.core.run_models import (
    BacklogTriage,
    PlanPerspective,
    Proposal,
    RunPlan,
    TaskAnalysis,
)
from workos_tui.core.store import NotFoundError, Store, WorkspaceError
from workos_tui.mcp_delegate_formats import (
    ACCEPTED_RESULT_FORMS,
    ANALYSIS_OUTPUTS,
    BACKLOG_CHECKS,
    BACKLOG_DELEGATE_TASK,
    LOOSE_BACKLOG_FORMAT,
    PLANNING_OUTPUTS,
)

CODE_OF: dict[Status, str] = {status: code for code, status in STATUS_CODES.items()}
DEFAULT_ESTIMATE = 30  # what the original assumed for a task without an estimate


# --- entities --------------------------------------------------------------------


def task_dict(task: Task) -> dict[str, Any]:
    """A task as the original listed it (title, category, priority, status, estimated_time)
    plus our fields; `status` is our word, `status_code` the original letter."""
    return {
        "id": task.id,
        "title": task.title,
        "category": task.category,
        "priority": task.priority,
        "status": task.status,
        "status_code": CODE_OF[task.status],
        "estimated_time": task.estimate_minutes,
        "estimate_minutes": task.estimate_minutes,
        "content": task.description,
        "due": task.due.isoformat() if task.due else None,
        "goal_id": task.goal_id,
        "depends_on": list(task.depends_on),
        "tags": list(task.tags),
        "created_at": task.created_at.isoformat(),
        "updated_at": task.updated_at.isoformat(),
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        "source_backlog_ids": list(task.source_backlog_ids),
    }


def backlog_dict(item: BacklogItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "text": item.text,
        "subitems": list(item.subitems),
        "questions": list(item.questions),
        "waiting_for_clarification": bool(item.questions),
        "created_at": item.created_at.isoformat(),
    }


def goal_dict(goal: Goal, tasks: list[Task]) -> dict[str, Any]:
    linked = [t for t in tasks if t.goal_id == goal.id]
    return {
        "id": goal.id,
        "title": goal.title,
        "description": goal.description,
        "status": goal.status,
        "target_date": goal.target_date.isoformat() if goal.target_date else None,
        "tasks_total": len(linked),
        "tasks_done": sum(1 for t in linked if t.status == "done"),
        "open_task_ids": [t.id for t in linked if t.is_open],
    }


def note_dict(note: Note, *, body: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": note.id,
        "title": note.title,
        "tags": list(note.tags),
        "created_at": note.created_at.isoformat(),
    }
    if body:
        out["body"] = note.body
    return out


# --- parsing what an assistant typed ----------------------------------------------


def split_list(value: str | None) -> list[str]:
    """The original's filters are comma-separated strings."""
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def parse_category(value: str) -> Category:
    v = value.strip().lower()
    for category in CATEGORIES:
        if v == category:
            return category
    raise WorkspaceError(f"category must be one of {', '.join(CATEGORIES)}, not {value!r}")


def checked(parse: Any, value: str) -> Any:
    """Run a core parser, turning its ValueError into a one-line workspace error."""
    try:
        return parse(value)
    except ValueError as e:
        raise WorkspaceError(str(e)) from None


def find_task(store: Store, ref: str) -> Task:
    """A task by id ("T12", "t12"), or, as the original named tasks by file, by its exact
    title with or without ".md" when that is unambiguous."""
    ref = ref.strip()
    try:
        return store.get_task(ref)
    except NotFoundError:
        pass
    title = ref.removesuffix(".md").strip().casefold()
    matches = [t for t in store.tasks() if t.title.strip().casefold() == title]
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(t.id for t in matches)
        raise NotFoundError(f"{ref!r} names {len(matches)} tasks ({ids}); give the id")
    raise NotFoundError(f"no task with id or title {ref!r}")


def filter_tasks(
    tasks: list[Task],
    category: str | None,
    priority: str | None,
    status: str | None,
    include_done: bool,
) -> list[Task]:
    categories = {parse_category(c) for c in split_list(category)}
    priorities = {checked(parse_priority, p) for p in split_list(priority)}
    statuses = {checked(parse_status, s) for s in split_list(status)}
    out = []
    for t in tasks:
        # Asking for done tasks by status shows them even without include_done.
        if t.status == "done" and not include_done and "done" not in statuses:
            continue
        if categories and t.category not in categories:
            continue
        if priorities and t.priority not in priorities:
            continue
        if statuses and t.status not in statuses:
            continue
        out.append(t)
    return out


# --- summaries -------------------------------------------------------------------


def task_summary(store: Store) -> dict[str, Any]:
    tasks = store.tasks()
    active = [t for t in tasks if t.is_open]
    time_by_priority = {}
    for p in PRIORITIES:
        minutes = sum(t.estimate_minutes or DEFAULT_ESTIMATE for t in active if t.priority == p)
        time_by_priority[p] = {"total_minutes": minutes, "total_hours": round(minutes / 60, 1)}
    return {
        "total_tasks": len(tasks),
        "active_tasks": len(active),
        "by_priority": dict(Counter(t.priority for t in active)),
        "by_category": dict(Counter(t.category for t in active)),
        "by_status": dict(Counter(t.status for t in tasks)),
        "by_status_code": dict(Counter(CODE_OF[t.status] for t in tasks)),
        "time_by_priority": time_by_priority,
        "backlog_items": len(store.backlog()),
        "goals_active": sum(1 for g in store.goals() if g.status == "active"),
    }


def priority_limits(store: Store) -> dict[str, Any]:
    limits = dict(store.settings().priority_limits)
    counts = Counter(t.priority for t in store.tasks() if t.is_open)
    alerts = [
        f"{p} has {counts[p]} tasks (limit: {limit})"
        for p, limit in limits.items()
        if counts.get(p, 0) > limit
    ]
    return {
        "priority_counts": {p: counts.get(p, 0) for p in PRIORITIES},
        "limits": limits,
        "alerts": alerts,
        "balanced": not alerts,
    }


def backlog_view(store: Store) -> dict[str, Any]:
    items = store.backlog()
    if not items:
        return {
            "success": True,
            "content": None,
            "parsed_items": [],
            "count": 0,
            "message": "Backlog is already clear",
        }
    lines = []
    for item in items:
        lines.append(f"- {item.text}")
        lines.extend(f"  - {sub}" for sub in item.subitems)
    return {
        "success": True,
        "content": "\n".join(lines),
        "parsed_items": [backlog_dict(i) for i in items],
        "count": len(items),
    }


def search_notes(store: Store, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Notes whose title, body or tags contain the query, or whose title is close to it."""
    q = query.strip().casefold()
    if not q:
        raise WorkspaceError("query must not be empty")
    scored: list[tuple[float, Note]] = []
    for note in store.notes():
        hay = f"{note.title}\n{note.body}\n{' '.join(note.tags)}".casefold()
        score = 1.0 if q in hay else similarity(query, note.title)
        if score >= 0.5:
            scored.append((score, note))
    scored.sort(key=lambda s: (-s[0], s[1].id))
    out = []
    for score, note in scored[:limit]:
        d = note_dict(note, body=False)
        d["score"] = round(score, 2)
        d["snippet"] = _snippet(note.body, q)
        out.append(d)
    return out


def _snippet(body: str, q: str, width: int = 160) -> str:
    at = body.casefold().find(q)
    start = max(0, at - width // 3) if at >= 0 else 0
    text = " ".join(body[start : start + width].split())
    return ("…" if start else "") + text


# --- prepare_parallel_* ----------------------------------------------------------


def backlog_preparation(plan: RunPlan, store: Store) -> dict[str, Any]:
    items = [d.payload["item"] for d in plan.delegates]
    existing: list[dict[str, Any]] = []
    if plan.options.get("include_existing_tasks", True):
        # The most relevant 50: open tasks most similar to any backlog item first.
        best: dict[str, float] = {}
        for d in plan.delegates:
            for c in d.payload.get("candidates", []):
                best[c["id"]] = max(best.get(c["id"], 0.0), float(c.get("similarity", 0)))
        open_tasks = [t for t in store.tasks() if t.is_open]
        open_tasks.sort(key=lambda t: (-best.get(t.id, 0.0), PRIORITIES.index(t.priority)))
        existing = [
            {
                "id": t.id,
                "title": t.title,
                "category": t.category,
                "status": t.status,
                "priority": t.priority,
            }
            for t in open_tasks
        ]
    result: dict[str, Any] = {
        "operation": "parallel_backlog_processing",
        "total_items": len(items),
        "items": [i["text"] for i in items],
        "item_ids": [i["id"] for i in items],
        "existing_tasks_count": len(existing),
        "existing_tasks": existing[:50],
        "delegate_instructions": {
            "task": BACKLOG_DELEGATE_TASK,
            "check_for": list(BACKLOG_CHECKS),
            "output_format": LOOSE_BACKLOG_FORMAT,
            "strict_output_format": BacklogTriage.model_json_schema(),
            "accepted_forms": ACCEPTED_RESULT_FORMS,
            "instructions": plan.delegates[0].instructions if plan.delegates else "",
        },
        "delegates": [
            {"identifier": d.id, "label": d.label, "data": d.payload} for d in plan.delegates
        ],
        "context": plan.context,
    }
    if not items:
        result["message"] = "Backlog is already clear"
    return result


def analysis_preparation(plan: RunPlan, store: Store) -> dict[str, Any]:
    types = [d.id for d in plan.delegates]
    return {
        "operation": "parallel_task_analysis",
        "total_active_tasks": sum(1 for t in store.tasks() if t.is_open),
        "analysis_types": types,
        "delegates": [
            {
                "identifier": ORIGINAL_IDENTIFIERS.get(d.id, d.id),
                "analysis_type": d.id,
                "task": d.instructions,
                "data": d.payload,
                "output": ANALYSIS_OUTPUTS.get(d.id, ""),
                "strict_output_format": TaskAnalysis.model_json_schema(),
            }
            for d in plan.delegates
        ],
        "accepted_forms": ACCEPTED_RESULT_FORMS,
        "context": plan.context,
    }


def planning_preparation(plan: RunPlan, store: Store) -> dict[str, Any]:
    knowledge = plan.context.get("knowledge", []) if plan.options.get("include_knowledge") else []
    return {
        "operation": "parallel_daily_planning",
        "time_context": plan.context.get("time_context", {}),
        "hours_available": plan.context.get("hours_available"),
        "delegates": [
            {
                "identifier": ORIGINAL_IDENTIFIERS.get(d.id, d.id),
                "perspective": d.id,
                "task": d.instructions,
                "data": d.payload,
                "output": PLANNING_OUTPUTS.get(d.id, ""),
                "strict_output_format": PlanPerspective.model_json_schema(),
            }
            for d in plan.delegates
        ],
        "knowledge_context": knowledge,
        "accepted_forms": ACCEPTED_RESULT_FORMS,
    }


# --- proposals -------------------------------------------------------------------


def proposal_dict(proposal: Proposal) -> dict[str, Any]:
    return {
        "proposal_id": proposal.id,
        "operation": proposal.operation,
        "summary": proposal.summary,
        "actions": [a.model_dump(mode="json") for a in proposal.actions],
        "recommendations": list(proposal.recommendations),
        "failed_delegates": [f.model_dump(mode="json") for f in proposal.failed_delegates],
        "created_at": proposal.created_at.isoformat(),
    }
