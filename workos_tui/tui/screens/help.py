"""The `?` screen: every key, grouped by where it applies, with the config's remapping."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from workos_tui.tui.keys import SPECS, display_keys

EXTRA = [
    ("Everywhere", "ctrl+p", "Command palette: runs, undo, engine, import/export"),
    ("Everywhere", "tab / shift+tab", "Next / previous pane"),
    ("Tasks", "/", "Filter: words, status:todo, cat:admin, goal:G1, p1 (Esc clears)"),
]


def key_table(keymap: dict[str, str]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)  # the description wraps on a narrow screen...
    table.add_column(no_wrap=True)  # ...so the names to remap by stay in view
    scope = None
    rows = [(s.scope, display_keys(s, keymap), s.description, s.id) for s in SPECS]
    rows += [(scope_, keys, desc, "") for scope_, keys, desc in EXTRA]
    order = list(dict.fromkeys(r[0] for r in rows))
    rows.sort(key=lambda r: order.index(r[0]))
    for row_scope, keys, desc, spec_id in rows:
        if row_scope != scope:
            if scope is not None:
                table.add_row("", "", "")
            table.add_row(Text(row_scope, style="bold underline"), "", "")
            scope = row_scope
        table.add_row(Text(keys), Text(desc), Text(spec_id, style="dim"))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box wide", id="help-box"):
            yield Label("Keys", classes="modal-title")
            with VerticalScroll():
                yield Static(key_table(self.keymap))
            yield Static(
                'Remap any key in config.toml:  keys = { capture = "a,c" }  (names on the right)',
                classes="modal-hint",
                markup=False,
            )

    def action_close(self) -> None:
        self.dismiss(None)
