"""Files: hostile names land inside the chosen folder, sanitised and distinct, and local
faults (a folder that vanished, one that cannot be written, a full disk, quitting mid-way)
end in a clear message per file with no partial file left anywhere."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import unicodedata

import pytest

from memories_tui.fake.server import expected_bytes
from memories_tui.filenames import video_filename
from memories_tui.services import downloads as downloads_module
from memories_tui.tui.modals.confirm_quit import ConfirmQuitModal
from memories_tui.tui.modals.download import DownloadModal

from .support import (
    SIZE,
    assert_no_stray_files,
    assert_screen_is_clean,
    assert_still_running,
    choose_downloads,
    download,
    downloads_finished,
    files_under,
    hostile_app,
    messages,
    notified,
    screen_text,
    settle,
    started,
)


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "downloads"
    path.mkdir()
    return path


def states(app) -> list[str]:
    return [job.state.value for job in app.downloads.jobs]


async def test_hostile_names_land_inside_the_folder_sanitised_and_distinct(
        hostile_server, tmp_path):
    videos = {v.video_no: v for v in hostile_server.library.videos()}
    folder = tmp_path / "new" / "videos"  # not there yet
    app = hostile_app(hostile_server.base_url, page_size=20, download_dir=folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        # The last page: "../", "..\\", an absolute path, reserved and hidden names, a
        # leading dash, wildcards, a name of the wrong JSON type, 10,000 characters.
        await pilot.press("G")
        await settle(pilot)
        page = {v.video_no for v in screen.table.videos}
        await pilot.press("a", "s")  # the whole page
        assert isinstance(app.screen, DownloadModal)
        assert "The folder does not exist; it will be created." in screen_text(app)
        await pilot.press("escape")
        assert not folder.exists()  # nothing happens without confirmation
        await pilot.press("s")
        await pilot.press("enter")
        await downloads_finished(pilot)
        done = app.downloads.jobs
        assert {j.video_no for j in done} == page and len(done) == 15
        assert {j.state.value for j in done} == {"done"}
        files = assert_no_stray_files(tmp_path, folder)
        # One file per video, each directly inside the chosen folder.
        assert len(files) == len(done)
        for job in done:
            name = job.path.name
            assert job.path.parent == folder.resolve() and job.path.is_file()
            assert name == video_filename(videos[job.video_no].name, job.video_no)
            assert not name.startswith((".", "-")) and len(name.encode()) <= 200
            assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in name)
            assert job.path.read_bytes() == expected_bytes(job.video_no,
                                                           videos[job.video_no].size)
        names = {f.name for f in files}
        by_name = {v.name: v.video_no for v in videos.values() if v.video_no in page}
        assert f"_.._etc_passwd-{by_name['../../etc/passwd']}.mp4" in names
        assert f"_absolute_path.mp4-{by_name['/absolute/path.mp4']}.mp4" in names
        assert f"CON-{by_name['CON']}.mp4" in names  # "CON-…" is not reserved; "CON" is
        assert f"video-{by_name['']}.mp4" in names  # a list where the name belongs
        assert any(n.startswith("hidden-") for n in names)
        assert any(n.startswith("rf-") for n in names)
        assert any(n.startswith("An extremely long video name") for n in names)
        assert_screen_is_clean(app)
        assert_still_running(app)


async def test_what_is_on_disk_already_is_never_written_over_or_through(fake_server, tmp_path,
                                                                          folder):
    first, second = fake_server.library.small_video_ids(limit=2)
    videos = [fake_server.library.get_video(v) for v in (first, second)]
    # The user's own file has the first video's name; the second video's ".part" name
    # is a link planted to make the app write outside the folder.
    mine = folder / video_filename(videos[0].name, first)
    mine.write_bytes(b"the user's own file")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"precious")
    (folder / (video_filename(videos[1].name, second) + ".part")).symlink_to(outside)
    app = hostile_app(fake_server.base_url, download_dir=folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await download(pilot, screen, [first, second])  # the dialog's default: skip
        await downloads_finished(pilot)
        assert states(app) == ["skipped", "done"]
        assert notified(app, "1 skipped: the file exists already.")
        assert mine.read_bytes() == b"the user's own file"
        assert outside.read_bytes() == b"precious"
        saved = app.downloads.jobs[1].path
        assert saved.parent == folder.resolve() and not saved.is_symlink()
        assert saved.read_bytes() == expected_bytes(second, videos[1].size)
        # Keep both: a numbered copy beside the user's file, which stays as it was.
        await pilot.press("u")
        await choose_downloads(pilot, [first])
        await pilot.click("#conflict-keep")
        await pilot.click("#download-button")
        await downloads_finished(pilot)
        assert states(app)[-1] == "done"
        assert mine.read_bytes() == b"the user's own file"
        copy = folder / f"{mine.stem} (1){mine.suffix}"
        assert copy.read_bytes() == expected_bytes(first, videos[0].size)
        assert set(assert_no_stray_files(tmp_path)) == {mine, copy, saved, outside}
        assert_still_running(app)


async def test_a_full_disk_or_a_refused_write_fails_that_file_only(fake_server, tmp_path,
                                                                    folder, monkeypatch):
    refused, full, fine = fake_server.library.small_video_ids(limit=3)
    real_open = downloads_module._open_part

    class FullDisk:
        """A `.part` file on a disk that fills up at the first write."""

        def __init__(self, handle) -> None:
            self._handle = handle

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self) -> None:
            self._handle.close()

    def open_part(part):
        # What the OS would answer for a folder we may not write to, or a full disk.
        if refused in part.name:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(part))
        handle = real_open(part)
        return FullDisk(handle) if full in part.name else handle

    monkeypatch.setattr(downloads_module, "_open_part", open_part)
    app = hostile_app(fake_server.base_url, download_dir=folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await download(pilot, screen, [refused, full, fine])
        await downloads_finished(pilot)
        by_id = {job.video_no: job for job in app.downloads.jobs}
        assert by_id[refused].state.value == "failed"
        assert by_id[refused].error == f"Cannot write to {folder.resolve()}: permission denied."
        assert by_id[full].state.value == "failed"
        assert by_id[full].error == f"The disk is full: no space left in {folder.resolve()}."
        assert by_id[fine].state.value == "done"  # the others go on
        # One message per file, each said once.
        failures = [m for m in messages(app) if m.startswith("Download failed")]
        assert len(failures) == 2
        assert any("permission denied" in m for m in failures)
        assert any("The disk is full" in m for m in failures)
        files = assert_no_stray_files(tmp_path, folder)
        assert [f.name for f in files] == [by_id[fine].path.name]
        assert_still_running(app)


async def test_a_folder_that_vanishes_mid_way_is_an_error_per_file(fake_server, tmp_path,
                                                                  folder):
    chosen = fake_server.library.small_video_ids(limit=2)
    fake_server.faults.push("stall-body", path="/download")
    app = hostile_app(fake_server.base_url, download_dir=folder, concurrent_downloads=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await download(pilot, screen, chosen)
        assert states(app) == ["downloading", "queued"]
        shutil.rmtree(folder)  # the first file is half-written, the second not started
        await pilot.press("w", "x")  # the user gives up on the first one
        await downloads_finished(pilot)
        first, second = app.downloads.jobs
        assert first.state.value == "cancelled"
        assert second.state.value == "failed"
        assert second.error == f"The folder {folder.resolve()} does not exist."
        assert not folder.exists()  # reported, not silently re-created
        assert assert_no_stray_files(tmp_path) == []
        assert_screen_is_clean(app)
        assert_still_running(app)


def stalled_download_app(fake_server, folder):
    """An app whose next download starts, writes its .part and then hears nothing more."""
    fake_server.faults.push("stall-body", path="/download")
    return hostile_app(fake_server.base_url, download_dir=folder, timeout=30)


async def start_stalled_download(pilot, folder) -> None:
    app = pilot.app
    screen = await started(pilot)
    await download(pilot, screen)
    assert states(app) == ["downloading"]
    assert [p.name[-5:] for p in files_under(folder)] == [".part"]


async def test_ctrl_c_during_downloads_leaves_no_partial_file(fake_server, tmp_path, folder):
    app = stalled_download_app(fake_server, folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start_stalled_download(pilot, folder)
        # The reflex, as a key: it neither kills nor hangs the app, and says how to quit.
        await pilot.press("ctrl+c")
        assert notified(app, "to quit the app")
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmQuitModal)
        await pilot.press("escape")  # keep downloading
        assert_still_running(app)
        assert states(app) == ["downloading"]
        # Ctrl+C as a signal (kill -INT) ends the app cleanly, as quitting would.
        await signal_and_wait(pilot, signal.SIGINT)
    assert not app.is_running
    assert states(app) == ["cancelled"]
    assert files_under(tmp_path) == []


async def signal_and_wait(pilot, sig: signal.Signals) -> None:
    os.kill(os.getpid(), sig)
    for _ in range(50):
        if pilot.app.return_code is not None:  # the app chose to exit
            break
        await pilot.pause()
    assert pilot.app.return_code == 0


async def test_a_signal_during_downloads_leaves_no_partial_file(fake_server, tmp_path, folder):
    app = stalled_download_app(fake_server, folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start_stalled_download(pilot, folder)
        # A kill; a dropped SSH session (HUP) goes through the same handler.
        await signal_and_wait(pilot, signal.SIGTERM)
    assert not app.is_running
    assert states(app) == ["cancelled"]
    assert files_under(tmp_path) == []
