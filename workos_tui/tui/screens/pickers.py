"""Small modals that ask one thing: confirm, a value, one choice, several choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from workos_tui.tui.widgets.safe import safe_text


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.detail, self.yes, self.no = question, detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(safe_text(self.question), classes="modal-title")
            if self.detail:
                # Scrolls when long (an import preview), so the buttons stay on screen.
                with VerticalScroll(classes="modal-detail"):
                    yield Static(safe_text(self.detail, single_line=False), classes="modal-hint")
            with Horizontal(classes="modal-buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptModal(ModalScreen[str | None]):
    """Ask for one value; `check` returns an error message or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        question: str,
        value: str = "",
        placeholder: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.question, self.value, self.placeholder, self.check = (
            question,
            value,
            placeholder,
            check,
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(safe_text(self.question), classes="modal-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", classes="modal-error")
            yield Static("Enter confirms, Esc cancels", classes="modal-hint")

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        error = self.check(event.value) if self.check else None
        if error:
            self.query_one("#prompt-error", Static).update(safe_text(error))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceModal(ModalScreen[str | None]):
    """Pick one of `choices` (value, label)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, question: str, choices: Sequence[tuple[str, str]], current: str | None = None
    ):
        super().__init__()
        self.question, self.choices, self.current = question, choices, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(safe_text(self.question), classes="modal-title")
            yield OptionList(
                *[
                    Option(safe_text(("● " if v == self.current else "  ") + label), id=v)
                    for v, label in self.choices
                ],
                id="choice-list",
            )
            yield Static("Enter picks, Esc cancels", classes="modal-hint")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MultiChoiceModal(ModalScreen[list[str] | None]):
    """Pick several (all selected by default); space toggles, Enter confirms."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "confirm", "Run", priority=True),
    ]

    def __init__(self, question: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.question, self.choices = question, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(safe_text(self.question), classes="modal-title")
            yield SelectionList[str](
                *[(label, v, True) for v, label in self.choices], id="multi-list"
            )
            yield Static("", id="multi-error", classes="modal-error")
            yield Static("Space toggles, Enter runs, Esc cancels", classes="modal-hint")

    def action_confirm(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.query_one("#multi-error", Static).update("Select at least one.")
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
