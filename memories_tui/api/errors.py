"""The typed errors every Memories.ai API failure becomes.

Each error carries plain words for a person (`message`), the envelope's `code` when
the server sent one, the HTTP status when there was an answer, and `maybe_applied`
for a change (a delete) that may have reached the server before it failed.

No error ever holds the API key: every message and code passes through `redact`,
which masks every key a client has registered with `register_secret`. The scrubbing
lives here, in the constructor, so that no code path (a server that echoes the key in
its `msg`, an httpx exception text) can slip a key into a notification or a log line.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from memories_tui.masking import mask_key

__all__ = [
    "AuthError",
    "BadResponseError",
    "InsecureURLError",
    "MemoriesError",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "RequestTimeout",
    "ServerError",
    "mask_key",
    "redact",
    "register_secret",
]

# Shorter strings would also match ordinary words in messages; real keys are far longer.
_MIN_SECRET_LENGTH = 6
_MAX_MESSAGE_LENGTH = 500
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")

_secrets: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remember a key: every error message and HTTP log line from now on masks it."""
    if secret and len(secret) >= _MIN_SECRET_LENGTH:
        _secrets.add(secret)
        _install_log_redaction()


class _RedactingFilter(logging.Filter):
    """Masks keys in log records, e.g. httpcore's debug trace of headers a server echoed."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's business
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# Filters on a logger see only records logged on that very logger, so list them all.
_REDACTED_LOGGERS = (
    "memories_tui.api", "httpx", "httpcore", "httpcore.connection", "httpcore.http11",
    "httpcore.http2", "httpcore.proxy", "httpcore.socks",
)
_log_filter = _RedactingFilter()


def _install_log_redaction() -> None:
    for name in _REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _log_filter not in logger.filters:
            logger.addFilter(_log_filter)


def redact(text: str, *secrets: str | None) -> str:
    """`text` with every registered key (and every key in `secrets`) masked."""
    for secret in (*_secrets, *secrets):
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            continue
        # A key can also travel percent-encoded (in a URL someone pasted into a message).
        for form in {secret, quote(secret, safe="")}:
            if form in text:
                text = text.replace(form, mask_key(secret))
    return text


def _clean(text: str) -> str:
    """One line of bounded length: server text can hold newlines, ANSI escapes, megabytes."""
    text = _CONTROL_CHARS.sub(" ", text).strip()
    if len(text) > _MAX_MESSAGE_LENGTH:
        text = text[: _MAX_MESSAGE_LENGTH - 1] + "…"
    return text


class MemoriesError(Exception):
    """Base of every API failure; `str(error)` is the message, fit to show a person."""

    default_message = "The Memories.ai request failed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        http_status: int | None = None,
        maybe_applied: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.message = message or self.default_message  # scrubbed by __setattr__
        self.code = _clean(redact(str(code)))[:32] if code is not None else None
        self.http_status = http_status
        self.maybe_applied = maybe_applied
        # Seconds the server asked us to wait (Retry-After), when it said so.
        self.retry_after = retry_after
        super().__init__(self.message)

    def __setattr__(self, name: str, value: object) -> None:
        # A message changed after construction (e.g. to add context) is scrubbed too.
        if name == "message" and isinstance(value, str):
            value = _clean(redact(value))
            self.args = (value,)
        super().__setattr__(name, value)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        if self.code is not None:
            parts.append(f"code={self.code!r}")
        if self.http_status is not None:
            parts.append(f"http_status={self.http_status}")
        if self.maybe_applied:
            parts.append("maybe_applied=True")
        return f"{type(self).__name__}({', '.join(parts)})"


class AuthError(MemoriesError):
    """HTTP 401/403: the key is missing or wrong."""

    default_message = (
        "The Memories.ai API key was rejected. "
        "Set a valid key with MEMORIES_API_KEY or --api-key."
    )


class NotFoundError(MemoriesError):
    """Envelope code "0001" from a call about one thing (a video's details, a download,
    a session, a task), or HTTP 404: that thing does not exist."""

    default_message = "Not found."


class RejectedError(MemoriesError):
    """Envelope code "0001"/"0003" where it means "a parameter is wrong" (a listing):
    the service's general meaning of those codes. Sending it again will not help."""

    default_message = "The server rejected the request."


class RateLimitedError(MemoriesError):
    """Envelope code "0429"/429 or HTTP 429; `retry_after` is the server's hint, if any."""

    default_message = "The Memories.ai rate limit was reached; try again in a moment."


class ServerError(MemoriesError):
    """HTTP 5xx (or another refusal), or an envelope code this client does not know."""

    default_message = "The Memories.ai server could not handle the request."


class BadResponseError(MemoriesError):
    """An answer that is not JSON, has no envelope, or holds the wrong types."""

    default_message = "The Memories.ai server sent an answer this program cannot read."


class NetworkError(MemoriesError):
    """No usable connection: refused, DNS failure, or cut part-way; `.host` names the server."""

    default_message = "Could not reach the Memories.ai server."

    def __init__(self, message: str | None = None, *, host: str | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.host = host


class RequestTimeout(NetworkError):
    """No answer (or no more data) within the configured timeout."""

    default_message = "The Memories.ai server did not answer in time."


class InsecureURLError(MemoriesError):
    """Refusing to send the key over plain http:// to a host that is not this machine."""

    default_message = (
        "Refusing to send the API key over plain http:// to a remote host; "
        "use https:// (or allow_insecure_http=True for a trusted network)."
    )
