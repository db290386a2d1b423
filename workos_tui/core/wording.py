"""Counted nouns in messages people read: "1 task", "3 tasks", never "task(s)"."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n` and `word`, with `many` (default: word + "s") when n is not 1."""
    return f"{n} {word if n == 1 else many or word + 's'}"
