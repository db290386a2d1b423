"""The runner's adaptive concurrency window: which requests are in flight and how many may
be, a limit moved by rate limits and successes the way TCP moves its congestion window.

- slow start (for engines behind a rate-limited API, `slow_start`): the window opens at
  `SLOW_START_WINDOW` and grows by one per request the server accepts while it says it
  has room (its requests-remaining, less our requests it may not have counted yet), or by
  one per success for engines that do not report acceptance; so it doubles with each
  time-to-first-byte, until the first rate limit or `concurrency`. Other engines start at
  full width;
- on a rate limit the window drops to what the server evidently accepted (the requests that
  were in flight before the rejected one; half the window when there were none), and that
  level becomes the ceiling; a level that had been accepted and now fails is at least
  halved (multiplicative decrease). One burst of 429s from the same window moves it once;
- from there +1 per window's worth of successes (additive increase), except that the step
  back to the window that was refused is taken only after `PROBE_WINDOWS` windows' worth
  (twice as long each time the same level is refused again), so a steady state just under
  a server's limit rarely touches it. Never above `concurrency`.
"""

from __future__ import annotations

import asyncio

from workos_tui.core.events import ConcurrencyChanged

# TCP's initial window (RFC 3390: up to 4 segments): small enough that a first burst
# costs a rate-limited server little; a server with room widens it within a few
# times-to-first-byte (4, 8, then `concurrency`).
SLOW_START_WINDOW = 4
# Successes at the ceiling, in windows' worth, before probing one above it; doubled after
# each failed probe, up to PROBE_WINDOWS_MAX.
PROBE_WINDOWS = 4
PROBE_WINDOWS_MAX = 64


class AdaptiveWindow:
    """The window for one run; each move returns the `ConcurrencyChanged` to report."""

    __slots__ = (
        "_accepted",
        "_active",
        "_ceiling",
        "_probe_windows",
        "_refused_at",
        "_room",
        "_sent",
        "_successes",
        "concurrency",
        "epoch",
        "limit",
    )

    def __init__(self, concurrency: int, *, slow_start: bool = False) -> None:
        self.concurrency = concurrency
        self.limit = min(concurrency, SLOW_START_WINDOW) if slow_start else concurrency
        self.epoch = 0  # bumps when the window shrinks
        self._successes = 0  # since the window last moved
        self._ceiling: int | None = None  # the level the server accepted at the last cut
        self._refused_at: int | None = None  # the window at the last cut
        self._probe_windows = PROBE_WINDOWS
        self._sent = 0  # requests sent so far (a request's sequence number)
        self._active: set[int] = set()  # sequence numbers of the requests in flight
        self._accepted: set[int] = set()  # of those, the ones the server has taken
        self._room: list[asyncio.Future[None]] = []  # retries waiting for the window

    # -- the requests in flight ------------------------------------------------------

    async def wait_for_room(self) -> None:
        """After a cut, delegates that were in flight keep their places in the window, so
        it can hold more than it now allows; one coming back from a backoff sends again
        only once the requests in flight fit the window."""
        loop = asyncio.get_running_loop()
        while len(self._active) >= self.limit:
            waiter: asyncio.Future[None] = loop.create_future()
            self._room.append(waiter)
            await waiter

    def send(self) -> int:
        """A request goes out: its sequence number."""
        seq = self._sent
        self._sent += 1
        self._active.add(seq)
        return seq

    def done(self, seq: int) -> None:
        """Request `seq` is over, however it ended: its place frees up."""
        self._active.discard(seq)
        self._accepted.discard(seq)
        if self._room:
            waiters, self._room = self._room, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def sent_before(self, seq: int) -> int:
        """How many requests sent before `seq` are still in flight."""
        return sum(1 for s in self._active if s < seq)

    # -- moving the limit ----------------------------------------------------------------

    def rate_limited(self, epoch: int, accepted: int) -> ConcurrencyChanged | None:
        """A request was refused (429/529) while `accepted` requests sent before it were in
        flight. Only a request sent after the last cut may cut again: one burst of 429s
        from the same window moves it once, not once per request."""
        if epoch != self.epoch or self.limit == 1:
            return None
        limit, ceiling = self.limit, self._ceiling
        # What the server evidently took; with nothing sent before the refused request
        # still in flight there is no evidence, and the window halves.
        estimate = accepted if accepted > 0 else limit // 2
        if ceiling is None or limit > ceiling:
            # Slow start, or above the ceiling: back to what the server took.
            new = max(1, min(estimate, limit - 1))
            if self._refused_at is not None and limit <= self._refused_at:
                # Refused again where it was refused before: probe there half as often.
                self._probe_windows = min(self._probe_windows * 2, PROBE_WINDOWS_MAX)
            if accepted > 0:
                reason = f"rate limited: window set to the {new} in flight the server accepted"
            else:
                reason = "rate limited: window halved"
        else:
            # The level the server accepted before fails now: cut multiplicatively.
            new = max(1, min(estimate, limit // 2))
            self._probe_windows = PROBE_WINDOWS
            reason = "rate limited at the level accepted before: window halved"
        self.limit = self._ceiling = new
        self._refused_at = limit
        self.epoch += 1
        self._successes = 0
        return ConcurrencyChanged(new, reason)

    def accepted(self, seq: int, headroom: int | None) -> ConcurrencyChanged | None:
        """The server took request `seq` and says it has room for `headroom` more (None:
        it does not say). In slow start that is enough to widen the window by one, when
        the room is more than our requests it may not have counted yet."""
        self._accepted.add(seq)
        if self._ceiling is not None or self.limit >= self.concurrency:
            return None
        if headroom is not None and headroom <= len(self._active - self._accepted):
            return None
        self.limit += 1
        return ConcurrencyChanged(self.limit, "slow start: the server took a request")

    def succeeded(self, accepted: bool = False) -> ConcurrencyChanged | None:
        """A delegate succeeded: grow the window when its streak has earned it. In slow
        start a request the server was seen to accept has already moved the window."""
        if self.limit >= self.concurrency or (accepted and self._ceiling is None):
            return None
        self._successes += 1
        limit, refused = self.limit, self._refused_at
        if self._ceiling is None:  # slow start, for engines that do not report acceptance
            reason = "slow start: window grown by one"
        elif refused is not None and limit < refused <= limit + 1:
            # The next step is where the server refused last: only after a long streak.
            if self._successes < limit * self._probe_windows:
                return None
            reason = f"probing: {limit + 1} in flight, refused before"
        else:  # additive increase
            if self._successes < limit:
                return None
            reason = "recovering: window grown by one"
        self._successes = 0
        self.limit += 1
        return ConcurrencyChanged(self.limit, reason)
