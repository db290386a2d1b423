"""Aggregation rules, the scope checks, and the original loose delegate format."""

from __future__ import annotations

from typing import Any

from tests.conftest import FIXED_NOW, FIXED_TODAY
from workos_tui.core.operations import (
    aggregate,
    aggregate_loose,
    prepare_backlog_processing,
    prepare_daily_planning,
    prepare_task_analysis,
)
from workos_tui.core.run_models import DelegateResult, RunPlan
from workos_tui.core.store import Store


def ok(delegate_id: str, output: dict[str, Any]) -> DelegateResult:
    return DelegateResult(id=delegate_id, label=delegate_id, status="succeeded", output=output)


def triage(item_id: str, decision: str = "create_task", **kw: Any) -> DelegateResult:
    out = {"item_id": item_id, "decision": decision, **kw}
    if decision == "create_task":
        out.setdefault("title", f"Task from {item_id}")
    return ok(item_id, out)


def backlog_plan(store: Store) -> RunPlan:
    return prepare_backlog_processing(store, today=FIXED_TODAY)


def test_backlog_rules(demo_store: Store) -> None:
    plan = backlog_plan(demo_store)
    results = [
        triage("B1", "duplicate", duplicate_of="T1", similarity=0.9),
        triage("B2", "duplicate", duplicate_of="T2", similarity=0.75),  # weak
        triage("B3", title="Research competitor pricing", priority="P2", estimate_minutes=60),
        triage("B4", title="Look into pricing", priority="P1", estimate_minutes=120),
        triage("B7", "needs_clarification", clarification_questions=["Which meeting?"]),
        triage("B12", "not_actionable"),
        triage("B5", title="Prepare slides", category="writing"),
    ]
    p = aggregate(plan, results)
    assert [a.id for a in p.actions] == [f"A{i}" for i in range(1, 7)]
    by_kind = {a.kind: [] for a in p.actions}  # type: ignore[var-annotated]
    for a in p.actions:
        by_kind[a.kind].append(a)
    strong, weak = by_kind["merge_into_task"]
    assert strong.task_id == "T1" and strong.selected
    assert strong.changes == {"append_note": "Fix the Safari login redirect bug"}
    assert strong.before["title"] == "Fix login redirect loop on Safari"
    assert weak.task_id == "T2" and not weak.selected  # below the strong threshold
    creates = by_kind["create_task"]
    merged = next(a for a in creates if a.backlog_item_ids == ["B3", "B4"])  # in-run duplicate
    assert merged.changes["priority"] == "P1" and merged.changes["estimate_minutes"] == 120
    assert merged.changes["source_backlog_ids"] == ["B3", "B4"]
    assert merged.changes["description"] == "- Notion\n- Linear\n- Asana"
    assert "B3 and B4 describe the same thing" in merged.reason
    assert merged.sources == ["B3", "B4"]
    (clarify,) = by_kind["attach_questions"]
    assert clarify.changes == {"questions": ["Which meeting?"]}
    (note,) = by_kind["save_note"]
    assert note.backlog_item_ids == ["B12"] and note.changes["body"].startswith("Article:")
    assert p.operation == "backlog_processing" and p.id.startswith("P")
    assert "7 of 14 backlog items" in p.summary


def test_duplicate_or_clarification_wins_over_create(demo_store: Store) -> None:
    plan = backlog_plan(demo_store)
    p = aggregate(
        plan,
        [
            triage("B1"),
            triage("B1", "duplicate", duplicate_of="T1", similarity=0.95),
            triage("B9"),
            triage("B9", "needs_clarification", clarification_questions=["When?"]),
            triage("B9"),
        ],
    )
    assert [(a.kind, a.backlog_item_ids) for a in p.actions] == [
        ("merge_into_task", ["B1"]),
        ("attach_questions", ["B9"]),
    ]


def test_failed_delegates_are_listed_never_dropped(demo_store: Store) -> None:
    plan = backlog_plan(demo_store)
    p = aggregate(
        plan,
        [
            triage("B5"),
            DelegateResult(id="B6", label="Call", status="failed", error="timed out after 2 s"),
            DelegateResult(id="B9", label="Dentist", status="cancelled"),
        ],
    )
    assert [(f.id, f.reason) for f in p.failed_delegates] == [
        ("B6", "timed out after 2 s"),
        ("B9", "cancelled"),
    ]
    assert "2 delegates failed: Call (timed out after 2 s); Dentist (cancelled)" in p.summary


def test_out_of_scope_ids_are_rejected_and_reported(demo_store: Store) -> None:
    plan = backlog_plan(demo_store)
    p = aggregate(
        plan,
        [
            triage("B5", "duplicate", duplicate_of="T3", similarity=0.99),  # done: not in input
            triage("B6", "duplicate", duplicate_of="T999", similarity=0.99),
            ok("B9", {"item_id": "B1", "decision": "create_task", "title": "Hijack"}),
            ok("B10", {"item_id": "B10", "decision": "delete_everything"}),
            ok("B99", {"item_id": "B99", "decision": "create_task", "title": "x"}),
        ],
    )
    assert p.actions == []
    assert "names task 'T3', which was not in its input" in p.summary
    assert "names task 'T999'" in p.summary
    assert "answered about 'B1', not its own item 'B9'" in p.summary
    assert "output rejected (decision" in p.summary
    assert "unknown delegate 'B99'" in p.summary


