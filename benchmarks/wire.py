"""Figure: bytes written to the terminal, the traffic an SSH link carries.

The app and a stock-widget reference (benchmarks/wire_reference.py: DataTable, Header,
Footer, ProgressBar) each run on a pseudo-terminal of their own at 120x40, and the same
actions are counted in both: a cursor move, a page switch of 50 rows, opening the
details, one second of a running download (the reference: a ProgressBar advanced 10
times a second, the rate at which the app reports progress), and idle. The app talks
to the fake on loopback, its downloads slowed to 1 MB/s so one runs long enough to be
watched. With --low-bandwidth the app's download is counted once more.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import API_KEY, REPO, SCREEN, SEED, Sizes, terminal_env
from benchmarks.pty_term import PtyProgram
from benchmarks.report import Figure, Row, Target

TITLE = "Terminal bytes (what crosses an SSH link), 120x40, against stock Textual widgets"
PAGE_SIZE = 50
DOWNLOAD_RATE = 1_000_000  # bytes a second the fake streams a download at
MIN_DOWNLOAD = 40_000_000  # a download that lasts the whole measurement at that rate
MOVES = 5
IDLE_SECONDS = 2.0
DETAIL_BUDGET = 20_000
LOW_BANDWIDTH_BUDGET = 300.0
INDEXED = "min old"  # the header's "index < 1 min old": the start-up sync is over


def _env(home: Path) -> dict[str, str]:
    env = terminal_env()
    env.update(TERM="xterm-256color", COLORTERM="truecolor", HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
               XDG_CACHE_HOME=str(home / "cache"), PYTHONPATH=str(REPO))
    env.pop("SSH_CONNECTION", None)
    env.pop("SSH_TTY", None)
    return env


def _download_row(library: object) -> int:
    """A row of page 1 whose video is big enough to be downloading all along."""
    records, _ = library.query_videos(page=1, size=PAGE_SIZE)  # type: ignore[attr-defined]
    for row, rec in enumerate(records):
        if rec.size >= MIN_DOWNLOAD and not rec.size_unknown and not rec.wire_overrides:
            return row
    raise RuntimeError("no video on page 1 is big enough to download for the measurement")


class _Run:
    """One program on its pty, measured action by action."""

    def __init__(self, argv: list[str], env: dict[str, str], ready: str,
                 settled: str | None = None) -> None:
        self.term = PtyProgram(argv, env, SCREEN)
        for text in (ready, settled):
            if text is not None and not self.term.wait_for(text, timeout=120):
                self.term.close()
                raise RuntimeError(f"{argv[-1]!r}: {text!r} never showed on its screen")
        self.term.wait_quiet(0.8)

    def moves(self) -> float:
        return self.term.bytes_of(["j"] * MOVES) / MOVES

    def idle(self, seconds: float = IDLE_SECONDS) -> float:
        self.term.wait_quiet(0.8)
        before = self.term.count()
        time.sleep(seconds)
        return float(self.term.count() - before)

    def close(self) -> None:
        self.term.close()


def _app_argv(base_url: str, download_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "memories_tui.cli", "--base-url", base_url,
            "--api-key", API_KEY, "--rate-limit", "0", "--page-size", str(PAGE_SIZE),
            "--download-dir", str(download_dir), *extra]


def _app_download(run: _Run, row: int, seconds: float) -> float:
    """Start downloading the video on `row` and count a steady stretch of its progress."""
    run.term.wait_quiet()
    for key in ["up"] * (PAGE_SIZE + MOVES) + ["j"] * row:  # to the top, then down
        run.term.send(key)
    run.term.wait_quiet()
    run.term.send("s")  # the download dialog, its folder field focused
    run.term.wait_quiet(0.5)
    run.term.send("enter")
    time.sleep(1.5)  # the panel opens and the transfer settles into its pace
    return run.term.rate(seconds)


def measure(sizes: Sizes) -> Figure:
    from memories_tui.fake.server import FakeServer

    figure = Figure("wire", TITLE)
    # Quick (the test suite's smoke run): shorter stretches, the same steps.
    seconds = 1.0 if sizes.quick else 5.0
    idle = 0.5 if sizes.quick else IDLE_SECONDS
    with tempfile.TemporaryDirectory(prefix="memories-wire-") as tmp:
        home = Path(tmp)
        env = _env(home)
        downloads = home / "downloads"
        downloads.mkdir()
        server = FakeServer(seed=SEED, videos=sizes.library, api_key=API_KEY,
                            download_rate=DOWNLOAD_RATE)
        server.start()
        try:
            row = _download_row(server.library)
            first_name = server.library.query_videos(page=1, size=1)[0][0].name
            ready = first_name[:12] if first_name[:12].isascii() else "Page 1 of"

            # The app indexes the library when it starts, and the header counts the
            # pages as they come (once a second, measured apart in the index figures):
            # the actions here are measured once that is over.
            app = _Run(_app_argv(server.base_url, downloads), env, ready, INDEXED)
            try:
                app_move = app.moves()
                app_page = float(app.term.bytes_of(["]"], quiet=0.6))
                app.term.bytes_of(["["], quiet=0.6)
                app_detail = float(app.term.bytes_of(["i"], quiet=0.6))
                app.term.bytes_of(["i"], quiet=0.6)
                app_idle = app.idle(idle)
                app_download = _app_download(app, row, seconds)
            finally:
                app.close()

            low = _Run(_app_argv(server.base_url, downloads / "low", "--low-bandwidth"),
                       env, ready, INDEXED)
            (downloads / "low").mkdir(exist_ok=True)
            try:
                low_idle = low.idle(idle)
                low_download = _app_download(low, row, seconds)
            finally:
                low.close()

            # Waiting out the server's rate limit: "]" answered by 0429 several times,
            # so the header says it waits (and the pager that a page is loading) while
            # nothing else changes on screen: what the waiting itself costs.
            # The index off: served by a complete index, "G" would ask the server nothing.
            waiting = _Run(_app_argv(server.base_url, downloads), {**env, "MEMORIES_INDEX": "0"},
                           ready)
            try:
                waiting.term.wait_quiet(1.0)
                # The last page (never fetched ahead); backing off 1 + 2 + 4 s, the page
                # arrives after the counted stretch.
                server.faults.push("429-bare", count=3, path="/list_videos")
                waiting.term.send("G")
                time.sleep(1.0)  # the first answer and the header's change
                app_waiting = waiting.term.rate(seconds)
            finally:
                waiting.close()
                server.faults.clear()

            ref = _Run([sys.executable, "-m", "benchmarks.wire_reference", str(PAGE_SIZE)],
                       env, "Lisbon beach day 0")
            try:
                ref_move = ref.moves()
                ref_page = float(ref.term.bytes_of(["]"], quiet=0.6))
                ref_detail = float(ref.term.bytes_of(["i"], quiet=0.6))
                ref_idle = ref.idle(idle)
                ref.term.send("p")
                time.sleep(1.0)
                ref_progress = ref.term.rate(seconds)
            finally:
                ref.close()
        finally:
            server.stop()

    stock = "stock Textual widgets, same action"
    figure.rows = [
        Row("cursor move (one row)", app_move, ref_move, "B", "DataTable cursor move"),
        Row(f"page switch ({PAGE_SIZE} rows)", app_page, ref_page, "B", "DataTable refill"),
        Row("opening the details", app_detail, ref_detail, "B", "a side panel of 6 fields"),
        Row("running download, per second", app_download, ref_progress, "B/s",
            "ProgressBar advanced 10 times a second"),
        Row("  the same, --low-bandwidth", low_download, ref_progress, "B/s",
            "ProgressBar advanced 10 times a second"),
        Row("waiting out a rate limit, per second", app_waiting, ref_progress, "B/s",
            "ProgressBar advanced 10 times a second"),
        Row(f"idle, {idle:g} s", app_idle, ref_idle, "B", stock),
        Row(f"idle with --low-bandwidth, {idle:g} s", low_idle, ref_idle, "B", stock),
    ]
    figure.targets = [
        Target("download_vs_progressbar", app_download / max(ref_progress, 1.0), "<=", 1.5),
        Target("cursor_move_vs_datatable", app_move / max(ref_move, 1.0), "<=", 1.0),
        Target("page_switch_vs_datatable", app_page / max(ref_page, 1.0), "<=", 1.0),
        Target("rate_limit_wait_vs_progressbar", app_waiting / max(ref_progress, 1.0), "<=",
               1.5),
        Target("idle_bytes", app_idle, "==", 0, "B"),
        Target("detail_pane_bytes", app_detail, "<=", DETAIL_BUDGET, "B"),
        Target("low_bandwidth_download", low_download, "<=", LOW_BANDWIDTH_BUDGET, "B/s"),
    ]
    figure.notes.append(f"downloads streamed by the fake at {DOWNLOAD_RATE / 1e6:g} MB/s; "
                        f"{seconds:g} s of steady progress counted")
    return figure
