"""The Backlog pane: loose ideas waiting to be processed or promoted."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from workos_tui.core.models import BacklogItem
from workos_tui.tui.keys import bindings
from workos_tui.tui.messages import ItemHighlighted
from workos_tui.tui.widgets.look import Look
from workos_tui.tui.widgets.safe import safe_text


class BacklogList(OptionList):
    BINDINGS = [*bindings("edit", "promote", "delete", "down", "up")]

    @property
    def highlighted_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id


class BacklogPane(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "Backlog"

    def compose(self) -> ComposeResult:
        yield BacklogList(id="backlog-list")

    @property
    def option_list(self) -> BacklogList:
        return self.query_one(BacklogList)

    def show(self, items: list[BacklogItem]) -> None:
        look = Look.of(self.app)
        ol = self.option_list
        keep = ol.highlighted_id
        index = ol.highlighted or 0
        ol.clear_options()
        options = []
        for item in items:
            # Waiting for answers: a "?" in place of the bullet, where truncation of a long
            # text cannot hide it.
            bullet = ("? ", look.warning) if item.questions else ("• ", look.muted)
            extras = [(f" +{len(item.subitems)}", look.muted)] if item.subitems else []
            # One line each: the detail panel shows the whole text.
            line = Text.assemble(bullet, safe_text(item.text), *extras)
            line.no_wrap, line.overflow = True, "ellipsis"
            options.append(Option(line, id=item.id))
        ol.add_options(options)
        self.border_subtitle = str(len(items))
        if items:
            ids = [i.id for i in items]
            ol.highlighted = ids.index(keep) if keep in ids else min(index, len(ids) - 1)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(ItemHighlighted("backlog", event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