def test_analysis_rules(demo_store: Store) -> None:
    plan = prepare_task_analysis(demo_store, today=FIXED_TODAY)

    def analysis(kind: str, **kw: Any) -> DelegateResult:
        return ok(kind, {"analysis_type": kind, **kw})

    results = [
        analysis(
            "priority",
            suggestions=[
                {"task_id": "T9", "field": "priority", "suggested": "P1", "confidence": 0.6},
                {"task_id": "T13", "field": "priority", "suggested": "P3"},  # no change: dropped
                {"task_id": "T3", "field": "priority", "suggested": "P0"},  # done: out of scope
                {"task_id": "T10", "field": "status", "suggested": "done"},  # not settable
            ],
            findings=["P1 limit close"],
        ),
        analysis(
            "time_estimates",
            suggestions=[
                {"task_id": "T9", "field": "priority", "suggested": "P3", "confidence": 0.9},
                {"task_id": "T11", "field": "estimate_minutes", "suggested": "45"},
            ],
        ),
        analysis(
            "goal_alignment",
            alignments=[
                {"task_id": "T17", "goal_id": "G1", "score": 0.8},
                {"task_id": "T16", "goal_id": "G2", "score": 0.2},  # too weak
                {"task_id": "T1", "goal_id": "G2", "score": 0.9},  # already linked: kept
            ],
        ),
        analysis(
            "blockers",
            suggestions=[{"task_id": "T4", "field": "status", "suggested": "blocked"}],
            blockers=[{"task_id": "T8", "blocked_by": ["T7"], "unblocking_step": "chase vendor"}],
        ),
        analysis(
            "category", suggestions=[{"task_id": "T2", "field": "category", "suggested": "x"}]
        ),
    ]
    p = aggregate(plan, results)
    got = {(a.kind, a.task_id): a for a in p.actions}
    assert set(got) == {
        ("set_priority", "T9"),
        ("set_estimate", "T11"),
        ("link_goal", "T17"),
        ("set_status", "T4"),
    }
    conflict = got[("set_priority", "T9")]
    assert conflict.changes == {"priority": "P3"} and conflict.confidence == 0.9
    assert "suggested P1" in conflict.reason  # the other one is mentioned
    assert conflict.before["priority"] == "P2"
    assert got[("set_estimate", "T11")].changes == {"estimate_minutes": 45}
    assert got[("link_goal", "T17")].changes == {"goal_id": "G1"}
    assert "P1 limit close" in p.recommendations
    assert "T8 is blocked by T7: chase vendor" in p.recommendations
    assert "task 'T3' was not in its input" in p.summary
    assert "status may only be set to" in p.summary
    assert "unknown category 'x'" in p.summary
    assert all(
        a.kind in {"set_priority", "set_estimate", "link_goal", "set_status"} for a in p.actions
    )


def test_planning_rank_aggregation(demo_store: Store) -> None:
    plan = prepare_daily_planning(demo_store, now=FIXED_NOW, hours_available=3)

    def ranking(name: str, ids: list[str], minutes: int = 45) -> DelegateResult:
        return ok(
            name,
            {
                "perspective": name,
                "ranked": [
                    {"task_id": t, "reason": f"{name} likes it", "minutes": minutes} for t in ids
                ],
            },
        )

    p = aggregate(
        plan,
        [
            ranking("priority_focus", ["T1", "T7", "T6", "T10"]),
            ranking("momentum", ["T12", "T1", "T5"]),
            ranking("goal_progress", ["T1", "T6", "T2", "T8"]),  # T8 is blocked: not in input
        ],
    )
    (action,) = p.actions
    entries = action.changes["entries"]
    # RRF: T1 in all three; T6 twice; T12 first once beats T7 second once; 4 × 45 = 180 min
    assert [e["task_id"] for e in entries] == ["T1", "T6", "T12", "T7"]
    assert [e["focus"] for e in entries] == [True, True, True, False]
    assert action.changes["date"] == "2026-12-03" and action.changes["hours_available"] == 3
    assert "priority_focus likes it" in entries[0]["reason"]
    assert "momentum likes it" in entries[0]["reason"]
    assert "task 'T8' was not in its input" in p.summary
    assert "did not fit" in p.summary


