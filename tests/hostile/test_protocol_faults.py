"""Protocol faults: the app stays up, says what went wrong in plain words, and recovers.

Each test breaks the server the way real servers and networks break, then checks
what a user would see: the library still on screen, the message, and that pressing
the retry key (or waiting, for a rate limit) brings the videos back.
"""

from __future__ import annotations

import time

import pytest

from memories_tui.fake.server import FakeServer, expected_bytes
from memories_tui.tui.widgets.detail_pane import DetailPane
from tests.api.api_testkit import closed_port

from .support import (
    SHORT_TIMEOUT,
    SIZE,
    assert_no_stray_files,
    assert_screen_is_clean,
    assert_still_running,
    download,
    downloads_finished,
    hostile_app,
    messages,
    notified,
    pane_text,
    screen_text,
    settle,
    squeezed,
    started,
    table_message,
)

MAX_RETRIES = 5  # the client's default: a fault must come 6 times to reach the user
# A stall must end within the configured timeout. Retrying it would take six timeouts
# (backoffs cost nothing here); this bound tells the two apart with room to spare.
STALL_BOUND = SHORT_TIMEOUT * 4


def list_requests(server: FakeServer) -> list:
    return [r for r in server.requests if r.path.endswith("/list_videos")]


async def refresh_recovers(pilot, screen, server: FakeServer | None = None) -> None:
    """r brings the first page back once the server behaves."""
    await pilot.press("r")
    await settle(pilot)
    assert len(screen.table.videos) == 50
    assert table_message(screen) == ""
    if server is not None:
        assert screen.table.videos[0].video_no == server.library.ids()[0]


SERVER_ERRORS = (
    ("500", "The server answered 500 Internal Server Error."),  # a Spring JSON body
    ("502", "The server answered 502 Bad Gateway."),  # a proxy's HTML page
    ("503-html", "The server answered 503 Service Unavailable."),
)
UNREADABLE = (
    ("malformed", "The server's answer was not JSON."),
    ("envelope-missing", "The server's answer did not have the expected envelope."),
    ("envelope-types", "The server's answer had an envelope code of the wrong type."),
    ("data-types", "held list where an object belongs"),
)


async def test_server_errors_with_html_bodies_are_retried_then_told_plainly(fake_server):
    fake_server.faults.push("503-html", count=MAX_RETRIES + 1, path="/list_videos")
    app = hostile_app(fake_server.base_url)
    app.backoff.hold()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        # While it backs off, the header says why the table is not there yet.
        assert "server error: retrying shortly" in screen_text(app)
        app.backoff.release()
        screen = await started(pilot)
        assert table_message(screen) == (
            "Could not load page 1: The server answered 503 Service Unavailable. "
            "The server had a problem; try again in a moment (r).")
        await refresh_recovers(pilot, screen, fake_server)
        for kind, shown in SERVER_ERRORS:
            app.backoff.waits.clear()
            fake_server.faults.push(kind, count=MAX_RETRIES + 1, path="/list_videos")
            await pilot.press("r")
            await settle(pilot)
            assert len(app.backoff.waits) == MAX_RETRIES, kind
            assert app.backoff.waits == sorted(app.backoff.waits)  # exponential, growing
            assert notified(app, shown), kind
            text = assert_screen_is_clean(app)
            assert "<html>" not in text and "nginx" not in text and "retrying" not in text
            assert len(screen.table.videos) == 50  # the page shown before is kept
            assert_still_running(app)


async def test_unreadable_answers_are_reported_not_retried(fake_server):
    app = hostile_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        for kind, shown in UNREADABLE:
            before = len(list_requests(fake_server))
            fake_server.faults.push(kind, path="/list_videos")
            await pilot.press("r")
            await settle(pilot)
            assert notified(app, shown), kind
            assert len(list_requests(fake_server)) == before + 1 and app.backoff.waits == []
        assert sum("try again (r)" in m for m in messages(app)) == len(UNREADABLE)
        assert_screen_is_clean(app)
        assert_still_running(app)
        await refresh_recovers(pilot, screen, fake_server)


async def test_connection_refused_names_the_host_at_once_and_r_retries():
    port = closed_port()
    app = hostile_app(f"http://127.0.0.1:{port}")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        assert (f"Could not connect to 127.0.0.1:{port} (Connection refused)"
                in table_message(screen))
        assert notified(app, "press r to try again")
        assert app.backoff.waits == []  # told at once, not after a ladder of retries
        assert_still_running(app)
        with FakeServer(seed=1, port=port) as server:
            await refresh_recovers(pilot, screen, server)


