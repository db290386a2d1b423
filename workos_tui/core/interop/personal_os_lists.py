"""BACKLOG.md and GOALS.md of a personal-os folder: Markdown lists read into backlog items
and goals.

BACKLOG.md: each top-level list item is an item and the items nested under it its
sub-items; checked `[x]` items are done and skipped with theirs; a file without any list
items has one item a line. GOALS.md: each top-level list item is a goal (checked = achieved,
nested items its description); a top-level heading with no items under it is a goal itself,
its prose the description; a lone `# Goals …` title is neither.
"""

from __future__ import annotations

import re
from typing import Any

from workos_tui.core.interop.common import (
    MD_HEADING,
    MD_LIST_ITEM,
    Incoming,
    ParseResult,
    build,
    split_title,
)
from workos_tui.core.models import BacklogItem, Goal

_BOX = re.compile(r"^\[([ xX])\]\s+(.*)$")
_ALL_DONE = re.compile(r"^all done!?\W*$", re.IGNORECASE)


def read_goals(text: str, rel: str, result: ParseResult) -> None:
    """Each top-level heading or list item becomes a goal (see the module docstring)."""
    lines = text.splitlines()
    headings = [
        (i, len(m.group(1)), m.group(2))
        for i, ln in enumerate(lines)
        if (m := MD_HEADING.match(ln))
    ]
    # A lone `# Goals …` at the top is the document's title, not a goal.
    if headings and headings[0][1] == 1 and sum(1 for h in headings if h[1] == 1) == 1:
        title_line = headings.pop(0)[0]
    else:
        title_line = -1
    top = min((h[1] for h in headings), default=1)
    bounds = [(-1, 0, ""), *headings]
    for k, (start, level, heading) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(lines)
        body = [(i, lines[i]) for i in range(start + 1, end) if i != title_line]
        items = _top_items(body)
        if items:
            for line_no, text_, sub, done in items:
                _add_goal(result, f"{rel} line {line_no}", text_, "\n".join(sub), done)
        elif start >= 0 and level == top:
            prose = [ln.strip() for _, ln in body if ln.strip() and not MD_HEADING.match(ln)]
            prose = [p for p in prose if p.strip("-*_ ")]
            _add_goal(result, f"{rel} line {start + 1}", heading, "\n".join(prose), False)


def _top_items(body: list[tuple[int, str]]) -> list[tuple[int, str, list[str], bool]]:
    items: list[tuple[int, str, list[str], bool]] = []
    for i, line in body:
        m = MD_LIST_ITEM.match(line)
        if not m or MD_HEADING.match(line):
            continue
        text = m.group(2).strip()
        if line[: len(m.group(1))].expandtabs(4) == "" and not m.group(1):
            done = False
            if box := _BOX.match(text):
                done, text = box.group(1) in "xX", box.group(2)
            items.append((i + 1, text, [], done))
        elif items:
            items[-1][2].append(text)
    return items


def _add_goal(result: ParseResult, where: str, text: str, description: str, done: bool) -> None:
    title, long_title = split_title(text.strip().strip("*_").strip())
    if not title:
        return
    fields: dict[str, Any] = {
        "title": title,
        "description": "\n\n".join(p for p in (long_title, description) if p),
        "status": "achieved" if done else "active",
    }
    goal = build(Goal, fields, where, result)
    if goal is not None:
        result.records.append(Incoming("goals", goal, where))


def read_backlog(text: str, rel: str, result: ParseResult) -> None:
    lines = text.splitlines()
    has_bullets = any(MD_LIST_ITEM.match(ln) for ln in lines)
    current: list[Any] | None = None  # [where, text, subitems]
    in_done = False  # the sub-items of a done item are done with it
    items: list[list[Any]] = []
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or MD_HEADING.match(line) or stripped.startswith(("---", ">", "<!--")):
            continue
        m = MD_LIST_ITEM.match(line)
        if m:
            indent, text = m.group(1), m.group(2).strip()
        elif not has_bullets:
            indent, text = line[: len(line) - len(line.lstrip())], stripped
        else:
            result.skipped.append(f"{rel} line {n}: not a list item ({stripped[:40]})")
            continue
        if _ALL_DONE.match(text):
            continue
        done = False
        if box := _BOX.match(text):
            done, text = box.group(1) in "xX", box.group(2).strip()
        if not text:
            continue
        if indent and (current is not None or in_done):
            if current is not None and not done:
                current[2].append(text)
            continue
        if done:
            current, in_done = None, True
            result.skipped.append(f"{rel} line {n}: already done ({text[:40]})")
            continue
        current, in_done = [f"{rel} line {n}", text, []], False
        items.append(current)
    for where, text, sub in items:
        item = build(BacklogItem, {"text": text, "subitems": sub}, where, result)
        if item is not None:
            result.records.append(Incoming("backlog", item, where))
