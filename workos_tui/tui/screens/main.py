"""The main screen: Backlog, Tasks and Goals side by side, a detail panel, keyboard triage.

Every change goes through `WorkOSApp.write`, which handles failed saves and tells this
screen to repaint; the screen itself only reads the store.
"""

from __future__ import annotations

import contextlib
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from workos_tui.core.models import PRIORITIES, STATUSES, BacklogItem, Goal, Task
from workos_tui.core.store import Store
from workos_tui.tui.keys import bindings
from workos_tui.tui.messages import ItemHighlighted, WorkspaceChanged
from workos_tui.tui.screens.capture import CaptureModal, TaskEditModal, TextEditModal
from workos_tui.tui.screens.detail_modal import DetailModal, show_item
from workos_tui.tui.widgets.backlog import BacklogList, BacklogPane
from workos_tui.tui.widgets.detail import DetailPanel
from workos_tui.tui.widgets.goals import GoalList, GoalsPane
from workos_tui.tui.widgets.task_view import SORTS, visible_tasks
from workos_tui.tui.widgets.tasks import TasksPane, TaskTable
from workos_tui.tui.widgets.workspace_status import SaveWarning, WorkspaceHeader

CYCLE = {s: STATUSES[(i + 1) % len(STATUSES)] for i, s in enumerate(STATUSES)}


