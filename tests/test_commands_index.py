"""`memories-tui index sync | status | clear`, and `videos list --sort` answered from the
index: run in-process against the fake over real HTTP; expectations from its library."""

from __future__ import annotations

import json

import pytest

from memories_tui.fake.server import FakeServer
from tests.test_commands import api, run


@pytest.fixture
def server():
    with FakeServer(seed=3, videos=700) as srv:
        yield srv


def test_sync_status_and_clear(server, capsys):
    code, out, _ = api(server, capsys, "index", "status", "--format", "json")
    assert code == 0 and json.loads(out)["exists"] is False
    code, _, _ = api(server, capsys, "index", "sync")
    assert code == 0
    code, out, _ = api(server, capsys, "index", "status", "--format", "json")
    status = json.loads(out)
    assert (status["exists"], status["complete"], status["videos"]) == (True, True, 700)
    server.clear_requests()
    code, _, _ = api(server, capsys, "index", "sync")  # up to date: a quick refresh
    assert code == 0 and 0 < len(server.requests) <= 3
    code, _, _ = api(server, capsys, "index", "clear")
    assert code == 0
    code, out, _ = api(server, capsys, "index", "status", "--format", "json")
    assert json.loads(out)["exists"] is False


def test_sort_comes_from_the_index_and_matches_the_library(server, capsys):
    code, out, _ = api(server, capsys, "videos", "list", "--sort", "-size", "--status",
                       "failed", "--all", "--format", "json")
    assert code == 0
    got = [(v["video_no"], v["size"]) for v in json.loads(out)]
    failed = [r for r in server.library.videos() if r.status in ("FAIL", "PARSE_ERROR", "FAILED")]
    sizes = sorted(((None if r.size_unknown else r.size) for r in failed),
                   key=lambda s: (s is None, -(s or 0)))
    assert [s for _, s in got] == sizes and len(got) == len(failed)
    # The index is kept: the next sorted listing costs a quick refresh, not every page.
    server.clear_requests()
    code, out, _ = api(server, capsys, "videos", "list", "--sort", "name", "--limit", "5",
                       "--format", "ids")
    assert code == 0 and len(out.split()) == 5 and len(server.requests) <= 3


def test_demo_index_lives_under_one_name(capsys):
    assert run(capsys, "--demo", "index", "sync")[0] == 0
    code, out, _ = run(capsys, "--demo", "index", "status", "--format", "json")
    assert code == 0 and json.loads(out)["videos"] == 300
