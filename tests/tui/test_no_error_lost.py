"""No error lost: a bug inside a worker is shown and logged, never a screen that waits
for ever; quitting during a delete waits for the request in flight and says what was done.

A bug is planted by making one of our own functions raise where a real bug would: the
requests still travel over real HTTP to the fake, and the test asserts what a user sees.
"""

from __future__ import annotations

from memories_tui.services.downloads import JobState
from memories_tui.tui.widgets.downloads_panel import DownloadsPanel
from memories_tui.tui.widgets.pager import Pager
from tests.hostile.support import SHORT_TIMEOUT, hostile_app, messages, notified, settle
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


class PlantedBug(Exception):
    """Stands for a mistake in our own code."""


def delete_requests(server) -> list:
    return [r for r in server.requests if r.path.endswith("/delete_videos")]


async def test_a_bug_while_loading_the_first_page_is_shown_not_a_hang(fake_server, monkeypatch):
    def broken(*_args, **_kwargs):
        raise PlantedBug("the page could not be read")

    monkeypatch.setattr("memories_tui.api.client.parse_video_page", broken)
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.pause()
        assert app.is_running
        assert notified(app, "Something went wrong while running load page: PlantedBug: "
                             "the page could not be read.")
        assert app.screen.query_one(Pager).loading_text == ""
        app.clear_notifications()  # as the toast fades, the line under it shows
        await pilot.pause()
        assert "Loading" not in screen_text(app)
        assert "could not be loaded (an unexpected error). Press r to try again." in (
            screen_text(app))
        # The bug was in reading the answer: the request itself went out once.
        assert len([r for r in fake_server.requests if r.path.endswith("/list_videos")]) == 1
        # r tries again, and once the bug is gone the page shows.
        monkeypatch.undo()
        await pilot.press("r")
        await wait_for_workers(app)
        await pilot.pause()
        assert "could not be loaded" not in screen_text(app)
        assert len(app.screen.table.videos) == 50


async def test_a_bug_in_a_view_worker_is_shown_and_the_view_stays_usable(fake_server, monkeypatch):
    def broken(*_args, **_kwargs):
        raise PlantedBug("sessions unreadable")

    monkeypatch.setattr("memories_tui.api.models.sessions.parse_session_page", broken)
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.press("2")
        await wait_for_workers(app)
        await pilot.pause()
        assert notified(app, "PlantedBug: sessions unreadable")
        app.clear_notifications()
        await pilot.pause()
        text = screen_text(app)
        assert "chat sessions could not be loaded" in text and "Loading" not in text
        await pilot.press("1")
        assert app.current_mode == "videos"


async def test_a_bug_during_a_download_marks_it_failed_and_keeps_no_file(
    fake_server, tmp_path, monkeypatch
):
    async def broken(self, *_args, **_kwargs):
        raise PlantedBug("copy broke")

    monkeypatch.setattr("memories_tui.api.download.DownloadStream.save_to", broken)
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.press("down", "down", "down", "s")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        await pilot.pause()
        (job,) = app.downloads.jobs
        assert job.state is JobState.FAILED
        assert "Unexpected error (PlantedBug)" in (job.error or "")
        assert notified(app, "Unexpected error (PlantedBug); the details are in the log.")
        assert "0 active · 1 in all" in app.screen.query_one(DownloadsPanel).border_title
        assert list(tmp_path.iterdir()) == []


