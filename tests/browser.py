"""`memories-tui serve` driven by a real Chromium: what tests/test_serve_browser.py and
scripts/screenshots.py share.

The browser is the system's Chromium (Debian: `apt-get install -y chromium`), driven by
the `playwright` package through `executable_path`: playwright downloads no browser. The
served app is read through the state each tab's process writes when
MEMORIES_TUI_WEB_STATE names a folder (memories_tui/tui/browser.py: the screen's text,
the downloads), since xterm.js draws the terminal on a canvas.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: A Chromium (or Chrome) to use instead of the one found on the PATH.
CHROMIUM_ENV = "MEMORIES_TUI_CHROMIUM"
STATE_ENV = "MEMORIES_TUI_WEB_STATE"


def find_chromium() -> str | None:
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    # Debian's binary itself: /usr/bin/chromium is a shell script in front of it.
    if os.access("/usr/lib/chromium/chromium", os.X_OK):
        return "/usr/lib/chromium/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if find_chromium() is None:
        return (f"no Chromium found (apt-get install -y chromium, or set {CHROMIUM_ENV} to "
                "a Chromium or Chrome binary)")
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """`memories-tui [flags] serve --port PORT [serve_args]` in a process of its own,
    with a home folder of its own under `home`."""

    def __init__(self, home: Path, flags: Sequence[str] = (), serve_args: Sequence[str] = (),
                 env: dict[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.states = home / "web-state"
        self.states.mkdir(parents=True, exist_ok=True)
        self.cache = home / ".cache"
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith(("MEMORIES_", "TEXTUAL", "SSH_", "TMUX"))}
        environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                       XDG_CACHE_HOME=str(self.cache), XDG_STATE_HOME=str(home / ".state"),
                       PYTHONPATH=str(REPO), **{STATE_ENV: str(self.states)})
        environ.update(env or {})
        self.command = [sys.executable, "-m", "memories_tui.cli", *flags, "serve",
                        "--port", str(self.port), *serve_args]
        self.process = subprocess.Popen(self.command, env=environ, cwd=home,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve ended: {self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("serve did not listen in time") from None
                time.sleep(0.05)

    def output(self) -> str:
        if self.process.poll() is None:
            return ""
        assert self.process.stdout is not None
        return self.process.stdout.read().decode(errors="replace")

    def state(self, pid: int | None = None) -> dict[str, Any] | None:
        """What a tab's app shows (the newest one's, unless `pid` says which)."""
        files = ([self.states / f"{pid}.json"] if pid is not None
                 else sorted(self.states.glob("*.json"), key=lambda p: p.stat().st_mtime))
        for path in reversed(files):
            try:
                return json.loads(path.read_text())
            except (OSError, ValueError):
                continue
        return None

    def wait_for(self, condition: Callable[[dict[str, Any]], bool], what: str, *,
                 timeout: float = 20.0, pid: int | None = None,
                 pause: Callable[[], object] = lambda: time.sleep(0.05)) -> dict[str, Any]:
        """The state once `condition` holds; `pause` waits a moment between looks (with
        playwright's sync API, a wait of the page's, so that its events are handled)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(pid)
            if state is not None and condition(state):
                return state
            if time.monotonic() > deadline:
                shown = state["text"] if state else "no state written"
                raise AssertionError(f"{what} never happened; the app shows:\n{shown}")
            pause()

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.output()


def process_gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie waiting for its parent counts)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"
