"""The app in a real pseudo-terminal: when the terminal goes away, the process ends.

A closed terminal window or a dropped SSH session sends SIGHUP and then SIGCONT to the
program. Textual resumes its terminal on every SIGCONT; doing that while shutting down
could leave the process hanging for good after the user had gone (seen about once in
ten `tmux kill-session`s right after start-up; this test's timing does not hit that
race every time, but it pins down that a hang-up ends the app).
"""

from __future__ import annotations

import sys

import pytest

from tests.terminal import app_in_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")


def test_hangup_ends_the_app(fake_server, tmp_path):
    first_id = fake_server.library.query_videos(page=1, size=50)[0][0].video_no
    with app_in_terminal(fake_server.base_url, tmp_path) as terminal:
        terminal.read_until(first_id.encode())
        terminal.hang_up()
        assert terminal.process.wait(timeout=15) is not None
