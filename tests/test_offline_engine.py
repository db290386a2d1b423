"""The offline engine: each heuristic, the streamed steps, and determinism."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from tests.conftest import FIXED_NOW, FIXED_TODAY
from workos_tui.core.config import Config
from workos_tui.core.engines import make_engine
from workos_tui.core.engines.base import Attempt, Delta, FinalOutput
from workos_tui.core.engines.heuristics import (
    assess_vagueness,
    guess_category,
    guess_due,
    guess_estimate,
    guess_priority,
    make_title,
)
from workos_tui.core.engines.offline import OfflineEngine, find_cycles
from workos_tui.core.models import Task
from workos_tui.core.operations import (
    prepare_backlog_processing,
    prepare_daily_planning,
    prepare_task_analysis,
)
from workos_tui.core.run_models import RunPlan
from workos_tui.core.store import Store
from workos_tui.core.urgency import urgency


async def run_one(plan: RunPlan, delegate_id: str) -> tuple[list[str], dict[str, Any]]:
    spec = next(s for s in plan.delegates if s.id == delegate_id)
    lines: list[str] = []
    output: dict[str, Any] = {}
    async for item in OfflineEngine().stream(spec, plan, Attempt(1)):
        if isinstance(item, Delta):
            lines.append(item.text)
        else:
            assert isinstance(item, FinalOutput)
            output = item.output
    spec.output_model.model_validate(output)
    return lines, output


async def test_backlog_decisions_on_the_demo(demo_store: Store) -> None:
    plan = prepare_backlog_processing(demo_store, today=FIXED_TODAY)
    decisions = {}
    for spec in plan.delegates:
        _, out = await run_one(plan, spec.id)
        decisions[spec.id] = out
    assert decisions["B1"]["decision"] == "duplicate" and decisions["B1"]["duplicate_of"] == "T1"
    assert decisions["B2"]["decision"] == "duplicate" and decisions["B2"]["duplicate_of"] == "T2"
    assert decisions["B7"]["decision"] == "needs_clarification"
    assert decisions["B8"]["decision"] == "needs_clarification"
    assert all(q.endswith("?") for q in decisions["B7"]["clarification_questions"])
    assert decisions["B12"]["decision"] == "not_actionable"
    clear = ["B3", "B4", "B5", "B6", "B9", "B10", "B11", "B13", "B14"]
    assert all(decisions[b]["decision"] == "create_task" for b in clear)
    assert decisions["B6"]["priority"] == "P1"  # "by Friday"
    assert decisions["B9"]["category"] == "personal"  # dentist
    assert decisions["B11"]["category"] == "technical"
    assert decisions["B10"]["category"] == "writing"
    assert decisions["B3"]["category"] == "research"
    # Sub-items make the estimate larger.
    assert decisions["B3"]["estimate_minutes"] > decisions["B4"]["estimate_minutes"]


async def test_streams_one_line_per_step(demo_store: Store) -> None:
    plan = prepare_backlog_processing(demo_store, today=FIXED_TODAY)
    lines, _ = await run_one(plan, "B1")
    assert lines[0].startswith("Reading B1")
    assert any("closest T1" in line for line in lines)
    assert any(line.startswith("Duplicate of T1") for line in lines)
    assert all("\n" not in line and len(line) < 200 for line in lines)


async def test_delegates_interleave_their_steps(demo_store: Store) -> None:
    plan = prepare_backlog_processing(demo_store, today=FIXED_TODAY)
    order: list[str] = []

    async def consume(delegate_id: str) -> None:
        spec = next(s for s in plan.delegates if s.id == delegate_id)
        async for item in OfflineEngine().stream(spec, plan, Attempt(1)):
            if isinstance(item, Delta):
                order.append(delegate_id)

    await asyncio.gather(consume("B5"), consume("B6"))
    first_b6 = order.index("B6")
    assert first_b6 < len(order) - order.count("B6")  # B6 began before B5 ended


async def test_deterministic(demo_store: Store) -> None:
    plan = prepare_backlog_processing(demo_store, today=FIXED_TODAY)
    assert await run_one(plan, "B6") == await run_one(plan, "B6")


def test_vagueness() -> None:
    assert assess_vagueness("that thing from the meeting", 2).vague
    assert assess_vagueness("maybe improve stuff?", 2).vague
    assert assess_vagueness("stuff", 1).vague
    v = assess_vagueness("Call the accountant about the Q4 tax estimate by Friday", 6)
    assert not v.vague and v.questions == []
    assert not assess_vagueness("Schedule a dentist appointment", 3).vague
    meeting = assess_vagueness("that thing from the meeting", 2)
    assert any("meeting" in q for q in meeting.questions)


def test_category_priority_estimate_title() -> None:
    assert guess_category("Fix the API bug in the webhook")[0] == "technical"
    assert guess_category("Email the investors the update")[0] == "outreach"
    assert guess_category("zzz qqq")[0] == "other"
    assert guess_priority("Pay the invoice ASAP")[0] == "P0"
    assert guess_priority("Send it by Friday")[0] == "P1"
    assert guess_priority("someday learn Rust")[0] == "P3"
    assert guess_priority("Write the post")[0] == "P2"
    assert guess_estimate("Call mom")[0] < guess_estimate("Refactor the billing module")[0]
    assert guess_estimate("Research tools", 3)[0] == guess_estimate("Research tools")[0] + 45
    assert make_title("todo: fix the login page.") == "Fix the login page"
    assert len(make_title("word " * 100)) <= 121


def test_urgency_follows_taskwarrior() -> None:
    today = dt.date(2026, 12, 3)
    created = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    base = Task(id="T1", title="x", priority="P2", created_at=created)
    overdue = base.model_copy(update={"due": today - dt.timedelta(days=10)})
    started = base.model_copy(update={"status": "started"})
    blocked = base.model_copy(update={"status": "blocked"})
    assert urgency(overdue, today) - urgency(base, today) == pytest.approx(12.0, abs=0.01)
    assert urgency(started, today) - urgency(base, today) == pytest.approx(4.0, abs=0.01)
    assert urgency(blocked, today) - urgency(base, today) == pytest.approx(-5.0, abs=0.01)
    assert urgency(base, today, blocking=2) - urgency(base, today) == pytest.approx(8.0)
    assert urgency(base.model_copy(update={"status": "done"}), today) == 0.0


def test_find_cycles() -> None:
    graph = {"T1": ["T2"], "T2": ["T3"], "T3": ["T1"], "T4": ["T1"], "T5": []}
    assert find_cycles(graph) == [["T1", "T2", "T3"]]
    assert find_cycles({"T1": ["T2"], "T2": []}) == []


async def test_analysis_on_the_demo(demo_store: Store) -> None:
    plan = prepare_task_analysis(demo_store, today=FIXED_TODAY)
    _, blockers = await run_one(plan, "blockers")
    blocked_ids = {b["task_id"] for b in blockers["blockers"]}
    assert {"T4", "T8", "T15"} <= blocked_ids
    assert any(f.startswith("T5 ") and "stale" in f for f in blockers["findings"])
    _, estimates = await run_one(plan, "time_estimates")
    assert any("h a week" in f for f in estimates["findings"])
    _, prio = await run_one(plan, "priority")
    assert any("Most urgent: T1" in f for f in prio["findings"])
    _, goals = await run_one(plan, "goal_alignment")
    linked = {a["task_id"]: a["goal_id"] for a in goals["alignments"]}
    assert linked["T1"] == "G1" and linked["T16"] is None


async def test_analysis_finds_cycles_limits_and_overdue_priorities(store: Store) -> None:
    today = FIXED_TODAY
    with store.transaction("setup"):
        a = store.put(Task(title="Ship the thing", priority="P0", estimate_minutes=30))
        b = store.put(
            Task(title="Test the thing", priority="P0", depends_on=[a.id], estimate_minutes=30)
        )
        store.put(a.model_copy(update={"depends_on": [b.id]}))
        store.put(Task(title="Third P0", priority="P0", estimate_minutes=30))
        store.put(Task(title="Fourth P0", priority="P0", estimate_minutes=30))
        store.put(
            Task(
                title="Pay rent",
                priority="P3",
                due=today - dt.timedelta(days=3),
                estimate_minutes=9000,
            )
        )
        store.put(Task(title="Undated", estimate_minutes=None))
    plan = prepare_task_analysis(store, ["priority", "blockers", "time_estimates"], today=today)
    _, blockers = await run_one(plan, "blockers")
    assert any("cycle" in f.lower() for f in blockers["findings"])
    _, prio = await run_one(plan, "priority")
    assert any("P0 limit exceeded: 4 open tasks for a limit of 3" in f for f in prio["findings"])
    raised = {s["task_id"]: s["suggested"] for s in prio["suggestions"]}
    assert raised.get("T5") == "P1"  # overdue P3
    _, est = await run_one(plan, "time_estimates")
    assert {s["task_id"] for s in est["suggestions"]} == {"T6"}  # the only one without
    assert any(f.startswith("T5 Pay rent is estimated at 150.0 h") for f in est["findings"])


async def test_planning_perspectives(demo_store: Store) -> None:
    plan = prepare_daily_planning(demo_store, now=FIXED_NOW)
    _, focus = await run_one(plan, "priority_focus")
    assert focus["ranked"][0]["task_id"] == "T1"
    _, momentum = await run_one(plan, "momentum")
    started = {r["task_id"] for r in momentum["ranked"]}
    assert {"T1", "T5", "T12"} <= started
    _, goals = await run_one(plan, "goal_progress")
    assert goals["ranked"] and all(r["reason"].startswith("moves ") for r in goals["ranked"])
    # Blocked and dependency-blocked tasks are never planned.
    for out in (focus, momentum, goals):
        assert not {"T4", "T8", "T15"} & {r["task_id"] for r in out["ranked"]}


def test_make_engine(store: Store) -> None:
    config = Config()
    assert make_engine(None, store=store, config=config).name == "offline"
    assert make_engine("offline", store=store, config=config).label == "offline"
    with pytest.raises(ValueError, match="unknown engine 'gpt'"):
        make_engine("gpt", store=store, config=config)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Call the accountant about the Q4 tax estimate by Friday", dt.date(2026, 12, 4)),
        ("finish the draft by Thursday", dt.date(2026, 12, 3)),  # today is a Thursday
        ("review it next Thursday", dt.date(2026, 12, 10)),
        ("call mom tomorrow", dt.date(2026, 12, 4)),
        ("submit before Dec 24th", dt.date(2026, 12, 24)),
        ("renew the lease before 2 March", dt.date(2027, 3, 2)),
        ("pay rent on 2027-01-01", dt.date(2027, 1, 1)),
        ("close the books by end of the month", dt.date(2026, 12, 31)),
        ("ship it this week", dt.date(2026, 12, 4)),
        ("maybe improve stuff?", None),
        ("Prepare slides for the January all-hands", None),
        ("renew by 30 feb", None),
    ],
)
def test_due_dates_from_the_text(text: str, due: dt.date | None) -> None:
    assert guess_due(text, FIXED_TODAY)[0] == due
