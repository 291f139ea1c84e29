"""Fixtures shared by every test: a clean environment and the fake server on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

# Snapshot and Pilot tests compute relative times against this instant.
FIXED_NOW = datetime(2026, 11, 2, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path_factory):
    """Keep the developer's key, config, logs and terminal quirks out of every test."""
    import os

    for name in list(os.environ):
        if name.startswith("MEMORIES_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg")))
    # The log file goes under a home folder of the test's own, so that the help screen
    # names it the same way on every run: ~/.local/state/memories-tui/memories-tui.log.
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    # The library index (services/index_store.py) lives in the cache folder.
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("TMUX", raising=False)
    # pytest-xdist's workers set COLUMNS=80 and LINES=24, which Textual and rich obey
    # over the size of the app's own (pseudo-)terminal.
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    # Over SSH the app copies links instead of opening them: tests say which they want.
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def fake_server():
    """A fresh fake server per test (cheap), so deletes in one test don't leak into another."""
    from memories_tui.fake.server import FakeServer

    server = FakeServer(seed=1, videos=300)
    server.start()
    try:
        yield server
    finally:
        server.stop()
