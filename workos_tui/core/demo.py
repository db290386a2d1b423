"""The demo workspace: realistic sample data for `workos demo`, the tests and screenshots.

Dates are relative to `today` so that overdue and upcoming work looks right whenever the
demo is opened; pass a fixed `today` (and `now`) for deterministic tests and screenshots.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workos_tui.core.models import BacklogItem, Goal, Note, Task
from workos_tui.core.store import Store

GOALS = [
    ("Launch the v2 onboarding flow", "Cut time-to-first-value for new sign-ups in half.", 60),
    (
        "Publish the quarterly research report",
        "Survey + interviews, out before the board meeting.",
        45,
    ),
    ("Run a half marathon in spring", "Train three times a week, stay injury-free.", 150),
]

# title, category, priority, status, estimate, due (days from today), goal index, depends
# on (task indexes), days since the last update
TASKS: list[tuple[str, str, str, str, int | None, int | None, int | None, list[int], int]] = [
    ("Fix login redirect loop on Safari", "technical", "P0", "started", 90, 1, 0, [], 1),
    ("Write onboarding email sequence", "writing", "P1", "todo", 120, 5, 0, [], 3),
    ("Design the welcome screen mockups", "technical", "P1", "done", 240, None, 0, [], 2),
    (
        "Set up analytics events for the onboarding funnel",
        "technical",
        "P1",
        "todo",
        180,
        None,
        0,
        [0],
        4,
    ),
    ("Interview five churned customers", "research", "P1", "started", 300, None, 0, [], 12),
    ("Draft the research report outline", "writing", "P1", "todo", 60, -2, 1, [], 6),
    ("Get the survey export from the vendor", "outreach", "P0", "todo", 20, 2, 1, [], 2),
    ("Clean the survey dataset", "research", "P2", "blocked", 150, None, 1, [6], 5),
    ("Book flights for the December offsite", "admin", "P2", "todo", 30, 10, None, [], 8),
    ("Submit November expense report", "admin", "P1", "todo", 45, -1, None, [], 9),
    ("Renew the company domain names", "admin", "P3", "todo", 15, 40, None, [], 20),
    ("Run three times this week", "personal", "P2", "started", 180, 4, 2, [], 1),
    ("Buy new running shoes", "personal", "P3", "todo", 60, None, 2, [], 15),
    ("Reply to the DevTalks podcast invitation", "outreach", "P2", "todo", 20, 3, None, [], 4),
    (
        "Update API documentation for the v2 endpoints",
        "writing",
        "P2",
        "todo",
        120,
        None,
        0,
        [3],
        7,
    ),
    ("Migrate CI to the new runners", "technical", "P3", "todo", 240, None, None, [], 30),
    ("Plan the Q1 roadmap with the team", "admin", "P1", "todo", 90, 7, None, [], 2),
]

BACKLOG: list[tuple[str, list[str]]] = [
    ("Fix the Safari login redirect bug", []),  # near-duplicate of task 0
    ("Write the onboarding email drip sequence", []),  # near-duplicate of task 1
    ("Research competitors' pricing pages", ["Notion", "Linear", "Asana"]),
    ("Look into competitor pricing pages", []),  # duplicate of the item above
    ("Prepare slides for the January all-hands", []),
    ("Call the accountant about the Q4 tax estimate by Friday", []),
    ("that thing from the meeting", []),  # vague
    ("maybe improve stuff?", []),  # vague
    ("Schedule a dentist appointment", []),
    ("Write a blog post about the onboarding redesign", []),
    ("Refactor the billing webhook handler to be idempotent", []),
    ("Article: habit formation notes by James Clear, worth keeping for reference", []),
    ("Send thank-you notes to the beta testers", []),
    ("Order a new monitor for the home office", []),
]

NOTES = [
    (
        "Onboarding research findings",
        "Users stall at the workspace-invite step.\nHalf never see the sample project.",
        ["onboarding", "research"],
    ),
    (
        "Report style guide",
        "Lead with the finding, then the evidence.\nOne chart per claim, no 3D charts.",
        ["writing"],
    ),
    (
        "Half marathon training plan",
        "Weeks 1-4: base mileage, 3 easy runs.\nWeeks 5-8: add one tempo run.",
        ["running"],
    ),
    (
        "1:1 with Sam",
        "Sam wants ownership of the analytics work.\nFollow up on the hiring plan.",
        ["meetings"],
    ),
]


def populate(store: Store, *, today: dt.date | None = None, now: dt.datetime | None = None) -> None:
    """Fill an empty workspace with the demo data, as one change."""
    today = today or dt.date.today()
    now = now or dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    with store.transaction("load the demo workspace"):
        store.update_settings(name="Demo workspace")
        goals = [
            store.put(
                Goal(
                    title=title,
                    description=desc,
                    target_date=today + dt.timedelta(days=days),
                    created_at=now - dt.timedelta(days=40),
                )
            )
            for title, desc, days in GOALS
        ]
        ids: list[str] = []
        for title, category, priority, status, est, due, goal, deps, idle in TASKS:
            updated = now - dt.timedelta(days=idle)
            task = store.put(
                Task(
                    title=title,
                    category=category,
                    priority=priority,
                    status=status,
                    estimate_minutes=est,
                    due=today + dt.timedelta(days=due) if due is not None else None,
                    goal_id=goals[goal].id if goal is not None else None,
                    depends_on=[ids[d] for d in deps],
                    created_at=updated - dt.timedelta(days=5),
                    updated_at=updated,
                    completed_at=updated if status == "done" else None,
                )
            )
            ids.append(task.id)
        for n, (text, subitems) in enumerate(BACKLOG):
            store.put(
                BacklogItem(
                    text=text,
                    subitems=subitems,
                    created_at=now - dt.timedelta(hours=len(BACKLOG) - n),
                )
            )
        for title, body, tags in NOTES:
            store.put(
                Note(title=title, body=body, tags=tags, created_at=now - dt.timedelta(days=3))
            )


def write_demo(
    path: str | Path, *, today: dt.date | None = None, now: dt.datetime | None = None
) -> Store:
    """Create the demo workspace at `path` (which must not hold a workspace yet)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        from workos_tui.core.store import WorkspaceError

        raise WorkspaceError(f"{path}: already exists; the demo only writes a new file")
    store = Store(path)
    populate(store, today=today, now=now)
    return store
