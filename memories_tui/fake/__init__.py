"""A faithful fake of the Memories.ai Utils API server, with a seeded library.

Written from the API reference, never from the client: it imports nothing from
``memories_tui.api``, ``services`` or ``tui``. It is never kinder than the real service:
by default it answers the way the sources say the service does (status spellings, exact
names, order, codes, missing fields). The API facts it follows, with their public
sources, and where it still differs are in docs/api.md.

    from memories_tui.fake import FakeServer, expected_bytes
    with FakeServer(seed=1) as server:
        ...  # server.base_url, server.library, server.faults, server.requests

Names are loaded lazily so that importing ``memories_tui.fake.hostile`` (or the
library) does not pay for Starlette and uvicorn.
"""

from __future__ import annotations

from typing import Any

from .content import expected_bytes

__all__ = ["FakeServer", "FakeLibrary", "FaultSwitch", "RecordedRequest", "create_app",
           "expected_bytes", "serve_forever", "FAULT_KINDS", "HOSTILE_NAMES"]

_LAZY = {
    "FakeServer": "server", "serve_forever": "server", "create_app": "app",
    "FakeLibrary": "library", "FaultSwitch": "faults", "FAULT_KINDS": "faults",
    "RecordedRequest": "recording", "HOSTILE_NAMES": "hostile",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
