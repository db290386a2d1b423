"""todo.txt: parsing rules, export rules, round trip, re-import, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from workos_tui.core.interop import ImportFailed, export_workspace, import_path
from workos_tui.core.interop.todotxt import Line, format_estimate, parse_estimate
from workos_tui.core.models import Task
from workos_tui.core.store import Store

DATA = Path(__file__).parent / "data" / "interop"

SAMPLE = DATA / "todo.txt"


def _by_title(store: Store) -> dict[str, Task]:
    return {t.title: t for t in store.tasks()}


def test_import_maps_every_rule(store: Store) -> None:
    report = import_path(store, SAMPLE)
    assert (report.format, report.created) == ("todotxt", 11)
    tasks = _by_title(store)
    landlord = tasks["Call the landlord about the leak"]
    assert (landlord.priority, landlord.status, str(landlord.due)) == ("P0", "todo", "2026-12-05")
    assert landlord.tags == ["Home", "phone"]
    assert landlord.created_at.date().isoformat() == "2026-11-28"
    report_task = tasks["Write the quarterly report"]
    assert (report_task.priority, report_task.estimate_minutes) == ("P1", 120)
    assert ["t", "2026-12-01"] in report_task.extra["todotxt"]["ext"]
    milk = tasks["Buy milk"]  # completed without dates
    assert (milk.status, milk.completed_at) == ("done", None)
    passport = tasks["Renew passport"]
    assert passport.status == "done" and passport.priority == "P1"  # pri:B
    assert passport.completed_at.date().isoformat() == "2026-12-01"
    assert passport.created_at.date().isoformat() == "2026-11-20"
    assert tasks["Review PR #42 for the café app"].priority == "P2"
    assert tasks["Learn to juggle"].priority == "P3"  # (E) and lower -> P3
    email = tasks["Email Ana re: the offsite https://example.com/offsite"]
    assert email.priority == "P2" and email.tags == ["Work"]
    assert email.extra["todotxt"]["ext"] == [["id", "7"], ["custom", "value"]]
    assert tasks["Réserver le restaurant pour l'équipe 🍝"].priority == "P3"
    assert sum(t.title == "Water the plants" for t in store.tasks()) == 2  # identical lines


def test_untouched_round_trip_is_byte_for_byte(store: Store) -> None:
    import_path(store, SAMPLE)
    exported = export_workspace(store, "todotxt").splitlines()
    original = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sorted(exported) == sorted(original)


def test_edited_tasks_are_rebuilt_keeping_extensions(store: Store) -> None:
    import_path(store, SAMPLE)
    email = _by_title(store)["Email Ana re: the offsite https://example.com/offsite"]
    store.update_task(email.id, priority="P0", due="2026-12-24")
    landlord = _by_title(store)["Call the landlord about the leak"]
    store.update_task(landlord.id, status="done")
    lines = export_workspace(store, "todotxt").splitlines()
    assert (
        "(A) Email Ana re: the offsite https://example.com/offsite +Work "
        "id:7 custom:value due:2026-12-24" in lines
    )
    done = next(line for line in lines if "landlord" in line)
    assert done.startswith("x 2026-") and done.endswith("+Home due:2026-12-05 pri:A")
    assert "@phone" in done  # contexts stay contexts


def test_reimport_matches_on_the_line_hash(store: Store, tmp_path: Path) -> None:
    import_path(store, SAMPLE)
    ids = {t.id for t in store.tasks()}
    assert import_path(store, SAMPLE).created == 0
    # Completing a line elsewhere (x + dates, new due) updates the same task.
    edited = SAMPLE.read_text(encoding="utf-8").replace(
        "(A) 2026-11-28 Call the landlord about the leak @phone +Home due:2026-12-05",
        "x 2026-12-02 2026-11-28 Call the landlord about the leak @phone +Home due:2026-12-06",
    )
    path = tmp_path / "todo.txt"
    path.write_text(edited, encoding="utf-8")
    report = import_path(store, path)
    assert (report.created, report.updated) == (0, 1)
    assert {t.id for t in store.tasks()} == ids
    landlord = _by_title(store)["Call the landlord about the leak"]
    assert landlord.status == "done" and str(landlord.due) == "2026-12-06"


def test_native_tasks_export_and_reimport_without_duplicates(
    demo_store: Store, tmp_path: Path
) -> None:
    text = export_workspace(demo_store, "todotxt")
    assert "(A) " in text and "\nx " in text
    path = tmp_path / "todo.txt"
    path.write_text(text, encoding="utf-8")
    before = len(demo_store.tasks())
    report = import_path(demo_store, path)
    assert report.created == 0 and len(demo_store.tasks()) == before


def test_into_a_fresh_workspace_and_back(demo_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "todo.txt"
    path.write_text(export_workspace(demo_store, "todotxt"), encoding="utf-8")
    fresh = Store(tmp_path / "fresh.json")
    import_path(fresh, path)
    mine = {(t.title, t.priority, t.status == "done", t.due) for t in demo_store.tasks()}
    theirs = {(t.title, t.priority, t.status == "done", t.due) for t in fresh.tasks()}
    assert mine == theirs


def test_bad_lines_fail_the_import_unless_skipped(store: Store) -> None:
    bad = DATA / "todo_bad.txt"
    with pytest.raises(ImportFailed) as err:
        import_path(store, bad)
    assert err.value.errors == [
        "todo_bad.txt line 2: due: not a real date: '2026-02-30'",
        "todo_bad.txt line 3: no task text (only dates, +projects, @contexts or key:value pairs)",
    ]
    assert store.tasks() == []
    report = import_path(store, bad, skip_invalid=True)
    assert report.created == 2 and len(report.errors) == 2


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("90m", 90),
        ("2h", 120),
        ("1.5h", 90),
        ("1h30m", 90),
        ("soon", None),
        ("0", None),
    ],
)
def test_estimates(text: str, minutes: int | None) -> None:
    assert parse_estimate(text) == minutes


def test_estimate_format_round_trips() -> None:
    for minutes in (15, 60, 90, 600):
        assert parse_estimate(format_estimate(minutes)) == minutes


def test_line_parts() -> None:
    line = Line("(B) 2026-01-02 Pay rent +Home @desk due:2026-01-05 http://x.y/z")
    assert (line.letter, line.created, line.projects, line.contexts) == (
        "B",
        "2026-01-02",
        ["Home"],
        ["desk"],
    )
    assert line.ext == [["due", "2026-01-05"]]
    assert line.text == "Pay rent http://x.y/z"
    # `(A)` in the middle or on a done line is text
    assert Line("x (A) Done thing").letter is None
    assert Line("Ask (A) about it").letter is None
