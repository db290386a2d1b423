"""prepare_* plans, and each operation end to end on the demo with the offline engine."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.scripted_engine import ScriptedEngine
from workos_tui.core.engines.offline import OfflineEngine
from workos_tui.core.engines.offline_analysis import analyse
from workos_tui.core.events import RunEvent, RunFinished
from workos_tui.core.models import BacklogItem, Goal, Note, Task
from workos_tui.core.operations import (
    apply_proposal,
    prepare,
    prepare_backlog_processing,
    prepare_daily_planning,
    prepare_task_analysis,
)
from workos_tui.core.operations.prepare_briefs import TASKS_PER_DELEGATE
from workos_tui.core.run_models import BacklogTriage, PlanPerspective, TaskAnalysis
from workos_tui.core.runner import Runner
from workos_tui.core.session import run_operation
from workos_tui.core.store import Store


def test_backlog_plan(demo_store: Store) -> None:
    plan = prepare_backlog_processing(demo_store, today=FIXED_TODAY)
    assert plan.operation == "backlog_processing"
    assert [s.id for s in plan.delegates] == [f"B{i}" for i in range(1, 15)]
    assert all(s.output_model is BacklogTriage for s in plan.delegates)
    b3 = plan.delegates[2]
    assert b3.payload["item"] == {
        "id": "B3",
        "text": "Research competitors' pricing pages",
        "subitems": ["Notion", "Linear", "Asana"],
    }
    assert plan.delegates[0].payload["candidates"][0]["id"] == "T1"
    assert set(plan.context["categories"]) >= {"technical", "other"}
    assert set(plan.context["priorities"]) == {"P0", "P1", "P2", "P3"}
    open_ids = {t["id"] for t in plan.context["open_tasks"]}
    assert "T3" not in open_ids and "T1" in open_ids  # done tasks are not candidates
    without = prepare_backlog_processing(demo_store, include_existing_tasks=False)
    assert "open_tasks" not in without.context
    assert all(s.payload["candidates"] == [] for s in without.delegates)


def test_backlog_plan_stays_small_with_many_tasks(store: Store) -> None:
    with store.transaction("bulk"):
        for i in range(2_000):  # test_matching covers 10,000 candidates
            store.put(Task(title=f"Maintenance job {i} for cluster {i % 50}"))
        store.put(Task(title="Fix login redirect loop on Safari"))
        store.put(BacklogItem(text="Fix the Safari login redirect bug"))
    plan = prepare_backlog_processing(store)
    assert "open_tasks" not in plan.context  # too many to send to a model
    candidates = plan.delegates[0].payload["candidates"]
    assert len(candidates) <= 8
    assert candidates[0]["title"] == "Fix login redirect loop on Safari"


def test_analysis_and_planning_plans_stay_small_with_many_tasks(store: Store) -> None:
    """2,000 open tasks: each list a delegate gets is cut to the most relevant, says how many
    it left out, and totals still count every task."""
    today = FIXED_TODAY
    with store.transaction("bulk"):
        goal = store.put(Goal(title="Ship the v2 onboarding"))
        for i in range(2_000):
            store.put(
                Task(
                    title=f"Maintenance job {i} for cluster {i % 50}",
                    category="technical",
                    estimate_minutes=30,
                    goal_id=goal.id if i % 2 else None,
                    due=today + dt.timedelta(days=30 + i % 300),
                )
            )
        # The needles: one of each kind of candidate, created last.
        overdue = store.put(
            Task(
                title="Renew the TLS certificate",
                due=today - dt.timedelta(days=3),
                estimate_minutes=20,
            )
        )
        lazy_p0 = store.put(
            Task(
                title="Tidy the wiki sidebar",
                priority="P0",
                category="writing",
                estimate_minutes=30,
            )
        )
        miscategorised = store.put(
            Task(
                title="Email the supplier about the invoice",
                category="technical",
                estimate_minutes=15,
            )
        )
        unestimated = store.put(Task(title="Migrate the billing database", category="technical"))
        unlinked = store.put(
            Task(
                title="Write the v2 onboarding announcement",
                category="writing",
                estimate_minutes=60,
            )
        )
    limit = TASKS_PER_DELEGATE
    plan = prepare_task_analysis(store, today=today)
    payload = {d.id: d.payload for d in plan.delegates}
    ids = {kind: {t["id"] for t in p.get("tasks", [])} for kind, p in payload.items()}
    for kind in ("priority", "goal_alignment", "time_estimates"):
        assert len(payload[kind]["tasks"]) == limit
        assert payload[kind]["not_shown"] == {"tasks": 2_005 - limit}
    assert {overdue.id, lazy_p0.id} <= ids["priority"]
    assert payload["priority"]["priority_counts"]["P2"] == 2_004  # counts cover every task
    by_category = payload["category"]["tasks_by_category"]
    assert sum(len(v) for v in by_category.values()) == limit
    assert miscategorised.id in {t["id"] for t in by_category["technical"]}
    assert unestimated.id in ids["time_estimates"]
    assert payload["time_estimates"]["totals"] == {
        "open_tasks": 2_005,
        "estimated_minutes": 2_000 * 30 + 20 + 30 + 15 + 60,
        "estimated_minutes_p0_p1": 30,
        "without_estimate": 1,
    }
    assert unlinked.id in ids["goal_alignment"]
    assert "not_shown" not in payload["blockers"]  # nothing blocked: nothing to cut
    planning = prepare_daily_planning(store, now=FIXED_NOW)
    focus = next(d for d in planning.delegates if d.id == "priority_focus").payload
    assert len(focus["tasks"]) == limit and focus["tasks"][0]["id"] == overdue.id
    goals = next(d for d in planning.delegates if d.id == "goal_progress").payload
    assert goals["goals"][0]["total"] == 1_000 and len(goals["goals"][0]["open_tasks"]) == 20
    # The offline engine still reports the totals over every task.
    spec = next(d for d in plan.delegates if d.id == "time_estimates")
    final = [step for step in analyse(spec.payload, plan.context) if isinstance(step, dict)]
    # 2,000 × 30 min + the needles + a guess for the unestimated one, not just the 150 shown
    assert any("Open work: 1005.1 h" in f for f in final[0]["findings"]), final[0]["findings"]


def test_analysis_plan(demo_store: Store) -> None:
    plan = prepare_task_analysis(demo_store, today=FIXED_TODAY)
    assert [s.id for s in plan.delegates] == [
        "priority",
        "category",
        "blockers",
        "goal_alignment",
        "time_estimates",
    ]
    assert all(s.output_model is TaskAnalysis for s in plan.delegates)
    by = {s.id: s.payload for s in plan.delegates}
    assert by["priority"]["priority_limits"] == {"P0": 3, "P1": 7}
    assert by["priority"]["priority_counts"]["P0"] == 2
    assert [t["id"] for t in by["blockers"]["blocked"]] == ["T8"]
    assert [t["id"] for t in by["blockers"]["stale_started"]] == ["T5"]
    assert {t["id"] for t in by["blockers"]["dependency_blocked"]} == {"T4", "T8", "T15"}
    assert len(by["goal_alignment"]["goals"]) == 3
    assert by["time_estimates"]["capacity"]["minutes_per_day"] == 360
    assert all(t["status"] != "done" for t in by["time_estimates"]["tasks"])
    some = prepare_task_analysis(demo_store, "priority, blockers")
    assert [s.id for s in some.delegates] == ["priority", "blockers"]
    assert [s.id for s in prepare_task_analysis(demo_store, ["priority_analysis"]).delegates] == [
        "priority"
    ]
    with pytest.raises(ValueError, match="unknown analysis type 'speed'"):
        prepare_task_analysis(demo_store, ["speed"])


def test_planning_plan(demo_store: Store) -> None:
    now = dt.datetime(2026, 12, 3, 14, 5)
    plan = prepare_daily_planning(demo_store, now=now, hours_available=4)
    assert [s.id for s in plan.delegates] == ["priority_focus", "momentum", "goal_progress"]
    assert all(s.output_model is PlanPerspective for s in plan.delegates)
    assert plan.context["time_context"] == {
        "day": "Thursday",
        "date": "2026-12-03",
        "hour": 14,
        "time_of_day": "afternoon",
    }
    assert plan.context["minutes_available"] == 240
    assert "knowledge" not in plan.context
    momentum = plan.delegates[1].payload
    assert {t["id"] for t in momentum["started"]} == {"T1", "T5", "T12"}
    knowledge = prepare_daily_planning(demo_store, include_knowledge=True, now=now)
    assert knowledge.context["knowledge"][0]["first_line"]
    assert len(knowledge.context["knowledge"]) == 4
    no_goals = prepare_daily_planning(demo_store, include_goals=False, now=now)
    assert [s.id for s in no_goals.delegates] == ["priority_focus", "momentum"]
    assert prepare_daily_planning(demo_store, now=now).context["hours_available"] == 6.0
    with pytest.raises(ValueError, match="hours available"):
        prepare_daily_planning(demo_store, hours_available=30)


def test_prepare_dispatches_by_name_and_alias(demo_store: Store) -> None:
    assert prepare(demo_store, "backlog").operation == "backlog_processing"
    assert prepare(demo_store, "analyze", analysis_types=["category"]).delegates[0].id == "category"
    assert prepare(demo_store, "daily_planning", now=FIXED_NOW).operation == "daily_planning"
    with pytest.raises(ValueError, match="unknown operation"):
        prepare(demo_store, "dance")


async def test_backlog_end_to_end_on_the_demo(demo_store: Store) -> None:
    events: list[RunEvent] = []
    report = await run_operation(
        demo_store,
        OfflineEngine(),
        "backlog",
        options={"today": FIXED_TODAY},
        concurrency=4,
        on_event=events.append,
    )
    assert isinstance(events[-1], RunFinished)
    assert all(d.status == "succeeded" for d in report.delegates)
    kinds = [a.kind for a in report.proposal.actions]
    assert kinds.count("merge_into_task") == 2
    assert kinds.count("attach_questions") == 2
    assert kinds.count("save_note") == 1
    assert kinds.count("create_task") == 8
    assert demo_store.backlog()[0].id == "B1"  # nothing applied yet
    applied = apply_proposal(demo_store, report.proposal, [a.id for a in report.proposal.actions])
    assert len(applied) == 13
    assert {b.id for b in demo_store.backlog()} == {"B7", "B8"}  # the vague ones stay
    assert all(b.questions for b in demo_store.backlog())
    assert any(n.startswith("From backlog B1") for n in demo_store.get_task("T1").notes)
    new = [t for t in demo_store.tasks() if t.source_backlog_ids]
    titles = {t.title for t in new}
    assert "Research competitors' pricing pages" in titles
    assert "Look into competitor pricing pages" not in titles  # folded into B3's task
    assert any(t.source_backlog_ids == ["B3", "B4"] for t in new)
    # "... by Friday" on Thursday 2026-12-03: due the next day, and urgent.
    [call] = [t for t in new if t.source_backlog_ids == ["B6"]]
    assert (call.due, call.priority) == (dt.date(2026, 12, 4), "P1")
    created = [t for t in new if int(t.id[1:]) > 17]  # T1 and T2 only took merges
    assert [t.source_backlog_ids for t in created if t.due] == [["B6"]]
    assert any(isinstance(n, Note) and n.title.startswith("Article") for n in demo_store.notes())


async def test_analysis_end_to_end_on_the_demo(demo_store: Store) -> None:
    report = await run_operation(
        demo_store, OfflineEngine(), "analyze", options={"today": FIXED_TODAY}
    )
    assert len(report.delegates) == 5
    assert all(d.status == "succeeded" for d in report.delegates)
    statuses = {a.task_id for a in report.proposal.actions if a.kind == "set_status"}
    assert statuses == {"T4", "T15"}
    assert any("stale" in r for r in report.proposal.recommendations)
    apply_proposal(demo_store, report.proposal)
    assert demo_store.get_task("T4").status == "blocked"


async def test_planning_end_to_end_on_the_demo(demo_store: Store) -> None:
    report = await run_operation(
        demo_store,
        OfflineEngine(),
        "plan",
        options={"now": FIXED_NOW, "hours_available": 4},
    )
    (action,) = report.proposal.actions
    assert action.kind == "plan_day"
    entries = action.changes["entries"]
    assert sum(e["minutes"] for e in entries) <= 240
    assert sum(e["focus"] for e in entries) <= 3
    assert entries[0]["task_id"] == "T1"
    apply_proposal(demo_store, report.proposal)
    today = demo_store.latest_plan()
    assert today is not None and today.date == FIXED_TODAY and today.hours_available == 4
    assert [e.task_id for e in today.entries] == [e["task_id"] for e in entries]


async def test_run_operation_reports_failures_and_takes_a_runner_factory(
    demo_store: Store,
) -> None:
    from tests.scripted_engine import Script

    engine = ScriptedEngine({"B2": Script(attempts=["fail"])})
    made: list[Runner] = []

    def factory(engine: object, **kw: object) -> Runner:
        made.append(Runner(engine, **kw))  # type: ignore[arg-type]
        return made[-1]

    async def on_event(event: RunEvent) -> None:  # coroutine callbacks are awaited
        pass

    report = await run_operation(
        demo_store, engine, "backlog", concurrency=3, runner_factory=factory, on_event=on_event
    )
    assert made and made[0].concurrency == 3
    assert report.engine == "scripted" and report.concurrency == 3
    failed = [d for d in report.delegates if d.status == "failed"]
    assert [d.id for d in failed] == ["B2"]
    assert "spend limit reached" in report.proposal.summary
    assert engine.aclosed == 0  # the caller owns the engine