async def test_an_unknown_host_is_named_and_r_tries_again():
    # Plain http to a host that is not this machine: only with the user's explicit flag.
    app = hostile_app("http://nonexistent.invalid", allow_insecure_http=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        assert "Could not connect to nonexistent.invalid (" in table_message(screen)
        await pilot.press("r")
        await settle(pilot)
        assert sum("nonexistent.invalid" in m for m in messages(app)) == 2
        assert app.backoff.waits == []
        assert_screen_is_clean(app)
        assert_still_running(app)


async def test_a_server_that_never_answers_is_a_timeout_within_the_timeout(fake_server):
    fake_server.faults.push("stall", path="/list_videos")
    app = hostile_app(fake_server.base_url, timeout=SHORT_TIMEOUT)
    started_at = time.monotonic()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        assert time.monotonic() - started_at < STALL_BOUND
        assert (f"did not answer within {SHORT_TIMEOUT:g} s. The server did not answer in "
                "time; press r to try again." in table_message(screen))
        assert len(list_requests(fake_server)) == 1
        assert_still_running(app)
        await refresh_recovers(pilot, screen, fake_server)


async def test_a_0429_storm_and_numeric_codes_are_handled_without_bothering_the_user(
        fake_server):
    fake_server.faults.push("429", count=4, path="/list_videos")
    app = hostile_app(fake_server.base_url)
    app.backoff.hold()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert "waiting on rate limit" in screen_text(app)
        app.backoff.release()
        screen = await started(pilot)
        assert app.backoff.waits == [1.0] * 4  # the server's Retry-After, each time
        assert len(screen.table.videos) == 50 and table_message(screen) == ""
        assert "waiting on rate limit" not in screen_text(app)
        assert not messages(app)  # recovered with nothing for the user to do

        # A code sent as a JSON number (0, 1) reads like its string: a page, a not found.
        fake_server.faults.push("code-number", count=2)
        await pilot.press("r")
        await settle(pilot)
        assert [v.video_no for v in screen.table.videos] == fake_server.library.ids()[:50]
        gone = screen.table.videos[0]
        fake_server.library.delete("default", [gone.video_no])
        await pilot.press("enter")
        await settle(pilot)
        pane = squeezed(pane_text(screen.query_one(DetailPane), width=120))
        assert squeezed(f"Video {gone.video_no} was not found") in pane
        assert not messages(app)
        assert_still_running(app)


# -- downloads ------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "downloads"
    path.mkdir()
    return path


async def test_stalled_downloads_fail_within_the_timeout(fake_server, tmp_path, folder):
    chosen = fake_server.library.small_video_ids(limit=2)
    fake_server.faults.push("stall", path="/download")  # never answers at all
    fake_server.faults.push("stall-body", path="/download")  # stops half-way, stays open
    app = hostile_app(fake_server.base_url, timeout=SHORT_TIMEOUT, download_dir=folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        started_at = time.monotonic()
        await download(pilot, screen, chosen)
        await downloads_finished(pilot)
        assert time.monotonic() - started_at < STALL_BOUND
        errors = sorted(job.error for job in app.downloads.jobs)
        assert [job.state.value for job in app.downloads.jobs] == ["failed", "failed"]
        assert f"did not answer within {SHORT_TIMEOUT:g} s" in errors[0]
        assert f"stalled: no data within {SHORT_TIMEOUT:g} s after" in errors[1]
        assert sum("Download failed" in m for m in messages(app)) == 2
        assert len([r for r in fake_server.requests if r.path.endswith("/download")]) == 2
        assert assert_no_stray_files(tmp_path, folder) == []
        assert_screen_is_clean(app)
        assert_still_running(app)


async def test_downloads_shorter_or_longer_than_announced(fake_server, tmp_path, folder):
    chosen = fake_server.library.small_video_ids(limit=3)
    for kind in ("cut", "short", "long"):
        fake_server.faults.push(kind, path="/download")
    app = hostile_app(fake_server.base_url, download_dir=folder, concurrent_downloads=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await download(pilot, screen, chosen)
        await downloads_finished(pilot)
        cut, short, long = app.downloads.jobs  # one at a time: faults in this order
        for job in (cut, short):
            assert job.state.value == "failed" and "ended after" in job.error
        files = assert_no_stray_files(tmp_path, folder)
        # HTTP/1.1 framing stops at Content-Length, so bytes past it never reach the
        # client: the file is exactly the video, or the job failed and left nothing.
        if long.state.value == "done":
            size = fake_server.library.get_video(long.video_no).size
            assert [f.read_bytes() for f in files] == [expected_bytes(long.video_no, size)]
        else:
            assert long.state.value == "failed" and files == []
        assert sum("Download failed" in m for m in messages(app)) >= 2
        assert_still_running(app)


async def test_a_refusal_labelled_as_a_video_or_a_body_cut_without_length_is_never_kept(
    fake_server, tmp_path, folder
):
    """The real service may label its JSON refusal application/octet-stream, and may
    send a file with no Content-Length, ended by closing the connection: then a cut is
    only visible against the size the library lists. Neither is ever kept as a video;
    a whole file without Content-Length still is."""
    chosen = fake_server.library.small_video_ids(limit=3)
    for kind in ("refusal-octet", "no-length-cut", "no-length"):
        fake_server.faults.push(kind, path="/download")
    app = hostile_app(fake_server.base_url, download_dir=folder, concurrent_downloads=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await download(pilot, screen, chosen)
        await downloads_finished(pilot)
        refused, cut, whole = app.downloads.jobs  # one at a time: faults in this order
        assert refused.state.value == "failed"
        assert refused.error == (f"Video {refused.video_no} was not found "
                                 "(0001: video not found).")
        size = fake_server.library.get_video(cut.video_no).size
        assert cut.state.value == "failed"
        assert cut.error == (f"The download of {cut.video_no} ended after {size // 3:,} bytes; "
                             f"the library lists {size:,}. Nothing was kept.")
        assert whole.state.value == "done"
        files = assert_no_stray_files(tmp_path, folder)
        whole_size = fake_server.library.get_video(whole.video_no).size
        assert [f.read_bytes() for f in files] == [expected_bytes(whole.video_no, whole_size)]
        assert sum("Download failed" in m for m in messages(app)) == 2
        assert_still_running(app)
