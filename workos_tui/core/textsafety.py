"""Make people's and models' text safe to put on a terminal.

Text is data: terminal escape sequences (CSI, OSC, DCS...), C0/C1 control characters and
bidirectional overrides are removed, so that a pasted line can neither restyle the
terminal nor reorder what a person reads. Rich markup is handled by the renderers
(they build `rich.text.Text` objects, which never parse markup).
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC
# (ESC P/X/^/_ ... ST), and two-character escapes. Also the 8-bit CSI/OSC introducers.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                      # CSI
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?           # OSC, terminated by BEL or ST (or cut)
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?                # DCS, SOS, PM, APC
  | \x1b[@-Z\\-_]                                # other two-character escapes
  | \x9b[0-?]*[ -/]*[@-~]                        # 8-bit CSI
  | \x9d[^\x07\x9c]*[\x07\x9c]?                  # 8-bit OSC
    """,
    re.VERBOSE,
)
# C0 controls except tab/newline, DEL, C1 controls, and the bidi embedding/override/isolate
# characters (U+202A-U+202E, U+2066-U+2069) plus the invisible marks LRM/RLM/ALM.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clean_text(text: str, *, single_line: bool = False) -> str:
    """Strip escape sequences and control characters; optionally fold newlines/tabs."""
    text = _CONTROLS.sub("", _ESCAPES.sub("", text))
    if single_line:
        text = " ".join(text.split())
    return text


def truncate(text: str, width: int) -> str:
    """Cut to `width` characters with an ellipsis (cell widths are the renderer's job)."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
