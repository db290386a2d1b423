"""What `workos run` shows on the terminal: the delegates live while they run, then the
proposal as a table. Rich is imported only when something is drawn.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType

    from workos_tui.core.events import RunEvent
    from workos_tui.core.run_models import Proposal

LIVE_ROWS = 20


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


def print_proposal(proposal: Proposal) -> None:
    """The proposal as a table, then its failed delegates and recommendations."""
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
