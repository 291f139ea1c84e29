"""A token bucket over every API route, like the real per-account limit (1 req/s).

Requests beyond the limit get the ``0429`` envelope with HTTP 200, as the reference
documents, so a client that does not pace itself sees it quickly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate, self.burst, self._clock = rate, max(1, burst), clock
        self._tokens = float(self.burst)
        self._last = clock()
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """0.0 if a request may pass now, else the seconds until one may."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate
