"""Pilot tests: every main-screen key, driven from the keyboard."""

from __future__ import annotations

from textual.widgets import Input

from workos_tui.core.config import Config
from workos_tui.core.models import DayPlan, DayPlanEntry
from workos_tui.tui.screens.capture import CaptureModal, TaskEditModal, TextEditModal
from workos_tui.tui.screens.help import HelpScreen
from workos_tui.tui.widgets.backlog import BacklogList
from workos_tui.tui.widgets.goals import GoalList
from workos_tui.tui.widgets.tasks import TaskTable

from .conftest import FIXED_TODAY, wait_for


def table(app) -> TaskTable:  # type: ignore[no-untyped-def]
    return app.main_screen.query_one(TaskTable)


def row_ids(app) -> list[str]:  # type: ignore[no-untyped-def]
    t = table(app)
    return [str(k.value) for k in t.rows]


async def test_capture_stays_open_for_rapid_entry(app_factory, demo) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        before = len(demo.backlog())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, CaptureModal)
        await pilot.press(*"first idea", "enter", *"second idea", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CaptureModal)
        assert app.screen.query_one("#capture-input", Input).value == ""
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CaptureModal)
        texts = [b.text for b in demo.backlog()]
        assert len(texts) == before + 2 and texts[-2:] == ["first idea", "second idea"]


async def test_status_done_priority_delete_undo_redo(app_factory, demo) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = table(app).highlighted_id
        assert first == "T1" and demo.get_task("T1").status == "started"
        await pilot.press("space")
        assert demo.get_task("T1").status == "blocked"
        await pilot.press("space")
        assert demo.get_task("T1").status == "done"
        await pilot.press("u", "u")
        assert demo.get_task("T1").status == "started"
        app.main_screen.select_task("T1")
        await pilot.press("x")
        assert demo.get_task("T1").status == "done"
        assert "T1" not in row_ids(app)  # done tasks are hidden unless asked
        await pilot.press("h")
        assert "T1" in row_ids(app)
        await pilot.press("u")
        assert demo.get_task("T1").status == "started"
        for key, priority in zip("1234", ("P0", "P1", "P2", "P3"), strict=True):
            await pilot.press(key)
            assert demo.get_task(table(app).highlighted_id).priority == priority
        target = table(app).highlighted_id
        await pilot.press("d")
        assert target not in {t.id for t in demo.tasks()}
        await pilot.press("u")
        assert target in {t.id for t in demo.tasks()}
        await pilot.press("ctrl+r")
        assert target not in {t.id for t in demo.tasks()}


async def test_j_k_and_arrows_move_and_tab_switches_panes(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        ids = row_ids(app)
        await pilot.press("j", "j")
        assert table(app).highlighted_id == ids[2]
        await pilot.press("k", "down", "up", "up")
        assert table(app).highlighted_id == ids[0]
        await pilot.press("tab")
        assert isinstance(app.focused, GoalList)
        await pilot.press("shift+tab", "shift+tab")
        assert isinstance(app.focused, BacklogList)


async def test_new_task_and_edit_with_e_and_enter(app_factory, demo) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TaskEditModal)
        await pilot.press(*"Write the changelog", "enter")
        await pilot.pause()
        created = [t for t in demo.tasks() if t.title == "Write the changelog"]
        assert created and table(app).highlighted_id == created[0].id
        await pilot.press("e")
        await pilot.pause()
        title = app.screen.query_one("#f-title")
        title.value = "Write the changelog today"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo.get_task(created[0].id).title == "Write the changelog today"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskEditModal)
        await pilot.press("escape")


async def test_edit_backlog_item_and_promote(app_factory, demo) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("shift+tab")
        item = demo.backlog()[0]
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TextEditModal)
        app.screen.query_one("#text-input").value = "Fix the Safari bug (edited)"
        await pilot.press("enter")
        await pilot.pause()
        assert demo.get_backlog_item(item.id).text == "Fix the Safari bug (edited)"
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, TaskEditModal)
        await pilot.press("ctrl+s")
        await pilot.pause()
        promoted = [t for t in demo.tasks() if t.source_backlog_ids == [item.id]]
        assert promoted and promoted[0].title == "Fix the Safari bug (edited)"
        assert item.id not in {b.id for b in demo.backlog()}
        await pilot.press("u")  # one undo reverts the whole promotion
        assert item.id in {b.id for b in demo.backlog()}
        assert not [t for t in demo.tasks() if t.source_backlog_ids == [item.id]]


async def test_filter_sort_goal_filter_and_today(app_factory, demo) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"survey")
        await pilot.pause()
        assert {demo.get_task(i).title for i in row_ids(app)} == {
            "Get the survey export from the vendor",
            "Clean the survey dataset",
        }
        await pilot.press("escape")
        await pilot.press("slash", *"cat:admin")
        await pilot.pause()
        assert all(demo.get_task(i).category == "admin" for i in row_ids(app))
        await pilot.press("escape")
        await pilot.press("s")  # due
        dues = [demo.get_task(i).due for i in row_ids(app)]
        dated = [d for d in dues if d is not None]
        assert dated == sorted(dated) and dues[: len(dated)] == dated
        await pilot.press("s")  # urgency
        assert app.main_screen.sort == "urgency"
        await pilot.press("tab")
        assert isinstance(app.focused, GoalList)
        await pilot.press("enter")
        assert app.main_screen.goal_filter == "G1"
        assert all(demo.get_task(i).goal_id == "G1" for i in row_ids(app))
        await pilot.press("enter")
        assert app.main_screen.goal_filter is None
        await pilot.press("t")  # no plan yet: a hint, no view change
        assert not app.main_screen.today_view
        demo.put(
            DayPlan(
                date=FIXED_TODAY,
                hours_available=4,
                entries=[
                    DayPlanEntry(task_id="T7", minutes=20, focus=True),
                    DayPlanEntry(task_id="T1", minutes=90),
                ],
            )
        )
        app.changed()
        await pilot.press("t")
        await pilot.pause()
        assert app.main_screen.today_view and row_ids(app) == ["T7", "T1"]


async def test_help_lists_remapped_keys_and_quit(app_factory, demo) -> None:
    app = app_factory(config=Config(keys={"capture": "c", "bogus_action": "z"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CaptureModal)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.unknown_keys == ["bogus_action"]
        assert app.keymap["capture"] == "c"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_q_quits(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_an_item_waiting_for_answers_is_marked_where_truncation_cannot_hide_it(
    app_factory, demo
) -> None:
    long_text = "Look into the thing we talked about at the offsite " * 4
    with demo.transaction("setup"):
        waiting = demo.add_backlog_item(long_text)
        demo.put(waiting.model_copy(update={"questions": ["Which thing?"]}))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        options = app.main_screen.query_one(BacklogList)
        prompts = {
            str(options.get_option_at_index(i).id): options.get_option_at_index(i).prompt
            for i in range(options.option_count)
        }
        assert str(prompts[waiting.id]).startswith("? Look into")
        assert str(prompts[demo.backlog()[0].id]).startswith("• ")
