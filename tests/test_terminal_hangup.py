"""The app in a real pseudo-terminal: when the terminal goes away, the process ends.

A closed terminal window or a dropped SSH session sends SIGHUP and then SIGCONT to the
program. Textual resumes its terminal on every SIGCONT; doing that while shutting down
could leave the process hanging for good after the user had gone (seen about once in
ten `tmux kill-session`s right after start-up; this test's timing does not hit that
race every time, but it pins down that a hang-up ends the app).

What the user finds afterwards is what counts: the process gone with exit code 0, and
no partial file of a download that was running (the README promises that SIGHUP
leaves none). Without the app's own SIGHUP handler the signal's default action would
kill the process (exit code -1) with the `.part` file left behind.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from memories_tui.fake.server import FakeServer
from tests.terminal import Terminal, app_in_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")

#: Bytes per second the fake sends a video at: the first video (about 300 KB) then
#: takes half a minute, so it is surely still running when the signal comes.
SLOW = 8 * 1024


def test_hangup_ends_the_app(fake_server, tmp_path):
    first_id = fake_server.library.query_videos(page=1, size=50)[0][0].video_no
    with app_in_terminal(fake_server.base_url, tmp_path) as terminal:
        terminal.read_until(first_id.encode())
        terminal.hang_up()
        assert terminal.wait(timeout=15) == 0


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def wait_for_part_file(folder: Path, timeout: float = 20.0) -> Path:
    """The `.part` file of the download, once the app has created it."""
    deadline = time.monotonic() + timeout
    while not (parts := list(folder.glob("*.part"))):
        assert time.monotonic() < deadline, f"no download started; files: {files_in(folder)}"
        time.sleep(0.02)
    (part,) = parts
    return part


def start_a_download(terminal: Terminal, first_id: str, folder: Path) -> Path:
    terminal.read_until(first_id.encode())
    terminal.press(b"s")  # the highlighted (first) video
    terminal.read_until(b"Destination folder")
    terminal.press(b"\r")  # the folder field has focus: enter downloads into it
    return wait_for_part_file(folder)


@pytest.mark.parametrize("how", ["terminal-closed", "kill-HUP"])
def test_a_hangup_during_a_download_exits_cleanly_and_leaves_no_part_file(tmp_path, how):
    """The terminal closes (the kernel sends SIGHUP, then SIGCONT), or someone runs
    `kill -HUP` while the terminal stays: either way the app ends with exit code 0 and
    removes the partial file, and nothing else was written."""
    folder = tmp_path  # the app runs in tmp_path, and downloads to its current folder
    with FakeServer(seed=1, videos=300, download_rate=SLOW) as server:
        first = server.library.query_videos(page=1, size=50)[0][0]
        with app_in_terminal(server.base_url, tmp_path) as terminal:
            part = start_a_download(terminal, first.video_no, folder)
            assert part.name.endswith(f"-{first.video_no}.mp4.part")
            assert part.stat().st_size < first.size  # still running
            if how == "terminal-closed":
                terminal.hang_up()
            else:
                os.kill(terminal.process.pid, signal.SIGHUP)
            assert terminal.wait(timeout=15) == 0
    assert not [name for name in files_in(folder) if name.endswith((".part", ".mp4"))]
