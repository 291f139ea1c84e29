"""A program on a pseudo-terminal of its own, with every byte it writes counted.

What crosses an SSH link is what the program writes to its terminal; a pty sees exactly
that (tmux would re-encode it for its own screen). A reader thread drains the pty as
fast as the program writes, so the program never blocks on a full terminal buffer, and
keeps (time, byte count) marks so a figure can ask "how many bytes between then and now".
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import struct
import termios
import threading
import time
from collections.abc import Sequence

KEYS = {
    "enter": b"\r", "escape": b"\x1b", "down": b"\x1b[B", "up": b"\x1b[A",
    "tab": b"\t",
}


class PtyProgram:
    def __init__(self, argv: Sequence[str], env: dict[str, str], size: tuple[int, int]) -> None:
        columns, rows = size
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the program, on the pty's other side
            try:
                os.execvpe(argv[0], list(argv), env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.total = 0
        self.last_write = time.monotonic()
        self.tail = bytearray()  # the newest output, to look for text
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True, name="pty-reader")
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.total += len(data)
                self.last_write = time.monotonic()
                self.tail += data
                del self.tail[:-262144]

    def send(self, key: str) -> None:
        os.write(self.fd, KEYS.get(key, key.encode()))

    def count(self) -> int:
        with self._lock:
            return self.total

    def wait_quiet(self, quiet: float = 0.4, timeout: float = 15.0) -> bool:
        """Wait until the program has written nothing for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle = time.monotonic() - self.last_write
            if idle >= quiet:
                return True
            time.sleep(min(0.05, quiet - idle + 0.001))
        return False

    def wait_for(self, text: str, timeout: float = 20.0) -> bool:
        """Wait until `text` (ASCII, written as is) appears in the newest output."""
        needle = text.encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if needle in self.tail:
                    return True
            time.sleep(0.02)
        return False

    def wait_answer(self, since: int, quiet: float, timeout: float = 5.0) -> None:
        """Wait for the first byte written after the count was `since` (on a busy
        machine an answer can take a while to start), then for quiet."""
        deadline = time.monotonic() + timeout
        while self.count() == since and time.monotonic() < deadline:
            time.sleep(0.01)
        self.wait_quiet(quiet)

    def bytes_of(self, keys: Sequence[str], quiet: float = 0.4) -> int:
        """Bytes written in answer to `keys`, pressed one after the other, each waited out."""
        self.wait_quiet(quiet)
        before = self.count()
        for key in keys:
            mark = self.count()
            self.send(key)
            self.wait_answer(mark, quiet)
        return self.count() - before

    def rate(self, seconds: float) -> float:
        """Bytes a second written over the next `seconds`."""
        before, start = self.count(), time.monotonic()
        time.sleep(seconds)
        return (self.count() - before) / (time.monotonic() - start)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
