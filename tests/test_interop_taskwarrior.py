"""Taskwarrior: mapping, lossless round trip, re-import, errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from workos_tui.core.interop import ImportFailed, export_workspace, import_path
from workos_tui.core.models import Goal
from workos_tui.core.store import Store, WorkspaceError

DATA = Path(__file__).parent / "data" / "interop"
TODAY = dt.date(2026, 12, 3)  # the samples are dated around it

SAMPLE = DATA / "taskwarrior_export.json"
LINES = DATA / "taskwarrior_export.jsonl"


def tw_records(path: Path) -> list[dict]:
    """The objects of a Taskwarrior export, an array or JSON lines."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _by_uuid(records: list[dict]) -> dict[str, dict]:
    return {r["uuid"]: r for r in records}


def _task(store: Store, uuid: str):
    return next(t for t in store.tasks() if t.external_ids.get("taskwarrior") == uuid)


def test_mapping_of_every_kind_of_record(store: Store) -> None:
    store.put(Goal(title="Onboarding"))
    report = import_path(store, SAMPLE, today=TODAY)
    assert (report.format, report.created, report.skipped) == ("taskwarrior", 9, 1)
    tap = _task(store, "2b7a4f1e-8c3d-4e5f-9a1b-2c3d4e5f6a7b")
    assert (tap.status, tap.priority) == ("todo", "P1")  # H -> P1
    assert tap.tags == ["diy", "weekend", "Home.Repairs"]  # project becomes a tag
    assert tap.notes == ["Washer size is 1/2 inch", "Hardware store opens at 8"]
    started = _task(store, "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")
    assert (started.status, started.priority) == ("started", "P2")
    assert started.goal_id == store.goals()[0].id  # Work.Onboarding matches the goal
    done = _task(store, "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
    assert (done.status, done.priority, done.completed_at.isoformat()) == (
        "done",
        "P3",
        "2026-11-29T12:00:00+00:00",
    )
    waiting = _task(store, "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f")
    assert waiting.status == "todo" and "waiting until 2026-12-15" in waiting.description
    assert waiting.extra["taskwarrior"]["record"]["wait"] == "20261215T000000Z"
    parent = _task(store, "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
    assert "recurring template, repeats weekly" in parent.description
    assert parent.priority == "P2"  # a template is never "overdue"
    child = _task(store, "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d")
    assert child.extra["taskwarrior"]["record"]["parent"] == parent.external_ids["taskwarrior"]
    # depends as a comma-separated string and as an array
    invite = _task(store, "9f8e7d6c-5b4a-4392-8e1f-0a9b8c7d6e5f")
    assert invite.depends_on == [tap.id, done.id]
    french = _task(store, "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a")
    assert french.title == "Relire la présentation « Café & Crème » ☕ — 日本語のスライド"
    assert french.priority == "P0"  # +next
    assert french.depends_on == [started.id]
    overdue = _task(store, "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d")
    assert overdue.priority == "P0"  # due 2026-11-28 < today
    # UDAs and fields WorkOS does not model are kept verbatim
    assert tap.extra["taskwarrior"]["record"]["estimate"] == "PT2H"
    assert started.extra["taskwarrior"]["record"]["reviewed"] == "20261130T000000Z"


def test_deleted_tasks_are_skipped_unless_asked(store: Store) -> None:
    report = import_path(store, SAMPLE, today=TODAY)
    assert any("deleted" in line for line in report.preview if line.startswith("skip"))
    assert all(t.title != "Call the old gym about cancelling" for t in store.tasks())
    report = import_path(store, SAMPLE, include_deleted=True, today=TODAY)
    assert (report.created, report.unchanged) == (1, 9)
    gym = _task(store, "d4c3b2a1-6f5e-4b7a-9c8d-5d4c3b2a1f0e")
    assert gym.status == "done"


@pytest.mark.parametrize("sample", [SAMPLE, LINES], ids=["array", "json-lines"])
def test_round_trip_keeps_every_field_of_every_task(store: Store, sample: Path) -> None:
    import_path(store, sample, include_deleted=True, today=TODAY)
    exported = json.loads(export_workspace(store, "taskwarrior"))
    assert _by_uuid(exported) == _by_uuid(tw_records(sample))
    assert len(exported) == len(tw_records(sample))


def test_round_trip_through_a_second_workspace(tmp_path: Path) -> None:
    first = Store(tmp_path / "a.json")
    import_path(first, SAMPLE, include_deleted=True, today=TODAY)
    out = tmp_path / "again.json"
    out.write_text(export_workspace(first, "taskwarrior"), encoding="utf-8")
    second = Store(tmp_path / "b.json")
    import_path(second, out, today=TODAY, include_deleted=True)
    again = json.loads(export_workspace(second, "taskwarrior"))
    assert _by_uuid(again) == _by_uuid(tw_records(SAMPLE))


def test_edits_in_workos_are_exported_and_the_rest_kept(store: Store) -> None:
    import_path(store, SAMPLE, today=TODAY)
    tap = _task(store, "2b7a4f1e-8c3d-4e5f-9a1b-2c3d4e5f6a7b")
    store.update_task(tap.id, status="done", title="Fix the kitchen tap", tags=["diy"])
    rec = _by_uuid(json.loads(export_workspace(store, "taskwarrior")))[
        tap.external_ids["taskwarrior"]
    ]
    original = _by_uuid(tw_records(SAMPLE))[rec["uuid"]]
    assert rec["status"] == "completed" and "end" in rec
    assert rec["description"] == "Fix the kitchen tap"
    assert rec["tags"] == ["diy"] and rec["project"] == "Home.Repairs"
    assert rec["modified"] != original["modified"]
    for kept in ("estimate", "urgency", "annotations", "priority", "entry", "uuid"):
        assert rec[kept] == original[kept]


def test_native_tasks_export_and_reimport_without_duplicates(
    demo_store: Store, tmp_path: Path
) -> None:
    text = export_workspace(demo_store, "taskwarrior")
    records = json.loads(text)
    assert len(records) == len(demo_store.tasks())
    assert {r["status"] for r in records} <= {"pending", "completed"}
    blocked_on = [r for r in records if "depends" in r]
    assert blocked_on and all(isinstance(r["depends"], str) for r in blocked_on)
    path = tmp_path / "tw.json"
    path.write_text(text, encoding="utf-8")
    before = len(demo_store.tasks())
    report = import_path(demo_store, path, today=TODAY)
    assert report.created == 0
    assert len(demo_store.tasks()) == before


def test_reimport_is_idempotent_and_updates_changed_records(store: Store, tmp_path: Path) -> None:
    first = import_path(store, SAMPLE, today=TODAY)
    ids = sorted(t.id for t in store.tasks())
    again = import_path(store, SAMPLE, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert sorted(t.id for t in store.tasks()) == ids
    records = tw_records(SAMPLE)
    records[0]["description"] = "Fix the leaking kitchen tap (for real)"
    records[0]["priority"] = "L"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(records), encoding="utf-8")
    third = import_path(store, changed, today=TODAY)
    assert (third.created, third.updated) == (0, 1)
    tap = _task(store, records[0]["uuid"])
    assert (tap.title, tap.priority) == ("Fix the leaking kitchen tap (for real)", "P3")


def test_integers_beyond_64_bits_are_kept_as_their_digits(store: Store, tmp_path: Path) -> None:
    """A UDA can hold any integer; the workspace's JSON cannot store one past 64 bits, and
    its reader would round it to a float. The import keeps its digits instead of failing."""
    record = dict(tw_records(SAMPLE)[0])
    record["bignum"] = 123456789012345678901234567890
    record["fits"] = 2**63 - 1
    source = tmp_path / "big.json"
    source.write_text(json.dumps([record]), encoding="utf-8")
    assert import_path(store, source, today=TODAY).created == 1
    exported = json.loads(export_workspace(Store(store.path), "taskwarrior"))
    assert exported[0]["bignum"] == "123456789012345678901234567890"
    assert exported[0]["fits"] == 2**63 - 1


def test_a_bad_record_fails_the_whole_import(store: Store) -> None:
    bad = DATA / "taskwarrior_bad.json"
    with pytest.raises(ImportFailed) as err:
        import_path(store, bad, today=TODAY)
    assert isinstance(err.value, WorkspaceError)
    message = str(err.value)
    assert "taskwarrior_bad.json record 2 (line 3): missing 'description'" in message
    assert "and 1 more problem" in message
    assert err.value.errors[1] == (
        "taskwarrior_bad.json record 3 (line 4): due: not a date (YYYYMMDDTHHMMSSZ): 'next friday'"
    )
    assert store.tasks() == [] and store.history() == []
    report = import_path(store, bad, skip_invalid=True, today=TODAY)
    assert report.created == 2 and len(report.errors) == 2
    assert sorted(t.title for t in store.tasks()) == ["A fine task", "Another fine task"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[{]", "record 1 (line 1): not valid JSON"),
        ('[{"uuid": "x"}]', "missing 'status'"),
        (
            '{"uuid":"nope","status":"pending","entry":"20261101T000000Z","description":"a"}',
            "uuid: not a UUID",
        ),
        ("[1, 2]", "record 1 (line 1): not a JSON object"),
        (
            '[{"uuid":"2b7a4f1e-8c3d-4e5f-9a1b-2c3d4e5f6a70","status":"done","entry":"20261101T000000Z",'
            '"description":"a"}]',
            "status: must be one of",
        ),
        (
            '[{"uuid":"2b7a4f1e-8c3d-4e5f-9a1b-2c3d4e5f6a70","status":"pending","entry":"20261101T000000Z",'
            '"description":"a","depends":"zzz"}]',
            "depends: not a UUID: 'zzz'",
        ),
        (
            '[{"uuid":"2b7a4f1e-8c3d-4e5f-9a1b-2c3d4e5f6a70","status":"pending","entry":"20261101T000000Z",'
            '"description":"a","priority":"urgent"}]',
            "priority: must be H, M or L",
        ),
        ("[]\ntrailing", "text after the JSON array"),
    ],
)
def test_problems_are_named(store: Store, tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "tw.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed, match=problem.replace("(", r"\(").replace(")", r"\)")):
        import_path(store, path, "taskwarrior", today=TODAY)


def test_dry_run_writes_nothing(store: Store, tmp_path: Path) -> None:
    before = store.path.read_bytes()
    report = import_path(store, SAMPLE, dry_run=True, today=TODAY)
    assert report.dry_run and report.created == 9
    assert report.preview[0] == "create task: Fix the leaking kitchen tap"
    assert store.path.read_bytes() == before
    assert store.tasks() == [] and store.history() == []
    # ids were not used up either
    import_path(store, SAMPLE, today=TODAY)
    assert min(int(t.id[1:]) for t in store.tasks()) == 1


def test_undo_reverts_the_import_in_one_step(store: Store) -> None:
    store.add_backlog_item("keep me")
    import_path(store, SAMPLE, today=TODAY)
    assert store.history()[0].label == "import taskwarrior (9 tasks)"
    store.undo()
    assert store.tasks() == [] and [b.text for b in store.backlog()] == ["keep me"]
    store.redo()
    assert len(store.tasks()) == 9


def test_import_into_the_backlog(store: Store) -> None:
    report = import_path(store, LINES, target="backlog", today=TODAY)
    assert (report.created, report.skipped) == (2, 1)  # the completed one is skipped
    glasses = next(b for b in store.backlog() if b.text == "Pick up the new glasses")
    assert glasses.subitems == ["Optician closes at 18:00"]
    assert import_path(store, LINES, target="backlog", today=TODAY).created == 0


def test_source_file_is_never_modified(store: Store, tmp_path: Path) -> None:
    copy = tmp_path / "export.json"
    shutil.copy(SAMPLE, copy)
    import_path(store, copy, today=TODAY)
    assert copy.read_bytes() == SAMPLE.read_bytes()
