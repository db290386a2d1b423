"""apply_proposal: one undoable transaction, consumed items only, edits re-validated."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import FIXED_TODAY
from workos_tui.core.operations import ApplyError, aggregate, apply_proposal
from workos_tui.core.operations.prepare import prepare_backlog_processing
from workos_tui.core.run_models import DelegateResult, Proposal, ProposedAction
from workos_tui.core.store import Store


def ok(delegate_id: str, output: dict[str, Any]) -> DelegateResult:
    return DelegateResult(id=delegate_id, label=delegate_id, status="succeeded", output=output)


def backlog_proposal(store: Store) -> Proposal:
    plan = prepare_backlog_processing(store, today=FIXED_TODAY)
    return aggregate(
        plan,
        [
            ok(
                "B1",
                {"item_id": "B1", "decision": "duplicate", "duplicate_of": "T1", "similarity": 0.9},
            ),
            ok(
                "B2",
                {
                    "item_id": "B2",
                    "decision": "duplicate",
                    "duplicate_of": "T2",
                    "similarity": 0.74,
                },
            ),
            ok(
                "B5",
                {
                    "item_id": "B5",
                    "decision": "create_task",
                    "title": "Prepare slides",
                    "priority": "P1",
                },
            ),
            ok("B6", {"item_id": "B6", "decision": "create_task", "title": "Call the accountant"}),
            ok(
                "B7",
                {
                    "item_id": "B7",
                    "decision": "needs_clarification",
                    "clarification_questions": ["Which meeting?"],
                },
            ),
            ok("B12", {"item_id": "B12", "decision": "not_actionable"}),
        ],
    )


def test_default_selection_applies_in_one_undoable_change(demo_store: Store) -> None:
    proposal = backlog_proposal(demo_store)
    before_tasks = len(demo_store.tasks())
    before_journal = len(demo_store.history())
    applied = apply_proposal(demo_store, proposal)
    assert applied == ["A1", "A3", "A4", "A5", "A6"]  # A2 is a weak merge: not by default
    assert len(demo_store.history()) == before_journal + 1
    assert demo_store.history()[0].label == "apply backlog processing (5 changes)"
    backlog = {b.id for b in demo_store.backlog()}
    assert {"B1", "B5", "B6", "B12"}.isdisjoint(backlog)  # consumed
    assert {"B2", "B7"} <= backlog  # not selected / needs clarification: stay
    assert demo_store.get_backlog_item("B7").questions == ["Which meeting?"]
    t1 = demo_store.get_task("T1")
    assert t1.notes[-1] == "From backlog B1: Fix the Safari login redirect bug"
    assert "B1" in t1.source_backlog_ids
    new = [t for t in demo_store.tasks() if t.title == "Prepare slides"]
    assert new and new[0].priority == "P1" and new[0].source_backlog_ids == ["B5"]
    assert len(demo_store.tasks()) == before_tasks + 2

    demo_store.undo()
    assert len(demo_store.tasks()) == before_tasks
    assert len(demo_store.backlog()) == 14
    assert demo_store.get_backlog_item("B7").questions == []
    assert demo_store.get_task("T1").notes == []
    demo_store.redo()
    assert len(demo_store.tasks()) == before_tasks + 2


def test_explicit_selection_and_nothing(demo_store: Store) -> None:
    proposal = backlog_proposal(demo_store)
    assert apply_proposal(demo_store, proposal, []) == []
    assert apply_proposal(demo_store, proposal, ["A4", "A2"]) == ["A2", "A4"]
    assert {"B2", "B6"}.isdisjoint({b.id for b in demo_store.backlog()})
    with pytest.raises(ApplyError, match="no action A99"):
        apply_proposal(demo_store, proposal, ["A99"])


def test_edits_are_revalidated_and_nothing_is_half_written(demo_store: Store) -> None:
    proposal = backlog_proposal(demo_store)
    slides = proposal.action("A3")
    slides.changes.update(title="Slides for the all-hands", priority="p0", estimate_minutes="90")
    applied = apply_proposal(demo_store, proposal, ["A3"])
    assert applied == ["A3"]
    task = next(t for t in demo_store.tasks() if t.title == "Slides for the all-hands")
    assert task.priority == "P0" and task.estimate_minutes == 90

    proposal = backlog_proposal(demo_store)  # B5 is gone now: B6's action is A3
    call = next(a for a in proposal.actions if a.backlog_item_ids == ["B6"])
    call.changes["category"] = "fun"
    journal = len(demo_store.history())
    with pytest.raises(ApplyError, match=f"{call.id} \\(create_task\\): category"):
        apply_proposal(demo_store, proposal, ["A1", call.id])
    assert len(demo_store.history()) == journal  # the valid A1 was not written either
    assert "B1" in {b.id for b in demo_store.backlog()}
    call.changes["category"] = "admin"
    call.changes["title"] = "   "
    with pytest.raises(ApplyError, match="title"):
        apply_proposal(demo_store, proposal, [call.id])


def test_a_task_deleted_since_the_run_is_a_clear_error(demo_store: Store) -> None:
    proposal = backlog_proposal(demo_store)
    demo_store.delete("tasks", "T1")
    with pytest.raises(ApplyError, match="A1 \\(merge_into_task\\): no task with id 'T1'"):
        apply_proposal(demo_store, proposal, ["A1"])


def test_kinds_outside_the_operation_are_refused(demo_store: Store) -> None:
    proposal = Proposal(
        operation="backlog_processing",
        actions=[
            ProposedAction(id="A1", kind="set_status", task_id="T1", changes={"status": "todo"})
        ],
    )
    with pytest.raises(ApplyError, match="not allowed in backlog_processing"):
        apply_proposal(demo_store, proposal)
    assert demo_store.get_task("T1").status == "started"


def test_analysis_actions(demo_store: Store) -> None:
    proposal = Proposal(
        operation="task_analysis",
        actions=[
            ProposedAction(id="A1", kind="set_priority", task_id="T9", changes={"priority": "P1"}),
            ProposedAction(
                id="A2", kind="set_category", task_id="T7", changes={"category": "research"}
            ),
            ProposedAction(
                id="A3", kind="set_estimate", task_id="T11", changes={"estimate_minutes": 45}
            ),
            ProposedAction(id="A4", kind="link_goal", task_id="T17", changes={"goal_id": "G1"}),
            ProposedAction(id="A5", kind="set_status", task_id="T4", changes={"status": "blocked"}),
        ],
    )
    assert len(apply_proposal(demo_store, proposal)) == 5
    assert demo_store.get_task("T9").priority == "P1"
    assert demo_store.get_task("T7").category == "research"
    assert demo_store.get_task("T11").estimate_minutes == 45
    assert demo_store.get_task("T17").goal_id == "G1"
    assert demo_store.get_task("T4").status == "blocked"
    assert demo_store.history()[0].label == "apply task analysis (5 changes)"
    bad = Proposal(
        operation="task_analysis",
        actions=[
            ProposedAction(id="A1", kind="link_goal", task_id="T17", changes={"goal_id": "G42"}),
        ],
    )
    with pytest.raises(ApplyError, match="no goal with id 'G42'"):
        apply_proposal(demo_store, bad)
    done = Proposal(
        operation="task_analysis",
        actions=[
            ProposedAction(id="A1", kind="set_status", task_id="T1", changes={"status": "done"})
        ],
    )
    with pytest.raises(ApplyError, match="status may only be set"):
        apply_proposal(demo_store, done)


def test_plan_day_is_stored_as_today(demo_store: Store) -> None:
    proposal = Proposal(
        operation="daily_planning",
        actions=[
            ProposedAction(
                id="A1",
                kind="plan_day",
                changes={
                    "date": "2026-12-03",
                    "hours_available": 5,
                    "entries": [
                        {"task_id": "T1", "minutes": 90, "reason": "urgent", "focus": True},
                        {"task_id": "T3", "minutes": 30, "reason": "done since", "focus": False},
                    ],
                },
            )
        ],
    )
    apply_proposal(demo_store, proposal)
    plan = demo_store.latest_plan()
    assert plan is not None and plan.date == FIXED_TODAY and plan.hours_available == 5
    assert [e.task_id for e in plan.entries] == ["T1"]  # T3 is done: dropped
    assert demo_store.history()[0].label == "apply daily plan (1 change)"