class MainScreen(Screen[None]):
    BINDINGS = bindings(
        "capture",
        "new_task",
        "undo",
        "redo",
        "filter",
        "today",
        "show_done",
        "details",
        "retry_save",
        "help",
        "quit",
    )

    def __init__(self) -> None:
        super().__init__(id="main")
        self.goal_filter: str | None = None
        self.filter_text = ""
        self.sort = "priority"
        self.today_view = False
        self.show_done = False
        self.detail_kind = "tasks"
        self.detail_id: str | None = None
        self._painted_generation = -1
        self.select_after_repaint: str | None = None  # a new task: put the cursor on it

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined,no-any-return]

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(id="header")
        yield SaveWarning(id="save-warning")
        with Horizontal(id="panes"):
            yield BacklogPane(id="backlog")
            yield TasksPane(id="tasks")
            yield GoalsPane(id="goals")
        yield DetailPanel(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.repaint()
        self.query_one(TaskTable).focus()

    def on_screen_resume(self) -> None:
        if self.store.generation != self._painted_generation:
            self.repaint()

    # -- painting --------------------------------------------------------------

    @on(WorkspaceChanged)
    def _changed(self, event: WorkspaceChanged) -> None:
        self.repaint()

    def repaint(self) -> None:
        store = self.store
        self._painted_generation = store.generation
        today = self.app.today()  # type: ignore[attr-defined]
        tasks = store.tasks()
        goals = store.goals()
        goals_by_id = {g.id: g for g in goals}
        if self.goal_filter and self.goal_filter not in goals_by_id:
            self.goal_filter = None
        backlog = store.backlog()
        self.query_one(BacklogPane).show(backlog)
        self.query_one(GoalsPane).show(goals, tasks, self.goal_filter)
        plan = store.latest_plan() if self.today_view else None
        if self.today_view and plan is None:
            self.today_view = False
        rows = visible_tasks(
            tasks,
            goals_by_id,
            today,
            filter_text=self.filter_text,
            goal_id=self.goal_filter,
            sort=self.sort,
            show_done=self.show_done,
            plan=plan,
        )
        if plan is not None:
            total = sum(e.minutes for e in plan.entries)
            subtitle = (
                f"Today {plan.date:%a %b %d} · {len(rows)} planned · {total // 60}h{total % 60:02d}"
            )
        else:
            bits = [f"{len(rows)} shown", f"by {self.sort}"]
            if self.show_done:
                bits.append("with done")
            if self.goal_filter:
                bits.append(f"goal {self.goal_filter}")
            if self.filter_text:
                bits.append("filtered")
            subtitle = " · ".join(bits)
        pane = self.query_one(TasksPane)
        pane.border_title = "Today" if plan is not None else "Tasks"
        pane.show(rows, goals_by_id, today, today_view=plan is not None, subtitle=subtitle)
        if self.select_after_repaint:
            self.select_task(self.select_after_repaint)
            self.select_after_repaint = None
        self._paint_header(tasks, len(backlog), len(goals), today)
        self._paint_warning()
        self.show_detail(self.query_one("#detail", DetailPanel), self.detail_kind, self.detail_id)

    def _paint_header(self, tasks: list[Task], n_backlog: int, n_goals: int, today: Any) -> None:
        name, engine = self.store.settings().name, self.app.engine_label()  # type: ignore[attr-defined]
        self.query_one(WorkspaceHeader).show(name, engine, tasks, n_backlog, n_goals, today)

    def _paint_warning(self) -> None:
        self.query_one(SaveWarning).show(self.store.unsaved, self.app.save_error)  # type: ignore[attr-defined]

    def show_detail(self, panel: DetailPanel, kind: str, item_id: str | None) -> None:
        show_item(panel, self.store, kind, item_id, self.app.today())  # type: ignore[attr-defined]

    @on(ItemHighlighted)
    def _highlighted(self, event: ItemHighlighted) -> None:
        # The detail panel follows the pane that has focus, not every list's cursor.
        if self._current()[0] != event.kind:
            return
        self.detail_kind, self.detail_id = event.kind, event.item_id
        self.show_detail(self.query_one("#detail", DetailPanel), event.kind, event.item_id)

    def on_descendant_focus(self) -> None:
        kind, item_id = self._current()
        if (kind, item_id) != (self.detail_kind, self.detail_id):
            self.detail_kind, self.detail_id = kind, item_id
            self.show_detail(self.query_one("#detail", DetailPanel), kind, item_id)

    @on(TasksPane.FilterChanged)
    def _filter_changed(self, event: TasksPane.FilterChanged) -> None:
        self.filter_text = event.text
        self.repaint()

    @on(GoalsPane.Chosen)
    def _goal_chosen(self, event: GoalsPane.Chosen) -> None:
        self.goal_filter = None if self.goal_filter == event.goal_id else event.goal_id
        self.today_view = False
        self.repaint()
        if self.goal_filter:
            self.notify("Tasks filtered by this goal; Enter on it again clears.", timeout=3)

    # -- what the keys act on --------------------------------------------------

    def _current(self) -> tuple[str, str | None]:
        focused: Widget | None = self.focused
        if isinstance(focused, TaskTable):
            return "tasks", focused.highlighted_id
        if isinstance(focused, BacklogList):
            return "backlog", focused.highlighted_id
        if isinstance(focused, GoalList):
            return "goals", focused.highlighted_id
        return "tasks", self.query_one(TaskTable).highlighted_id

    def _current_task(self) -> str | None:
        kind, item_id = self._current()
        if kind != "tasks" or item_id is None:
            return None
        return item_id

    # -- actions ---------------------------------------------------------------

    def action_capture(self) -> None:
        self.app.push_screen(CaptureModal())

    def action_new_task(self) -> None:
        def created(fields: dict[str, Any] | None) -> None:
            if fields:
                task = self.app.write(lambda: self.store.put(Task(**fields)))  # type: ignore[attr-defined]
                if task is not None:
                    self.notify(f"Added {task.id}", timeout=2)
                    self.select_after_repaint = task.id

        goals = self.store.goals()
        seed = (
            Task.model_construct(title="", goal_id=self.goal_filter) if self.goal_filter else None
        )
        modal = TaskEditModal(None, goals, heading="New task", seed=seed)
        self.app.push_screen(modal, created)

    def action_edit(self) -> None:
        kind, item_id = self._current()
        if item_id is None:
            return
        store = self.store
        if kind == "tasks":
            task = store.get_task(item_id)

            def edited(changes: dict[str, Any] | None) -> None:
                if changes:
                    self.app.write(lambda: store.update_task(item_id, **changes))  # type: ignore[attr-defined]

            self.app.push_screen(TaskEditModal(task, store.goals()), edited)
        elif kind == "backlog":
            item = store.get_backlog_item(item_id)
            self._edit_text(item, "text", f"Edit backlog item {item.id}")
        elif kind == "goals":
            goal = store.get_goal(item_id)
            self._edit_text(goal, "title", f"Rename goal {goal.id}")

    def _edit_text(self, model: BacklogItem | Goal, field: str, heading: str) -> None:
        """Edit one line of a backlog item or goal; an unchanged or empty answer is no change."""
        store, old = self.store, getattr(model, field)

        def edited(text: str | None) -> None:
            if text and text != old:
                changed = model.model_copy(update={field: text})
                self.app.write(lambda: store.put(changed, label=f"edit {model.id}"))  # type: ignore[attr-defined]

        self.app.push_screen(TextEditModal(heading, old), edited)

    def action_delete(self) -> None:
        kind, item_id = self._current()
        if item_id is None:
            return
        if self.app.write(lambda: self.store.delete(kind, item_id)) is not False:  # type: ignore[attr-defined]
            self.notify(f"Deleted {item_id}. Press u to undo.", timeout=3)

    def _update_task(self, **changes: Any) -> None:
        task_id = self._current_task()
        if task_id is None:
            return
        self.app.write(lambda: self.store.update_task(task_id, **changes))  # type: ignore[attr-defined]

    def action_cycle_status(self) -> None:
        task_id = self._current_task()
        if task_id is not None:
            self._update_task(status=CYCLE[self.store.get_task(task_id).status])

    def action_done(self) -> None:
        task_id = self._current_task()
        if task_id is not None:
            done = self.store.get_task(task_id).status == "done"
            self._update_task(status="todo" if done else "done")
            if not done and not self.show_done:
                self.notify(f"{task_id} done (h shows done tasks, u undoes)", timeout=2)

    def action_priority(self, index: int) -> None:
        self._update_task(priority=PRIORITIES[index])

    def action_promote(self) -> None:
        kind, item_id = self._current()
        if kind != "backlog" or item_id is None:
            return
        store = self.store
        item = store.get_backlog_item(item_id)
        title = item.text if len(item.text) <= 200 else item.text[:199] + "…"
        seed = Task(title=" ".join(title.split()), description="\n".join(item.subitems))

        def promoted(fields: dict[str, Any] | None) -> None:
            if not fields:
                return

            def do() -> Task:
                with store.transaction(f"promote {item_id}"):
                    task = store.put(Task(**fields, source_backlog_ids=[item_id]))
                    store.delete("backlog", item_id)
                return task

            task = self.app.write(do)  # type: ignore[attr-defined]
            if task:
                self.notify(f"Promoted {item_id} to {task.id}", timeout=2)

        modal = TaskEditModal(
            None, store.goals(), heading=f"Promote {item_id} to a task", seed=seed
        )
        self.app.push_screen(modal, promoted)

    def select_task(self, task_id: str) -> None:
        table = self.query_one(TaskTable)
        with contextlib.suppress(Exception):
            table.move_cursor(row=table.get_row_index(task_id), animate=False)

    def action_filter(self) -> None:
        self.query_one(TasksPane).open_filter()

    def action_toggle_today(self) -> None:
        if not self.today_view and self.store.latest_plan() is None:
            self.notify("No day plan yet: ctrl+p → Plan my day.", timeout=3)
            return
        self.today_view = not self.today_view
        self.repaint()

    def action_toggle_done(self) -> None:
        self.show_done = not self.show_done
        self.repaint()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.repaint()
        self.notify(f"Sorted by {self.sort}", timeout=1.5)

    def action_details(self) -> None:
        kind, item_id = self._current()
        self.app.push_screen(DetailModal(kind, item_id))

    def action_undo(self) -> None:
        self.app.action_undo()  # type: ignore[attr-defined]

    def action_redo(self) -> None:
        self.app.action_redo()  # type: ignore[attr-defined]

    def action_retry_save(self) -> None:
        self.app.action_retry_save()  # type: ignore[attr-defined]

    def action_help(self) -> None:
        self.app.action_show_help()  # type: ignore[attr-defined]

    async def action_quit(self) -> None:
        await self.app.action_quit()
