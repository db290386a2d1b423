"""The personal-os / work-os folder: Tasks/, BACKLOG.md, GOALS.md, Knowledge/, both ways."""

from __future__ import annotations

import datetime as dt
import shutil
import stat
from pathlib import Path

import pytest

from workos_tui.core.interop import (
    ImportFailed,
    InteropError,
    detect_format,
    export_personal_os,
    import_path,
)
from workos_tui.core.store import Store

DATA = Path(__file__).parent / "data" / "interop"

FOLDER = DATA / "personal_os"


def test_whole_folder_import(store: Store) -> None:
    assert detect_format(FOLDER) == "personal-os"
    report = import_path(store, FOLDER)
    assert report.format == "personal-os"
    tasks = {t.title: t for t in store.tasks()}
    assert set(tasks) == {
        "Fix login redirect loop on Safari",
        "Write a blog post: what we learned from the onboarding redesign",
        "Renew the company domain names",
    }  # Tasks/README.md has no front matter: skipped
    bug = tasks["Fix login redirect loop on Safari"]
    assert (bug.category, bug.priority, bug.status, bug.estimate_minutes) == (
        "technical",
        "P0",
        "started",
        90,
    )
    assert (bug.due, bug.created_at.date()) == (dt.date(2026, 12, 5), dt.date(2026, 11, 28))
    assert "## Progress Log" in bug.description and "## Next Actions" in bug.description
    front = bug.extra["personal_os"]["front_matter"]
    assert front["resource_refs"] == ["Knowledge/auth_notes.md", "https://bugs.example.com/1234"]
    assert front["reporter"] == "Sarah"
    assert bug.external_ids == {"personal_os": "Tasks/fix_login_bug.md"}
    blog = tasks["Write a blog post: what we learned from the onboarding redesign"]
    assert (blog.category, blog.estimate_minutes) == ("writing", 120)  # "content", "2h"
    assert tasks["Renew the company domain names"].status == "done"

    backlog = {b.text: b.subitems for b in store.backlog()}
    assert backlog == {
        "Call John about the partnership proposal": [],
        "prepare for board meeting next Tuesday": [
            "financial review",
            "product roadmap update",
            "hiring plan",
        ],
        "Research competitors' pricing models": [],
        "Réserver une salle pour l'atelier 🗓️": [],
    }
    goals = {g.title: g for g in store.goals()}
    assert set(goals) == {
        "Launch the v2 onboarding flow",
        "Publish the quarterly research report",
        "Hire a product designer",
        "Run a half marathon in spring",
    }
    assert goals["Launch the v2 onboarding flow"].description.startswith("Cut time-to-first-value")
    assert goals["Publish the quarterly research report"].description.startswith(
        "survey + interviews"
    )
    assert goals["Hire a product designer"].status == "achieved"
    notes = {n.title: n for n in store.notes()}
    assert notes["Auth notes"].tags == ["auth", "safari"]
    assert notes["Weekly sync, 30 November"].external_ids == {
        "personal_os": "Knowledge/meetings/2026-11-30_sync.md"
    }
    skipped = [line for line in report.preview if line.startswith("skip ")]
    assert len(skipped) == 3 and report.skipped == 3
    assert store.history()[0].label.startswith("import personal-os")
    assert len(store.history()) == 1


def test_all_done_means_an_empty_backlog(store: Store) -> None:
    report = import_path(store, DATA / "personal_os_done", "personal-os")
    assert store.backlog() == []
    assert sorted(g.title for g in store.goals()) == ["Learn Rust", "Ship the mobile app"]
    assert report.created == 2


