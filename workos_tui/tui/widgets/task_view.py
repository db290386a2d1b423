"""Which tasks the Tasks pane shows, and in what order: filter, sort and the Today view.

Presentation only: the urgency score comes from `core.urgency`, as in the CLI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from workos_tui.core.models import DayPlan, Goal, Task
from workos_tui.core.urgency import blocking_counts, open_dependencies, urgency

SORTS = ("priority", "due", "urgency")
_PRIORITY_RANK = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
_STATUS_RANK = {"started": 0, "todo": 1, "blocked": 2, "done": 3}


@dataclass
class TaskFilter:
    """Parsed `/` filter: `status:` `cat:` `goal:` `p:` tokens, other words match titles."""

    words: list[str] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    goals: list[str] = field(default_factory=list)
    priorities: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, text: str) -> TaskFilter:
        f = cls()
        for token in text.lower().split():
            key, sep, value = token.partition(":")
            if sep and value:
                if key in ("s", "status"):
                    f.statuses.add(value)
                elif key in ("c", "cat", "category"):
                    f.categories.add(value)
                elif key in ("g", "goal"):
                    f.goals.append(value)
                elif key in ("p", "pri", "priority"):
                    f.priorities.add(value if value.startswith("p") else "p" + value)
                else:
                    f.words.append(token)
            elif token in ("p0", "p1", "p2", "p3"):
                f.priorities.add(token)
            else:
                f.words.append(token)
        return f

    @property
    def mentions_done(self) -> bool:
        return "done" in self.statuses

    def matches(self, task: Task, goal: Goal | None) -> bool:
        if self.statuses and not any(task.status.startswith(s) for s in self.statuses):
            return False
        if self.categories and not any(task.category.startswith(c) for c in self.categories):
            return False
        if self.priorities and task.priority.lower() not in self.priorities:
            return False
        if self.goals:
            hay = f"{task.goal_id or ''} {goal.title if goal else ''}".lower()
            if not all(g in hay for g in self.goals):
                return False
        title = f"{task.title} {task.id}".lower()
        return all(w in title for w in self.words)


@dataclass
class TaskRow:
    task: Task
    overdue: bool
    waiting_on: list[str]  # open dependencies
    planned_minutes: int | None = None
    focus: bool = False


def visible_tasks(
    tasks: list[Task],
    goals: dict[str, Goal],
    today: dt.date,
    *,
    filter_text: str = "",
    goal_id: str | None = None,
    sort: str = "priority",
    show_done: bool = False,
    plan: DayPlan | None = None,
) -> list[TaskRow]:
    by_id = {t.id: t for t in tasks}
    flt = TaskFilter.parse(filter_text)

    def row(t: Task) -> TaskRow:
        return TaskRow(t, t.is_overdue(today), open_dependencies(t, by_id))

    if plan is not None:
        rows = []
        for entry in plan.entries:
            t = by_id.get(entry.task_id)
            if t is not None and flt.matches(t, goals.get(t.goal_id or "")):
                r = row(t)
                r.planned_minutes, r.focus = entry.minutes, entry.focus
                rows.append(r)
        return rows

    show_done = show_done or flt.mentions_done
    chosen = [
        t
        for t in tasks
        if (show_done or t.status != "done")
        and (goal_id is None or t.goal_id == goal_id)
        and flt.matches(t, goals.get(t.goal_id or ""))
    ]
    blocking = blocking_counts(tasks)
    rows = [row(t) for t in chosen]

    def id_num(t: Task) -> int:
        return int(t.id[1:]) if t.id[1:].isdigit() else 0

    if sort == "due":
        rows.sort(
            key=lambda r: (
                r.task.due is None,
                r.task.due or today,
                _PRIORITY_RANK[r.task.priority],
                id_num(r.task),
            )
        )
    elif sort == "urgency":
        rows.sort(
            key=lambda r: (
                -urgency(
                    r.task,
                    today,
                    blocking=blocking.get(r.task.id, 0),
                    waiting_on=len(r.waiting_on),
                ),
                id_num(r.task),
            )
        )
    else:
        rows.sort(
            key=lambda r: (
                r.task.status == "done",
                _PRIORITY_RANK[r.task.priority],
                _STATUS_RANK[r.task.status],
                r.task.due or dt.date.max,
                id_num(r.task),
            )
        )
    return rows
