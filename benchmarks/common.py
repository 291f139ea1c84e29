"""Pieces every figure shares: sizes, the app under test, the fake server in its own process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
API_KEY = "sk-bench-0000000000000000"
SEED = 1
SCREEN = (120, 40)
LIST_PATH = "/serve/api/v1/list_videos"


@dataclass(frozen=True)
class Sizes:
    """How big each figure is: the full run, or the tiny one the smoke test uses."""

    quick: bool
    library: int  # videos in the fake's library
    first_frame_runs: int
    switch_samples: int  # page switches per kind and page size
    memory_pages: int
    memory_page_size: int
    filter_chars: int
    download_bytes: int
    session_actions: int
    session_qps: float  # the fake's limit, and the app's own pace

    @classmethod
    def for_mode(cls, quick: bool) -> Sizes:
        if quick:
            return cls(quick=True, library=1_000, first_frame_runs=1, switch_samples=1,
                       memory_pages=10, memory_page_size=50, filter_chars=30,
                       download_bytes=128 << 20, session_actions=10, session_qps=5.0)
        return cls(quick=False, library=100_000, first_frame_runs=5, switch_samples=20,
                   memory_pages=500, memory_page_size=200, filter_chars=30,
                   download_bytes=1 << 30, session_actions=100, session_qps=1.0)


def terminal_env() -> dict[str, str]:
    """This process's environment for an app run in a terminal of its own: without the
    developer's settings (MEMORIES_*, TEXTUAL_*), an outer tmux, or COLUMNS and LINES,
    which Textual obeys over the terminal's own size (pytest-xdist's workers set them to
    80x24)."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("MEMORIES_", "TMUX", "TEXTUAL_"))
            and k not in ("COLUMNS", "LINES")}


def make_app(base_url: str, *, page_size: int = 50, rate_limit: float = 0.0,
             download_dir: Path | None = None, index: bool = False) -> Any:
    """The app as `memories-tui` builds it, on the given server (limiter off by default).

    The local index is off unless asked for: the figures about the server's pages
    measure those (its sync would add requests, and serve the pages once complete);
    `benchmarks/index_tui.py` turns it on, with a cache folder of its own."""
    from memories_tui.config import Settings
    from memories_tui.tui.app import MemoriesApp

    settings = Settings(api_key=API_KEY, base_url=base_url, page_size=page_size,
                        rate_limit=rate_limit, download_dir=download_dir, timeout=30.0,
                        index=index)
    return MemoriesApp(settings)


class FakeProcess:
    """`memories-tui fake-server` in a process of its own.

    Used where the fake must not share this process: its memory would count in the
    app's RSS, and while streaming a download its Python would compete with the app's
    for the same interpreter lock, which a real server never does.
    """

    def __init__(self, *, videos: int, seed: int = SEED, rate_limit: float | None = None) -> None:
        command = [sys.executable, "-m", "memories_tui.cli", "fake-server", "--port", "0",
                   "--videos", str(videos), "--seed", str(seed)]
        if rate_limit:
            command += ["--rate-limit", str(rate_limit)]
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env, cwd=str(REPO))
        line = self.process.stdout.readline() if self.process.stdout else ""
        if "http://" not in line:
            self.stop()
            raise RuntimeError(f"the fake server did not start: {line!r}")
        self.base_url = re.search(r"https?://\S+", line).group(0)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.state()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _admin(self, path: str) -> Any:
        request = urllib.request.Request(self.base_url + path)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def state(self) -> dict[str, Any]:
        return self._admin("/_fake/state")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> FakeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def expected_first_ids(videos: int, size: int, pages: range, *, name: str | None = None,
                       seed: int = SEED) -> dict[int, str]:
    """The id on the first row of each page, computed from the seeded library."""
    from memories_tui.fake.library import FakeLibrary

    library = FakeLibrary(seed=seed, videos=videos)
    found = {}
    for page in pages:
        records, _ = library.query_videos(page=page, size=size, name=name)
        if records:
            found[page] = records[0].video_no
    return found


def textual_version() -> str:
    from importlib.metadata import version

    return version("textual")
