"""Pilot tests of the library screen against the fake server over loopback."""

from __future__ import annotations

import pytest

from memories_tui.api.status import FAILED_SPELLINGS
from memories_tui.fake.server import expected_bytes
from memories_tui.tui.screens.library import LibraryScreen
from memories_tui.tui.widgets.detail_pane import DetailPane
from memories_tui.tui.widgets.pager import Pager
from memories_tui.tui.widgets.video_table import VideoTable
from tests.tui.helpers import make_app, pending_timers, until, wait_for_workers

SIZE = (120, 40)


def list_requests(server):
    return [r for r in server.requests if r.path.endswith("/list_videos")]


def delete_requests(server):
    return [r for r in server.requests if r.path.endswith("/delete_videos")]


async def started(pilot):
    await wait_for_workers(pilot.app)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def test_first_page_appears(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        table = screen.query_one(VideoTable)
        assert table.row_count == 50
        pager = screen.query_one(Pager)
        total = fake_server.library.count("default")
        assert pager.total == total
        rendered = str(pager.render())
        assert f"Page 1 of {-(-total // 50)} · {total:,} videos" in rendered
        first = list_requests(fake_server)[0]
        assert first.body["page"] == 1 and first.body["size"] == 50


async def test_next_and_previous_page(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        first_ids = [v.video_no for v in screen.query_one(VideoTable).videos]
        await pilot.press("right_square_bracket")
        await wait_for_workers(app)
        assert screen.query_state.page == 2
        second_ids = [v.video_no for v in screen.query_one(VideoTable).videos]
        assert second_ids and not set(second_ids) & set(first_ids)
        assert list_requests(fake_server)[-1].body["page"] == 2
        await pilot.press("left_square_bracket")
        await wait_for_workers(app)
        assert [v.video_no for v in screen.query_one(VideoTable).videos] == first_ids
        # Page 1 was cached: going back sent no new request.
        assert len(list_requests(fake_server)) == 2
        await pilot.press("G")
        await wait_for_workers(app)
        assert screen.query_state.page == screen.page_count
        await pilot.press("g")
        await wait_for_workers(app)
        assert screen.query_state.page == 1


def name_to_type(library, namespace: str = "default") -> str:
    """A name a keyboard can type, carried by a video that is not on page 1 (a repeated
    upload's name if there is one)."""
    videos = list(library.videos(namespace))
    typable = [v.name for v in videos[50:] if v.name.isascii() and v.name.isprintable()]
    repeated = [n for n in typable if sum(v.name == n for v in videos) > 1]
    return (repeated or typable)[-1]


async def test_filter_by_name_and_status(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        name = name_to_type(fake_server.library)
        expected = {v.video_no for v in fake_server.library.videos() if v.name == name}
        sent_before = len(list_requests(fake_server))
        await pilot.press("slash")
        await pilot.press(*name)
        await wait_for_workers(app)
        await pilot.pause()
        # Names match exactly on the server: nothing is sent until enter, and nothing
        # is left to send it later (no worker runs, no timer waits to fire).
        assert len(list_requests(fake_server)) == sent_before
        assert pending_timers(app) == []
        await pilot.press("enter")
        await wait_for_workers(app)
        videos = screen.query_one(VideoTable).videos
        assert {v.video_no for v in videos} == expected
        assert list_requests(fake_server)[-1].body["video_name"] == name
        assert len(list_requests(fake_server)) == sent_before + 1
        assert f"name is “{name}”" in str(screen.query_one("#filter-summary").render())
        await pilot.press("escape")
        await wait_for_workers(app)
        # The unfiltered first page comes back (from the cache: no request needed).
        assert screen.query_state.name == ""
        assert len(screen.query_one(VideoTable).videos) == 50
        # The status field is next to the name field; left steps back from "any" to Failed.
        await pilot.press("slash", "tab", "left")
        await pilot.pause()
        await wait_for_workers(app)
        videos = screen.query_one(VideoTable).videos
        assert videos and all(v.status in FAILED_SPELLINGS for v in videos)
        assert {r.body.get("status") for r in list_requests(fake_server)[-3:]} == set(
            FAILED_SPELLINGS)
        assert "status failed (FAILED, FAIL or PARSE_ERROR)" in str(
            screen.query_one("#filter-summary").render())


async def test_the_scrollbar_follows_pages_of_other_lengths(fake_server):
    # The table skips Textual's scrollbar update at layouts that change nothing of its
    # own (VideoTable._size_updated): a page of another length must still update it.
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        table = screen.query_one(VideoTable)

        def scrollbar() -> tuple[bool, int]:
            bar = table.vertical_scrollbar
            return table.show_vertical_scrollbar, bar.window_virtual_size

        assert scrollbar() == (True, table.virtual_size.height)
        full_height = table.virtual_size.height
        name = name_to_type(fake_server.library)
        await pilot.press("slash", *name, "enter")
        await wait_for_workers(app)
        await pilot.pause()
        assert 0 < table.row_count < 10
        assert scrollbar()[0] is False  # a few rows fit: no scrollbar
        await pilot.press("escape")
        await wait_for_workers(app)
        await pilot.pause()
        assert table.row_count == 50
        assert scrollbar() == (True, full_height)
        # Opening the details (a layout of the screen) leaves it as it is.
        table.focus()
        await pilot.press("i")
        await wait_for_workers(app)
        await pilot.pause()
        assert scrollbar() == (True, full_height)


async def test_detail_pane_fills_in(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        # The details are fetched once the cursor rests: a worker, waited for.
        await wait_for_workers(app)
        pane = screen.query_one(DetailPane)
        assert pane.display
        video = screen.query_one(VideoTable).highlighted
        text = app.export_screenshot()
        assert "Resolution" in text and "FPS" in text
        detail_calls = [r for r in fake_server.requests if "get_private_video_details" in r.path]
        assert detail_calls and detail_calls[-1].query["video_no"] == video.video_no


async def test_select_two_and_delete(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        table = screen.query_one(VideoTable)
        chosen = [table.videos[0].video_no, table.videos[1].video_no]
        await pilot.press("space", "space")
        assert set(screen.selected) == set(chosen)
        await pilot.press("d")
        await pilot.pause()
        assert not delete_requests(fake_server), "nothing is sent before confirming"
        await pilot.press("y")
        await pilot.pause()
        await wait_for_workers(app)
        deletes = delete_requests(fake_server)
        assert len(deletes) == 1 and sorted(deletes[0].body) == sorted(chosen)
        remaining = {v.video_no for v in table.videos}
        assert not remaining & set(chosen)
        assert not screen.selected
        assert not any(v in fake_server.library.ids("default") for v in chosen)


async def test_cancelled_delete_sends_nothing(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("d")
        await pilot.pause()
        # Focus starts on Cancel: enter cancels.
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not delete_requests(fake_server)


async def test_download_writes_expected_bytes(fake_server, tmp_path):
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    small = fake_server.library.small_video_ids("default")[0]
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        screen.query_one("#id-filter").value = small
        await pilot.click("#id-filter")
        await pilot.press("enter")
        await wait_for_workers(app)
        screen.query_one(VideoTable).focus()
        video = screen.query_one(VideoTable).highlighted
        assert video.video_no == small
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # in the folder field: enter downloads
        await pilot.pause()
        await wait_for_workers(app, "downloads")
        await pilot.pause()
        files = list(tmp_path.iterdir())
        assert len(files) == 1, files
        assert files[0].name.endswith(f"-{small}.mp4")
        assert files[0].read_bytes() == expected_bytes(small, video.size)
        assert "Saved" in app.export_screenshot() or screen.query_one("#downloads").display


async def test_download_of_missing_video_leaves_nothing(fake_server, tmp_path):
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        video = screen.query_one(VideoTable).highlighted
        # Someone else deletes it on the server while we look at it.
        fake_server.library.delete("default", [video.video_no])
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await wait_for_workers(app, "downloads")
        await pilot.pause()
        assert list(tmp_path.iterdir()) == []
        job = app.downloads.jobs[-1]
        assert job.state.value == "failed"
        assert "not found" in job.error.lower()
        assert app.is_running


async def test_cancel_a_running_download_leaves_no_file(fake_server, tmp_path):
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        # The server accepts the download and never answers: it stays "downloading".
        fake_server.faults.push("stall", count=1, path="/download")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        job = app.downloads.jobs[-1]
        assert job.state.value == "downloading"
        assert any(p.name.endswith(".part") for p in tmp_path.iterdir())
        await pilot.press("w")  # focus the downloads panel
        await pilot.press("x")
        await wait_for_workers(app, "downloads")
        await pilot.pause()
        assert job.state.value == "cancelled"
        assert list(tmp_path.iterdir()) == []
        assert app.is_running


async def test_quit_with_running_download_asks_first(fake_server, tmp_path):
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        fake_server.faults.push("stall", count=1, path="/download")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert "still running" in app.screen.query_one(".dialog-title").render().plain
        await pilot.press("escape")  # keep downloading
        await pilot.pause()
        assert app.is_running and app.downloads.active
        await pilot.press("q")
        await pilot.pause()
        await pilot.click("#quit-button")
        await pilot.pause()
    assert list(tmp_path.iterdir()) == []


async def test_mouse_sorts_by_header_and_opens_a_row(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        table = screen.query_one(VideoTable)
        size_x = table.render_line(0).text.index("Size")
        await pilot.click(VideoTable, offset=(size_x, 0))
        await pilot.pause()
        sizes = [v.size for v in table.videos if v.size is not None]
        assert sizes == sorted(sizes)
        assert "sorted by size, smallest first · this page only" in str(
            screen.query_one(Pager).render())
        assert "Size ↑" in table.render_line(0).text
        third = table.videos[2]
        await pilot.click(VideoTable, offset=(5, 3))  # header, then rows 0, 1, 2
        await pilot.pause()
        assert table.highlighted is third
        assert not screen.query_one(DetailPane).display, "one click only highlights"
        await pilot.click(VideoTable, offset=(5, 3))
        await pilot.pause()
        assert screen.query_one(DetailPane).display, "a click on the highlighted row opens it"


async def test_next_page_is_prefetched_and_served_from_cache(fake_server):
    app = make_app(fake_server.base_url, prefetch=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await wait_for_workers(app)  # the prefetch runs after the user rests on page 1
        pages = [r.body["page"] for r in list_requests(fake_server)]
        assert pages == [1, 2]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.query_state.page == 2
        assert str(screen.query_one(Pager).render()).startswith("Page 2 of")
        await wait_for_workers(app)
        # Page 2 came from the cache; only page 3 was fetched ahead, once.
        assert [r.body["page"] for r in list_requests(fake_server)] == [1, 2, 3]


async def test_paging_quickly_prefetches_nothing(fake_server):
    app = make_app(fake_server.base_url, prefetch=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press(*["right_square_bracket"] * 3)
        await pilot.pause()
        # The pages raced past were cancelled before their prefetch started.
        await until(pilot, lambda: screen.query_state.page == 4, "page 4", group="page")
        sent = [r.body["page"] for r in list_requests(fake_server)]
        assert 4 in sent and sent.count(2) == 1 and sent.count(3) == 1


async def test_cursor_repaints_after_the_table_scrolled(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        table = screen.query_one(VideoTable)
        await pilot.press("end")  # scrolls to the last row
        await pilot.pause()
        assert table.scroll_y > 0
        repainted = []
        original = table.refresh
        table.refresh = lambda *regions, **kw: (
            repainted.extend(regions), original(*regions, **kw)
        )[1]
        await pilot.press("k")
        assert table.highlighted is table.videos[-2]
        # Both rows the cursor left and reached are repainted where they are on screen.
        rows_on_screen = {r.y for r in repainted}
        last_y = len(table.videos) - int(table.scroll_y)  # header is line 0
        assert {last_y, last_y - 1} <= rows_on_screen


async def test_status_filter_steps_by_keys_and_clicks(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("slash", "tab", "right")
        await wait_for_workers(app)
        # Ready is every ready spelling: PARSE and DONE, each asked for.
        assert {r.body.get("status") for r in list_requests(fake_server)[-2:]} == {
            "PARSE", "DONE"}
        picker = screen.query_one("#status-filter")
        assert str(picker.render()).startswith("‹ Ready ")
        # A click on the field steps forward, a click on its left arrow steps back.
        await pilot.click("#status-filter", offset=(8, 1))
        await wait_for_workers(app)
        assert str(picker.render()).startswith("‹ In progress ")
        assert list_requests(fake_server)[-1].body["status"] == "UNPARSE"
        await pilot.click("#status-filter", offset=(2, 1))
        await pilot.click("#status-filter", offset=(2, 1))
        await wait_for_workers(app)
        assert str(picker.render()).startswith("‹ Any status")
        # The whole library again (from the cache): more than one status on the page.
        assert len({v.status for v in screen.query_one(VideoTable).videos}) > 1
        assert str(screen.query_one("#filter-summary").render()) == "No filter: whole library"


async def test_key_bar_shows_the_keys_that_work_and_a_click_presses_one(fake_server):
    from memories_tui.tui.widgets.key_bar import KeyBar

    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        bar = screen.query_one(KeyBar)
        shown = bar.shown_keys()
        assert "] Next page" in shown and "space Select" in shown and "^p palette" in shown
        # With the name field focused, space types a space: the bar stops offering it.
        await pilot.press("slash")
        await pilot.pause()
        assert "space Select" not in bar.shown_keys() and "/ Filter" in bar.shown_keys()
        await pilot.press("escape")
        await pilot.pause()
        entry = next(item for item in bar._items if item.description == "Next page")
        await pilot.click(KeyBar, offset=(entry.start + 1, 0))
        await wait_for_workers(app)
        assert screen.query_state.page == 2
        assert list_requests(fake_server)[-1].body["page"] == 2


async def test_a_narrow_key_bar_keeps_whole_entries_and_the_help_key(fake_server):
    from memories_tui.tui.modals.help import HelpModal
    from memories_tui.tui.widgets.key_bar import KeyBar

    app = make_app(fake_server.base_url)
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await started(pilot)
        bar = screen.query_one(KeyBar)
        shown = bar.shown_keys()
        # What does not fit is left out whole; ? stays, since the help lists the rest.
        assert shown[0] == "/ Filter" and "? Help" in shown and "q Quit" not in shown
        line = str(bar.render())
        assert all(entry.split(" ", 1)[1] in line for entry in shown)
        assert "Dele" not in line
        help_entry = next(item for item in bar._items if item.description == "Help")
        await pilot.click(KeyBar, offset=(help_entry.start + 1, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)


@pytest.mark.parametrize("answered_before_mount", [False, True])
async def test_a_server_that_caps_pages_is_paged_in_its_own_size(answered_before_mount):
    """Asked for 50 rows, the server sends 20 and says page_size 20: the pager counts
    pages of 20, and ] asks for the next 20. Page 1 may be answered before the screen is
    built (it is asked for at start-up) or after: the same either way."""
    from memories_tui.fake.server import FakeServer
    from memories_tui.services.library import first_query

    with FakeServer(seed=1, videos=300, max_page_size=20) as server:
        app = make_app(server.base_url, page_size=50)
        if answered_before_mount:
            await app.library.fetch_page(first_query(app.settings))
        async with app.run_test(size=SIZE) as pilot:
            screen = await started(pilot)
            assert screen.query_one(VideoTable).row_count == 20
            rendered = str(screen.query_one(Pager).render())
            assert "Page 1 of 15 · 300 videos" in rendered and "(20 per page)" in rendered
            first_ids = {v.video_no for v in screen.query_one(VideoTable).videos}
            await pilot.press("right_square_bracket")
            await wait_for_workers(app)
            assert screen.query_state.page == 2 and screen.query_state.size == 20
            assert first_ids.isdisjoint(v.video_no for v in screen.query_one(VideoTable).videos)
            assert [(r.body["page"], r.body["size"]) for r in list_requests(server)] == [
                (1, 50), (2, 20)]


async def test_typing_a_folder_in_the_download_dialog_replaces_it_and_enter_downloads_there(
    fake_server, tmp_path, monkeypatch
):
    """Focus starts in the folder field with its text selected: what a person types
    replaces it, and enter downloads into that folder (made if it does not exist)."""
    start = tmp_path / "default"
    start.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))  # "~/new/place": a short path to type
    target = tmp_path / "new" / "place"
    app = make_app(fake_server.base_url, download_dir=start)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("down", "down", "down", "s")  # a small video (as in the snapshot)
        await pilot.pause()
        for char in "~/new/place":
            await pilot.press(char)
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        (job,) = app.downloads.jobs
        assert job.state.value == "done" and job.path.parent == target
        assert [p.name for p in target.iterdir()] == [job.path.name]
        assert list(start.iterdir()) == []
        assert isinstance(app.screen, type(screen))
