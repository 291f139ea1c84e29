"""Deletes: only after the dialog's confirmation, once, and never resent after a doubt.

When a delete fails in a way that leaves it unknown whether the server acted (a
timeout, a cut connection, a 5xx), the app must not send it again; it asks the server
which videos are still there and tells the user exactly that.
"""

from __future__ import annotations

from memories_tui.fake.server import FakeServer
from memories_tui.tui.modals.confirm_delete import ConfirmDeleteModal
from memories_tui.tui.screens.library import LibraryScreen

from .support import (
    SHORT_TIMEOUT,
    SIZE,
    assert_screen_is_clean,
    assert_still_running,
    click_video,
    hostile_app,
    messages,
    notified,
    settle,
    started,
)


def delete_requests(server: FakeServer) -> list:
    return [r for r in server.requests if r.path.endswith("/delete_videos")]


async def select(pilot, screen, video_nos: list[str]) -> None:
    for video_no in video_nos:
        await click_video(pilot, screen, video_no)
        await pilot.press("space")


async def test_nothing_is_sent_without_the_dialogs_confirmation(fake_server):
    app = hostile_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        # A double tap of d does not confirm: the key that opens the dialog is not the
        # one that confirms it.
        await pilot.press("d", "d")
        assert isinstance(app.screen, ConfirmDeleteModal)
        await pilot.press("n")
        assert isinstance(app.screen, LibraryScreen)
        # More than ten: y alone is not enough, the count must be typed.
        await pilot.press("a", "d")
        await pilot.press("y")
        assert isinstance(app.screen, ConfirmDeleteModal)
        assert notified(app, "Type 50 to delete this many videos.")
        await pilot.press("escape")
        assert delete_requests(fake_server) == []
        assert fake_server.library.count() == 300
        assert len(screen.selected) == 50
        assert_still_running(app)


async def test_a_delete_that_times_out_is_checked_not_resent_and_never_doubled(fake_server):
    fake_server.faults.push("stall", path="/delete_videos")
    app = hostile_app(fake_server.base_url, timeout=SHORT_TIMEOUT)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        target = screen.table.videos[0]
        await pilot.press("d")
        await pilot.press("y")  # the server now holds the request without answering
        assert len(delete_requests(fake_server)) == 1
        await pilot.press("d")
        assert not isinstance(app.screen, ConfirmDeleteModal)
        assert notified(app, "A delete is already running; wait for it to finish.")
        await settle(pilot)
        # It timed out: the server may have acted, so the app looked instead of resending.
        assert len(delete_requests(fake_server)) == 1
        assert notified(app, f"1 not deleted ({fake_server.host}:{fake_server.port} did not "
                             f"answer within {SHORT_TIMEOUT:g} s)")
        assert notified(app, f"{target.name} ({target.video_no}).")
        # It was the highlighted row, never selected: the message does not claim it is.
        assert not notified(app, "still selected") and not screen.selected
        assert target.video_no in {v.video_no for v in screen.table.videos}

        # Again: the connection drops before the answer (the server did delete), and
        # then the server fails every attempt to list what is left.
        fake_server.faults.push("cut", path="/delete_videos")
        fake_server.faults.push("503-html", count=6, path="/list_videos")
        await pilot.press("d")
        await pilot.press("y")
        await settle(pilot)
        assert len(delete_requests(fake_server)) == 2
        assert notified(app, "1 may or may not have been deleted")
        assert notified(app, "Press r to see which remain.")
        assert not any("Deleted" in m for m in messages(app))
        assert_screen_is_clean(app)
        assert_still_running(app)


async def test_an_ambiguous_failure_is_never_resent_the_list_tells_what_went(fake_server):
    app = hostile_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        gone = [v.video_no for v in screen.table.videos[:2]]
        await select(pilot, screen, gone)
        # The server deletes, then the connection drops before its answer arrives.
        fake_server.faults.push("cut", path="/delete_videos")
        await pilot.press("d")
        await pilot.press("y")
        await settle(pilot)
        assert len(delete_requests(fake_server)) == 1
        assert not set(gone) & set(fake_server.library.ids())
        # The app asked which of them remain, found none, and says so.
        checks = [r for r in fake_server.requests
                  if r.path.endswith("/list_videos") and r.body.get("video_no") in gone]
        assert sorted(r.body["video_no"] for r in checks) == sorted(gone)
        assert notified(app, "Deleted 2 videos.")
        assert not any("not deleted" in m for m in messages(app))
        assert not set(gone) & {v.video_no for v in screen.table.videos}
        assert not screen.selected

        # A 5xx answer (a JSON error body, then a proxy's HTML page): the server did
        # nothing here, the app does not resend, and the list says they are still there.
        kept = screen.table.videos[:2]
        await select(pilot, screen, [v.video_no for v in kept])
        for kind in ("500", "503-html"):
            fake_server.faults.push(kind, path="/delete_videos")
            await pilot.press("d")
            await pilot.press("y")
            await settle(pilot)
        assert len(delete_requests(fake_server)) == 3 and app.backoff.waits == []
        for status in ("500 Internal Server Error", "503 Service Unavailable"):
            assert notified(app, f"2 not deleted (The server answered {status})")
        for video in kept:  # long names are shortened in the message, ids never
            assert notified(app, f"({video.video_no})") and notified(app, video.name[:20])
        assert notified(app, "They are still selected.")
        assert {v.video_no for v in kept} <= set(screen.selected)
        assert {v.video_no for v in kept} <= {v.video_no for v in screen.table.videos}
        assert_still_running(app)


async def test_a_delete_read_then_dropped_is_sent_once_and_the_app_tells_the_truth(fake_server):
    """The server reads the delete on the connection the page came over, acts on it,
    and closes that connection without a byte of answer. Nothing below the app may send
    it again (once, a transport resent it on a new connection, and the server's 0429 to
    that quick repeat was retried until the app said "not deleted"). A 0429 waits for
    any second delete request here: it must never fire."""
    app = hostile_app(fake_server.base_url, timeout=SHORT_TIMEOUT)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        gone = [v.video_no for v in screen.table.videos[:2]]
        await select(pilot, screen, gone)
        fake_server.faults.push("drop", path="/delete_videos")
        fake_server.faults.push("429", count=12, path="/delete_videos")
        await pilot.press("d")
        await pilot.press("y")
        await settle(pilot)
        assert len(delete_requests(fake_server)) == 1
        assert fake_server.faults.fired["429"] == 0 and app.backoff.waits == []
        # The server did act: the app asked which remain, and says they went.
        assert not set(gone) & set(fake_server.library.ids())
        assert notified(app, "Deleted 2 videos.")
        assert not any("not deleted" in m or "rate limit" in m for m in messages(app))
        assert not set(gone) & {v.video_no for v in screen.table.videos}

        # The same when the server dropped it without acting: the check finds them.
        kept = [v.video_no for v in screen.table.videos[:1]]
        fake_server.faults.clear()
        fake_server.faults.push("stall", path="/delete_videos")
        await click_video(pilot, screen, kept[0])
        await pilot.press("d", "y")
        await settle(pilot)
        assert len(delete_requests(fake_server)) == 2
        assert notified(app, f"1 not deleted ({fake_server.host}:{fake_server.port} did not answer")
        assert kept[0] in set(fake_server.library.ids())
        assert_still_running(app)
