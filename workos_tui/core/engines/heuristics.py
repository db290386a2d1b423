"""The offline engine's text rules: is an item vague, what category, priority and
estimate does it suggest, and what title should its task get.

Plain keyword and verb rules, deterministic and explainable: each function also returns
the words that decided, so the engine can stream its reasoning. The word lists they read
are `heuristics_words.py`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from workos_tui.core.engines.heuristics_words import (
    ACTION_VERBS,
    CATEGORY_WORDS,
    HEDGES,
    LATER_WORDS,
    REFERENCE_MARKERS,
    SOON_WORDS,
    URGENT_WORDS,
    VAGUE_PHRASES,
    VERB_MINUTES,
)
from workos_tui.core.models import CATEGORIES

_WORDS = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


def words(text: str) -> list[str]:
    return _WORDS.findall(text.lower().replace("’", "'"))


@dataclass
class Vagueness:
    vague: bool
    reasons: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


def action_verb(text: str) -> str | None:
    """The action verb a task title starts with (or has early on), if any."""
    ws = words(text)
    for w in ws[:4]:
        if w in ACTION_VERBS:
            return w
    return None


def assess_vagueness(text: str, content_words: int) -> Vagueness:
    """Too short, no action verb, an unnamed "that thing", or a hedged question."""
    low = " ".join(text.lower().split())
    ws = words(low)
    reasons: list[str] = []
    questions: list[str] = []
    verb = action_verb(low)
    unnamed = [p for p in VAGUE_PHRASES if re.search(rf"\b{re.escape(p)}\b", low)]
    hedged = [h for h in HEDGES if (h in low if h == "?" else re.search(rf"\b{h}\b", low))]
    if content_words < 2 or len(ws) < 3:
        reasons.append("too short to act on")
    if unnamed:
        reasons.append(f"refers to something unnamed ({unnamed[0]!r})")
        if "meeting" in ws:
            questions.append("Which meeting was it (date, people), and what did you agree to do?")
        else:
            questions.append(f"What exactly is {unnamed[0]!r}: which project, document or person?")
    if hedged:
        reasons.append("phrased as a question or a maybe")
        questions.append("Do you want to commit to this, and what would done look like?")
    if verb is None:
        reasons.append("no action verb")
        questions.append("What is the concrete next action (write, call, fix, decide...)?")
    elif verb in {"improve", "look", "check"} and (unnamed or content_words < 3):
        questions.append(f"What specifically should you {verb}, and how will you know it's better?")
    vague = bool(unnamed) or (bool(hedged) and (verb is None or content_words < 3))
    vague = vague or content_words < 2 or (verb is None and len(ws) < 4)
    return Vagueness(vague, reasons, questions[:3] if vague else [])


def is_reference(text: str) -> str | None:
    """The marker that makes an item reference material rather than work, if any."""
    low = text.lower()
    for marker in REFERENCE_MARKERS:
        if marker in low:
            return marker
    if re.fullmatch(r"\s*https?://\S+\s*", text):
        return "a bare link"
    return None


def guess_category(text: str) -> tuple[str, list[str], dict[str, int]]:
    """(category, the words that decided, every category's score)."""
    ws = words(text)
    scores: dict[str, int] = {c: 0 for c in CATEGORIES}
    hits: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    for w in ws:
        for category, table in CATEGORY_WORDS.items():
            weight = table.get(w)
            if weight:
                scores[category] += weight
                hits[category].append(w)
    best: str = max(CATEGORIES, key=lambda c: (scores[c], -CATEGORIES.index(c)))
    if scores[best] == 0:
        return "other", [], scores
    return best, hits[best], scores


def guess_priority(text: str) -> tuple[str, str]:
    """(priority, the words that decided)."""
    low = " ".join(text.lower().split())
    for word in URGENT_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", low):
            return "P0", word
    for word in SOON_WORDS:
        if word in low:
            return "P1", word
    for word in LATER_WORDS:
        if word in low:
            return "P3", word
    return "P2", ""


def guess_estimate(text: str, subitems: int = 0) -> tuple[int, str]:
    """(minutes, why): the verb's typical length, more for long items and sub-items."""
    verb = action_verb(text) or ""
    base = VERB_MINUTES.get(verb, 60)
    why = f"'{verb}' tasks take about {base} min" if verb else "no verb: a default hour"
    n = len(words(text))
    if n > 10:
        base += 30
        why += ", longer description"
    if subitems:
        base += 15 * subitems
        why += f", {subitems} sub-items"
    return max(15, round(base / 15) * 15), why


WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
_WEEKDAY = re.compile(r"\b(by|on|before|this|next|until)\s+(" + "|".join(WEEKDAYS) + r")\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_DAY = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(MONTHS) + r")\.?"
    r"|(" + "|".join(MONTHS) + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?)\b"
)


def guess_due(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    """(due date, the words that set it) from phrases like "by Friday", "tomorrow",
    "before Dec 24", "2026-12-24", "end of the month"; (None, "") when there is none."""
    low = " ".join(text.lower().split())
    if m := _ISO.search(low):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), m[0]
        except ValueError:
            pass
    if m := _MONTH_DAY.search(low):
        day = int(m[1] or m[4])
        month = MONTHS[m[2] or m[3]]
        for year in (today.year, today.year + 1):
            try:
                date = dt.date(year, month, day)
            except ValueError:
                break
            if date >= today:
                return date, m[0]
    if m := _WEEKDAY.search(low):
        ahead = (WEEKDAYS[m[2]] - today.weekday()) % 7
        if m[1] == "next" and ahead == 0:
            ahead = 7
        return today + dt.timedelta(days=ahead), m[0]
    for phrase, days in (("today", 0), ("tonight", 0), ("eod", 0), ("tomorrow", 1)):
        if re.search(rf"\b{phrase}\b", low):
            return today + dt.timedelta(days=days), phrase
    if re.search(r"\b(this week|end of (the )?week)\b", low):
        ahead = (4 - today.weekday()) % 7  # Friday
        return today + dt.timedelta(days=ahead), "this week"
    if re.search(r"\bend of (the )?month\b", low):
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=last), "end of the month"
    return None, ""


def make_title(text: str) -> str:
    """A clean task title from an item's text."""
    line = " ".join(text.split())
    line = re.sub(r"^(?:todo|task|to do)\s*[:\-]\s*", "", line, flags=re.IGNORECASE)
    line = line.strip(" -*•").rstrip(".!;,")
    if len(line) > 120:
        line = line[:120].rsplit(" ", 1)[0] + "…"
    return line[:1].upper() + line[1:] if line else text.strip()[:120]
