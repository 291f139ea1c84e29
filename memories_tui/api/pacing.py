"""Client-side pacing: spaces the starts of requests so the server's limit is never hit.

The Memories.ai limit is per account (1 request/s for the standard APIs) and a key
that keeps tripping it may be suspended, so a good client paces itself instead of
relying on retries. One `RequestPacer` is shared by every call of one client.

Starts are spaced a little more than `1/rate` apart (`slack`, 10 % by default): the
server counts arrivals, not our starts, and a request that opened its connection
first arrives later than one that reuses it — at exactly 1/rate the next one could
arrive a hair early and be refused.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["RequestPacer"]


class RequestPacer:
    """Hands out start times `(1 + slack)/rate` seconds apart; the first one is "now".

    `reserve()` claims the next free slot and says how long to wait for it. A caller
    that gives up while waiting (a cancelled worker) calls `release(slot)`, so that
    typing a filter quickly — each keystroke cancelling the previous request — does
    not push every later request further back.
    """

    def __init__(
        self,
        rate: float | None,
        *,
        slack: float = 0.10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate is not None and (math.isnan(rate) or rate < 0):
            raise ValueError("rate_limit must be requests per second (positive), or None.")
        self.rate = rate or None
        self.interval = (1.0 + slack) / rate if rate else 0.0
        self._clock = clock
        self._next_start = -math.inf

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    def would_wait(self) -> float:
        """Seconds a request started now would wait for its slot (0 when it goes at once)."""
        if not self.enabled:
            return 0.0
        return max(0.0, self._next_start - self._clock())

    def reserve(self) -> tuple[float, float]:
        """Claim the next slot: (its start time, seconds to wait for it, 0 if it is now)."""
        now = self._clock()
        if not self.enabled:
            return now, 0.0
        start = max(now, self._next_start)
        self._next_start = start + self.interval
        return start, start - now

    def mark_sent(self) -> None:
        """A request is leaving now: the next may not start sooner than one interval on.

        A request can leave well after its slot (a busy event loop, a connection being
        opened), and the server counts arrivals: spacing from the slot alone let two
        requests arrive closer than the limit allows.
        """
        if self.enabled:
            self._next_start = max(self._next_start, self._clock() + self.interval)

    def release(self, slot: float) -> None:
        """Give back an unused slot, if nobody has claimed a later one since."""
        if self.enabled and self._next_start == slot + self.interval:
            self._next_start = slot
