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

if TYPE_CHECKING:
    from rich.console import RenderableType

    from workos_tui.core.config import Config
    from workos_tui.core.events import RunEvent
    from workos_tui.core.run_models import Proposal, RunPlan, RunReport
    from workos_tui.core.store import Store

OPERATIONS = {"backlog": "backlog_processing", "analyze": "task_analysis", "plan": "daily_planning"}
LIVE_ROWS = 20


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
        _print_proposal(proposal)
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
        print(f"Applied {n} change{'s' if n != 1 else ''}; 'workos undo' reverts them.")
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


class LiveView:
    """What the terminal shows while a run lasts: one row per delegate (the busiest
    first when there are many). Events only update plain state; Rich repaints it at
    its own pace, so a fast stream never floods the terminal."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.start = time.monotonic()
        self.limit: int | None = None
        self.finished = False

    def update(self, event: RunEvent) -> None:
        from workos_tui.core import events as ev

        now = time.monotonic()
        if isinstance(event, ev.DelegateQueued):
            self.rows[event.delegate_id] = {
                "label": event.label,
                "state": "queued",
                "started": None,
                "ended": None,
                "attempts": 0,
                "last": "",
            }
            return
        if isinstance(event, ev.ConcurrencyChanged):
            self.limit = event.limit
            return
        if isinstance(event, ev.RunFinished):
            self.finished = True
            return
        row = self.rows.get(event.delegate_id)
        if row is None:
            return
        if isinstance(event, ev.DelegateStarted):
            row["state"], row["attempts"] = "running", event.attempt
            row["started"] = row["started"] or now
        elif isinstance(event, ev.DelegateDelta):
            row["last"] = event.text
        elif isinstance(event, ev.DelegateRetrying):
            row["state"], row["last"] = "retrying", f"{event.reason} (wait {event.wait_s:.1f} s)"
        elif isinstance(event, ev.DelegateSucceeded):
            row["state"], row["ended"] = "done", now
        elif isinstance(event, ev.DelegateFailed):
            row["state"], row["ended"], row["last"] = "failed", now, event.reason
        elif isinstance(event, ev.DelegateCancelled):
            row["state"], row["ended"] = "cancelled", now

    def __rich__(self) -> RenderableType:
        from rich.table import Table
        from rich.text import Text

        from workos_tui.core.textsafety import clean_text, truncate

        now = time.monotonic()
        states = [r["state"] for r in self.rows.values()]
        counts = {s: states.count(s) for s in ("done", "failed", "running", "retrying", "queued")}
        title = Text(
            f"{counts['done']} done · {counts['failed']} failed · "
            f"{counts['running'] + counts['retrying']} running · {counts['queued']} queued · "
            f"{now - self.start:.1f} s"
            + (f" · window {self.limit}" if self.limit is not None else "")
        )
        table = Table(title=title, expand=True, show_edge=False, pad_edge=False)
        table.add_column("delegate", ratio=3, no_wrap=True)
        table.add_column("state", width=9)
        table.add_column("time", width=7, justify="right")
        table.add_column("last line", ratio=5, no_wrap=True)
        order = {"running": 0, "retrying": 0, "failed": 1, "done": 2, "cancelled": 2, "queued": 3}
        rows = sorted(self.rows.values(), key=lambda r: order[r["state"]])[:LIVE_ROWS]
        style = {"done": "green", "failed": "red", "retrying": "yellow", "running": "cyan"}
        for r in rows:
            started, ended = r["started"], r["ended"]
            elapsed = f"{(ended or now) - started:.1f}s" if started else ""
            table.add_row(
                Text(truncate(clean_text(r["label"], single_line=True), 60)),
                Text(r["state"], style=style.get(r["state"], "dim")),
                Text(elapsed),
                Text(truncate(clean_text(r["last"], single_line=True), 120), style="dim"),
            )
        hidden = len(self.rows) - len(rows)
        if hidden > 0:
            table.caption = f"and {hidden} more"
        return table


def describe(action: Any) -> str:
    """One line saying what an action changes."""
    c = action.changes
    kind = action.kind
    if kind == "create_task":
        est = f", {c['estimate_minutes']} min" if c.get("estimate_minutes") else ""
        due = f", due {c['due']}" if c.get("due") else ""
        return (
            f"new task {c.get('title', '')!r} ({c.get('priority')}, {c.get('category')}{est}{due})"
        )
    if kind == "merge_into_task":
        return f"into {action.task_id} {action.before.get('title', '')!r}"
    if kind == "attach_questions":
        return " / ".join(c.get("questions", []))
    if kind == "save_note":
        return f"note {c.get('title', '')!r}"
    if kind == "plan_day":
        entries = c.get("entries", [])
        return f"{c.get('date')}: " + ", ".join(
            f"{e['task_id']} {e['minutes']}m{'*' if e.get('focus') else ''}" for e in entries
        )
    field = next(iter(c), "")
    return f"{action.task_id} {field}: {action.before.get(field)} → {c.get(field)}"


def _print_proposal(proposal: Proposal) -> None:
    from rich.table import Table
    from rich.text import Text

    from workos_tui.cli_output import make_console, print_table
    from workos_tui.core.textsafety import clean_text, truncate

    console = make_console()
    console.print(Text(clean_text(proposal.summary)))
    if proposal.actions:
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("", width=1)
        table.add_column("id")
        table.add_column("action")
        table.add_column("items")
        table.add_column("change", ratio=3)
        table.add_column("why", ratio=2)
        for a in proposal.actions:
            table.add_row(
                Text("✓" if a.selected else "·", style="green" if a.selected else "dim"),
                Text(a.id),
                Text(a.kind.replace("_", " ")),
                Text(", ".join(a.backlog_item_ids) or (a.task_id or "")),
                Text(truncate(clean_text(describe(a), single_line=True), 200)),
                Text(truncate(clean_text(a.reason, single_line=True), 160), style="dim"),
            )
        print_table(console, table)
    for f in proposal.failed_delegates:
        console.print(Text(clean_text(f"failed: {f.label}: {f.reason}", single_line=True), "red"))
    for rec in proposal.recommendations:
        console.print(Text(clean_text(f"• {rec}", single_line=True)))


def _confirm(proposal: Proposal) -> list[str]:
    """Ask on the terminal; returns the ids to apply (the ✓ ones) or none."""
    chosen = proposal.default_selection
    n = len(chosen)
    try:
        answer = input(f"Apply the {n} marked action{'s' if n != 1 else ''} (✓)? [y/N] ")
    except EOFError:
        return []
    return chosen if answer.strip().lower() in {"y", "yes"} else []
