"""Markdown: the readable export, checklist import, and export -> edit -> import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workos_tui.core.interop import ImportFailed, export_workspace, import_path
from workos_tui.core.store import Store

DATA = Path(__file__).parent / "data" / "interop"

SAMPLE = DATA / "checklist.md"


def test_export_reads_well(demo_store: Store) -> None:
    text = export_workspace(demo_store, "markdown")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## Goals", "## Tasks", "## Backlog", "## Notes"]
    assert "### P0 — critical, this week" in text
    assert "- [ ] Fix login redirect loop on Safari · started · due 2026-12-04 · 90 min" in text
    assert "- [x] Design the welcome screen mockups · 240 min" in text
    assert "- Research competitors' pricing pages\n  - Notion\n  - Linear" in text
    assert "  - goal: Launch the v2 onboarding flow" in text
    # goals first, then tasks by priority
    assert (
        text.index("## Goals")
        < text.index("### P0")
        < text.index("### P1")
        < text.index("## Backlog")
    )


def test_checklist_import(store: Store) -> None:
    report = import_path(store, SAMPLE)
    assert (report.format, report.created) == ("markdown", 7)
    tasks = {t.title: t for t in store.tasks()}
    assert tasks["Fix the login redirect on Safari"].priority == "P0"  # from "## P0 Must do"
    assert tasks["Ship the hotfix for the signup form"].status == "done"
    nested = tasks["Tell support the hotfix is out"]
    assert nested.status == "todo" and "Part of: Ship the hotfix" in nested.description
    blog = tasks["Write the launch blog post"]
    assert (blog.due, blog.tags, blog.priority) == (
        dt.date(2026, 12, 20),
        ["writing", "launch"],
        "P2",
    )
    assert tasks["Record a demo video 🎬"].status == "todo"  # numbered list item
    assert tasks["Order the launch cake"].status == "done"  # [X]
    assert "plain list items are not tasks" not in tasks
    assert import_path(store, SAMPLE).created == 0  # re-import matches


def test_checklist_into_the_backlog(store: Store) -> None:
    report = import_path(store, SAMPLE, target="backlog")
    assert report.skipped == 2  # the done items
    items = {b.text: b for b in store.backlog()}
    assert set(items) == {
        "Fix the login redirect on Safari",
        "Write the launch blog post",
        "Record a demo video 🎬",
    }
    assert store.tasks() == []


def test_nested_items_become_backlog_subitems(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(
        "- [ ] Plan the offsite\n  - [ ] venue\n  - [x] dates\n  - [ ] agenda\n", encoding="utf-8"
    )
    import_path(store, path, target="backlog")
    (item,) = store.backlog()
    assert (item.text, item.subitems) == ("Plan the offsite", ["venue", "agenda"])


def test_export_then_import_into_a_fresh_workspace(demo_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "shared.md"
    path.write_text(export_workspace(demo_store, "markdown"), encoding="utf-8")
    fresh = Store(tmp_path / "fresh.json")
    import_path(fresh, path)

    def view(s: Store) -> set[tuple]:
        return {
            (t.title, t.priority, t.status, t.due, t.estimate_minutes, tuple(t.tags))
            for t in s.tasks()
        }

    assert view(fresh) == view(demo_store)


def test_export_then_import_into_the_same_workspace_adds_nothing(
    demo_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "shared.md"
    path.write_text(export_workspace(demo_store, "markdown"), encoding="utf-8")
    before = len(demo_store.tasks())
    report = import_path(demo_store, path)
    assert report.created == 0 and len(demo_store.tasks()) == before


def test_empty_item_is_an_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text("- [ ] fine\n- [ ]  \n- [ ] also fine\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"list.md line 2: empty checklist item"):
        import_path(store, path)
    assert store.tasks() == []
    assert import_path(store, path, skip_invalid=True).created == 2
