"""When to retry a failed call, and how long to wait first.

The API's own advice: exponential backoff from 1 s, doubling, capped at 32 s. Jitter
spreads retries of concurrent calls; a Retry-After from the server wins over the
computed delay. Whether a failure may be retried depends on whether resending is
safe: reads always, a delete only when the server certainly did nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from memories_tui.api.errors import (
    BadResponseError,
    MemoriesError,
    NetworkError,
    RateLimitedError,
    ServerError,
)

__all__ = ["BackoffPolicy", "is_ambiguous", "is_retryable"]


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    max_retries: int = 5
    base: float = 1.0  # seconds before the first retry
    cap: float = 32.0  # longest computed wait
    # A server asking for a longer pause than this gets an error the user sees at once,
    # rather than a screen that silently hangs for minutes.
    max_retry_after: float = 60.0

    def delay(
        self, retry: int, retry_after: float | None = None, *, rng=random.random
    ) -> float | None:
        """Seconds to wait before retry number `retry` (0-based); None means give up."""
        if retry >= self.max_retries:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return retry_after
        computed = min(self.cap, self.base * 2.0**retry)
        # Up to a quarter more, never less: under a 1 req/s limit, retrying early just
        # earns another "rate limit reached".
        return min(self.cap, computed * (1.0 + 0.25 * rng()))


def is_retryable(
    error: MemoriesError, *, sent: bool, idempotent: bool, network: bool = True
) -> bool:
    """Whether resending the request after `error` is worth it and safe.

    `sent` is False when the request failed before it could reach the server. With
    `network=False` timeouts and failed or cut connections are never retried: the
    caller reports them at once and lets the user decide.
    """
    if isinstance(error, RateLimitedError):
        return True  # the server refused to act: always safe to resend
    if isinstance(error, NetworkError):
        return network and (idempotent or not sent)
    if isinstance(error, ServerError) and (error.http_status or 0) >= 500:
        return idempotent
    return False


def is_ambiguous(error: MemoriesError, *, sent: bool) -> bool:
    """Whether a change may have been applied although the call failed.

    True after a timeout or cut connection once the request was out, a 5xx, or an
    unreadable answer: the server may have acted before things went wrong.
    """
    if not sent or isinstance(error, RateLimitedError):
        return False
    if isinstance(error, (NetworkError, BadResponseError)):
        return True
    return isinstance(error, ServerError) and (error.http_status or 0) >= 500