def test_loose_backlog_format_bare_and_wrapped(demo_store: Store) -> None:
    entries: list[Any] = [
        {
            "item": "Fix the Safari login redirect bug",
            "is_duplicate": True,
            "similar_to": "Fix login redirect loop on Safari",
            "ready_to_create": False,
        },
        {
            "identifier": "item_5",
            "result": {
                "item": "Prepare slides for the January all-hands",
                "is_duplicate": False,
                "is_ambiguous": False,
                "suggested_category": "writing",
                "suggested_priority": "high",
                "estimated_time": "2 hours",
                "ready_to_create": True,
            },
        },
        {
            "identifier": "B7",
            "result": {
                "item": "that thing from the meeting",
                "is_ambiguous": True,
                "clarification_needed": "Which meeting?",
                "ready_to_create": False,
            },
        },
        {"identifier": "B12", "result": '{"item": "Article: habit", "ready_to_create": false}'},
        {
            "item_id": "B9",
            "decision": "create_task",
            "title": "Dentist",
            "priority": "P3",
        },  # strict
        "not json at all",
        {"item": "an item that is not in the backlog", "ready_to_create": True},
        {"item": "Schedule a dentist appointment", "is_duplicate": True, "similar_to": "Nope"},
        42,
    ]
    proposal, errors = aggregate_loose("backlog_processing", entries, demo_store)
    got = [(a.kind, a.backlog_item_ids) for a in proposal.actions]
    assert got == [
        ("merge_into_task", ["B1"]),
        ("create_task", ["B5"]),
        ("attach_questions", ["B7"]),
        ("create_task", ["B9"]),
        ("save_note", ["B12"]),
    ]
    slides = proposal.actions[1].changes
    assert (slides["priority"], slides["category"], slides["estimate_minutes"]) == (
        "P1",
        "writing",
        120,
    )
    assert proposal.actions[2].changes["questions"] == ["Which meeting?"]
    assert len(errors) == 4
    assert errors[0].startswith("entry 6: not a JSON object")
    assert errors[1].startswith("entry 7: item 'an item that is not in the backlog'")
    assert errors[2].startswith("entry 8: is_duplicate, but similar_to 'Nope'")
    assert errors[3] == "entry 9: expected an object, got int"
    assert "4 entries not used" in proposal.summary


def test_loose_analysis_and_planning(demo_store: Store) -> None:
    proposal, errors = aggregate_loose(
        "task_analysis",
        [
            {
                "identifier": "priority_analysis",
                "result": {
                    "suggestions": [
                        {"task_id": "T9", "suggested_priority": "urgent", "reason": "soon"}
                    ],
                    "recommendations": ["Too many P1s"],
                },
            },
            {"identifier": "speed_analysis", "result": {}},
        ],
        demo_store,
        analysis_types=["priority", "blockers"],
    )
    assert [(a.kind, a.task_id, a.changes) for a in proposal.actions] == [
        ("set_priority", "T9", {"priority": "P0"})
    ]
    assert proposal.recommendations == ["Too many P1s"]
    assert errors == ["entry 2: unknown analysis 'speed_analysis'"]

    proposal, errors = aggregate_loose(
        "daily_planning",
        [
            {
                "identifier": "momentum_tasks",
                "result": {
                    "tasks": [{"title": "Fix login redirect loop on Safari", "reason": "started"}]
                },
            },
            {"identifier": "priority_focus", "result": {"tasks": ["T7"]}},
        ],
        demo_store,
        now=FIXED_NOW,
    )
    assert errors == []
    (plan_day,) = proposal.actions
    assert [e["task_id"] for e in plan_day.changes["entries"]] == ["T1", "T7"]


def test_loose_format_as_the_original_delegates_wrote_it(demo_store: Store) -> None:
    """`similar_to` as a list of titles, the original's `*_analysis` identifiers and a
    planning delegate's plain recommendations are understood by the core itself."""
    backlog = [
        {
            "identifier": "B1",
            "result": {
                "item": "Fix the Safari login redirect bug",
                "is_duplicate": True,
                "similar_to": ["Buy new running shoes", "Fix login redirect loop on Safari"],
            },
        }
    ]
    proposal, errors = aggregate_loose("backlog_processing", backlog, demo_store)
    assert errors == []
    [merge] = proposal.actions
    assert (merge.kind, merge.task_id) == ("merge_into_task", "T1")

    analysis = [
        {"identifier": "blocker_analysis", "result": {"findings": ["T8 waits on the vendor"]}},
        {"identifier": "time_analysis", "result": {"findings": ["About 30 hours of work"]}},
    ]
    proposal, errors = aggregate_loose(
        "task_analysis", analysis, demo_store, analysis_types=["blockers", "time_estimates"]
    )
    assert errors == []
    assert "About 30 hours of work" in " ".join(proposal.recommendations)

    planning = [
        {
            "identifier": "momentum_tasks",
            "result": {"recommendations": ["Finish what is started first", {"task": "T1"}]},
        }
    ]
    proposal, errors = aggregate_loose("daily_planning", planning, demo_store)
    assert errors == []
    assert "Finish what is started first" in proposal.recommendations
    [plan] = proposal.actions
    assert plan.changes["entries"][0]["task_id"] == "T1"
