"""Fixtures shared by the hostile tests."""

from __future__ import annotations

import pytest

from memories_tui.fake.server import FakeServer


@pytest.fixture
def hostile_server():
    """The fake with its hostile library: markup, escapes, bidi, odd types on the wire."""
    with FakeServer(seed=1, hostile=True) as srv:
        yield srv
