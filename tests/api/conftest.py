"""Fixtures for the api tests: the scripted server, the fake server, a client factory.

Behaviour tests against a faithful server use the fake (`memories_tui.fake`) and skip
until it exists; precise protocol faults use the scripted server from `api_testkit`.
"""

from __future__ import annotations

import socket
import sys

import pytest

from memories_tui.api import MemoriesClient

from .api_testkit import API_KEY, RawServer, ScriptedServer, Step


@pytest.fixture(scope="session")
def _scripted_server():
    server = ScriptedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def scripted(_scripted_server: ScriptedServer) -> ScriptedServer:
    _scripted_server.reset()
    yield _scripted_server
    _scripted_server.reset()


@pytest.fixture
def raw_server():
    """Start `RawServer`s with a script of steps; stopped after the test."""
    servers: list[RawServer] = []

    def start(*steps: Step) -> RawServer:
        server = RawServer(*steps)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def silent_port():
    """A loopback port where connecting times out: its listener's accept queue is full
    (listen(0) and one connection never accepted), and Linux leaves a further SYN
    unanswered. Loopback only, never another address."""
    if not sys.platform.startswith("linux"):
        pytest.skip("relies on how Linux treats a full accept queue")
    full = socket.create_server(("127.0.0.1", 0), backlog=0)
    queued = socket.create_connection(full.getsockname(), timeout=5)  # fills the queue
    yield full.getsockname()[1]
    queued.close()
    full.close()


@pytest.fixture
def api_key() -> str:
    return API_KEY


@pytest.fixture
def make_client():
    """Build clients for tests: no pacing, tiny backoff, short timeout unless told."""
    def build(base_url: str, **kwargs) -> MemoriesClient:
        kwargs.setdefault("rate_limit", None)
        kwargs.setdefault("backoff_base", 0.01)
        kwargs.setdefault("timeout", 5.0)
        client = MemoriesClient(kwargs.pop("api_key", API_KEY), base_url, **kwargs)
        return client

    return build


# -- the fake Memories.ai server (written separately, to the API reference) ---------


def fake_server_class():
    try:
        from memories_tui.fake.server import FakeServer
    except ImportError:
        return None
    return FakeServer


def _start_fake(**kwargs):
    server_class = fake_server_class()
    if server_class is None:
        pytest.skip("memories_tui.fake.server.FakeServer is not written yet")
    kwargs.setdefault("seed", 7)
    kwargs.setdefault("videos", 30)
    kwargs.setdefault("api_key", API_KEY)
    kwargs.setdefault("rate_limit", None)
    server = server_class(**kwargs)
    server.start()
    return server


@pytest.fixture
def fake_factory():
    """Start fresh FakeServers, stopped after the test: for tests that change the library."""
    servers = []

    def start(**kwargs):
        server = _start_fake(**kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def _shared_fake():
    server = _start_fake()
    yield server
    server.stop()


@pytest.fixture
def fake(_shared_fake):
    """One fake per test module, for tests that leave its library as they found it.

    (Stopping a server takes ~0.15 s; sharing keeps the api tests quick.)
    """
    _shared_fake.faults.clear()
    _shared_fake.clear_requests()
    yield _shared_fake
    _shared_fake.faults.clear()
