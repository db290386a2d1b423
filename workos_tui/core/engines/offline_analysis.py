"""The offline engine's task analyses: priority against Taskwarrior-style urgency and the
priority limits, categories, blockers from the dependency graph, goal alignment, and time
estimates against capacity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from workos_tui.core.engines.base import Delta
from workos_tui.core.engines.heuristics import guess_category, guess_estimate
from workos_tui.core.engines.offline_steps import Step, due_phrase, plan_date, quote
from workos_tui.core.matching import keywords, similarity, tokens
from workos_tui.core.models import PRIORITIES


def analyse(payload: dict[str, Any], context: dict[str, Any]) -> Iterator[Step]:
    kind = payload["analysis_type"]
    today = plan_date(context)
    if kind == "priority":
        yield from _priority(payload, today)
    elif kind == "category":
        yield from _category(payload)
    elif kind == "blockers":
        yield from _blockers(payload, today)
    elif kind == "goal_alignment":
        yield from _goal_alignment(payload)
    else:
        yield from _time_estimates(payload)


def _suggest(
    task: dict[str, Any], field: str, value: Any, reason: str, confidence: float
) -> dict[str, Any]:
    return {
        "task_id": task["id"],
        "field": field,
        "current": task.get(field),
        "suggested": value,
        "reason": reason,
        "confidence": confidence,
    }


def _priority(payload: dict[str, Any], today: dt.date) -> Iterator[Step]:
    tasks: list[dict[str, Any]] = payload["tasks"]
    yield Delta(f"Scoring urgency of {len(tasks)} open tasks")
    suggestions, findings = [], []
    for t in tasks:
        prio, due = t["priority"], t.get("due")
        days = (dt.date.fromisoformat(due) - today).days if due else None
        level = PRIORITIES.index(prio)
        if days is not None and days < 0 and level >= 2:
            suggestions.append(
                _suggest(t, "priority", "P1", f"{due_phrase(due, today)} but only {prio}", 0.8)
            )
        elif days is not None and days <= 2 and level >= 2:
            suggestions.append(
                _suggest(t, "priority", "P1", f"{due_phrase(due, today)} but only {prio}", 0.7)
            )
        elif t.get("blocking", 0) >= 2 and level >= 2:
            suggestions.append(
                _suggest(
                    t, "priority", PRIORITIES[level - 1], f"blocks {t['blocking']} open tasks", 0.6
                )
            )
        elif (
            prio == "P0"
            and days is None
            and t["status"] == "todo"
            and not t.get("blocking")
            and t.get("days_since_update", 0) >= 14
        ):
            suggestions.append(
                _suggest(t, "priority", "P1", "P0 with no deadline and untouched for weeks", 0.55)
            )
    yield Delta(f"{len(suggestions)} priorities disagree with urgency")
    limits: dict[str, int] = payload.get("priority_limits", {})
    counts: dict[str, int] = payload.get("priority_counts", {})
    for prio, limit in sorted(limits.items()):
        n = counts.get(prio, 0)
        if n > limit:
            over = sorted(
                (t for t in tasks if t["priority"] == prio), key=lambda t: t.get("urgency", 0)
            )
            names = ", ".join(t["id"] for t in over[: n - limit])
            findings.append(
                f"{prio} limit exceeded: {n} open tasks for a limit of {limit}; "
                f"least urgent: {names}"
            )
            yield Delta(f"{prio}: {n} tasks, limit {limit}: over")
        else:
            yield Delta(f"{prio}: {n} tasks, limit {limit}: ok")
    top = sorted(tasks, key=lambda t: -t.get("urgency", 0))[:3]
    if top:
        findings.append(
            "Most urgent: "
            + "; ".join(f"{t['id']} {t['title']} ({t.get('urgency', 0):.1f})" for t in top)
        )
    yield {"analysis_type": "priority", "suggestions": suggestions, "findings": findings}


def _category(payload: dict[str, Any]) -> Iterator[Step]:
    grouped: dict[str, list[dict[str, Any]]] = payload.get("tasks_by_category", {})
    suggestions, findings = [], []
    total = sum(len(v) for v in grouped.values())
    yield Delta(f"Checking the categories of {total} open tasks")
    for current, tasks in grouped.items():
        for t in tasks:
            text = " ".join([t["title"], t.get("description", "")])
            guess, why, scores = guess_category(text)
            if guess not in (current, "other") and scores[guess] >= scores.get(current, 0) + 2:
                suggestions.append(
                    _suggest(
                        t,
                        "category",
                        guess,
                        f"words {', '.join(why[:3])} suggest {guess}, not {current}",
                        0.6,
                    )
                )
                yield Delta(f"{t['id']}: {current} → {guess}?")
    counts = {c: len(ts) for c, ts in grouped.items()}
    if counts:
        findings.append(
            "Open tasks by category: " + ", ".join(f"{c} {n}" for c, n in counts.items())
        )
    yield {"analysis_type": "category", "suggestions": suggestions, "findings": findings}


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Dependency cycles (each once, starting at its smallest id)."""
    cycles: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                start = cycle.index(min(cycle))
                canon = tuple(cycle[start:] + cycle[:start])
                if canon not in seen:
                    seen.add(canon)
                    cycles.append(list(canon))
            elif state.get(nxt) is None and nxt in graph:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node)
    return cycles


