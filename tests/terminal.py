"""The app run as a user runs it: the command, in a pseudo-terminal of its own."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
    env.update(MEMORIES_API_KEY="sk-test-terminal", XDG_CONFIG_HOME=str(tmp_path),
               TERM="xterm-256color", PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-c", START_IN_TERMINAL, os.ttyname(slave), "--base-url", base_url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=env, cwd=tmp_path)
    # The slave stays open here too: until the child has opened it, closing our copy
    # would leave the terminal with no end, and reading it would fail.
    return process, master, slave


class Terminal:
    """The app in a pseudo-terminal: `master` is our end; `hang_up()` closes it."""

    def __init__(self, process: subprocess.Popen, master: int, slave: int) -> None:
        self.process, self.master, self._slave = process, master, slave

    def read_until(self, needle: bytes, timeout: float = 30.0) -> float:
        return read_until(self.master, needle, timeout)

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def hang_up(self) -> None:
        """Close our end: the kernel sends the app SIGHUP, then SIGCONT."""
        os.close(self.master)
        self.master = -1

    def wait(self, timeout: float = 15.0) -> int:
        """The app's exit code, once it has ended; what it writes meanwhile is read and
        dropped (a terminal nobody reads fills up, and the app would block writing).
        Raises `subprocess.TimeoutExpired` if it is still running after `timeout`."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and self.master >= 0:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    os.read(self.master, 65536)
                except OSError:  # every other end closed: the app is gone
                    break
        return self.process.wait(timeout=max(0.0, deadline - time.monotonic()))


@contextmanager
def app_in_terminal(base_url: str, tmp_path: Path) -> Iterator[Terminal]:
    """`memories-tui --base-url base_url` in a 120x40 pty; killed and closed afterwards."""
    terminal = Terminal(*start_app(base_url, tmp_path))
    try:
        yield terminal
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()
        if terminal.master >= 0:
            os.close(terminal.master)
        os.close(terminal._slave)


def read_until(master: int, needle: bytes, timeout: float = 30.0) -> float:
    """Read the terminal until `needle` shows; when (time.monotonic()) its first byte came."""
    seen = b""
    first_output = 0.0
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} never appeared; the screen began {seen[:200]!r}"
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:  # every end of the terminal closed: the app is gone
                raise AssertionError(f"the app ended early; its screen: {seen[-600:]!r}") from None
            first_output = first_output or time.monotonic()
    return first_output
