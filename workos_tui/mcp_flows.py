"""The parallel flows of `workos mcp`: prepare, aggregate, clear, run and apply, as the
original tools shaped them, on top of `core.operations` and the proposal book.
"""

from __future__ import annotations

from typing import Any

from workos_tui import mcp_compat as compat
from workos_tui.core.config import Config
from workos_tui.core.run_models import Proposal
from workos_tui.core.store import NotFoundError, Store, WorkspaceError, normalize_id
from workos_tui.core.wording import plural
from workos_tui.mcp_proposals import ProposalBook

# What the original's aggregator reported for each backlog decision.
BACKLOG_BUCKETS = {
    "create_task": "ready_to_create",
    "merge_into_task": "duplicates",
    "attach_questions": "needs_clarification",
    "save_note": "not_actionable",
}


def _ops() -> Any:
    """`core.operations`, imported late: listing the tools needs none of it."""
    from workos_tui.core import operations

    return operations


# --- prepare ---------------------------------------------------------------------


def prepare_backlog(store: Store, include_existing_tasks: bool) -> dict[str, Any]:
    plan = _ops().prepare_backlog_processing(store, include_existing_tasks=include_existing_tasks)
    return compat.backlog_preparation(plan, store)


def prepare_analysis(store: Store, analysis_types: list[str]) -> dict[str, Any]:
    plan = _ops().prepare_task_analysis(store, analysis_types=analysis_types)
    return compat.analysis_preparation(plan, store)


def prepare_planning(store: Store, include_goals: bool, include_knowledge: bool) -> dict[str, Any]:
    plan = _ops().prepare_daily_planning(
        store, include_goals=include_goals, include_knowledge=include_knowledge
    )
    return compat.planning_preparation(plan, store)


# --- aggregate -------------------------------------------------------------------


def _operation(operation_type: str) -> str:
    try:
        op: str = _ops().resolve_operation(operation_type)
    except ValueError as e:
        raise WorkspaceError(str(e)) from None
    return op


def aggregate(
    store: Store,
    book: ProposalBook,
    operation_type: str,
    delegate_results: list[Any],
    auto_create_tasks: bool,
) -> dict[str, Any]:
    op = _operation(operation_type)
    proposal, errors = _ops().aggregate_loose(op, delegate_results, store)
    proposal = book.add(proposal, "aggregate_parallel_results")
    result: dict[str, Any] = {
        "operation": op,
        "delegates_processed": len(delegate_results),
        "entries_used": len(delegate_results) - len(errors),
        "errors": errors,
        **compat.proposal_dict(proposal),
        "actions_taken": [],
    }
    if op == "backlog_processing":
        buckets: dict[str, list[dict[str, Any]]] = {b: [] for b in BACKLOG_BUCKETS.values()}
        for a in proposal.actions:
            buckets[BACKLOG_BUCKETS[a.kind]].append(a.model_dump(mode="json"))
        if auto_create_tasks:
            creates = [a.id for a in proposal.actions if a.kind == "create_task"]
            applied = apply(store, book, proposal.id, creates) if creates else None
            for task in applied["created_tasks"] if applied else []:
                result["actions_taken"].append(f"Created task: {task['title']} ({task['id']})")
            result["created_tasks"] = applied["created_tasks"] if applied else []
            buckets["ready_to_create"] = []
        result.update(buckets)
        result["summary"] = {k: len(v) for k, v in buckets.items()}
        if auto_create_tasks:
            result["summary"]["created"] = len(result["created_tasks"])
    elif op == "task_analysis":
        result["analysis_results"] = delegate_results
        kinds = sorted({a.kind for a in proposal.actions})
        result["summary"] = {
            "analyses_completed": len(delegate_results) - len(errors),
            "analysis_types": [_identifier(e) for e in delegate_results],
            "suggested_changes": len(proposal.actions),
            "change_kinds": kinds,
        }
    else:
        result["planning_results"] = delegate_results
        plan_action = next((a for a in proposal.actions if a.kind == "plan_day"), None)
        titles = {t.id: t.title for t in store.tasks()}
        result["plan"] = (
            {
                **plan_action.changes,
                "entries": [
                    {**e, "title": titles.get(e.get("task_id", ""), "")}
                    for e in plan_action.changes.get("entries", [])
                ],
            }
            if plan_action
            else None
        )
        result["summary"] = {
            "total_recommendations": len(proposal.recommendations),
            "delegates_consulted": len(delegate_results) - len(errors),
            "planned_tasks": len(plan_action.changes.get("entries", [])) if plan_action else 0,
        }
    result["summary"]["text"] = proposal.summary
    return result


