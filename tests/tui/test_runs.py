"""Pilot tests of runs: palette -> run screen -> approval -> applied tasks, cancel, retry."""

from __future__ import annotations

from tests.scripted_engine import Script
from workos_tui.tui.app import WorkOSApp
from workos_tui.tui.commands import WorkOSCommands
from workos_tui.tui.screens.approval import ActionList, ApprovalScreen
from workos_tui.tui.screens.pickers import ConfirmModal, MultiChoiceModal, PromptModal
from workos_tui.tui.screens.run import RunScreen
from workos_tui.tui.widgets.delegate_card import DelegateCard

from .conftest import scripted, wait_for


def test_palette_keeps_textual_system_commands() -> None:
    assert WorkOSCommands in WorkOSApp.COMMANDS
    assert len(WorkOSApp.COMMANDS) > 1


async def palette(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


async def test_process_backlog_from_palette_to_applied_tasks_and_undo(app_factory, demo) -> None:
    app = app_factory()
    tasks_before, backlog_before = len(demo.tasks()), len(demo.backlog())
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Process backlog")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen | ApprovalScreen))
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        approval = app.screen
        assert isinstance(approval, ApprovalScreen)
        kinds = {a.kind for a in approval.proposal.actions}
        assert {"create_task", "merge_into_task", "attach_questions"} <= kinds
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await pilot.pause()
        assert len(demo.tasks()) > tasks_before
        assert len(demo.backlog()) < backlog_before
        shown = {str(k.value) for k in app.main_screen.query_one("TaskTable").rows}
        new_ids = {t.id for t in demo.tasks()} - {f"T{i}" for i in range(1, tasks_before + 1)}
        assert new_ids and new_ids <= shown  # the panes show the result at once
        await pilot.press("u")
        assert len(demo.tasks()) == tasks_before and len(demo.backlog()) == backlog_before


async def test_approval_keys_toggle_none_all_edit_and_discard(app_factory, demo) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        app.launcher.process_backlog()
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        screen = app.screen
        assert isinstance(screen, ApprovalScreen)
        first = screen._highlighted()
        assert first is not None and first.kind == "create_task" and first.selected
        await pilot.press("space")
        assert not first.selected
        await pilot.press("a")
        assert all(a.selected for a in screen.proposal.actions)
        await pilot.press("n")
        assert not any(a.selected for a in screen.proposal.actions)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#a-title").value = "Edited title"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert first.changes["title"] == "Edited title" and first.selected
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        assert [t.title for t in demo.tasks()].count("Edited title") == 1
        tasks = len(demo.tasks())
        app.launcher.process_backlog()
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        assert len(demo.tasks()) == tasks


async def test_analyze_picker_and_plan_day_prompt(app_factory, demo) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Analyze tasks")
        assert isinstance(app.screen, MultiChoiceModal)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        assert len(app.screen.plan.delegates) == 5  # all five types selected by default
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await palette(pilot, "Plan my day")
        assert isinstance(app.screen, PromptModal)
        assert app.screen.query_one("#prompt-input").value == "6"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        [plan_action] = app.screen.proposal.actions
        shown = app.screen.query_one(ActionList).get_option(plan_action.id).prompt
        first = plan_action.changes["entries"][0]["task_id"]
        assert demo.get_task(first).title in str(shown)  # the plan is readable before approval
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        assert demo.latest_plan() is not None
        await pilot.press("t")
        assert app.main_screen.today_view


async def test_cancel_one_delegate_and_the_run(app_factory, demo) -> None:
    hang = Script(deltas=["thinking"], attempts=["hang"])
    engine = scripted(B5=hang, B6=hang, B7=hang)
    app = app_factory(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        app.launcher.process_backlog()
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
        run = app.screen
        assert isinstance(run, RunScreen)
        await wait_for(pilot, lambda: run.states["B5"].state == "running")
        run.query_one("#card-B5", DelegateCard).focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: run.states["B5"].state == "cancelled")
        # up/down (and j/k) move between rows of cards, three to a row at 120 columns
        assert run.columns == 3
        await pilot.press("down")
        assert app.focused is run.query_one("#card-B8", DelegateCard)
        await pilot.press("k")
        assert app.focused is run.query_one("#card-B5", DelegateCard)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        # Finished results still go to approval.
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        assert {run.states[i].state for i in ("B6", "B7")} == {"cancelled"}
        assert run.states["B1"].state == "succeeded"


async def test_retry_failed_delegates(app_factory, demo) -> None:
    engine = scripted(B3=Script(attempts=["fail"]))
    app = app_factory(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        app.launcher.process_backlog()
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        run = app.screen_stack[-2]
        assert isinstance(run, RunScreen) and run.states["B3"].state == "failed"
        assert [f.id for f in app.screen.proposal.failed_delegates] == ["B3"]
        engine.scripts.clear()  # the next attempt works
        await pilot.press("r")
        await wait_for(pilot, lambda: run.states["B3"].state == "succeeded")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        assert not app.screen.proposal.failed_delegates
        assert ("B3", 1) in engine.calls


async def test_r_on_run_screen_retries_while_others_run(app_factory, demo) -> None:
    engine = scripted(B2=Script(attempts=["fail"]), B9=Script(attempts=["hang"]))
    app = app_factory(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        app.launcher.process_backlog()
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
        run = app.screen
        await wait_for(pilot, lambda: run.states["B2"].state == "failed")
        engine.scripts.pop("B2")
        await pilot.press("r")
        await wait_for(pilot, lambda: run.states["B2"].state == "succeeded")
        assert isinstance(app.screen, RunScreen)  # B9 still hangs: the run goes on
        run.runners[0].cancel("B9")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
