"""Turning HTTP statuses and httpx failures into typed errors, in plain words.

Messages never quote a response body (a 502 from a proxy is a page of HTML): a status
becomes "The server answered 502 Bad Gateway.", a transport failure names the host.
"""

from __future__ import annotations

import http
import math
import os
import socket
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from memories_tui.api.errors import (
    AuthError,
    BadResponseError,
    MemoriesError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
)

__all__ = [
    "cut_before_answer",
    "error_for_status",
    "error_for_transport",
    "parse_retry_after",
    "request_was_sent",
    "status_summary",
]

# Failures that happen before any byte of the request leaves: resending is always safe.
# httpx's transport (httpcore) raises these while it waits for a connection from its
# pool, opens one (TCP, TLS) or sets up a proxy tunnel; the download fast path raises
# ConnectError/ConnectTimeout only before it writes. Everything else may come after
# the server read the request: WriteError/WriteTimeout (httpcore even hides a failed
# write and reads on, for an early answer), ReadError/ReadTimeout, RemoteProtocolError
# ("Server disconnected without sending a response"), LocalProtocolError.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
             httpx.UnsupportedProtocol)
# A connection that broke, as opposed to one that went quiet (a timeout).
_CUT = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def status_summary(status: int) -> str:
    """ "502 Bad Gateway" — from our own table, not the server's reason phrase."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def error_for_status(
    status: int, *, retry_after: float | None = None, has_key: bool = True
) -> MemoriesError | None:
    """The error an HTTP status means by itself, or None when the body must decide.

    401/403, 429, 5xx and redirects decide alone; 2xx and other 4xx answers are read
    (the envelope inside says what happened).
    """
    summary = status_summary(status)
    if status in (401, 403):
        if has_key:
            message = (
                f"The Memories.ai API key was rejected ({summary}). "
                "Set a valid key with MEMORIES_API_KEY or --api-key."
            )
        else:
            message = (
                f"The server asks for an API key ({summary}). "
                "Set one with MEMORIES_API_KEY or --api-key."
            )
        return AuthError(message, http_status=status)
    if status == 429:
        return RateLimitedError(http_status=status, retry_after=retry_after)
    if status >= 500:
        return ServerError(
            f"The server answered {summary}.", http_status=status, retry_after=retry_after
        )
    if 300 <= status < 400:
        # Redirects are not followed: the key must only ever go to the configured host.
        return BadResponseError(
            f"The server answered {summary} (a redirect, not followed).", http_status=status
        )
    return None


def error_for_unreadable_status(status: int) -> MemoriesError:
    """A 4xx answer whose body is no envelope: say the status, not the body."""
    summary = status_summary(status)
    if status == 404:
        return NotFoundError(f"The server answered {summary}.", http_status=status)
    return ServerError(f"The server answered {summary}.", http_status=status)


def request_was_sent(exc: httpx.HTTPError) -> bool:
    """False when the failure happened before the request could reach the server;
    True when the server may have read it (and acted on it)."""
    return not isinstance(exc, _NOT_SENT)


def cut_before_answer(exc: httpx.HTTPError) -> bool:
    """Whether `exc`, raised while waiting for an answer, is a connection that broke
    (closed or reset) rather than one that never opened or went quiet.

    On a kept-alive connection this is what a server closing it at the moment it was
    reused looks like; the request may still have been read.
    """
    return isinstance(exc, _CUT)


def error_for_transport(
    exc: httpx.HTTPError, *, where: str, timeout: float | None, during: str = "request"
) -> MemoriesError:
    """A typed error for an httpx failure; `where` is the host (and port) to name."""
    seconds = f" within {timeout:g} s" if timeout else ""
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return RequestTimeout(f"Could not connect to {where}{seconds}.", host=where)
    if isinstance(exc, httpx.TimeoutException):
        if during == "download":
            return RequestTimeout(
                f"The download from {where} stalled: no data{seconds}.", host=where
            )
        return RequestTimeout(f"{where} did not answer{seconds}.", host=where)
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(f"Could not connect to {where}{_reason(exc)}.", host=where)
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(f"Could not reach {where} through the proxy.", host=where)
    if isinstance(exc, httpx.DecodingError):
        return BadResponseError(f"The answer from {where} could not be decoded.")
    if during == "download":
        return NetworkError(f"The download from {where} was cut off.", host=where)
    return NetworkError(f"The connection to {where} was cut off.", host=where)


def _os_cause(exc: BaseException) -> OSError | None:
    """The OS error under an httpx one, if any.

    httpx wraps it in layers, and for a refused connection the layer in between says
    only "All connection attempts failed"; the words a person needs are further down.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno is not None:
            return current
        current = current.__cause__ or current.__context__
    return None


def _reason(exc: Exception) -> str:
    """A short cause from the OS ("Connection refused", "Name or service not known")."""
    cause = _os_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        # Its errno is OpenSSL's, not the OS's: strerror() would say "Operation not
        # permitted". What the user needs is why the certificate was refused.
        why = cause.verify_message or "not trusted"
        return f" (its TLS certificate could not be verified: {why})"
    if isinstance(cause, ssl.SSLError):
        return f" (the TLS handshake failed: {cause.reason or 'unknown reason'})"
    if isinstance(cause, socket.gaierror) and cause.strerror:
        text = cause.strerror
    elif cause is not None and cause.errno and cause.errno > 0:
        # strerror() gives the plain phrase; asyncio's own text adds an address tuple.
        text = os.strerror(cause.errno)
    else:
        text = str(exc).strip()
        if "] " in text:  # "[Errno 111] Connection refused" -> "Connection refused"
            text = text.split("] ", 1)[1]
    if not text or len(text) > 80:
        return ""
    return f" ({text})"