async def test_quitting_during_a_delete_waits_for_the_request_in_flight(fake_server):
    fake_server.faults.push("stall", path="/delete_videos")
    app = hostile_app(fake_server.base_url, timeout=SHORT_TIMEOUT, page_size=200)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        first = app.screen.table.videos[0]
        await pilot.press("a", "d", "y")  # y asks for the count: 200 videos
        await pilot.press("2", "0", "0", "enter")
        await pilot.pause()
        assert len(delete_requests(fake_server)) == 1  # the first 100, held by the server
        await pilot.press("q")
        await pilot.pause()
        assert notified(app, "Quitting once the server has answered the delete request")
        await settle(pilot)
    # The app waited for the answer (a timeout), sent nothing more, and says so.
    assert len(delete_requests(fake_server)) == 1
    outcome = app.deletes.last_outcome
    assert outcome is not None and len(outcome.not_sent) == 100 and outcome.stopped
    assert app.exit_summary is not None
    assert app.exit_summary.startswith("memories-tui: you quit during a delete.")
    assert "100 not sent, so not deleted" in app.exit_summary
    # Quitting does not wait for a check of 100 videos: it says what it does not know.
    assert ("100 may or may not have been deleted (the request failed as you quit, "
            "before the app could check)") in app.exit_summary
    # The videos are named as the table showed them (server text made safe).
    assert f"{first.name} ({first.video_no})" in app.exit_summary
    assert fake_server.library.count() == 300
    assert not any("Deleted" in m for m in messages(app))


async def test_quitting_with_downloads_and_a_delete_asks_then_waits(fake_server, tmp_path):
    """The quit confirmation for running downloads comes first; the delete then ends
    its request in flight before the app goes, and no partial file is left."""
    from memories_tui.tui.modals.confirm_quit import ConfirmQuitModal

    fake_server.faults.push("stall-body", path="/download")
    fake_server.faults.push("stall", path="/delete_videos")
    # Three times the short timeout: the stalled download must still be running when the
    # delete has started, on a busy machine too (each Pilot step can take a while).
    app = hostile_app(fake_server.base_url, timeout=3 * SHORT_TIMEOUT, download_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # the download dialog's Download
        await pilot.pause()
        await pilot.press("down", "d", "y")  # delete the next video: the server holds it
        await pilot.pause()
        assert app.downloads.active and app.deletes.running
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitModal)
        await pilot.press("tab", "enter")  # "Quit and cancel"
        await pilot.pause()
        assert notified(app, "Quitting once the server has answered the delete request")
        await settle(pilot)
    assert app.return_code == 0
    assert len(delete_requests(fake_server)) == 1
    assert app.exit_summary is not None and "1 may or may not have been deleted" in (
        app.exit_summary)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


async def test_a_bug_while_following_a_task_stops_the_countdown_and_says_so(
    fake_server, monkeypatch
):
    def broken(*_args, **_kwargs):
        raise PlantedBug("task unreadable")

    fake_server.library.put_task("t-bug", fake_server.library.ids()[:1])
    monkeypatch.setattr("memories_tui.api.models.tasks.parse_task_status", broken)
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.press("4", "slash")
        await pilot.pause()
        for key in "t-bug":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_for_workers(app)
        await pilot.pause()
        assert notified(app, "PlantedBug: task unreadable")
        app.clear_notifications()
        await pilot.pause()
        text = screen_text(app)
        assert "The task could not be checked (an unexpected error)" in text
        assert "checking" not in text and "refreshing in" not in text
        monkeypatch.undo()
        await pilot.press("r")
        await wait_for_workers(app)
        await pilot.pause()
        assert "could not be checked" not in screen_text(app)
        assert "1 video" in screen_text(app)


async def test_with_no_key_nothing_is_sent_and_the_screen_says_why(fake_server):
    app = make_app(fake_server.base_url, api_key=None)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.press("2")
        await wait_for_workers(app)
        await pilot.press("1")
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        text = screen_text(app)
        assert "No API key is set: nothing was sent" in text
        assert "MEMORIES_API_KEY" in text and "Loading" not in text
    assert fake_server.requests == []


async def test_quitting_twice_during_a_delete_leaves_at_once_and_says_so(fake_server):
    fake_server.faults.push("stall", path="/delete_videos")
    app = hostile_app(fake_server.base_url, timeout=30.0)  # the server would hold it long
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("d", "y")
        await pilot.pause()
        assert app.deletes.running
        await pilot.press("q")
        await pilot.pause()
        assert notified(app, "Press q again to leave at once.")
        await pilot.press("q")
        await pilot.pause()
    assert app.exit_summary is not None and "you quit again before the delete request" in (
        app.exit_summary)
    assert len(delete_requests(fake_server)) == 1
