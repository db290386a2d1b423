"""The offline engine's daily planning: one ranked list per perspective (urgency, momentum
of started and unblocked work, goals nearest their target date)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workos_tui.core.engines.base import Delta
from workos_tui.core.engines.offline_steps import Step, due_phrase, plan_date, quote

CHUNK_MAX = 120  # minutes of one task in one day's plan


def _minutes_today(t: dict[str, Any]) -> int:
    return max(15, min(int(t.get("estimate_minutes") or 60), CHUNK_MAX))


def plan_perspective(payload: dict[str, Any], context: dict[str, Any]) -> Iterator[Step]:
    name = payload["perspective"]
    today = plan_date(context)
    ranked: list[dict[str, Any]] = []
    summary = ""
    if name == "priority_focus":
        tasks = sorted(payload.get("tasks", []), key=lambda t: -t.get("urgency", 0))
        yield Delta(f"Ranking {len(tasks)} actionable tasks by urgency")
        for t in tasks[:8]:
            bits = [t["priority"], due_phrase(t.get("due"), today), t["status"]]
            reason = ", ".join(b for b in bits if b and b != "todo")
            ranked.append(
                {
                    "task_id": t["id"],
                    "reason": f"urgency {t.get('urgency', 0):.1f}: {reason}",
                    "minutes": _minutes_today(t),
                }
            )
            yield Delta(f"{t['id']} {quote(t['title'], 30)} urgency {t.get('urgency', 0):.1f}")
        if tasks:
            top = tasks[0]
            summary = f"Most urgent: {top['id']} {top['title']} ({top.get('urgency', 0):.1f})"
    elif name == "momentum":
        seen: set[str] = set()
        groups = (
            ("nearly_done", "started and nearly done"),
            ("started", "already started"),
            ("unblocked_dependents", "just unblocked"),
        )
        for key, why in groups:
            tasks = sorted(payload.get(key, []), key=lambda t: t.get("days_since_update", 0))
            yield Delta(f"{len(tasks)} {why}")
            for t in tasks:
                if t["id"] in seen:
                    continue
                seen.add(t["id"])
                ranked.append({"task_id": t["id"], "reason": why, "minutes": _minutes_today(t)})
        summary = (
            f"{len(ranked)} started or freshly unblocked tasks to keep moving" if ranked else ""
        )
    else:
        goals = sorted(
            payload.get("goals", []),
            key=lambda g: (g.get("target_date") or "9999", g["done"] / max(g["total"], 1)),
        )
        yield Delta(f"{len(goals)} active goals, nearest target first")
        for g in goals:
            progress = f"{g['done']}/{g['total']} done"
            yield Delta(f"{g['id']} {quote(g['title'], 30)}: {progress}")
            for t in sorted(g.get("open_tasks", []), key=lambda t: -t.get("urgency", 0))[:3]:
                ranked.append(
                    {
                        "task_id": t["id"],
                        "reason": f"moves {g['title']} ({progress})",
                        "minutes": _minutes_today(t),
                    }
                )
        if goals:
            summary = (
                f"Nearest goal: {goals[0]['title']} ({goals[0]['done']}/{goals[0]['total']} done)"
            )
    yield {"perspective": name, "ranked": ranked, "summary": summary}
