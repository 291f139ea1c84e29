"""Turn API and file-system failures into one plain sentence for a notification."""

from __future__ import annotations

from memories_tui.api.errors import (
    AuthError,
    BadResponseError,
    MemoriesError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    redact,
)


def describe_error(exc: BaseException, doing: str) -> str:
    """`doing` says what failed ("load page 3"); the rest says why and what to do."""
    if isinstance(exc, AuthError):
        hint = "Check the API key (MEMORIES_API_KEY or --api-key)."
    elif isinstance(exc, RateLimitedError):
        hint = "The server's rate limit was reached; wait a moment and press r."
    elif isinstance(exc, NotFoundError):
        hint = "It may have been deleted; press r to refresh."
    elif isinstance(exc, RequestTimeout):
        hint = "The server did not answer in time; press r to try again."
    elif isinstance(exc, NetworkError):
        hint = "Check the connection and press r to try again."
    elif isinstance(exc, ServerError):
        hint = "The server had a problem; try again in a moment (r)."
    elif isinstance(exc, BadResponseError):
        hint = "The server's answer made no sense; try again (r)."
    else:  # an insecure URL or anything else: the message itself says what to do
        hint = ""
    # Our own errors are redacted when made; anything else may quote a key.
    message = exc.message if isinstance(exc, MemoriesError) else redact(str(exc))
    message = message.rstrip(".")
    text = f"Could not {doing}: {message}."
    return f"{text} {hint}".strip()
