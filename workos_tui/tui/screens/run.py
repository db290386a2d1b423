"""The run screen: one DelegateCard per delegate, streaming live, with run totals.

Runner events arrive from an async worker as `RunScreen.EventsArrived` messages; the
handler only updates plain `DelegateState` objects (`run_events.apply_event`), and a
~20 Hz timer repaints the cards that changed and the `RunTotals` line. When every delegate has finished, the proposal is aggregated (in a
thread) and the approval screen opens by itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from workos_tui.core.events import ConcurrencyChanged, DelegateDelta, RunEvent, RunFinished
from workos_tui.core.run_models import DelegateResult, Proposal, RunPlan
from workos_tui.core.wording import plural
from workos_tui.tui.keys import bindings
from workos_tui.tui.screens.pickers import ConfirmModal
from workos_tui.tui.screens.run_events import apply_event
from workos_tui.tui.widgets.delegate_card import DelegateCard, DelegateState
from workos_tui.tui.widgets.run_totals import RunTotals
from workos_tui.tui.widgets.safe import clean

REPAINT_HZ = 20
# Textual redraws, each frame, the box around everything that changed in it: two cards far
# apart (or a card and the totals line) redraw every card between them. So a tick repaints
# the dirty cards of one grid row only (at most one per column), the row waiting longest
# first, and the totals line gets ticks of its own. Repainting every dirty card each tick
# cost 150-250 ms a frame with 50 streaming cards (benchmarks/bench_tui.py).
MAX_COLUMNS = 4
TOTALS_EVERY = 4  # ticks: the totals line repaints 5 times a second at most
CARD_WIDTH = 40  # columns per card when choosing how many fit side by side
RunnerFactory = Callable[[], Any]  # returns a core Runner (run(plan), cancel(id))


class RunScreen(Screen[None]):
    BINDINGS = bindings(
        "cancel_delegate",
        "cancel_run",
        "retry_failed",
        "next_card",
        "prev_card",
        "card_below",
        "card_above",
    )

    class EventsArrived(Message):
        """Runner events are waiting in `RunScreen.pending` (one message per burst)."""

    def __init__(self, plan: RunPlan, runner_factory: RunnerFactory, *, auto_approval: bool = True):
        super().__init__()
        self.plan = plan
        self.runner_factory = runner_factory
        self.auto_approval = auto_approval
        self.states = {s.id: DelegateState(s.id, s.label) for s in plan.delegates}
        self.results: dict[str, DelegateResult] = {}
        self.runners: list[Any] = []
        self.streams = 0  # runner streams still going (the run, and any retry)
        self.cancelled = False
        self.columns = 1  # cards per row, set from the width
        self.finished = False
        self.window: int | None = None
        self.window_reason = ""
        self.aborted: str | None = None
        self.started_at = 0.0
        self.ended_at: float | None = None
        self.proposal: Proposal | None = None
        self.repaints = 0  # card repaints, for the tests' coalescing check
        self._totals_dirty = True
        self._cards: dict[str, DelegateCard] = {}
        self._last_second = -1
        self._ticks = 0
        self._row: dict[str, int] = {}  # card id -> its grid row, for one-row repaints
        self._painted_seq: dict[str, int] = {}  # card id -> when it was last repainted
        self._paint_seq = 0
        self.pending: deque[RunEvent] = deque()
        self._signalled = False

    def now(self) -> float:
        return float(self.app.clock().timestamp())  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield RunTotals(id="run-totals")
        with Grid(id="cards"):
            for state in self.states.values():
                card = DelegateCard(state, self.now)
                self._cards[state.id] = card
                yield card
        yield Footer()

    def on_mount(self) -> None:
        self.started_at = self.now()
        self._fit_columns(self.size.width)
        self._repaint_timer = self.set_interval(1 / REPAINT_HZ, self._repaint, name="run-repaint")
        self._start(self.plan, retry=False)
        first = next(iter(self._cards.values()), None)
        if first is not None:
            first.focus()

    def on_resize(self, event: Resize) -> None:
        self._fit_columns(event.size.width)

    def _fit_columns(self, width: int) -> None:
        self.columns = max(1, min(MAX_COLUMNS, width // CARD_WIDTH))
        self.query_one("#cards", Grid).styles.grid_size_columns = self.columns
        self._row = {sid: i // self.columns for i, sid in enumerate(self.states)}

    # -- the workers -------------------------------------------------------------

    def _start(self, plan: RunPlan, *, retry: bool) -> None:
        self.streams += 1
        self.finished = False
        self.ended_at = None
        self._totals_dirty = True
        if self.is_mounted:
            self._repaint_timer.resume()
        if retry:
            self.retry_stream(plan)
        else:
            self.run_stream(plan)

    @work(exclusive=True, exit_on_error=False, group="run")
    async def run_stream(self, plan: RunPlan) -> None:
        await self._stream(plan)

    @work(exclusive=True, exit_on_error=False, group="retry")
    async def retry_stream(self, plan: RunPlan) -> None:
        await self._stream(plan)

    async def _stream(self, plan: RunPlan) -> None:
        runner = self.runner_factory()
        self.runners.append(runner)
        try:
            async for event in runner.run(plan):
                # Bursts of deltas become one message: the handler drains the queue.
                self.pending.append(event)
                if not self._signalled:
                    self._signalled = True
                    self.post_message(self.EventsArrived())
        finally:
            self.runners.remove(runner)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group in ("run", "retry") and event.state == WorkerState.ERROR:
            # The runner itself broke (not a delegate): end this stream, keep the results.
            self.notify(f"The run stopped: {clean(str(worker.error))}", severity="error", timeout=8)
            self._stream_ended()
        elif worker.group == "aggregate" and event.state == WorkerState.SUCCESS:
            self._open_approval(worker.result)
        elif worker.group == "aggregate" and event.state == WorkerState.ERROR:
            self.notify(
                f"Could not build the proposal: {clean(str(worker.error))}", severity="error"
            )

    # -- events -> state -----------------------------------------------------------

    @on(EventsArrived)
    def _drain(self) -> None:
        self._signalled = False
        now = self.now()
        while self.pending:
            self._event(self.pending.popleft(), now)

    def _event(self, event: RunEvent, now: float) -> None:
        if isinstance(event, RunFinished):
            self._run_finished(event)
            return
        if isinstance(event, ConcurrencyChanged):
            self.window, self.window_reason = event.limit, event.reason
            self._totals_dirty = True
            return
        state = self.states.get(event.delegate_id)
        if state is None:
            return
        apply_event(state, event, now)
        if not isinstance(event, DelegateDelta):  # streamed text leaves the totals as they are
            self._totals_dirty = True

    def _run_finished(self, event: RunFinished) -> None:
        for result in event.results:
            self.results[result.id] = result
        if event.aborted:
            self.aborted = event.aborted
            self.notify(f"Run stopped early: {clean(event.aborted)}", severity="error", timeout=10)
        self._stream_ended()

    def _stream_ended(self) -> None:
        self.streams = max(0, self.streams - 1)
        self._totals_dirty = True
        if self.streams:
            return
        self.finished = True
        self.ended_at = self.now()
        self._paint_totals(self.ended_at)
        self._totals_dirty = False
        # The timer paints the cards left dirty, a row a tick, then pauses itself.
        succeeded = [r for r in self.results.values() if r.status == "succeeded"]
        if not succeeded:
            why = "cancelled" if self.cancelled else "no delegate succeeded"
            self.notify(f"Run ended: {why}; nothing to approve.", severity="warning", timeout=6)
            if self.cancelled:
                self.dismiss(None)
            return
        if self.auto_approval:
            self.build_proposal()

    @work(thread=True, exclusive=True, exit_on_error=False, group="aggregate")
    def build_proposal(self) -> Proposal:
        from workos_tui.core.operations import aggregate

        results = [self.results[s.id] for s in self.plan.delegates if s.id in self.results]
        return aggregate(self.plan, results)

    def _open_approval(self, proposal: Proposal | None) -> None:
        if proposal is None:
            return
        from workos_tui.tui.screens.approval import ApprovalScreen

        self.proposal = proposal
        failed = any(r.status != "succeeded" for r in self.results.values())

        def closed(outcome: str | None) -> None:
            if outcome == "retry":
                self.action_retry_failed()
            else:
                self.dismiss(None)

        self.app.push_screen(ApprovalScreen(self.plan, proposal, can_retry=failed), closed)

    # -- painting ------------------------------------------------------------------

    def _repaint(self) -> None:
        now = self.now()
        second = int(now)
        if second != self._last_second:  # running cards show seconds: repaint once a second
            self._last_second = second
            self._totals_dirty = True
            for state in self.states.values():
                if state.state in ("running", "retrying"):
                    state.dirty = True
        self._ticks += 1
        if self._totals_dirty and self._ticks % TOTALS_EVERY == 0:
            self._paint_totals(now)
            self._totals_dirty = False
            return
        dirty = [s for s in self.states.values() if s.dirty]
        if not dirty:
            if self.finished and not self._totals_dirty:
                self._repaint_timer.pause()  # nothing streams until a retry resumes it
            return
        oldest = min(dirty, key=lambda s: self._painted_seq.get(s.id, 0))
        row = self._row[oldest.id]
        for state in dirty:
            if self._row[state.id] == row:
                self._cards[state.id].sync()
                self._paint_seq += 1
                self._painted_seq[state.id] = self._paint_seq
                self.repaints += 1

    def _paint_totals(self, now: float) -> None:
        self.query_one(RunTotals).show(
            self.plan.operation,
            self.states.values(),
            (self.ended_at or now) - self.started_at,
            window=self.window,
            finished=self.finished,
            aborted=self.aborted,
        )

    # -- keys ------------------------------------------------------------------------

    def _focused_card(self) -> DelegateCard | None:
        return self.focused if isinstance(self.focused, DelegateCard) else None

    def action_cancel_delegate(self) -> None:
        card = self._focused_card()
        if card is None or card.state.finished:
            return
        for runner in list(self.runners):
            runner.cancel(card.state.id)

    def action_cancel_run(self) -> None:
        if self.finished:
            self.dismiss(None)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.cancelled = True
                for runner in list(self.runners):
                    runner.cancel()

        self.app.push_screen(
            ConfirmModal(
                "Cancel the run?",
                "Delegates still running stop now; finished results can still be approved.",
                yes="Cancel run",
                no="Keep running",
            ),
            answer,
        )

    def action_retry_failed(self) -> None:
        busy = {s.id for s in self.states.values() if not s.finished}
        failed = [r for r in self.results.values() if r.status == "failed" and r.id not in busy]
        failed += [
            DelegateResult(id=s.id, label=s.label, status="failed")
            for s in self.states.values()
            if s.state == "failed" and s.id not in self.results
        ]
        if not failed:
            self.notify("No failed delegates to retry.", timeout=2)
            return
        if self.workers_running("retry"):
            self.notify("A retry is already running.", timeout=2)
            return
        ids = {r.id for r in failed}
        plan = self.plan.subset(ids)
        self.cancelled = False
        self._start(plan, retry=True)
        self.notify(f"Retrying {plural(len(ids), 'failed delegate')}.", timeout=2)

    def workers_running(self, group: str) -> bool:
        return any(w.group == group and w.node is self and w.is_running for w in self.app.workers)

    def action_focus_next_card(self) -> None:
        self._move(1)

    def action_focus_card_below(self) -> None:
        self._move(self.columns)

    def action_focus_card_above(self) -> None:
        self._move(-self.columns)

    def action_focus_prev_card(self) -> None:
        self._move(-1)

    def _move(self, delta: int) -> None:
        cards = list(self._cards.values())
        card = self._focused_card()
        index = cards.index(card) if card in cards else -1
        target = cards[max(0, min(len(cards) - 1, index + delta))]
        target.focus()
        target.scroll_visible()
