"""The app in a real pseudo-terminal: when the terminal goes away, the process ends.

A closed terminal window or a dropped SSH session sends SIGHUP and then SIGCONT to the
program. Textual resumes its terminal on every SIGCONT; doing that while shutting down
could leave the process hanging for good after the user had gone (seen about once in
ten `tmux kill-session`s right after start-up; this test's timing does not hit that
race every time, but it pins down that a hang-up ends the app).
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.terminal import read_until, start_app

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")

def test_hangup_ends_the_app(fake_server, tmp_path):
    first_id = fake_server.library.query_videos(page=1, size=50)[0][0].video_no
    process, master, slave = start_app(fake_server.base_url, tmp_path)
    try:
        read_until(master, first_id.encode())
        os.close(master)  # the terminal goes away: the kernel sends SIGHUP, then SIGCONT
        master = -1
        assert process.wait(timeout=15) is not None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if master >= 0:
            os.close(master)
        os.close(slave)
