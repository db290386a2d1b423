"""`workos run backlog|analyze|plan`: a parallel run from the command line.

On a terminal: a live view of the delegates (on stderr), the proposal as a table, then a
confirmation. `--yes` applies every proposed action; without a terminal and without
`--yes` nothing is applied. `--json` prints one RunReport object on stdout.
Imports stay lazy: building the parser costs nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from workos_tui.cli_run_view import LiveView, print_proposal
from workos_tui.core.wording import plural

if TYPE_CHECKING:
    from workos_tui.core.config import Config
    from workos_tui.core.run_models import Proposal, RunPlan, RunReport
    from workos_tui.core.store import Store

OPERATIONS = {"backlog": "backlog_processing", "analyze": "task_analysis", "plan": "daily_planning"}


def _concurrency(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 100, not {text!r}")
    return int(text)


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 24:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 24, not {text!r}")
    return value


def add_run_parser(subparsers: Any) -> None:
    """Register `run` on the `workos` sub-command parsers."""
    p = subparsers.add_parser(
        "run",
        help="run delegates in parallel: backlog, analyze or plan",
        description="Prepare a run, stream the delegates, show the proposal, and apply "
        "what you approve (one undoable change).",
    )
    p.add_argument(
        "operation",
        choices=(*OPERATIONS, "collect"),
        help="what to run; 'collect' fetches a batch submitted with --batch",
    )
    p.add_argument("batch_id", nargs="?", help="collect: the batch (default: the newest)")
    p.add_argument(
        "--engine",
        choices=("offline", "anthropic"),
        default=None,
        help="delegate engine (else anthropic when ANTHROPIC_API_KEY is set, else offline)",
    )
    p.add_argument("--concurrency", type=_concurrency, default=None, help="delegates in flight")
    p.add_argument(
        "--types",
        default=None,
        help="analyze: comma-separated types (priority,category,blockers,goal_alignment,"
        "time_estimates; default all)",
    )
    p.add_argument(
        "--include-knowledge", action="store_true", help="plan: send the newest notes along"
    )
    p.add_argument("--hours", type=_hours, default=None, help="plan: hours available today")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--yes", "-y", action="store_true", help="apply every proposed action")
    p.add_argument(
        "--batch",
        action="store_true",
        help="anthropic: submit through the Message Batches API (half price, results within "
        "hours); fetch them later with 'workos run collect'",
    )


def _error(message: str) -> int:
    from workos_tui.cli import print_error

    print_error(message)
    return 2


def _options(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    op = OPERATIONS[args.operation]
    if op == "task_analysis":
        return {"analysis_types": args.types} if args.types else {}
    if op == "daily_planning":
        hours = args.hours if args.hours is not None else config.hours_available
        return {"include_knowledge": args.include_knowledge, "hours_available": hours}
    return {}


def cmd_run(args: argparse.Namespace, store: Store, config: Config) -> int:
    from workos_tui.core.engines import make_engine
    from workos_tui.core.operations import prepare

    if args.operation == "collect":
        return _collect(args, store, config)
    if args.batch_id:
        return _error(f"unexpected argument {args.batch_id!r}")
    op = OPERATIONS[args.operation]
    if args.types and op != "task_analysis":
        return _error("--types only applies to 'workos run analyze'")
    options = _options(args, config)
    try:
        plan = prepare(store, op, **options)  # bad options are bad input: fail before any work
        engine = make_engine(args.engine, store=store, config=config)
    except ValueError as e:
        return _error(str(e))
    if args.batch:
        return _submit(args, store, config, engine, plan)
    if not _cost_accepted(args, engine, plan):
        print("Nothing run.", file=sys.stderr)
        return 0
    concurrency = args.concurrency or config.concurrency
    live = sys.stderr.isatty()
    try:
        report = asyncio.run(
            _run(store, engine, plan, concurrency, config.delegate_timeout_s, live)
        )
    except KeyboardInterrupt:
        print("workos: interrupted; nothing applied", file=sys.stderr)
        return 130
    return _review_and_apply(args, store, report)


def _review_and_apply(args: argparse.Namespace, store: Store, report: RunReport) -> int:
    """Show the proposal, apply what the person approves, print the report."""
    from workos_tui.core.operations import ApplyError, apply_proposal

    proposal = report.proposal
    applied: list[str] = []
    if report.aborted:
        # One message, not the same one again for every delegate; nothing to apply.
        if args.json:
            print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
        return _error(f"the run stopped: {report.aborted}")
    if not args.json:
        print_proposal(proposal)
    if args.yes:
        apply_ids = [a.id for a in proposal.actions]
    elif not args.json and sys.stdin.isatty() and sys.stdout.isatty() and proposal.actions:
        apply_ids = _confirm(proposal)
    else:
        apply_ids = []
        if proposal.actions and not args.json:
            print("Nothing applied (no terminal): rerun with --yes to apply.", file=sys.stderr)
    if apply_ids:
        try:
            applied = apply_proposal(store, proposal, apply_ids)
        except ApplyError as e:
            return _error(str(e))
    report.applied = applied
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
    elif applied:
        n = len(applied)
        print(f"Applied {plural(n, 'change')}; 'workos undo' reverts {'it' if n == 1 else 'them'}.")
    return 0


COST_PROMPT_ABOVE = 20


def _cost_accepted(args: argparse.Namespace, engine: Any, plan: Any) -> bool:
    """Before a large model run on a terminal, show the estimated cost and ask."""
    if engine.name != "anthropic" or len(plan.delegates) <= COST_PROMPT_ABOVE or args.yes:
        return True
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return True
    from workos_tui.core.pricing import estimate_run_cost

    cost = estimate_run_cost(plan, engine.label)
    n = len(plan.delegates)
    print(f"{n} delegates on {engine.label}: about ${cost:.2f}.", file=sys.stderr)
    try:
        answer = input("Run them? [Y/n] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"", "y", "yes"}


def _submit(args: argparse.Namespace, store: Store, config: Config, engine: Any, plan: Any) -> int:
    from workos_tui.core.engines.base import EngineError

    if engine.name != "anthropic":
        return _error("--batch needs the anthropic engine (set ANTHROPIC_API_KEY)")
    from workos_tui.core.batch import submit_batch
    from workos_tui.core.pricing import estimate_run_cost

    try:
        batch_id = asyncio.run(submit_batch(store, plan, config))
    except EngineError as e:
        return _error(e.reason)
    finally:
        asyncio.run(engine.aclose())
    cost = estimate_run_cost(plan, engine.label, batch=True)
    if args.json:
        print(json.dumps({"batch_id": batch_id, "delegates": len(plan.delegates)}))
    else:
        print(
            f"Submitted {len(plan.delegates)} delegates as batch {batch_id} "
            f"(about ${cost:.2f}); fetch the results with 'workos run collect'."
        )
    return 0


def _collect(args: argparse.Namespace, store: Store, config: Config) -> int:
    from workos_tui.core.batch import BatchError, collect_batch, load_batch_plan
    from workos_tui.core.engines.base import EngineError
    from workos_tui.core.operations import aggregate
    from workos_tui.core.run_models import RunReport, Usage

    pending = [r for r in store.runs() if r.state == "submitted"]
    batch_id = args.batch_id or (
        max(pending, key=lambda r: r.submitted_at).batch_id if pending else None
    )
    if batch_id is None:
        return _error(
            "no submitted batch to collect (submit one with 'workos run backlog --batch')"
        )
    started = time.monotonic()
    try:
        plan = load_batch_plan(store, batch_id)
        results = asyncio.run(collect_batch(store, batch_id, config))
    except (BatchError, EngineError) as e:
        return _error(str(e))
    if results is None:
        print(f"Batch {batch_id} is still processing; try again later.", file=sys.stderr)
        return 0
    usage = Usage()
    for r in results:
        usage = usage + r.usage
    report = RunReport(
        operation=plan.operation,
        engine="anthropic (batch)",
        concurrency=0,
        elapsed_s=round(time.monotonic() - started, 3),
        delegates=results,
        proposal=aggregate(plan, results),
        usage=usage,
    )
    return _review_and_apply(args, store, report)


async def _run(
    store: Store, engine: Any, plan: RunPlan, concurrency: int, timeout_s: float, live: bool
) -> RunReport:
    from contextlib import nullcontext

    from workos_tui.core.session import run_operation

    view = LiveView() if live else None
    try:
        if view is None:
            shown: Any = nullcontext()
        else:
            from rich.console import Console
            from rich.live import Live

            console = Console(stderr=True, highlight=False)
            shown = Live(view, console=console, refresh_per_second=8, transient=False)
        with shown:
            return await run_operation(
                store,
                engine,
                plan.operation,
                plan=plan,
                concurrency=concurrency,
                timeout_s=timeout_s,
                on_event=view.update if view is not None else None,
            )
    finally:
        await engine.aclose()


def _confirm(proposal: Proposal) -> list[str]:
    """Ask on the terminal; returns the ids to apply (the ✓ ones) or none."""
    chosen = proposal.default_selection
    n = len(chosen)
    try:
        answer = input(f"Apply the {plural(n, 'marked action')} (✓)? [y/N] ")
    except EOFError:
        return []
    return chosen if answer.strip().lower() in {"y", "yes"} else []
