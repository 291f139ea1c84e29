"""Downloads "to this computer" when the app runs in a browser (`memories-tui serve`).

The browser is faked here (`App.is_web` and `App.deliver_binary`, the two things the app
asks of Textual's web driver); tests/test_serve_browser.py drives a real Chromium. What
is checked: the dialog offers the browser only in a browser; the file handed over is
the whole checked video, and the staging folder keeps nothing; a refusal or a body of
the wrong length fails as a download and is never handed over; the panel says when the
browser has the file; links open in the browser even when the server was reached by SSH.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from textual import events
from textual.widgets import Button, Input, RadioSet

from memories_tui.fake.server import expected_bytes
from memories_tui.filenames import video_filename
from memories_tui.services.downloads import JobState
from memories_tui.tui.app import MemoriesApp
from memories_tui.tui.browser import NOTE_TAKEN, NOTE_WAITING, browser_filename, hand_off
from memories_tui.tui.modals.download import DownloadModal
from memories_tui.tui.screens.library import LibraryScreen
from memories_tui.tui.widgets.downloads_panel import DownloadsPanel, job_status_text
from tests.hostile.support import notified
from tests.tui.helpers import make_app, until, wait_for_workers

SIZE = (120, 40)


@dataclass
class Delivered:
    key: str
    filename: str | None
    mime_type: str | None
    data: bytes


@pytest.fixture
def browser(monkeypatch) -> list[Delivered]:
    """The app believes it runs in a browser; what it hands to the browser is read to
    the end (as textual-serve does) and recorded."""
    delivered: list[Delivered] = []

    def deliver_binary(self, path_or_file, *, save_filename=None, mime_type=None, name=None,
                       **_):
        data = path_or_file.read()
        path_or_file.close()
        delivered.append(Delivered(f"key-{len(delivered)}", save_filename, mime_type, data))
        return delivered[-1].key

    monkeypatch.setattr(MemoriesApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(MemoriesApp, "deliver_binary", deliver_binary)
    return delivered


async def open_dialog(app, pilot, video_no: str) -> DownloadModal:
    """The download dialog for one video (found by its id, as a user would)."""
    await wait_for_workers(app)
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    screen.query_one("#id-filter", Input).value = video_no
    await pilot.click("#id-filter")
    await pilot.press("enter")
    await wait_for_workers(app)
    screen.table.focus()
    assert screen.table.highlighted.video_no == video_no
    await pilot.press("s")
    await pilot.pause()
    modal = app.screen
    assert isinstance(modal, DownloadModal)
    return modal


def staged_files(app) -> list[str]:
    folder = hand_off(app)._folder
    return sorted(p.name for p in folder.iterdir()) if folder and folder.exists() else []


async def test_a_terminal_app_offers_no_browser(fake_server, tmp_path):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(app, pilot, video_no)
        assert not modal.query("#download-where")
        assert modal.query_one("#download-folder", Input).display
        assert app.focused is modal.query_one("#download-folder", Input)


async def test_in_a_browser_this_computer_is_offered_first(fake_server, tmp_path, browser):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(app, pilot, video_no)
        where = modal.query_one("#download-where", RadioSet)
        assert where.pressed_button is not None and where.pressed_button.id == "where-browser"
        assert "To this computer (through the browser)" in str(where.pressed_button.label)
        # The folder and the question about existing files are the server's.
        assert not modal.query_one("#download-folder", Input).display
        assert not modal.query_one("#download-conflict", RadioSet).display
        assert "On the server until your browser has it" in str(
            modal.query_one("#download-space").render())
        assert app.focused is modal.query_one("#download-button", Button)

        await pilot.click("#where-server")
        await pilot.pause()
        assert modal.query_one("#download-folder", Input).display
        assert app.focused is modal.query_one("#download-folder", Input)
        # Enter in the folder field downloads there, as in a terminal.
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        await pilot.pause()
    video = fake_server.library.get_video(video_no)
    saved = tmp_path / video_filename(video.name, video_no)
    assert saved.read_bytes() == expected_bytes(video_no, video.size)
    assert browser == []


async def test_to_this_computer_hands_the_checked_file_to_the_browser(fake_server, tmp_path,
                                                                      browser):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    video = fake_server.library.get_video(video_no)
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_dialog(app, pilot, video_no)
        await pilot.press("enter")  # the Download button has the focus
        await wait_for_workers(app, "downloads")
        await until(pilot, lambda: browser, "the hand-off")
        [job] = app.downloads.jobs
        assert job.state is JobState.DONE and job.hand_off == "browser"
        [given] = browser
        assert given.data == expected_bytes(video_no, video.size)
        assert given.filename == browser_filename(video_filename(video.name, video_no))
        assert given.mime_type == "video/mp4"
        # Handed over, the file has no name on the server any more; nothing in the
        # folder the user chose either.
        assert staged_files(app) == []
        assert list(tmp_path.iterdir()) == []
        assert job.hand_off_note == NOTE_WAITING
        assert not notified(app, "Saved")

        app.post_message(events.DeliveryComplete(key=given.key))
        await until(pilot, lambda: job.hand_off_note == NOTE_TAKEN, "the browser's answer")
        assert NOTE_TAKEN in str(job_status_text(job))
        panel = app.screen.query_one(DownloadsPanel)
        assert job in panel.jobs
        assert notified(app, f"Your browser has {job.path.name}")


async def test_a_failed_delivery_is_said(fake_server, tmp_path, browser):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_dialog(app, pilot, video_no)
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        await until(pilot, lambda: browser, "the hand-off")
        [job] = app.downloads.jobs
        app.post_message(events.DeliveryFailed(key=browser[0].key,
                                               exception=OSError("connection reset")))
        await until(pilot, lambda: job.hand_off_note != NOTE_WAITING, "the failure")
        assert job.hand_off_note == "not delivered to the browser"
        assert notified(app, "was not delivered to your browser")


@pytest.mark.parametrize("fault", ["refusal-octet", "short", "cut", "no-length-cut"])
async def test_a_refusal_or_a_wrong_length_is_never_handed_to_the_browser(
    fake_server, tmp_path, browser, fault
):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_dialog(app, pilot, video_no)
        fake_server.faults.push(fault, count=1, path="/download")
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        await pilot.pause()
        [job] = app.downloads.jobs
        assert job.state is JobState.FAILED, job
        assert job.hand_off_note == ""
        assert staged_files(app) == []
    assert browser == []
    assert fake_server.faults.fired[fault] == 1


async def test_bytes_past_the_announced_length_never_reach_the_browser(fake_server, tmp_path,
                                                                       browser):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    video = fake_server.library.get_video(video_no)
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot, video_no)
        fake_server.faults.push("long", count=1, path="/download")
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        await until(pilot, lambda: browser, "the hand-off")
    assert [d.data for d in browser] == [expected_bytes(video_no, video.size)]
    assert fake_server.faults.fired["long"] == 1


async def test_closing_the_app_leaves_no_staging_folder(fake_server, tmp_path, browser):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot, video_no)
        folder = hand_off(app).folder()
        assert folder.is_dir() and oct(folder.stat().st_mode & 0o777) == "0o700"
        await pilot.press("enter")
        await wait_for_workers(app, "downloads")
        await until(pilot, lambda: browser, "the hand-off")
    assert not folder.exists()


@pytest.mark.parametrize("name", ["Crème brûlée 🍮; take 2, final", "a\"b\\c.mp4", "🍮"])
def test_the_name_offered_to_the_browser_fits_an_unquoted_header(name):
    offered = browser_filename(video_filename(name, "VI1"))
    assert offered and offered.isascii()
    assert not set(offered) & set(';,"\\\r\n')
    assert offered.endswith("VI1.mp4")


async def test_o_opens_a_tab_of_the_browser_even_when_the_server_was_reached_by_ssh(
    fake_server, monkeypatch, browser
):
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.5 50000 198.51.100.7 22")
    app = make_app(fake_server.base_url)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.press("o")
        await until(pilot, lambda: opened, "the link opened")
        assert notified(app, "Opening")
