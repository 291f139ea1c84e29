"""The downloads panel: one line per file, keys to move, cancel and clear."""

from __future__ import annotations

from memories_tui.tui.widgets.downloads_panel import DownloadsPanel, bar_cells
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


def test_the_bar_fills_in_half_cells():
    assert bar_cells(0.0, 10) == ("", "━" * 10)
    assert bar_cells(0.5, 10) == ("━" * 5, "━" * 5)
    assert bar_cells(0.55, 10) == ("━" * 5 + "╸", "━" * 4)
    assert bar_cells(1.0, 10) == ("━" * 10, "")
    filled, empty = bar_cells(None, 10)  # size unknown: an empty track
    assert filled == "" and len(empty) == 10


async def test_two_downloads_then_move_and_clear(fake_server, tmp_path):
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        screen = app.screen
        # Rows 4 and 5 of the demo's first page are small videos (as in the snapshot).
        await pilot.press("down", "down", "down", "space", "space")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        await pilot.pause()
        panel = screen.query_one(DownloadsPanel)
        assert len(panel.jobs) == 2 and all(job.state.value == "done" for job in panel.jobs)
        text = screen_text(app)
        assert "Downloads · 0 active · 2 in all" in text
        assert text.count("100%  done") == 2
        await pilot.press("w")  # focus the panel
        assert panel.has_focus and panel.cursor_row == 0
        await pilot.press("j")
        assert panel.cursor_row == 1
        await pilot.press("x")  # a finished download: nothing to cancel, and it says so
        await pilot.pause()
        assert any("nothing to cancel" in n.message for n in app._notifications)
        await pilot.press("C")
        await pilot.pause()
        assert panel.jobs == [] and "0 in all" in panel.border_title
        assert sorted(p.suffix for p in tmp_path.iterdir()) == [".mp4", ".mp4"]
