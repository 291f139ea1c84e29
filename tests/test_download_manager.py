"""The download manager against the fake, without Textual: what lands on the disk, what
each job says, and what the listeners (the downloads panel) are told.

Real HTTP to the fake server; the manager's clock is one the tests move, so what is
reported when does not depend on the machine's speed. Disk faults the fake cannot
make (a file system without hard links, a bug) are simulated where the OS is called.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import stat
import threading
import weakref
from pathlib import Path

import pytest

from memories_tui.api.client import MemoriesClient
from memories_tui.api.errors import BadResponseError
from memories_tui.api.models import Video
from memories_tui.fake import expected_bytes
from memories_tui.filenames import part_path
from memories_tui.services import downloads as downloads_module
from memories_tui.services.downloads import (
    PROGRESS_INTERVAL,
    Conflict,
    DownloadJob,
    DownloadManager,
    JobState,
    check_complete,
    describe_os_error,
    free_space,
    nearest_existing,
    plan_downloads,
    smoothed_speed,
)

KEY = "sk-test-abcdefghijklmnop"


class Clock:
    """The manager's clock: stands still unless a test moves it."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Seen:
    """A listener: (job id, state, received, error) at each report."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, str, int, str | None]] = []

    def __call__(self, job: DownloadJob) -> None:
        self.reports.append((job.job_id, job.state.value, job.received, job.error))

    def states(self, job_id: int) -> list[str]:
        states = [state for jid, state, _, _ in self.reports if jid == job_id]
        return [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]


def listed(server, video_no: str, namespace: str = "default") -> Video:
    """The video as the library lists it (what the download dialog plans from)."""
    record = server.library.get_video(video_no, namespace)
    return Video(video_no, record.name, "PARSE", 1, record.size, None, None)


@pytest.fixture
async def client(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        yield client


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


async def until(condition, what: str, seconds: float = 10.0) -> None:
    """Let the event loop (and the threads it waits for) run until `condition()`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"{what} never happened"
        await asyncio.sleep(0.005)


# -- a download from start to end -----------------------------------------------------------


