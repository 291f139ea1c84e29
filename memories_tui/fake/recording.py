"""A record of every API request the fake received, for tests and scripts.

The API key is never stored: ``headers`` leaves out ``Authorization`` and
``has_auth`` says whether one was sent.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any  # the parsed JSON body, or None (no body, or not JSON)
    headers: dict[str, str]  # lower-case names, without Authorization
    has_auth: bool
    raw_body: bytes = b""
    at: float = field(default=0.0)  # time.monotonic() when received

    @property
    def body(self) -> Any:
        """The parsed JSON body (same as ``json``)."""
        return self.json


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: The live list (appends are atomic); use ``snapshot()`` to iterate safely.
        self.requests: list[RecordedRequest] = []

    def add(self, method: str, path: str, query: dict[str, str], body: bytes, parsed: Any,
            headers: dict[str, str]) -> RecordedRequest:
        rec = RecordedRequest(
            method=method, path=path, query=query, json=parsed,
            headers={k: v for k, v in headers.items() if k != "authorization"},
            has_auth=bool(headers.get("authorization")), raw_body=body, at=time.monotonic(),
        )
        with self._lock:
            self.requests.append(rec)
        return rec

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self.requests)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
