"""The app in a real pseudo-terminal: when the terminal goes away, the process ends.

A closed terminal window or a dropped SSH session sends SIGHUP and then SIGCONT to the
program. Textual resumes its terminal on every SIGCONT; doing that while shutting down
could leave the process hanging for good after the user had gone (seen about once in
ten `tmux kill-session`s right after start-up; this test's timing does not hit that
race every time, but it pins down that a hang-up ends the app).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")

REPO = Path(__file__).resolve().parents[1]
# Runs in the child: a session of its own whose controlling terminal is the pty.
START_IN_TERMINAL = (
    "import os, sys\n"
    "os.setsid()\n"
    "fd = os.open(sys.argv[1], os.O_RDWR)\n"
    "for n in (0, 1, 2):\n"
    "    os.dup2(fd, n)\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'memories_tui.cli', *sys.argv[2:]])\n"
)


def start_app(base_url: str, tmp_path: Path) -> tuple[subprocess.Popen, int, int]:
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMORIES_", "TEXTUAL"))}
    env.update(MEMORIES_API_KEY="sk-test-hangup", XDG_CONFIG_HOME=str(tmp_path),
               TERM="xterm-256color", PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-c", START_IN_TERMINAL, os.ttyname(slave), "--base-url", base_url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=env, cwd=tmp_path)
    # The slave stays open here too: until the child has opened it, closing our copy
    # would leave the terminal with no end, and reading it would fail.
    return process, master, slave


def read_until(master: int, needle: bytes, timeout: float = 30.0) -> None:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} never appeared; the screen began {seen[:200]!r}"
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:  # every end of the terminal closed: the app is gone
                raise AssertionError(f"the app ended early; its screen: {seen[-600:]!r}")


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
