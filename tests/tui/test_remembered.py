"""Quit, start again: theme, sort, page size, namespace and the detail pane are as left."""

from __future__ import annotations

from memories_tui.services.ui_state import STATE_FILE, UiStateStore, apply_to_settings
from memories_tui.tui.widgets.detail_pane import DetailPane
from memories_tui.tui.widgets.video_table import VideoTable
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


async def test_theme_sort_and_details_come_back_after_a_restart(fake_server, tmp_path):
    path = tmp_path / STATE_FILE
    first = UiStateStore(path)
    app = make_app(fake_server.base_url)
    app.remembered = first
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        app.theme = "nord"  # what the palette's theme command does
        await pilot.press("S", "S", "S", "S", "S", "R")  # size, largest first
        await pilot.press("i")
        await wait_for_workers(app)
        await pilot.pause()
        table = app.screen.query_one(VideoTable)
        assert (table.sort_column, table.sort_reverse) == ("size", True)

    second = UiStateStore(path)
    assert second.load() == []
    origins = {"theme": "the default", "page_size": "the default", "unique_id": "the default"}
    app = make_app(fake_server.base_url)
    app.remembered = second
    app.settings = apply_to_settings(app.settings, second.state, origins)
    app.theme = app.settings.theme
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        await pilot.pause()
        table = app.screen.query_one(VideoTable)
        assert app.theme == "nord"
        assert (table.sort_column, table.sort_reverse) == ("size", True)
        sizes = [v.size or 0 for v in table.videos]
        assert sizes == sorted(sizes, reverse=True)
        assert app.screen.query_one(DetailPane).display
        assert "size" in screen_text(app)
