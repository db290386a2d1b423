"""How a proposed action reads on the approval screen: what it changes, before → after."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from workos_tui.core.run_models import ProposedAction
from workos_tui.tui.widgets.look import Look, fmt_minutes
from workos_tui.tui.widgets.safe import clean, safe_text

KIND_TITLES = {
    "create_task": "Create task",
    "merge_into_task": "Merge into task",
    "attach_questions": "Clarify (stays in the backlog)",
    "save_note": "Save note",
    "set_priority": "Set priority",
    "set_category": "Set category",
    "set_estimate": "Set estimate",
    "link_goal": "Link to goal",
    "set_status": "Set status",
    "plan_day": "Plan day",
}
EDITABLE = ("title", "priority", "category", "estimate_minutes")


def fmt_value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field == "estimate_minutes":
        return fmt_minutes(int(value)) if isinstance(value, int | float) else clean(value)
    if isinstance(value, list):
        return f"{len(value)} items"
    return clean(value)


def change_text(action: ProposedAction, look: Look) -> Text:
    """One line: the target and what changes."""
    c, b = action.changes, action.before
    kind = action.kind
    if kind == "create_task":
        parts: list[Any] = [safe_text(c.get("title", ""), look.bold)]
        for f in ("priority", "category", "estimate_minutes"):
            if c.get(f):
                style = look.priority.get(c[f], look.muted) if f == "priority" else look.muted
                parts.append(("  " + fmt_value(f, c[f]), style))
        if c.get("due"):
            parts.append((f"  due {clean(c['due'])}", look.accent))
        if action.backlog_item_ids:
            parts.append((f"  ← {', '.join(action.backlog_item_ids)}", look.muted))
        return Text.assemble(*parts)
    if kind == "merge_into_task":
        return Text.assemble(
            (f"{', '.join(action.backlog_item_ids)} → {action.task_id} ", look.muted),
            safe_text(b.get("title", "")),
            (
                f"  similarity {action.confidence:.2f}" if action.confidence is not None else "",
                look.muted,
            ),
        )
    if kind == "attach_questions":
        questions = c.get("questions") or []
        first = clean(questions[0]) if questions else ""
        more = f" (+{len(questions) - 1})" if len(questions) > 1 else ""
        return Text.assemble(
            (f"{', '.join(action.backlog_item_ids)}: ", look.muted), safe_text(first + more)
        )
    if kind == "save_note":
        return Text.assemble(
            (f"{', '.join(action.backlog_item_ids)} → note ", look.muted),
            safe_text(c.get("title", "")),
        )
    if kind == "plan_day":
        entries = c.get("entries") or []
        minutes = sum(int(e.get("minutes", 0)) for e in entries if isinstance(e, dict))
        return Text(
            f"{c.get('date', 'today')}: {len(entries)} tasks, {fmt_minutes(minutes)} "
            f"of {c.get('hours_available', '?')}h"
        )
    # set_priority / set_category / set_estimate / link_goal / set_status: field before → after
    target = Text.assemble((f"{action.task_id} ", look.muted), safe_text(b.get("title", "")))
    target.truncate(40, overflow="ellipsis")
    out = Text.assemble(target, "  ")
    for field, after in c.items():
        before = b.get(field)
        style = look.priority.get(after, look.accent) if field == "priority" else look.accent
        out.append_text(
            Text.assemble(
                (f"{fmt_value(field, before)} → ", look.muted),
                (fmt_value(field, after), style),
                " ",
            )
        )
    return out


def action_prompt(action: ProposedAction, look: Look) -> Text:
    box = ("[x] ", look.success) if action.selected else ("[ ] ", look.muted)
    line = Text.assemble(box, change_text(action, look))
    line.no_wrap, line.overflow = True, "ellipsis"
    reason = Text.assemble("    ", safe_text(action.reason, look.muted))
    reason.no_wrap, reason.overflow = True, "ellipsis"
    return Text("\n").join([line, *plan_lines(action, look), reason])


def plan_lines(action: ProposedAction, look: Look) -> list[Text]:
    """A day plan is only worth approving when you can read it: one line per task."""
    if action.kind != "plan_day":
        return []
    titles = action.before.get("titles") or {}
    lines = []
    for n, e in enumerate(action.changes.get("entries") or [], start=1):
        if not isinstance(e, dict):
            continue
        task_id = str(e.get("task_id", ""))
        line = Text.assemble(
            (f"    {n:>2}. ", look.muted),
            ("★ " if e.get("focus") else "  ", look.accent),
            (f"{task_id} ", look.muted),
            safe_text(titles.get(task_id, "")),
            (f"  {fmt_minutes(int(e.get('minutes') or 0))}", look.muted),
        )
        line.no_wrap, line.overflow = True, "ellipsis"
        lines.append(line)
    return lines
