"""Typing over a slow link while a download runs: how long a key takes to show.

Not one of `python -m benchmarks`'s figures (it takes a minute per link speed); run it
as `python -m benchmarks.slow_link` (`--rates 16000,7000`, bytes a second).

What it sets up, per link speed and for the app with and without `--low-bandwidth`:

- the fake server on loopback, its downloads slowed to 1 MB/s (so one runs all along);
- a terminal (a tmux session, 120x40) whose program is `relay`: a pipe that passes keys
  to the app at once and the app's output to the terminal at most `rate` bytes a
  second, holding at most `BUFFER` bytes in between (as an SSH connection's buffers
  do: past that, the app's own writes wait);
- a download started (`s`, enter), its progress running in the downloads panel;
- then a word typed into the name field, one key every `KEY_GAP` s, and for each key
  the time until the terminal shows it in the field (tmux's screen, read every 10 ms).

The relay alone is usable by hand, to try the app on a slow link:

    python -m benchmarks.slow_link relay --rate 16000 -- memories-tui --demo
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import select
import shlex
import signal
import sys
import tempfile
import termios
import time
import tty
from pathlib import Path

from benchmarks.common import API_KEY, REPO, SEED, terminal_env
from benchmarks.frames import median, percentile

BUFFER = 32_768  # bytes the link holds before the app's writes wait
DOWNLOAD_RATE = 1_000_000
KEY_GAP = 0.25
WORD = "sunset beach"
POLL = 0.01
SIZE = (120, 40)


def relay(rate: float, command: list[str]) -> int:
    """Run `command` on a pty of its own; keys go to it at once, its output comes out at
    most `rate` bytes a second (see the module doc)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    with contextlib.suppress(OSError):
        size = fcntl.ioctl(sys.stdout.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
    saved = termios.tcgetattr(0) if os.isatty(0) else None
    if saved is not None:
        tty.setraw(0)
    held = bytearray()
    allowance, last = 0.0, time.monotonic()
    burst = max(1.0, rate * 0.02)  # a link sends in small bursts, not a second's worth
    try:
        while True:
            readers = [0] + ([fd] if len(held) < BUFFER else [])
            wait = 0.005 if held else None
            ready, _, _ = select.select(readers, [], [], wait)
            if 0 in ready:
                keys = os.read(0, 1024)
                if not keys:
                    break
                os.write(fd, keys)
            if fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    break
                held += data
            now = time.monotonic()
            allowance = min(burst, allowance + (now - last) * rate)
            last = now
            count = int(min(allowance, len(held)))
            if count:
                os.write(1, held[:count])
                del held[:count]
                allowance -= count
    finally:
        if saved is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    return 0


class _Tmux:
    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"memories-slow-{os.getpid()}"
        self.env = env

    def run(self, *args: str) -> str:
        import subprocess

        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, env=self.env, check=False)
        return done.stdout

    def screen(self, session: str) -> list[str]:
        return self.run("capture-pane", "-p", "-t", session).splitlines()

    def wait_for(self, session: str, text: str, timeout: float = 60.0,
                 line: int | None = None) -> float | None:
        """Seconds until `text` shows (on screen line `line` only, if given)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            lines = self.screen(session)
            if line is not None:
                lines = lines[line:line + 1]
            if any(text in shown for shown in lines):
                return time.monotonic() - start
            time.sleep(POLL)
        return None

    def line_of(self, session: str, text: str) -> int:
        for number, shown in enumerate(self.screen(session)):
            if text in shown:
                return number
        raise RuntimeError(f"{text!r} is not on the screen")

    def close(self) -> None:
        self.run("kill-server")


def _download_row(library: object) -> int:
    records, _ = library.query_videos(page=1, size=50)  # type: ignore[attr-defined]
    for row, rec in enumerate(records):
        if rec.size >= 40_000_000 and not rec.size_unknown and not rec.wire_overrides:
            return row
    raise RuntimeError("no video on page 1 is big enough to download for the measurement")


def try_link(rate: float, low_bandwidth: bool) -> dict[str, object]:
    """One run: the app behind the relay, a download running, a word typed."""
    from memories_tui.fake.server import FakeServer

    with tempfile.TemporaryDirectory(prefix="memories-slow-") as tmp:
        home = Path(tmp)
        (home / "downloads").mkdir()
        env = terminal_env()
        env.update(TERM="xterm-256color", HOME=str(home), XDG_CONFIG_HOME=str(home / "c"),
                   XDG_STATE_HOME=str(home / "s"), XDG_CACHE_HOME=str(home / "k"),
                   PYTHONPATH=str(REPO), MEMORIES_INDEX="0")
        server = FakeServer(seed=SEED, videos=2_000, api_key=API_KEY,
                            download_rate=DOWNLOAD_RATE)
        server.start()
        tmux = _Tmux(env)
        try:
            row = _download_row(server.library)
            app = [sys.executable, "-m", "memories_tui.cli", "--base-url", server.base_url,
                   "--api-key", API_KEY, "--rate-limit", "0",
                   "--download-dir", str(home / "downloads")]
            if low_bandwidth:
                app.append("--low-bandwidth")
            command = [sys.executable, "-m", "benchmarks.slow_link", "relay", "--rate",
                       str(rate), "--", *app]
            session = "app"
            tmux.run("new-session", "-d", "-s", session, "-x", str(SIZE[0]), "-y",
                     str(SIZE[1]), shlex.join(command))
            if tmux.wait_for(session, "Page 1 of", timeout=120) is None:
                raise RuntimeError("the app never showed its first page through the link")
            time.sleep(1.0)
            for _ in range(row):
                tmux.run("send-keys", "-t", session, "j")
            time.sleep(1.0)
            tmux.run("send-keys", "-t", session, "s")
            time.sleep(1.5)
            tmux.run("send-keys", "-t", session, "Enter")
            if tmux.wait_for(session, "MB/s", timeout=60) is None and \
                    tmux.wait_for(session, "kB/s", timeout=30) is None:
                raise RuntimeError("the download's progress never showed")
            time.sleep(3.0)  # the panel open, progress running steadily
            field = tmux.line_of(session, "Exact name (enter)")
            tmux.run("send-keys", "-t", session, "/")
            time.sleep(1.0)
            delays: list[float] = []
            for i in range(1, len(WORD) + 1):
                typed = WORD[:i]
                start = time.monotonic()
                tmux.run("send-keys", "-t", session, "-l", WORD[i - 1])
                seen = tmux.wait_for(session, typed + " ", timeout=30, line=field)
                delays.append(1000 * (time.monotonic() - start if seen is None else seen))
                time.sleep(max(0.0, KEY_GAP - (time.monotonic() - start)))
            return {"rate": rate, "low": low_bandwidth, "delays": delays}
        finally:
            tmux.close()
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.slow_link",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode")
    pipe = sub.add_parser("relay", help="run a program behind a slow pipe")
    pipe.add_argument("--rate", type=float, required=True, help="bytes a second")
    pipe.add_argument("command", nargs=argparse.REMAINDER)
    parser.add_argument("--rates", default="16000,7000",
                        help="link speeds to try, bytes a second (16000: 128 kbit/s)")
    args = parser.parse_args(argv)
    if args.mode == "relay":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        return relay(args.rate, command)
    print(f"Typing {WORD!r} into the name field, a key every {KEY_GAP} s, while a download "
          f"runs; ms from the key to the terminal showing it")
    print(f"{'link':>16} {'mode':>14} {'median':>8} {'p95':>8} {'max':>8}")
    for rate in (float(r) for r in args.rates.split(",")):
        for low in (False, True):
            result = try_link(rate, low)
            delays = result["delays"]
            assert isinstance(delays, list)
            link = f"{rate * 8 / 1000:.0f} kbit/s"
            mode = "--low-bandwidth" if low else "default"
            print(f"{link:>16} {mode:>14} {median(delays):8.0f} {percentile(delays, 95):8.0f} "
                  f"{max(delays):8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
