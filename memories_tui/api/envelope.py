"""The JSON envelope every API answer wraps its data in, and what its codes mean.

`{"code": "0000", "msg": "success", "data": ..., "success": true, "failed": false}`:
success is decided by the code alone ("0000"; also 0 and "0"), never by the HTTP
status or the `success` flag. Other codes become typed errors: "0001" not found,
"0429" / 429 rate limited; an unknown code is a `ServerError` that quotes the
server's message.
"""

from __future__ import annotations

import json
from typing import Any

from memories_tui.api.errors import (
    _CONTROL_CHARS,
    AuthError,
    BadResponseError,
    MemoriesError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    ServerError,
)

__all__ = ["check_envelope", "decode_json", "error_for_code", "normalize_code"]

_MAX_QUOTED_MSG = 200


def decode_json(body: bytes) -> object:
    """The JSON value of a body; `BadResponseError` (never the body itself) if it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadResponseError("The server's answer was not JSON.") from None


def normalize_code(code: object) -> str | None:
    """The envelope code as text ("0000", "0429", "E12"); None if it is missing or not a code."""
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return str(code)
    if isinstance(code, float) and code.is_integer() and abs(code) < 1e9:
        return str(int(code))
    if isinstance(code, str):
        # As an error keeps it (errors.py): control characters are no part of a code,
        # and one made of nothing else, or longer than any code, is not a code.
        text = _CONTROL_CHARS.sub(" ", code).strip()
        if text and len(text) <= 32:
            return text
    return None


def _code_number(code: str) -> int | None:
    # "0000", "0" and 0 all mean success; "0429", "429" and 429 all mean rate limited.
    return int(code) if code.isascii() and code.isdigit() else None


def _server_words(msg: object) -> str | None:
    if isinstance(msg, str) and msg.strip():
        text = msg.strip()
        return text if len(text) <= _MAX_QUOTED_MSG else text[: _MAX_QUOTED_MSG - 1] + "…"
    return None


def error_for_code(
    code: str,
    msg: object = None,
    *,
    http_status: int | None = None,
    retry_after: float | None = None,
    subject: str | None = None,
) -> MemoriesError:
    """The typed error for a non-success envelope code."""
    number = _code_number(code)
    words = _server_words(msg)
    common: dict[str, Any] = {"code": code, "http_status": http_status}
    if number == 429:
        return RateLimitedError(retry_after=retry_after, **common)
    said = f" ({code}: {words})" if words else f" ({code})"
    if (number == 1 and subject) or number == 404:
        # 0001 means "not found" only for a call about one thing (the `subject`); the
        # service uses the same code for "a parameter is wrong" everywhere else.
        message = f"{subject} was not found{said}." if subject else f"Not found{said}."
        return NotFoundError(message, **common)
    if number in (1, 3):
        return RejectedError(f"The server rejected the request{said}.", **common)
    if number in (401, 403):
        return AuthError(**common)
    detail = f"code {code}: {words}" if words else f"code {code}"
    return ServerError(f"The Memories.ai server refused the request ({detail}).", **common)


def check_envelope(
    payload: object,
    *,
    http_status: int | None = None,
    retry_after: float | None = None,
    subject: str | None = None,
) -> object:
    """The envelope's `data` when its code says success; otherwise raise the typed error.

    `subject` ("Video VI123") makes a not-found message say what was not found.
    """
    if not isinstance(payload, dict) or "code" not in payload:
        raise BadResponseError(
            "The server's answer did not have the expected envelope.", http_status=http_status
        )
    code = normalize_code(payload["code"])
    if code is None:
        raise BadResponseError(
            "The server's answer had an envelope code of the wrong type.", http_status=http_status
        )
    if _code_number(code) == 0:
        return payload.get("data")
    raise error_for_code(
        code,
        payload.get("msg"),
        http_status=http_status,
        retry_after=retry_after,
        subject=subject,
    )