def test_reimport_updates_in_place(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "os"
    shutil.copytree(FOLDER, folder)
    first = import_path(store, folder)
    again = import_path(store, folder)
    assert again.created == 0 and again.updated == 0 and again.unchanged == first.created
    task_file = folder / "Tasks" / "renew_domains.md"
    task_file.write_text(task_file.read_text().replace("priority: P3", "priority: P1"))
    third = import_path(store, folder)
    assert (third.created, third.updated) == (0, 1)
    assert next(t for t in store.tasks() if t.title.startswith("Renew")).priority == "P1"


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "os"
    (folder / "Tasks").mkdir(parents=True, exist_ok=True)
    (folder / "Tasks" / "good.md").write_text("---\ntitle: Good\npriority: P1\nstatus: n\n---\n")
    (folder / "Tasks" / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("---\ntitle: [unclosed\n---\n", "Tasks/bad.md line 3: front matter is not valid YAML"),
        (
            "---\ntitle: X\npriority: P9\n---\n",
            "Tasks/bad.md: priority must be one of P0, P1, P2, P3",
        ),
        ("---\ntitle: X\nstatus: maybe\n---\n", "Tasks/bad.md: status must be one of"),
        ("---\ntitle: X\ndue_date: '2026-13-01'\n---\n", "Tasks/bad.md: due_date: not a date"),
        ("---\ntitle: X\ndue_date: 2026-13-01\n---\n", "Tasks/bad.md: front matter: month must be"),
        (
            "---\ntitle: X\nestimated_time: soon\n---\n",
            "Tasks/bad.md: estimated_time: not a number",
        ),
        ("---\n- a\n- b\n---\n", "Tasks/bad.md line 2: front matter must be a mapping"),
        ("---\ntitle: X\n", "Tasks/bad.md line 1: front matter is not closed"),
    ],
)
def test_bad_task_files_are_named(store: Store, tmp_path: Path, text: str, problem: str) -> None:
    folder = _folder(tmp_path, "bad.md", text)
    with pytest.raises(ImportFailed) as err:
        import_path(store, folder, "personal-os")
    assert err.value.errors[0].startswith(problem), err.value.errors
    assert store.tasks() == []
    report = import_path(store, folder, "personal-os", skip_invalid=True)
    assert [t.title for t in store.tasks()] == ["Good"] and len(report.errors) == 1


def test_yaml_is_data_never_code(store: Store, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path, "evil.md", "---\ntitle: !!python/object/apply:os.system ['touch pwned']\n---\n"
    )
    with pytest.raises(ImportFailed, match="not valid YAML"):
        import_path(store, folder, "personal-os")
    assert not Path("pwned").exists()


def test_export_folder_then_import_it_back(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    written = export_personal_os(demo_store, out)
    assert (out / "BACKLOG.md") in written and (out / "GOALS.md") in written
    assert len(list((out / "Tasks").glob("*.md"))) == len(demo_store.tasks())
    assert stat.S_IMODE((out / "GOALS.md").stat().st_mode) == 0o600
    fresh = Store(tmp_path / "fresh.json")
    import_path(fresh, out)

    def tasks(s: Store) -> set[tuple]:
        return {
            (t.title, t.priority, t.status, t.category, t.estimate_minutes, t.due)
            for t in s.tasks()
        }

    assert tasks(fresh) == tasks(demo_store)
    assert {g.title for g in fresh.goals()} == {g.title for g in demo_store.goals()}
    assert {(b.text, tuple(b.subitems)) for b in fresh.backlog()} == {
        (b.text, tuple(b.subitems)) for b in demo_store.backlog()
    }
    assert {(n.title, n.body) for n in fresh.notes()} == {
        (n.title, n.body) for n in demo_store.notes()
    }


def test_export_keeps_unknown_front_matter(store: Store, tmp_path: Path) -> None:
    import_path(store, FOLDER)
    out = tmp_path / "out"
    export_personal_os(store, out)
    text = (out / "Tasks" / "fix_login_bug.md").read_text(encoding="utf-8")
    assert "reporter: Sarah" in text and "resource_refs:" in text and "status: s" in text


def test_export_refuses_to_overwrite(demo_store: Store, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "GOALS.md").write_text("mine")
    with pytest.raises(InteropError, match="not an empty folder"):
        export_personal_os(demo_store, tmp_path / "busy")
    assert (tmp_path / "busy" / "GOALS.md").read_text() == "mine"


def test_a_file_is_not_a_personal_os_folder(store: Store) -> None:
    with pytest.raises(InteropError, match="imports a folder"):
        import_path(store, DATA / "todo.txt", "personal-os")
