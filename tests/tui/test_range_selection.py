"""Range selection: `v` starts a range at the cursor and moving extends it; shift+arrows
do the same; the selection line says so; `d` then offers exactly those videos."""

from __future__ import annotations

from memories_tui.tui.modals.confirm_delete import ConfirmDeleteModal
from memories_tui.tui.widgets.video_table import VideoTable
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


async def test_v_then_moves_selects_the_rows_between(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        table = app.screen.query_one(VideoTable)
        rows = [v.video_no for v in table.videos]
        await pilot.press("down", "space")  # row 1 selected by hand first
        await pilot.press("down", "v", "down", "down")  # (space moved on to 2) range 3-5
        await pilot.pause()
        assert set(table.marked) == {rows[1], rows[3], rows[4], rows[5]}
        assert "4 selected" in screen_text(app) and "v to stop" in screen_text(app)
        await pilot.press("up", "up", "up")  # back past the anchor: rows 2-3
        await pilot.pause()
        assert set(table.marked) == {rows[1], rows[2], rows[3]}
        await pilot.press("v")  # stop: the marks stay, moving no longer changes them
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert set(table.marked) == {rows[1], rows[2], rows[3]}
        assert "v to stop" not in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteModal)
        assert {v.video_no for v in app.screen.videos} == {rows[1], rows[2], rows[3]}
        await pilot.press("escape")
        await pilot.pause()
        assert not [r for r in fake_server.requests if r.path.endswith("/delete_videos")]


async def test_shift_arrows_extend_and_u_clears(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        table = app.screen.query_one(VideoTable)
        rows = [v.video_no for v in table.videos]
        await pilot.press("shift+down", "shift+down")
        await pilot.pause()
        assert set(table.marked) == set(rows[:3])
        await pilot.press("u")
        await pilot.pause()
        assert table.marked == {} and not table.range_active
        await pilot.press("down")
        await pilot.pause()
        assert table.marked == {}