def _blockers(payload: dict[str, Any], today: dt.date) -> Iterator[Step]:
    tasks = {t["id"]: t for t in payload.get("tasks", [])}
    graph = {tid: [d for d in t.get("depends_on", []) if d in tasks] for tid, t in tasks.items()}
    suggestions: list[dict[str, Any]] = []
    findings: list[str] = []
    blockers: list[dict[str, Any]] = []
    yield Delta(f"Walking the dependencies of {len(tasks)} open tasks")
    cycles = find_cycles(graph)
    for cycle in cycles:
        chain = " → ".join([*cycle, cycle[0]])
        findings.append(f"Dependency cycle: {chain}; remove one of these dependencies")
        yield Delta(f"Cycle found: {chain}")
    in_cycle = {tid for c in cycles for tid in c}

    def root_of(tid: str, depth: int = 0) -> str:
        deps = graph.get(tid, [])
        if not deps or depth > 20 or tid in in_cycle:
            return tid
        return root_of(deps[0], depth + 1)

    for t in payload.get("dependency_blocked", []):
        waiting = [d for d in t.get("waiting_on", []) if d in tasks]
        if not waiting:
            continue
        root = root_of(waiting[0])
        root_title = tasks[root]["title"] if root in tasks else root
        step = f"finish {root} {quote(root_title, 40)} first"
        blockers.append({"task_id": t["id"], "blocked_by": waiting, "unblocking_step": step})
        yield Delta(f"{t['id']} waits on {', '.join(waiting)}")
        if t["status"] == "todo":
            suggestions.append(
                _suggest(t, "status", "blocked", f"waits on {', '.join(waiting)} (not done)", 0.6)
            )
    for t in payload.get("blocked", []):
        if any(b["task_id"] == t["id"] for b in blockers):
            continue
        open_deps = [d for d in t.get("depends_on", []) if d in tasks]
        if open_deps:
            continue
        suggestions.append(
            _suggest(t, "status", "todo", "marked blocked but waits on no open task", 0.55)
        )
        blockers.append(
            {
                "task_id": t["id"],
                "blocked_by": [],
                "unblocking_step": "write down what it waits on, or set it back to todo",
            }
        )
        yield Delta(f"{t['id']} is blocked with no open dependency")
    stale_after = payload.get("stale_after_days", 7)
    for t in payload.get("stale_started", []):
        findings.append(
            f"{t['id']} {t['title']} started but untouched for {t.get('days_since_update', '?')} "
            f"days (stale after {stale_after}): split it or pause it"
        )
        yield Delta(f"{t['id']} is stale")
    if not (cycles or blockers or findings):
        findings.append("Nothing is blocked")
    yield {
        "analysis_type": "blockers",
        "suggestions": suggestions,
        "findings": findings,
        "blockers": blockers,
    }


