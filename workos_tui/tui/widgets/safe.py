"""Text is data: every string from a person or a model goes through `safe_text`.

It returns a `rich.text.Text` (never parsed as markup) with terminal escapes, control and
bidi characters removed (by the core's `clean_text`), so `[bold red]x[/]` or
`[@click=app.quit]` shows literally and an OSC sequence cannot retitle the terminal.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from workos_tui.core.textsafety import clean_text


def clean(text: object, *, single_line: bool = True) -> str:
    """The string without escapes or controls; newlines folded unless `single_line=False`."""
    return clean_text("" if text is None else str(text), single_line=single_line)


def safe_text(text: object, style: str | Style = "", *, single_line: bool = True) -> Text:
    """A literal `Text` of `text`: never markup, never escapes; long lines end in "…"."""
    return Text(
        clean(text, single_line=single_line),
        style=style,
        no_wrap=single_line,
        overflow="ellipsis" if single_line else "fold",
        end="",
    )
