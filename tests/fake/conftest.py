"""Fixtures for the fake server's own tests: real HTTP over loopback with plain httpx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from memories_tui.fake import FakeServer

from .helpers import API_KEY, make_client


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    """A shared server for read-only tests (seed 1, 300 videos, key required)."""
    with FakeServer(seed=1, api_key=API_KEY) as srv:
        yield srv


@pytest.fixture
def fresh_server() -> Iterator[FakeServer]:
    """A server of its own, for tests that delete, read tasks or push faults."""
    with FakeServer(seed=1, api_key=API_KEY) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: FakeServer) -> Iterator[httpx.Client]:
    with make_client(server) as c:
        yield c


@pytest.fixture
def fresh_client(fresh_server: FakeServer) -> Iterator[httpx.Client]:
    with make_client(fresh_server) as c:
        yield c
