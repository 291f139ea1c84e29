"""Fixtures of the TUI tests: the fake for snapshots, on a free port masked in the SVGs."""

from __future__ import annotations

import re

import pytest

#: What a snapshot shows in place of the fake's port: a free port differs on each run.
PORT_MASK = "•"


def mask_port(svg: str, port: int) -> str:
    """`svg` with the digits of `port` after "127.0.0.1:" replaced by `PORT_MASK`, one
    for one (so that the layout stays as rendered), also where a cut URL shows only its
    first digits."""
    digits = str(port)

    def hide(match: re.Match[str]) -> str:
        shown = match.group(2)
        return match.group(1) + (PORT_MASK * len(shown) if digits.startswith(shown) else shown)

    return re.sub(r"(127\.0\.0\.1:)(\d+)", hide, svg)


@pytest.fixture
def snapshot_server(monkeypatch):
    """The fake with the snapshot library (seed 1, 300 videos) on a free five-digit port
    (Linux hands those out; a shorter one would move what follows it), and every SVG the
    test compares or writes with that port masked."""
    import pytest_textual_snapshot

    from memories_tui.fake.server import FakeServer

    servers = []
    while True:
        server = FakeServer(seed=1, videos=300)
        server.start()
        servers.append(server)
        if len(str(server.port)) == 5:
            break
    for other in servers[:-1]:
        other.stop()
    normalize = pytest_textual_snapshot.normalize_svg
    monkeypatch.setattr(pytest_textual_snapshot, "normalize_svg",
                        lambda svg: mask_port(normalize(svg), server.port))
    try:
        yield server
    finally:
        server.stop()
