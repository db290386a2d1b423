"""The detail panel filled from the store, and the modal that shows it alone on narrow terminals."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.screen import ModalScreen

from workos_tui.core.store import Store
from workos_tui.tui.widgets.detail import DetailPanel


def show_item(
    panel: DetailPanel, store: Store, kind: str, item_id: str | None, today: dt.date
) -> None:
    """Show the task, backlog item or goal `item_id` in `panel`; clear it if there is none."""
    if item_id is None:
        panel.clear()
        return
    try:
        if kind == "tasks":
            tasks = {t.id: t for t in store.tasks()}
            goals = {g.id: g for g in store.goals()}
            panel.show_task(store.get_task(item_id), tasks, goals, today)
        elif kind == "backlog":
            panel.show_backlog_item(store.get_backlog_item(item_id))
        elif kind == "goals":
            panel.show_goal(store.get_goal(item_id), store.tasks())
    except LookupError:
        panel.clear()
    except Exception:  # NotFoundError: the item went away in another process
        panel.clear()


class DetailModal(ModalScreen[None]):
    """The detail panel on its own, for narrow terminals where it is hidden."""

    BINDINGS = [("escape,i,q", "close", "Close")]

    def __init__(self, kind: str, item_id: str | None) -> None:
        super().__init__()
        self.kind, self.item_id = kind, item_id

    def compose(self) -> ComposeResult:
        yield DetailPanel(id="detail-modal", classes="modal-box wide")

    def on_mount(self) -> None:
        store, today = self.app.store, self.app.today()  # type: ignore[attr-defined]
        show_item(self.query_one(DetailPanel), store, self.kind, self.item_id, today)

    def action_close(self) -> None:
        self.dismiss(None)
