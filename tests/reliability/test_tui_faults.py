"""The TUI under disk faults and hostile text: a failed save shows a visible warning and
keeps the change for ctrl+s; a failed undo says nothing was undone; markup, escapes and
bidi controls in every pane are shown literally; screenshots never hold the API key."""

from __future__ import annotations

import errno
import html
import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, FIXED_TODAY
from tests.reliability.conftest import CANARY_KEY, record
from tests.tui.conftest import make_app, wait_for
from workos_tui.core import storage
from workos_tui.core.demo import write_demo
from workos_tui.core.models import Goal, Note, Task
from workos_tui.core.store import Store
from workos_tui.tui.screens.main import SaveWarning

MARKUP = "[bold red]loud[/] [link=https://evil.example]x[/link] [@click=app.quit]q[/]"
ESCAPES = "\x1b]8;;https://evil.example\x07osc\x1b]8;;\x07\x1b[31mred\u202eevil\u202c"
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


@pytest.fixture
def demo(db_path: Path) -> Store:
    return write_demo(db_path, today=FIXED_TODAY, now=FIXED_NOW)


def _fail(code: int, message: str):  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, message)

    return fail


@pytest.mark.parametrize(
    ("where", "code", "message"),
    [
        ("mkstemp", errno.ENOSPC, "No space left on device"),
        ("replace", errno.EROFS, "Read-only file system"),
        ("fsync", errno.EACCES, "Permission denied"),
    ],
)
async def test_failed_save_warns_and_ctrl_s_saves(
    demo: Store, monkeypatch: pytest.MonkeyPatch, where: str, code: int, message: str
) -> None:
    app = make_app(demo)
    before = demo.path.read_bytes()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        target = tempfile if where == "mkstemp" else storage.os
        monkeypatch.setattr(target, where, _fail(code, message))
        record("disk faults injected")
        await pilot.press("a", *"idea on a full disk", "enter", "escape")
        await pilot.pause()
        warning = app.main_screen.query_one(SaveWarning)
        assert demo.unsaved and warning.has_class("-visible")
        assert message in str(warning.render())
        assert "Not saved" in screen_text(app)
        assert demo.path.read_bytes() == before
        assert "idea on a full disk" in {b.text for b in demo.backlog()}
        await pilot.press("ctrl+s")  # still full: still warned, nothing lost
        await pilot.pause()
        assert demo.unsaved and warning.has_class("-visible")
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not demo.unsaved and not warning.has_class("-visible")
    assert "idea on a full disk" in {b.text for b in Store(demo.path).backlog()}


async def test_failed_undo_says_nothing_was_undone(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.update_task("T1", priority="P3")
    app = make_app(demo)
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(str(message)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(storage.os, "replace", _fail(errno.ENOSPC, "No space left"))
        await pilot.press("u")
        await pilot.pause()
        monkeypatch.undo()
        assert demo.get_task("T1").priority == "P3"  # memory matches the file
        assert Store(demo.path).get_task("T1").priority == "P3"
        assert any("nothing was undone" in n for n in notes), notes
        assert not any("Nothing to undo" in n for n in notes), notes
        assert not app.main_screen.query_one(SaveWarning).has_class("-visible")
        await pilot.press("u")  # with room again, undo works
        await pilot.pause()
    assert Store(demo.path).get_task("T1").priority != "P3"


async def test_hostile_text_in_every_pane_is_literal(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY_KEY)
    text = f"{MARKUP} {ESCAPES}"
    task = demo.put(Task(title=text, description=text, notes=[text], tags=["t"], priority="P0"))
    demo.put(Goal(title=text, description=text))
    demo.put(Note(title=text, body=text))
    demo.add_backlog_item(text, subitems=[text])
    app = make_app(demo)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        app.main_screen.select_task(task.id)
        await pilot.pause()
        shown = screen_text(app)
        assert "[bold red]loud[/]" in shown
        assert not FORBIDDEN.search(shown)
        assert "evil.example\x07" not in shown
        assert CANARY_KEY not in shown and CANARY_KEY not in app.export_screenshot()
        for key in ("tab", "tab", "tab"):
            await pilot.press(key)
            await pilot.pause()
            shown = screen_text(app)
            assert not FORBIDDEN.search(shown)
        await pilot.click("#detail")
        await pilot.pause()
        assert app.is_running
        await wait_for(pilot, lambda: True)
