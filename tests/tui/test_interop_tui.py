"""Import from the palette: a dry-run preview first, one undoable change on yes."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from workos_tui.core.store import Store
from workos_tui.tui.screens.pickers import ConfirmModal, PromptModal

from .conftest import make_app, wait_for

LINES = [f"(B) Call supplier number {i} +ops @phone due:2026-12-{10 + i:02d}" for i in range(15)]


async def _preview(pilot, app, source: Path) -> ConfirmModal:  # type: ignore[no-untyped-def]
    app.launcher.import_file()
    await wait_for(pilot, lambda: isinstance(app.screen, PromptModal))
    app.screen.query_one(Input).value = str(source)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
    assert isinstance(app.screen, ConfirmModal)
    return app.screen


async def test_import_previews_then_imports_one_undoable_change(
    store: Store, tmp_path: Path
) -> None:
    source = tmp_path / "todo.txt"
    source.write_text(
        "\n".join([*LINES, "Pay the invoice due:2026-02-31"]) + "\n", encoding="utf-8"
    )
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        modal = await _preview(pilot, app, source)
        detail = str(modal.query_one(".modal-hint", Static).render())
        assert "Would import todotxt" in detail and "15 created" in detail
        assert "Call supplier number 0" in detail and "… and 4 more" in detail
        assert "1 invalid record will be skipped" in detail and "2026-02-31" in detail
        assert store.tasks() == []  # the preview wrote nothing
        assert modal.query_one("#yes").region.bottom <= 24  # the buttons stay on screen
        await pilot.press("y")
        await wait_for(pilot, lambda: len(store.tasks()) == 15)
        assert {t.priority for t in store.tasks()} == {"P1"}
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmModal))
        await pilot.press("u")
        await wait_for(pilot, lambda: store.tasks() == [])


async def test_import_declined_or_already_imported_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    source = tmp_path / "todo.txt"
    source.write_text("\n".join(LINES[:3]) + "\n", encoding="utf-8")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await _preview(pilot, app, source)
        await pilot.press("n")
        await pilot.pause()
        assert store.tasks() == []
        await _preview(pilot, app, source)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(store.tasks()) == 3)
        app.launcher.import_file()  # the same file again: nothing new to ask about
        await wait_for(pilot, lambda: isinstance(app.screen, PromptModal))
        app.screen.query_one(Input).value = str(source)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any("Nothing to import" in str(n.message) for n in app._notifications)
        )
        assert not isinstance(app.screen, ConfirmModal) and len(store.tasks()) == 3
