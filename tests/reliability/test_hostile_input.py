"""Hostile and odd input, driven by hypothesis: arbitrary unicode, control and escape
characters, empty and huge strings, wrong types, loose delegate entries with missing or
extra keys. No crash (only the documented exceptions), clear errors, nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.reliability.conftest import record
from workos_tui import cli
from workos_tui.core.demo import write_demo
from workos_tui.core.interop import import_path
from workos_tui.core.models import KINDS, BacklogItem, Task
from workos_tui.core.operations import (
    ApplyError,
    aggregate,
    aggregate_loose,
    apply_proposal,
    prepare,
    scope_ids,
)
from workos_tui.core.run_models import ALLOWED_KINDS, DelegateResult, RunPlan
from workos_tui.core.store import Store, WorkspaceError

# Everything a person can paste or a model can emit, including escapes and bidi controls.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x1b[31mred\x1b[0m",
        "\x1b]8;;http://evil.example\x07link\x1b]8;;\x07",
        "\x1b]0;title\x07",
        "\u202eevil\u202c",
        "[bold]x[/]",
        "[@click=app.quit]q[/]",
        "[link=file:///etc/passwd]x[/link]",
        "\x00\x07\x08\x7f\x85\x9b",
        "\u2028\u2029",
        "a\r\nb",
        "💥" * 5,
        "T1",
        "B1",
        "../../etc/passwd",
        "\udcff\udcfe undecodable bytes",
        "null",
        "{}",
    ]
)
TEXT = st.one_of(st.text(max_size=60), NASTY)
# No lone surrogates where a file is written: UTF-8 cannot hold them.
FILE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "demo.json"
    write_demo(path, today=FIXED_TODAY, now=FIXED_NOW)
    return path


def _copy(demo_file: Path) -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "w.json"
        path.write_bytes(demo_file.read_bytes())
        yield Store(path)


# --- models ------------------------------------------------------------------------


@given(data=st.dictionaries(st.sampled_from([*Task.model_fields, "bogus"]), JSON, max_size=8))
def test_task_validation_only_raises_validation_error(data: dict[str, Any]) -> None:
    record("hypothesis inputs tried")
    try:
        Task.model_validate(data)
    except ValidationError as e:
        assert e.error_count() > 0


@given(title=TEXT, text=TEXT, tags=st.lists(TEXT, max_size=5))
def test_text_round_trips_through_the_store_exactly(
    demo_file: Path, title: str, text: str, tags: list[str]
) -> None:
    record("hypothesis inputs tried")
    for store in _copy(demo_file):
        try:
            task = store.put(Task(title=title, tags=tags))
            item = store.add_backlog_item(text)
        except (ValidationError, WorkspaceError):  # blank or undecodable text: rejected
            store.add_backlog_item("the store still saves")  # and nothing is poisoned
            assert "the store still saves" in {b.text for b in Store(store.path).backlog()}
            continue
        again = Store(store.path)
        assert again.get_task(task.id).title == title and again.get_task(task.id).tags == tags
        assert again.get_backlog_item(item.id).text == text


def test_undecodable_bytes_are_refused_and_do_not_poison_the_store(tmp_path: Path) -> None:
    """Lone surrogates (undecodable argv/stdin bytes) slip through pydantic inside lists;
    JSON cannot hold them, so the store refuses them before changing anything."""
    store = Store(tmp_path / "w.json")
    before = store.path.read_bytes()
    with pytest.raises(WorkspaceError, match="cannot be saved"):
        store.put(Task(title="bytes", tags=["\udcff\udcfe"]))
    assert store.path.read_bytes() == before and not store.tasks() and not store.unsaved
    store.put(Task(title="fine"))
    assert [t.title for t in Store(store.path).tasks()] == ["fine"]


@pytest.mark.parametrize("size", [100_000, 1_000_000])
def test_huge_strings(tmp_path: Path, size: int) -> None:
    store = Store(tmp_path / "w.json")
    with pytest.raises(ValidationError, match="at most 500"):
        Task(title="x" * size)
    with pytest.raises(ValidationError, match="at most 10000"):
        BacklogItem(text="y" * size)
    t = store.put(Task(title="big description", description="z\x1b" * (size // 2)))
    assert Store(store.path).get_task(t.id).description == "z\x1b" * (size // 2)


def test_huge_lists(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.json")
    with store.transaction("bulk"):
        for i in range(5000):
            store.add_backlog_item(f"item {i}", subitems=[str(j) for j in range(5)])
    assert len(Store(store.path).backlog()) == 5000


@given(doc=st.dictionaries(TEXT, JSON, max_size=6), table=st.sampled_from(list(KINDS)))
def test_hand_edited_documents_give_one_clear_error(
    demo_file: Path, doc: dict[str, Any], table: str
) -> None:
    """A workspace someone edited by hand: loads, or one WorkspaceError naming the field."""
    record("hypothesis inputs tried")
    for store in _copy(demo_file):
        raw = json.loads(store.path.read_bytes())
        raw[table]["X1"] = doc
        store.path.write_text(json.dumps(raw), encoding="utf-8")
        before = store.path.read_bytes()
        try:
            s = Store(store.path)
            s.validate_all()
        except WorkspaceError as e:
            assert "\n" not in str(e) and str(store.path) in str(e)
            with pytest.raises(WorkspaceError):
                s = Store(store.path)
                s.add_backlog_item("never written over a file we could not read")
            assert store.path.read_bytes() == before


# --- CLI parsers -------------------------------------------------------------------


@given(text=st.one_of(TEXT, st.from_regex(r"\+\d{1,30}[dw]", fullmatch=True)))
def test_parse_date(text: str) -> None:
    record("hypothesis inputs tried")
    try:
        value = cli.parse_date(text)
    except cli.UsageError as e:
        assert "not a date" in str(e)
    else:
        assert value is None or isinstance(value, dt.date)


@given(
    lines=st.lists(st.one_of(TEXT, TEXT.map(lambda t: "  - " + t), st.just("\t- ")), max_size=30)
)
def test_read_items(lines: list[str]) -> None:
    record("hypothesis inputs tried")
    items = cli._read_items(io.StringIO("\n".join(lines)))
    for text, subitems in items:
        assert text and text == text.strip()
        assert all(isinstance(s, str) for s in subitems)


@given(
    argv=st.one_of(
        st.tuples(st.just("add"), TEXT).map(list),
        st.tuples(st.just("task"), st.just("add"), TEXT, st.just("--due"), TEXT).map(list),
        st.tuples(st.just("task"), st.just("add"), TEXT, st.just("--estimate"), TEXT).map(list),
        st.tuples(st.just("task"), st.just("add"), TEXT, st.just("--priority"), TEXT).map(list),
        st.tuples(st.just("task"), st.sampled_from(["done", "rm", "show"]), TEXT).map(list),
        st.tuples(st.just("task"), st.just("edit"), TEXT, st.just("--status"), TEXT).map(list),
        st.tuples(st.just("goal"), st.just("add"), TEXT, st.just("--target-date"), TEXT).map(list),
        st.tuples(st.just("list"), st.just("tasks"), st.just("--status"), TEXT).map(list),
        st.tuples(st.just("note"), st.just("add"), TEXT, st.just("--body"), TEXT).map(list),
    )
)
def test_cli_never_crashes(demo_file: Path, argv: list[str]) -> None:
    record("hypothesis inputs tried")
    for store in _copy(demo_file):
        before = store.path.read_bytes()
        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("sys.stdout", out)
            mp.setattr("sys.stderr", err)
            code = cli.main([*argv, "--db", str(store.path)])
        assert code in (0, 2), err.getvalue()
        if code == 2:
            lines = err.getvalue().splitlines()
            assert len(lines) == 1 and lines[0].startswith("workos: error: "), err.getvalue()
            assert store.path.read_bytes() == before  # nothing half-written
        assert "\x1b" not in err.getvalue()


# --- importers ---------------------------------------------------------------------


@given(
    text=FILE_TEXT,
    suffix=st.sampled_from([".txt", ".md", ".json"]),
    fmt=st.sampled_from([None, "todotxt", "markdown", "taskwarrior", "json"]),
)
def test_importers_on_arbitrary_text(
    demo_file: Path, text: str, suffix: str, fmt: str | None
) -> None:
    record("hypothesis inputs tried")
    _import_checked(demo_file, text, suffix, fmt)


TW_KEYS = [
    "uuid",
    "description",
    "status",
    "entry",
    "modified",
    "due",
    "end",
    "priority",
    "project",
    "tags",
    "depends",
    "annotations",
    "urgency",
    "estimate",
]


@given(records=st.lists(st.dictionaries(st.sampled_from(TW_KEYS), JSON, max_size=8), max_size=6))
def test_taskwarrior_records_with_wrong_types(
    demo_file: Path, records: list[dict[str, Any]]
) -> None:
    record("hypothesis inputs tried")
    _import_checked(demo_file, json.dumps(records), ".json", "taskwarrior")


def _import_checked(demo_file: Path, text: str, suffix: str, fmt: str | None) -> None:
    for store in _copy(demo_file):
        source = store.path.with_name("in" + suffix)
        source.write_text(text, encoding="utf-8")
        before = store.path.read_bytes()
        for skip in (False, True):
            try:
                import_path(store, source, fmt, skip_invalid=skip)
            except WorkspaceError as e:
                assert str(e) and "\n" not in str(e).strip()
                assert store.path.read_bytes() == before
            else:
                Store(store.path).validate_all()


# --- the aggregator ----------------------------------------------------------------

TRIAGE_KEYS = [
    "item_id",
    "decision",
    "duplicate_of",
    "similarity",
    "title",
    "category",
    "priority",
    "estimate_minutes",
    "clarification_questions",
    "rationale",
    "bogus",
]
ANALYSIS_KEYS = ["analysis_type", "suggestions", "findings", "blockers", "alignments", "bogus"]
PLAN_KEYS = ["perspective", "ranked", "summary", "bogus"]
IDS = st.sampled_from(["T1", "T2", "T3", "T99", "B1", "B2", "G1", "G9", "X", ""])
SUGGESTION = st.fixed_dictionaries(
    {"task_id": IDS, "field": st.sampled_from(["priority", "status", "goal_id", "title"])},
    optional={"suggested": st.one_of(JSON, IDS, st.sampled_from(["P0", "done", "blocked"]))},
)


def _output(keys: list[str], special: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    values = {k: st.one_of(special.get(k, JSON), JSON) for k in keys}
    return st.fixed_dictionaries({}, optional=values)


OUTPUTS = {
    "backlog_processing": _output(
        TRIAGE_KEYS,
        {
            "item_id": IDS,
            "duplicate_of": IDS,
            "decision": st.sampled_from(["create_task", "duplicate", "delete", "not_actionable"]),
            "title": TEXT,
        },
    ),
    "task_analysis": _output(
        ANALYSIS_KEYS,
        {
            "analysis_type": st.sampled_from(["priority", "blockers", "delete"]),
            "suggestions": st.lists(SUGGESTION, max_size=4),
        },
    ),
    "daily_planning": _output(
        PLAN_KEYS,
        {
            "perspective": st.sampled_from(["momentum", "priority_focus"]),
            "ranked": st.lists(st.fixed_dictionaries({"task_id": IDS}), max_size=4),
        },
    ),
}


@pytest.fixture(scope="module")
def plans(demo_file: Path) -> dict[str, RunPlan]:
    store = Store(demo_file)
    return {op: prepare(store, op) for op in OUTPUTS}


@given(data=st.data(), op=st.sampled_from(list(OUTPUTS)))
def test_aggregate_only_emits_allowed_in_scope_actions(
    demo_file: Path, plans: dict[str, RunPlan], data: st.DataObject, op: str
) -> None:
    record("hypothesis inputs tried")
    plan = plans[op]
    results = []
    for spec in plan.delegates:
        output = data.draw(OUTPUTS[op])
        results.append(
            DelegateResult(
                id=spec.id,
                label=spec.label,
                status=data.draw(st.sampled_from(["succeeded", "succeeded", "failed"])),
                output=output,
            )
        )
    proposal = aggregate(plan, results)
    scopes = set().union(*(scope_ids(s, plan.context) for s in plan.delegates))
    for action in proposal.actions:
        assert action.kind in ALLOWED_KINDS[plan.operation]
        assert action.task_id is None or action.task_id in scopes
        assert action.kind != "set_status" or action.changes["status"] in ("blocked", "todo")
    for store in _copy(demo_file):
        before = store.path.read_bytes()
        tasks_before = {t.id for t in store.tasks()}
        try:
            apply_proposal(store, proposal)
        except ApplyError:
            assert store.path.read_bytes() == before
        assert tasks_before <= {t.id for t in Store(store.path).tasks()}  # nothing deleted


LOOSE_KEYS = [
    "item",
    "item_id",
    "identifier",
    "is_duplicate",
    "similar_to",
    "is_ambiguous",
    "clarification_needed",
    "suggested_category",
    "suggested_priority",
    "estimated_time",
    "ready_to_create",
    "reasoning",
    "analysis_type",
    "suggestions",
    "perspective",
    "tasks",
    "result",
    "extra_key",
]


@given(
    op=st.sampled_from(["backlog", "analyze", "plan"]),
    entries=st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(LOOSE_KEYS), JSON, max_size=8),
            st.fixed_dictionaries({"identifier": TEXT, "result": st.one_of(JSON, TEXT)}),
            JSON,
        ),
        max_size=6,
    ),
)
def test_aggregate_loose_reports_bad_entries_one_by_one(
    demo_file: Path, op: str, entries: list[Any]
) -> None:
    record("hypothesis inputs tried")
    for store in _copy(demo_file):
        proposal, errors = aggregate_loose(op, entries, store)
        assert len(errors) <= len(entries)
        assert all(e.startswith("entry ") for e in errors)
        plan_kinds = ALLOWED_KINDS[proposal.operation]
        assert all(a.kind in plan_kinds for a in proposal.actions)