def _alignment(task: dict[str, Any], goal_words: set[str], goal_text: str) -> float:
    words = set(tokens(" ".join([task["title"], task.get("description", "")])))
    if not words:
        return 0.0
    overlap = len(words & goal_words) / min(len(words), 4)
    return round(min(1.0, 0.7 * overlap + 0.3 * similarity(task["title"], goal_text)), 3)


def _goal_alignment(payload: dict[str, Any]) -> Iterator[Step]:
    goals: list[dict[str, Any]] = payload.get("goals", [])
    tasks: list[dict[str, Any]] = payload.get("tasks", [])
    yield Delta(f"Matching {len(tasks)} open tasks to {len(goals)} active goals")
    goal_words = {g["id"]: keywords([g["title"], g.get("description", "")]) for g in goals}
    goal_text = {g["id"]: g["title"] for g in goals}
    alignments, findings = [], []
    linked = {g["id"]: 0 for g in goals}
    for t in tasks:
        current = t.get("goal_id")
        scored = [(_alignment(t, goal_words[g], goal_text[g]), g) for g in goal_words]
        score, best = max(scored, default=(0.0, None))
        if current in goal_words:
            linked[current] += 1
            own = _alignment(t, goal_words[current], goal_text[current])
            alignments.append({"task_id": t["id"], "goal_id": current, "score": max(own, 0.6)})
        elif best is not None and score >= 0.5:
            alignments.append({"task_id": t["id"], "goal_id": best, "score": score})
            yield Delta(f"{t['id']} {quote(t['title'], 30)} fits {best} ({score:.2f})")
        else:
            alignments.append({"task_id": t["id"], "goal_id": None, "score": round(score, 3)})
    for g in goals:
        if linked[g["id"]] == 0:
            findings.append(f"Goal {g['id']} {g['title']} has no open tasks: plan the next step")
    unaligned = sum(1 for a in alignments if a["goal_id"] is None)
    if tasks:
        findings.append(f"{unaligned} of {len(tasks)} open tasks serve no active goal")
    yield Delta(f"{unaligned} tasks serve no goal")
    yield {"analysis_type": "goal_alignment", "alignments": alignments, "findings": findings}


def _time_estimates(payload: dict[str, Any]) -> Iterator[Step]:
    tasks: list[dict[str, Any]] = payload.get("tasks", [])
    capacity = payload.get("capacity", {})
    per_week = int(capacity.get("minutes_per_week") or 1800)
    # Totals over every open task when the plan lists only the most relevant ones.
    totals: dict[str, int] = payload.get("totals") or {}
    suggestions, findings = [], []
    total = guessed = 0
    for t in tasks:
        est = t.get("estimate_minutes")
        if est:
            total += est
            if est > 480:
                findings.append(
                    f"{t['id']} {t['title']} is estimated at {est / 60:.1f} h: split it into "
                    "pieces of a day or less"
                )
        else:
            minutes, why = guess_estimate(t["title"])
            suggestions.append(_suggest(t, "estimate_minutes", minutes, why, 0.5))
            guessed += minutes
    if totals:
        total = totals.get("estimated_minutes", total)
        urgent = totals.get("estimated_minutes_p0_p1", 0)
        count = totals.get("open_tasks", len(tasks))
    else:
        urgent = sum(t.get("estimate_minutes") or 0 for t in tasks if t["priority"] in ("P0", "P1"))
        count = len(tasks)
    total += guessed
    yield Delta(f"{count} open tasks, {total / 60:.1f} h of estimated work")
    unguessed = totals.get("without_estimate", 0) - len(suggestions)
    weeks = total / per_week if per_week else 0
    findings.append(
        f"Open work: {total / 60:.1f} h against {per_week / 60:.0f} h a week "
        f"({weeks:.1f} weeks); P0-P1 alone: {urgent / 60:.1f} h"
        + (f"; {unguessed} more tasks have no estimate" if unguessed > 0 else "")
    )
    yield Delta(f"Capacity {per_week / 60:.0f} h a week: {weeks:.1f} weeks of work")
    if urgent > per_week:
        findings.append("P0-P1 work alone exceeds a week of capacity: demote or drop something")
    yield {"analysis_type": "time_estimates", "suggestions": suggestions, "findings": findings}
