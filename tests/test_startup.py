"""Start-up as a user sees it: the command in a pseudo-terminal, against the fake."""

from __future__ import annotations

import sys

import pytest

from tests.terminal import app_in_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")


def test_page_one_is_asked_for_before_the_interface_is_loaded(fake_server, tmp_path):
    """The request for page 1 leaves before Textual is even imported, so its answer is
    there when the first frame is drawn; the screen joins it rather than asking again."""
    first_id = fake_server.library.query_videos(page=1, size=50)[0][0].video_no
    with app_in_terminal(fake_server.base_url, tmp_path) as terminal:
        first_output = terminal.read_until(first_id.encode())
        lists = [r for r in fake_server.requests if r.path.endswith("/list_videos")]
        assert [r.body["page"] for r in lists] == [1]
        # The app writes nothing to the terminal until Textual runs.
        assert lists[0].at < first_output
        terminal.press(b"q")
        assert terminal.process.wait(timeout=15) == 0


def test_a_server_that_refuses_is_reported_and_the_app_stays(tmp_path):
    """Page 1's early request fails before the interface exists: the screen still shows
    that error in plain words, and the app keeps running until q."""
    from tests.api.api_testkit import closed_port

    with app_in_terminal(f"http://127.0.0.1:{closed_port()}", tmp_path) as terminal:
        terminal.read_until(b"press r to try again")
        assert terminal.process.poll() is None
        terminal.press(b"q")
        assert terminal.process.wait(timeout=15) == 0