def _identifier(entry: Any) -> str:
    if not isinstance(entry, dict):
        return "unknown"
    inner = entry["result"] if isinstance(entry.get("result"), dict) else entry
    return str(entry.get("identifier") or inner.get("analysis_type") or "unknown")


# --- apply -----------------------------------------------------------------------


def apply(
    store: Store, book: ProposalBook, proposal_id: str, action_ids: list[str] | None
) -> dict[str, Any]:
    entry = book.get(proposal_id)
    proposal: Proposal = entry.proposal
    from workos_tui.core.operations.aggregate import selected_ids

    try:
        wanted = selected_ids(proposal, action_ids)
    except KeyError as e:
        raise NotFoundError(str(e.args[0])) from None
    already = [i for i in wanted if i in entry.applied]
    todo = [i for i in wanted if i not in entry.applied]
    before = {t.id for t in store.tasks()}
    if todo:
        _ops().apply_proposal(store, proposal, action_ids=todo)
    book.mark_applied(proposal.id, todo)
    created = [compat.task_dict(t) for t in store.tasks() if t.id not in before]
    message = f"Applied {plural(len(todo), 'action')}"
    if already:
        message += f"; {', '.join(already)} had already been applied"
    return {
        "success": True,
        "proposal_id": proposal.id,
        "applied": todo,
        "already_applied": already,
        "created_tasks": created,
        "message": message + ". Undo with `workos undo` or in the TUI.",
    }


# --- clear_backlog ---------------------------------------------------------------


def clear_backlog(store: Store, book: ProposalBook, item_ids: list[str] | None) -> dict[str, Any]:
    """Named items go; without names, only items some applied run consumed, and never
    items that still wait for an answer to their clarification questions."""
    items = store.backlog()
    by_id = {i.id: i for i in items}
    kept: list[dict[str, Any]] = []
    if item_ids is not None:
        ids = list(dict.fromkeys(normalize_id(i) for i in item_ids))
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise NotFoundError(f"no backlog item with id {', '.join(unknown)}; nothing removed")
        remove = ids
    else:
        consumed = book.consumed() | {i for t in store.tasks() for i in t.source_backlog_ids}
        pending = book.pending()
        remove = []
        for item in items:
            if item.questions:
                reason = "waiting for clarification: " + " / ".join(item.questions)
            elif item.id in consumed:
                remove.append(item.id)
                continue
            elif item.id in pending:
                proposal_id, action_id, kind = pending[item.id][0]
                reason = f"{kind} proposed, not applied: apply_proposal({proposal_id!r}, [{action_id!r}])"
            else:
                reason = "not processed by a run yet"
            kept.append({"id": item.id, "text": item.text, "reason": reason})
    removed = [{"id": i, "text": by_id[i].text} for i in remove]
    if remove:
        with store.transaction(f"clear {plural(len(remove), 'backlog item')}"):
            for i in remove:
                store.delete("backlog", i)
    remaining = len(items) - len(remove)
    if not items:
        message = "Backlog is already clear"
    else:
        message = f"Removed {plural(len(remove), 'backlog item')}"
        message += f"; {remaining} remain" if remaining else "; the backlog is clear"
    return {
        "success": True,
        "removed": removed,
        "removed_count": len(remove),
        "kept": kept,
        "remaining": remaining,
        "message": message,
    }


# --- run_parallel_operation ------------------------------------------------------


async def run_operation(
    store: Store,
    config: Config,
    book: ProposalBook,
    operation: str,
    options: dict[str, Any] | None,
    engine: Any = None,
) -> dict[str, Any]:
    from workos_tui.core.session import run_operation as run

    op = _operation(operation)
    options = dict(options or {})
    own_engine = engine is None
    if own_engine:
        from workos_tui.core.engines import make_engine

        engine = make_engine(config.resolved_engine(), store=store, config=config)
    try:
        report = await run(
            store,
            engine,
            op,
            options=options,
            concurrency=config.concurrency,
            timeout_s=config.delegate_timeout_s,
        )
    finally:
        if own_engine:
            await engine.aclose()
    proposal = book.add(report.proposal, "run_parallel_operation")
    return {
        "operation": op,
        "engine": report.engine,
        "elapsed_s": report.elapsed_s,
        **compat.proposal_dict(proposal),
        "delegates": [
            {
                "id": d.id,
                "label": d.label,
                "status": d.status,
                "attempts": d.attempts,
                "error": d.error,
            }
            for d in report.delegates
        ],
        "usage": report.usage.model_dump(mode="json"),
        "applied": [],
        "message": f"Nothing changed yet: apply_proposal('{proposal.id}') applies the "
        "default selection, or pass action_ids.",
    }
