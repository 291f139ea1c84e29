"""Over slow links: what the app repaints, and the low-bandwidth mode.

The byte counts themselves are measured by `python -m benchmarks --only wire` (timing
and terminal traffic are benchmark figures, not test assertions). These tests pin the
behaviour behind those figures: a progress tick repaints one line, not the panel's
frame; the detail pane floats over the table instead of squeezing (and so repainting)
it; low-bandwidth mode reports progress every 2 s, stops cursors blinking and says so
in the help.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from memories_tui.fake import FakeServer
from memories_tui.services.downloads import DownloadJob
from memories_tui.tui.modals.help import HelpModal
from memories_tui.tui.widgets.detail_pane import DetailPane
from memories_tui.tui.widgets.downloads_panel import DownloadsPanel
from memories_tui.tui.widgets.video_table import VideoTable
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


@pytest.fixture(scope="module")
def slow_server():
    """Downloads at 300 kB/s: long enough to watch their progress."""
    with FakeServer(seed=1, download_rate=300_000) as server:
        yield server


def _big_row(server: FakeServer, at_least: int) -> int:
    records, _ = server.library.query_videos(page=1, size=50)
    return next(row for row, rec in enumerate(records)
                if rec.size >= at_least and not rec.size_unknown)


async def _start_download(pilot, row: int) -> DownloadsPanel:
    await wait_for_workers(pilot.app)
    for _ in range(row):
        await pilot.press("down")
    await pilot.press("s")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    return pilot.app.screen.query_one(DownloadsPanel)


async def test_a_progress_tick_repaints_its_line_not_the_panel(slow_server, tmp_path):
    app = make_app(slow_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _start_download(pilot, _big_row(slow_server, 20_000_000))
        whole: list[tuple] = []
        original = panel.refresh

        def counted(*regions, **kwargs):
            if not regions and not kwargs.get("layout"):
                whole.append(regions)
            return original(*regions, **kwargs)

        panel.refresh = counted  # type: ignore[method-assign]
        reports: list[int] = []
        enough = asyncio.Event()

        def report(job: DownloadJob) -> None:
            reports.append(job.received)
            if len(set(reports)) >= 8:
                enough.set()

        app.downloads.subscribe(report)
        await asyncio.wait_for(enough.wait(), 60)  # 8 progress ticks, ~0.8 s
        await pilot.pause()
        assert "Downloads · 1 active · 1 in all" in screen_text(app)
        # The title did not change, so the frame (border, title) was not repainted.
        assert whole == []
        app.downloads.cancel_all()
        await wait_for_workers(app, "downloads")


async def test_low_bandwidth_reports_progress_every_two_seconds(slow_server, tmp_path):
    app = make_app(slow_server.base_url, download_dir=tmp_path, low_bandwidth=True)
    async with app.run_test(size=SIZE) as pilot:
        seen: list[int] = []
        app.downloads.subscribe(lambda job: seen.append(job.received))
        await _start_download(pilot, _big_row(slow_server, 20_000_000))
        job: DownloadJob = app.downloads.jobs[0]
        for _ in range(300):  # bounded: 3 s at the fake's pace, 30 s at most
            if job.received >= 900_000:
                break
            await pilot.pause(0.1)
        assert job.received >= 900_000, "the download made no progress"
        # A normal app reports ~30 times in 3 s; this one at most every 2 s.
        progress = [n for n in seen if n > 0]
        assert 1 <= len(progress) <= 2
        app.downloads.cancel_all()
        await wait_for_workers(app, "downloads")


async def test_low_bandwidth_stops_blinking_and_says_so_in_help(fake_server):
    app = make_app(fake_server.base_url, low_bandwidth=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        await pilot.press("slash")  # into the name filter
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.cursor_blink is False
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        assert "Low-bandwidth mode is on" in screen_text(app)
    plain = make_app(fake_server.base_url)
    async with plain.run_test(size=SIZE) as pilot:
        await wait_for_workers(plain)
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Low-bandwidth mode" not in screen_text(plain)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_detail_pane_floats_over_the_table_and_shows_the_row(fake_server, size):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=size) as pilot:
        await wait_for_workers(app)
        table = app.screen.query_one(VideoTable)
        before = table.region
        await pilot.press("i")
        await wait_for_workers(app)
        await pilot.pause()
        pane = app.screen.query_one(DetailPane)
        assert pane.display
        video = table.highlighted
        assert video is not None and video.video_no in screen_text(app)
        if size[0] >= 100:
            # Wide: over the table's right-hand side, the table keeps its place.
            assert table.region == before
            assert pane.region.right == before.right and pane.region.width == 46
        else:
            # Narrow: below the table, which gives up the room.
            assert pane.region.y >= table.region.bottom


async def test_waiting_on_the_rate_limit_repaints_the_header_not_the_screen(fake_server):
    """The app's "waiting" state is an app-level reactive: one that repaints on change
    redrew the whole screen (~40 KB at 120x40) at every wait."""
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        seen: list[bool] = []
        app.screen.watch(app, "rate_waiting", lambda value: seen.append(value), init=False)
        whole: list[dict] = []
        original = app.screen.refresh

        def counted(*regions, **kwargs):
            if not regions and not kwargs.get("layout"):
                whole.append(kwargs)
            return original(*regions, **kwargs)

        app.screen.refresh = counted  # type: ignore[method-assign]
        fake_server.faults.push("429-bare", count=1, path="/list_videos")
        await pilot.press("G")  # the last page: answered 0429 once, then after a wait
        await wait_for_workers(app)
        await pilot.pause()
        assert True in seen and seen[-1] is False  # the header said it waited, then not
        assert "Page 6 of 6" in screen_text(app)
        assert whole == []