async def test_a_download_lands_whole_and_every_state_is_reported(fake_server, client,
                                                                  tmp_path, caplog):
    caplog.set_level(logging.ERROR)
    video_no = fake_server.library.small_video_ids("team-a", limit=1)[0]
    video = listed(fake_server, video_no, "team-a")
    clock, seen = Clock(50.0), Seen()
    manager = DownloadManager(client, clock=clock, on_update=seen)
    (job,) = manager.start(plan_downloads([video], tmp_path), "team-a", Conflict.SKIP)
    assert job.state is JobState.QUEUED and seen.states(job.job_id) == ["queued"]
    await manager.wait_idle()
    assert job.state is JobState.DONE and job.error is None
    assert files(tmp_path) == {job.path.name: expected_bytes(video_no, video.size)}
    assert job.path == tmp_path.resolve() / downloads_module.video_filename(video.name, video_no)
    assert (job.name, job.unique_id, job.conflict) == (video.name, "team-a", Conflict.SKIP)
    assert job.total == job.received == job.expected_size == video.size
    assert (job.started_at, job.finished_at) == (50.0, 50.0)
    assert seen.states(job.job_id) == ["queued", "downloading", "done"]
    assert seen.reports[-1] == (job.job_id, "done", video.size, None)
    assert manager.active == [] and manager.jobs == [job]
    # The request named the namespace; the file is readable, not executable.
    (request,) = [r for r in fake_server.requests if r.path.endswith("/download")]
    assert request.json == {"video_no": video_no, "unique_id": "team-a"}
    mode = stat.S_IMODE(job.path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o644 & ~umask
    assert caplog.records == []  # nothing went wrong on the way, not even in a callback


async def test_jobs_get_their_own_ids_and_paths_and_a_second_download_overwrites(
        fake_server, client, tmp_path):
    first, second = fake_server.library.small_video_ids(limit=2)
    videos = [listed(fake_server, v) for v in (first, second)]
    manager = DownloadManager(client)
    jobs = manager.start(plan_downloads(videos, tmp_path), "default", Conflict.SKIP)
    assert [j.job_id for j in jobs] == [1, 2]
    await manager.wait_idle()
    # The same video again, overwriting: the finished job no longer holds its name.
    (again,) = manager.start(plan_downloads(videos[:1], tmp_path), "default",
                             Conflict.OVERWRITE)
    await manager.wait_idle()
    assert again.job_id == 3 and again.path == jobs[0].path and again.state is JobState.DONE
    assert sorted(files(tmp_path)) == sorted([jobs[0].path.name, jobs[1].path.name])


@pytest.mark.parametrize("conflict", list(Conflict))
async def test_an_existing_file_is_skipped_kept_beside_or_overwritten(fake_server, client,
                                                                       tmp_path, conflict):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    video = listed(fake_server, video_no)
    (tmp_path / downloads_module.video_filename(video.name, video_no)).write_bytes(b"mine")
    (planned,) = plan_downloads([video], tmp_path)
    assert planned.exists is True
    seen = Seen()
    manager = DownloadManager(client, clock=Clock(), on_update=seen)
    (job,) = manager.start([planned], "default", conflict)
    await manager.wait_idle()
    body = expected_bytes(video_no, video.size)
    copy = planned.path.with_name(f"{planned.path.stem} (1){planned.path.suffix}")
    if conflict is Conflict.SKIP:
        assert job.state is JobState.SKIPPED
        assert job.error == f"{planned.path.name} exists already; skipped."
        assert seen.states(job.job_id) == ["skipped"]  # told, though nothing ran
        assert files(tmp_path) == {planned.path.name: b"mine"}
        assert not [r for r in fake_server.requests if r.path.endswith("/download")]
    elif conflict is Conflict.KEEP_BOTH:
        assert job.state is JobState.DONE and job.path == copy
        assert files(tmp_path) == {planned.path.name: b"mine", copy.name: body}
    else:
        assert job.state is JobState.DONE and job.path == planned.path
        assert files(tmp_path) == {planned.path.name: body}


async def test_without_hard_links_the_file_is_still_named_and_nothing_overwritten(
        fake_server, client, tmp_path, monkeypatch):
    """Some file systems (FAT, some mounts) have no hard links: the complete file is
    then renamed, still to a free name when one exists already, and to its own name
    when none does (its own `.part` beside it does not make the name taken)."""
    def no_links(_source, _target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(downloads_module.os, "link", no_links)
    first, second = fake_server.library.small_video_ids(limit=2)
    videos = [listed(fake_server, v) for v in (first, second)]
    planned = plan_downloads(videos, tmp_path)
    manager = DownloadManager(client)
    jobs = manager.start(planned, "default", Conflict.KEEP_BOTH)
    # The first one's file appears after the jobs were made: kept, as for any late file.
    planned[0].path.write_bytes(b"mine")
    await manager.wait_idle()
    assert [j.state for j in jobs] == [JobState.DONE, JobState.DONE]
    copy = planned[0].path.with_name(f"{planned[0].path.stem} (1){planned[0].path.suffix}")
    assert jobs[0].path == copy and jobs[1].path == planned[1].path
    assert files(tmp_path) == {
        planned[0].path.name: b"mine",
        copy.name: expected_bytes(first, videos[0].size),
        planned[1].path.name: expected_bytes(second, videos[1].size),
    }


async def test_a_name_taken_at_the_last_moment_is_not_overwritten(
        fake_server, client, tmp_path, monkeypatch):
    """Another program creates the file's name just as the download is being named
    (and would do it again before any rename): the download takes the next free name,
    and every file of the other program keeps its content."""
    real_link, real_replace = os.link, os.replace
    theirs: dict[Path, bytes] = {}

    def race(target) -> None:
        target = Path(target)
        if target.parent == tmp_path.resolve() and target not in theirs:
            theirs[target] = f"theirs {len(theirs)}".encode()
            target.write_bytes(theirs[target])

    def link(source, target):
        if not theirs:
            race(target)  # first come, first served: the link then fails
        return real_link(source, target)

    def replace(source, target):
        race(target)  # a rename would overwrite what is there by then
        return real_replace(source, target)

    monkeypatch.setattr(downloads_module.os, "link", link)
    monkeypatch.setattr(downloads_module.os, "replace", replace)
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    video = listed(fake_server, video_no)
    (planned,) = plan_downloads([video], tmp_path)
    manager = DownloadManager(client)
    (job,) = manager.start([planned], "default", Conflict.KEEP_BOTH)
    await manager.wait_idle()
    copy = planned.path.with_name(f"{planned.path.stem} (1){planned.path.suffix}")
    assert job.state is JobState.DONE and job.path == copy
    assert {path: path.read_bytes() for path in theirs} == theirs
    assert files(tmp_path) == {planned.path.name: b"theirs 0",
                               copy.name: expected_bytes(video_no, video.size)}


# -- what goes wrong ---------------------------------------------------------------------


async def test_a_refused_download_fails_with_the_servers_words_and_leaves_nothing(
        fake_server, client, tmp_path, caplog):
    video = Video("VI000000000000000000", "gone", "PARSE", 1, 10, None, None)
    seen = Seen()
    manager = DownloadManager(client, clock=Clock(7.0), on_update=seen)
    (job,) = manager.start(plan_downloads([video], tmp_path), "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.FAILED and job.finished_at == 7.0
    assert job.error is not None and "VI000000000000000000 was not found" in job.error
    assert seen.reports[-1] == (job.job_id, "failed", 0, job.error)
    assert files(tmp_path) == {}
    assert [r.getMessage() for r in caplog.records] == [
        f"Download of VI000000000000000000 failed: {job.error}"]


async def test_a_folder_that_is_gone_is_said_in_plain_words(fake_server, client, tmp_path,
                                                            caplog):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    gone = tmp_path / "gone"
    manager = DownloadManager(client)
    (job,) = manager.start(plan_downloads([listed(fake_server, video_no)], gone), "default",
                           Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.FAILED
    assert job.error == f"The folder {gone.resolve()} does not exist."
    assert [r.getMessage() for r in caplog.records] == [
        f"Download of {video_no} failed: {job.error}"]


async def test_a_bug_fails_the_job_with_words_and_a_traceback_in_the_log(
        fake_server, client, tmp_path, monkeypatch, caplog):
    def broken(job):
        raise KeyError("a bug")

    monkeypatch.setattr(downloads_module, "check_complete", broken)
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    manager = DownloadManager(client, clock=Clock(3.0))
    (job,) = manager.start(plan_downloads([listed(fake_server, video_no)], tmp_path),
                           "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.FAILED and job.finished_at == 3.0
    assert job.error == "Unexpected error (KeyError); the details are in the log."
    assert files(tmp_path) == {}  # the partial file went too
    (record,) = caplog.records
    assert record.getMessage() == f"Download of {video_no} failed unexpectedly."
    assert record.exc_info is not None


async def test_a_faulty_listener_is_logged_and_the_download_goes_on(fake_server, client,
                                                                    tmp_path, caplog):
    def broken(_job):
        raise RuntimeError("display broke")

    video_no = fake_server.library.small_video_ids(limit=1)[0]
    manager = DownloadManager(client, on_update=broken)
    (job,) = manager.start(plan_downloads([listed(fake_server, video_no)], tmp_path),
                           "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.DONE
    assert {r.getMessage() for r in caplog.records} == {"A download listener failed."}


# -- cancelling -------------------------------------------------------------------------


async def slow_server_manager(client, clock=None, seen=None) -> DownloadManager:
    return DownloadManager(client, concurrency=1, clock=clock or Clock(), on_update=seen)


async def test_cancelling_a_queued_job_and_a_running_one(tmp_path):
    """One at a time, slowly: the first runs, the others wait. Cancelling the second
    (queued) says so at once and leaves the third queued; cancelling the first (running)
    removes its partial file, and the third then runs."""
    from memories_tui.fake.server import FakeServer

    with FakeServer(seed=1, videos=300, download_rate=64 * 1024) as server:
        ids = server.library.small_video_ids(limit=3)
        videos = [listed(server, v) for v in ids]
        async with MemoriesClient(KEY, server.base_url, rate_limit=None) as client:
            clock, seen = Clock(9.0), Seen()
            manager = await slow_server_manager(client, clock, seen)
            first, second, third = manager.start(plan_downloads(videos, tmp_path), "default",
                                                 Conflict.SKIP)
            await until(part_path(first.path).exists, "the first download")
            assert manager.cancel(second.job_id)
            assert second.state is JobState.CANCELLED and second.error == "Cancelled."
            assert second.finished_at == 9.0 and third.state is JobState.QUEUED
            assert seen.reports[-1] == (second.job_id, "cancelled", 0, "Cancelled.")
            assert manager.cancel(first.job_id)
            server.context.download_rate = None  # the third one need not crawl
            await manager.wait_idle()
            assert manager.cancel(first.job_id) is False  # over
            assert manager.cancel(12345) is False  # no such job
    assert first.state is JobState.CANCELLED and first.error == "Cancelled."
    assert third.state is JobState.DONE
    assert files(tmp_path) == {third.path.name: expected_bytes(ids[2], videos[2].size)}
    assert seen.states(first.job_id) == ["queued", "downloading", "cancelled"]
    # The cancelled jobs' names are free again: the same videos can take their own names.
    assert [j.path for j in manager.enqueue(plan_downloads(videos[:2], tmp_path), "default",
                                            Conflict.SKIP)] == [first.path, second.path]


async def test_cancel_all_and_aclose_leave_no_partial_file(tmp_path):
    from memories_tui.fake.server import FakeServer

    with FakeServer(seed=1, videos=300, download_rate=16 * 1024) as server:
        ids = server.library.small_video_ids(limit=3)
        async with MemoriesClient(KEY, server.base_url, rate_limit=None) as client:
            manager = DownloadManager(client, concurrency=2)
            jobs = manager.start(plan_downloads([listed(server, v) for v in ids], tmp_path),
                                 "default", Conflict.SKIP)
            await until(lambda: all(part_path(j.path).exists() for j in jobs[:2]),
                        "two downloads")
            await manager.aclose()
    assert [j.state for j in jobs] == [JobState.CANCELLED] * 3
    assert files(tmp_path) == {}
    manager.clear_finished()
    assert manager.jobs == []


async def test_a_cancel_while_the_partial_file_is_being_created_leaves_nothing(
        fake_server, client, tmp_path, monkeypatch):
    """A slow disk: the cancel comes while the `.part` file is being created. The job
    ends cancelled and the file, created after all, is removed."""
    opening, go_on = threading.Event(), threading.Event()
    real = downloads_module._open_part

    def slow_open(part):
        opening.set()
        go_on.wait(10)
        return real(part)

    monkeypatch.setattr(downloads_module, "_open_part", slow_open)
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    manager = DownloadManager(client)
    (job,) = manager.start(plan_downloads([listed(fake_server, video_no)], tmp_path),
                           "default", Conflict.SKIP)
    assert await asyncio.to_thread(opening.wait, 10)
    assert manager.cancel(job.job_id)
    go_on.set()
    await manager.wait_idle()
    assert job.state is JobState.CANCELLED
    assert files(tmp_path) == {}
    assert not [r for r in fake_server.requests if r.path.endswith("/download")]


async def test_clear_finished_keeps_what_still_runs(tmp_path):
    from memories_tui.fake.server import FakeServer

    with FakeServer(seed=1, videos=300, download_rate=16 * 1024) as server:
        ids = server.library.small_video_ids(limit=2)
        async with MemoriesClient(KEY, server.base_url, rate_limit=None) as client:
            manager = DownloadManager(client, concurrency=1)
            running, queued = manager.start(
                plan_downloads([listed(server, v) for v in ids], tmp_path), "default",
                Conflict.SKIP)
            manager.cancel(queued.job_id)
            manager.clear_finished()
            assert manager.jobs == [running] and manager.active == [running]
            await manager.aclose()


# -- the rules, one by one ------------------------------------------------------------------


def test_progress_is_reported_at_most_once_an_interval_and_changes_of_state_always():
    clock, seen = Clock(100.0), Seen()
    # Half a second: a value the clock's arithmetic holds exactly.
    manager = DownloadManager(client=None, clock=clock, on_update=seen, progress_interval=0.5)
    job = DownloadJob(1, "VI1", "clip", Path("clip.mp4"), "default", Conflict.SKIP)
    manager._report(job)
    clock.now += 0.25
    manager._report(job)  # too soon: nothing
    manager._report(job, force=True)  # a change of state: at once
    clock.now += 0.25
    manager._report(job)  # too soon after the forced one
    clock.now += 0.25
    manager._report(job)  # exactly an interval later: reported
    assert len(seen.reports) == 3
    assert DownloadManager(client=None).progress_interval == PROGRESS_INTERVAL


def test_subscribers_hear_every_report_until_they_unsubscribe():
    first, second = Seen(), Seen()
    manager = DownloadManager(client=None, on_update=first)
    unsubscribe = manager.subscribe(second)
    job = DownloadJob(1, "VI1", "clip", Path("clip.mp4"), "default", Conflict.SKIP)
    manager._report(job, force=True)
    unsubscribe()
    unsubscribe()  # twice is harmless
    manager._report(job, force=True)
    assert len(first.reports) == 2 and len(second.reports) == 1


def test_the_speed_is_measured_over_half_seconds_and_smoothed():
    window = [10.0, 0]
    assert smoothed_speed(0.0, window, 10.4, 4_000) == 0.0  # too early to tell
    assert window == [10.0, 0]
    assert smoothed_speed(0.0, window, 10.5, 5_000) == 10_000.0  # the first: as measured
    assert window == [10.5, 5_000]
    assert smoothed_speed(10_000.0, window, 11.5, 25_000) == 15_000.0  # (10k + 20k) / 2
    assert window == [11.5, 25_000]


def test_eta_and_fraction_follow_the_size_and_speed():
    job = DownloadJob(1, "VI1", "clip", Path("clip.mp4"), "default", Conflict.SKIP,
                      expected_size=1_000)
    assert job.fraction == 0.0 and job.eta is None  # queued: no estimate
    job.state, job.received, job.speed = JobState.RUNNING, 250, 50.0
    assert job.fraction == 0.25 and job.eta == 15.0
    job.total = 2_000  # what the server announced wins over the listed size
    assert job.size_hint == 2_000 and job.fraction == 0.125 and job.eta == 35.0
    job.received = 3_000
    assert job.fraction == 1.0 and job.eta == 0.0
    unknown = DownloadJob(2, "VI2", "c", Path("c.mp4"), "default", Conflict.SKIP)
    assert unknown.fraction is None
    unknown.state = JobState.DONE
    assert unknown.fraction == 1.0


def test_a_body_is_complete_only_at_its_announced_or_listed_size():
    job = DownloadJob(1, "VI1", "clip", Path("clip.mp4"), "default", Conflict.SKIP,
                      expected_size=12)
    job.total, job.received = 10, 5
    with pytest.raises(BadResponseError) as info:
        check_complete(job)
    assert info.value.message == ("The download of VI1 ended after 5 bytes; the server "
                                  "announced 10. Nothing was kept.")
    job.total, job.close_delimited, job.received = None, True, 1_000
    with pytest.raises(BadResponseError, match="after 1,000 bytes; the library lists 12."):
        check_complete(job)
    job.received = 12
    check_complete(job)
    job.expected_size = None  # nothing to compare with
    check_complete(job)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "The disk is full: no space left in /d."),
        (errno.EACCES, "Cannot write to /d: permission denied."),
        (errno.EPERM, "Cannot write to /d: permission denied."),
        (errno.EROFS, "Cannot write to /d: permission denied."),
        (errno.ENOENT, "The folder /d does not exist."),
        (errno.ENOTDIR, "/d is not a folder."),
        (errno.EIO, "Could not write f.mp4: Input/output error."),
    ],
)
def test_os_errors_in_plain_words(code, words):
    assert describe_os_error(OSError(code, os.strerror(code)), Path("/d/f.mp4")) == words


def test_an_os_error_without_words_is_still_said():
    assert describe_os_error(OSError("odd"), Path("/d/f.mp4")) == "Could not write f.mp4: odd."


def test_free_space_is_that_of_the_nearest_existing_folder(tmp_path):
    deep = tmp_path / "not" / "yet"
    assert nearest_existing(deep) == tmp_path
    assert nearest_existing(tmp_path) == tmp_path
    assert nearest_existing(Path("relative-that-does-not-exist")) == Path.cwd()
    assert free_space(deep) == os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize


def test_planning_names_each_video_once_and_says_what_exists(tmp_path):
    a = Video("VI1", "a", "PARSE", 1, 1, None, None)
    b = Video("VI2", "b", "PARSE", 1, 1, None, None)
    (tmp_path / "b-VI2.mp4").write_bytes(b"")
    planned = plan_downloads([a, a, b, a], tmp_path)
    assert [(p.video.video_no, p.path.name, p.exists) for p in planned] == [
        ("VI1", "a-VI1.mp4", False), ("VI2", "b-VI2.mp4", True)]


async def test_jobs_cancelled_before_they_ever_ran_end_cancelled(fake_server, client, tmp_path):
    """Cancelled at once, before their tasks had a turn: each ends cancelled (not
    queued for ever), waiting for them raises nothing, and a job that had finished
    before keeps its state."""
    ids = fake_server.library.small_video_ids(limit=3)
    videos = [listed(fake_server, v) for v in ids]
    manager = DownloadManager(client)
    (done,) = manager.start(plan_downloads(videos[:1], tmp_path), "default", Conflict.SKIP)
    await manager.wait_idle()
    one, two = manager.start(plan_downloads(videos[1:], tmp_path), "default", Conflict.SKIP)
    assert manager.cancel(one.job_id)
    await manager.wait_idle()
    three, four = manager.start(plan_downloads(videos[1:], tmp_path), "default",
                                Conflict.OVERWRITE)
    manager.cancel_all()
    await manager.wait_idle()
    assert [j.state for j in (done, one, two, three, four)] == [
        JobState.DONE, JobState.CANCELLED, JobState.DONE, JobState.CANCELLED,
        JobState.CANCELLED]
    assert three.path == one.path  # the name one had promised was free again
    assert files(tmp_path) == {done.path.name: expected_bytes(ids[0], videos[0].size),
                               two.path.name: expected_bytes(ids[2], videos[2].size)}


async def test_a_full_disk_fails_that_file_in_words_and_leaves_no_partial_file(
        fake_server, client, tmp_path, monkeypatch, caplog):
    real_open = downloads_module._open_part

    class FullDisk:
        """A `.part` file on a disk that fills up at the first write."""

        def __init__(self, handle) -> None:
            self._handle = handle

        def write(self, data) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self) -> None:
            self._handle.close()

    monkeypatch.setattr(downloads_module, "_open_part", lambda part: FullDisk(real_open(part)))
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    manager = DownloadManager(client)
    (job,) = manager.start(plan_downloads([listed(fake_server, video_no)], tmp_path),
                           "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.FAILED
    assert job.error == f"The disk is full: no space left in {tmp_path.resolve()}."
    assert files(tmp_path) == {}
    assert [r.getMessage() for r in caplog.records] == [
        f"Download of {video_no} failed: {job.error}"]


async def test_a_leftover_partial_file_is_replaced_by_one_of_the_right_mode(
        fake_server, client, tmp_path):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    (planned,) = plan_downloads([listed(fake_server, video_no)], tmp_path)
    leftover = part_path(planned.path)
    leftover.write_bytes(b"left by a crash")
    leftover.chmod(0o777)
    manager = DownloadManager(client)
    (job,) = manager.start([planned], "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.DONE and not leftover.exists()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(job.path.stat().st_mode) == 0o644 & ~umask


async def test_the_speed_is_measured_as_the_download_goes(fake_server, client, tmp_path):
    class Ticking:
        """A clock that moves a second at each look: every progress report ends a
        speed window."""

        def __init__(self) -> None:
            self.now = 0.0

        def __call__(self) -> float:
            self.now += 1.0
            return self.now

    video_no = fake_server.library.small_video_ids(limit=1)[0]
    video = listed(fake_server, video_no)
    manager = DownloadManager(client, clock=Ticking())
    (job,) = manager.start(plan_downloads([video], tmp_path), "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.DONE
    assert type(job.speed) is float and 0 < job.speed <= video.size


async def test_the_first_speed_is_the_bytes_of_the_first_window_over_its_length(
        fake_server, client, tmp_path):
    class StartsThenMoves:
        """Stands at 0 until the job is reported downloading and its speed window opens
        (the next look); every later look is one second on."""

        def __init__(self) -> None:
            self.looks_at_zero: int | None = None

        def __call__(self) -> float:
            if self.looks_at_zero is None:
                return 0.0
            if self.looks_at_zero > 0:
                self.looks_at_zero -= 1
                return 0.0
            return 1.0

    clock = StartsThenMoves()
    reports: list[tuple[int, float]] = []

    def listener(job: DownloadJob) -> None:
        if job.state is JobState.RUNNING and clock.looks_at_zero is None:
            clock.looks_at_zero = 1  # the window's start
        reports.append((job.received, job.speed))

    video_no = fake_server.library.small_video_ids(limit=1)[0]
    manager = DownloadManager(client, clock=clock, on_update=listener)
    (job,) = manager.start(plan_downloads([listed(fake_server, video_no)], tmp_path),
                           "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.DONE
    # The first report with a speed: what came in the window's one second, per second.
    received, speed = next((r, s) for r, s in reports if s)
    assert speed == float(received) > 0
    assert job.speed == speed  # later looks fall in the next window, not yet over


async def test_a_finished_download_is_not_kept_in_memory_once_cleared(
        fake_server, client, tmp_path):
    # A long session downloads thousands of files: once the panel clears them, nothing
    # of theirs stays (the manager forgets each task as it ends).
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    manager = DownloadManager(client)
    (job,) = manager.start(plan_downloads([listed(fake_server, video_no)], tmp_path),
                           "default", Conflict.SKIP)
    await manager.wait_idle()
    assert job.state is JobState.DONE
    manager.clear_finished()
    gone = weakref.ref(job)
    del job
    await asyncio.sleep(0)  # the loop drops the handle that woke wait_idle up
    gc.collect()
    assert gone() is None


async def test_a_folder_in_the_way_of_the_partial_file_fails_the_job_and_is_left_alone(
        fake_server, client, tmp_path, caplog):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    (planned,) = plan_downloads([listed(fake_server, video_no)], tmp_path)
    in_the_way = part_path(planned.path)
    in_the_way.mkdir()
    (in_the_way / "mine.txt").write_bytes(b"mine")
    manager = DownloadManager(client)
    (job,) = manager.enqueue([planned], "default", Conflict.SKIP)
    assert await manager.run_job(job) is job  # failed in words, nothing raised
    assert job.state is JobState.FAILED
    assert job.error == f"Could not write {planned.path.name}: Is a directory."
    assert (in_the_way / "mine.txt").read_bytes() == b"mine" and not planned.path.exists()
    assert not [r for r in fake_server.requests if r.path.endswith("/download")]
    assert [r.getMessage() for r in caplog.records] == [
        f"Download of {video_no} failed: {job.error}"]


def test_two_downloads_at_once_unless_told():
    assert DownloadManager(client=None).concurrency == 2
    assert DownloadManager(client=None, concurrency=0).concurrency == 1


def test_a_hand_off_is_carried_to_the_job_and_its_change_always_reported():
    """A file planned for the browser keeps that to the end (tui/browser.py takes it
    from there); a change after the job ended is told at once, however recent the last
    report."""
    from memories_tui.services.downloads import PlannedFile

    clock, seen = Clock(5.0), Seen()
    manager = DownloadManager(client=None, clock=clock, on_update=seen)
    video = Video("VI1", "clip", "PARSE", 1, 10, None, None)
    (job,) = manager.enqueue([PlannedFile(video, Path("/x/clip-VI1.mp4"), False, "browser")],
                             "default", Conflict.SKIP)
    assert job.hand_off == "browser"
    (plain,) = manager.enqueue([PlannedFile(video, Path("/x/other.mp4"), False)], "default",
                               Conflict.SKIP)
    assert plain.hand_off == ""
    manager._report(job, force=True)
    job.hand_off_note = "taken by the browser"
    manager.changed(job)
    assert len(seen.reports) == 2 and seen.reports[-1][0] == job.job_id
