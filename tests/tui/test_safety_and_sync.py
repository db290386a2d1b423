"""Text is shown literally; other processes' changes appear; failed saves are visible."""

from __future__ import annotations

import html
import re

import pytest

from workos_tui.core.models import Task
from workos_tui.core.store import Store
from workos_tui.tui.screens.main import SaveWarning
from workos_tui.tui.widgets.safe import safe_text
from workos_tui.tui.widgets.tasks import TaskTable

from .conftest import wait_for

MARKUP = "[bold red]x[/]"
CLICK = "[@click=app.quit]boom[/]"
ESCAPES = "\x1b]0;pwned\x07evil\x1b[31mred\u202eabc"


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")


def test_safe_text_strips_escapes_and_keeps_markup_literal() -> None:
    assert safe_text(MARKUP).plain == MARKUP
    assert safe_text(MARKUP).spans == []
    assert safe_text(ESCAPES).plain == "evilredabc"
    assert safe_text("a\nb\tc").plain == "a b c"


async def test_markup_and_escapes_render_literally(app_factory, demo: Store) -> None:
    demo.put(Task(title=MARKUP, priority="P0", description=CLICK))
    demo.put(Task(title=ESCAPES, priority="P0"))
    demo.add_backlog_item(CLICK)
    app = app_factory()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.main_screen.query_one(TaskTable)
        titles = [table.get_row(k)[1].plain for k in table.rows]
        assert MARKUP in titles
        assert any(t.startswith("evilredabc") for t in titles)
        app.main_screen.select_task("T18")
        await pilot.pause()
        text = screen_text(app)
        assert MARKUP in text  # in the table and the detail panel's title
        assert CLICK in text  # the description in the detail panel, and the backlog item
        assert "\x1b" not in text and "pwned" not in text
        await pilot.click("#detail")  # a literal [@click=...] must not act
        await pilot.pause()
        assert app.is_running


async def test_external_changes_appear_without_restart(app_factory, demo: Store) -> None:
    app = app_factory(poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        other = Store(demo.path)  # another process: the CLI or the MCP server
        added = other.put(Task(title="Written by the CLI", priority="P0"))
        table = app.main_screen.query_one(TaskTable)
        await wait_for(pilot, lambda: added.id in {str(k.value) for k in table.rows})


async def test_failed_save_warns_and_retry_saves(
    app_factory, demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def broken() -> None:
            raise OSError(28, "No space left on device")

        original = demo._storage.flush
        monkeypatch.setattr(demo._storage, "flush", broken)
        await pilot.press("1")
        await pilot.pause()
        warning = app.main_screen.query_one(SaveWarning)
        assert demo.unsaved and warning.has_class("-visible")
        assert "No space left" in str(warning.render())
        assert demo.get_task("T1").priority == "P0"  # the change stays in memory
        monkeypatch.setattr(demo._storage, "flush", original)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not demo.unsaved and not warning.has_class("-visible")
        assert Store(demo.path).get_task("T1").priority == "P0"
