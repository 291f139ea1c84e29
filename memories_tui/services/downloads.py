"""Downloads: a queue of files streamed to `NAME.part` and renamed only when complete.

The manager owns the whole life of a download and knows nothing of Textual: `start`
turns planned files into jobs and runs each in a task of its own, `cancel` and
`cancel_all` stop them (removing the `.part` file), `aclose` waits until every task has
cleaned up, and listeners (`subscribe`) hear of every change. A job that fails in a
way nobody foresaw is marked failed with the error's words and logged, never left
"downloading". The semaphore keeps at most `concurrency` streams open. The bytes go
from the connection to the file in a thread (`DownloadStream.save_to`), so neither a
slow disk nor a fast network blocks the event loop, and progress is reported at most
ten times a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import errno
import functools
import io
import itertools
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from memories_tui.api.client import MemoriesClient
from memories_tui.api.errors import BadResponseError, MemoriesError
from memories_tui.api.models import Video
from memories_tui.filenames import (
    part_path,
    safe_destination_in,
    unique_path,
    video_filename,
)

PROGRESS_INTERVAL = 0.1  # seconds between progress reports of one job
#: The same on a slow link (low-bandwidth mode): each report costs terminal bytes.
SLOW_LINK_PROGRESS_INTERVAL = 2.0
#: Seconds over which a download's speed is measured (see `smoothed_speed`).
SPEED_WINDOW = 0.5

log = logging.getLogger(__name__)

T = TypeVar("T")

Listener = Callable[["DownloadJob"], object]  # what a listener returns is ignored


class Conflict(enum.Enum):
    """What to do when the destination file exists already."""

    SKIP = "skip"
    KEEP_BOTH = "keep both"
    OVERWRITE = "overwrite"


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "downloading"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        return self not in (JobState.QUEUED, JobState.RUNNING)


@dataclass(eq=False)
class DownloadJob:
    """One file's download, updated in place as it progresses."""

    job_id: int
    video_no: str
    name: str
    path: Path
    unique_id: str
    conflict: Conflict
    expected_size: int | None = None
    state: JobState = JobState.QUEUED
    received: int = 0
    total: int | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    speed: float = 0.0  # bytes per second, smoothed
    close_delimited: bool = False  # the body had no framing to tell a cut from the end
    #: Where a complete file goes next: "" (it stays at `path`) or "browser" (handed to
    #: the web browser, then removed here: tui/browser.py). `hand_off_note` says, in
    #: words for the downloads panel, how far that is ("taken by the browser").
    hand_off: str = ""
    hand_off_note: str = ""
    _last_report: float = field(default=0.0, repr=False)

    @property
    def size_hint(self) -> int | None:
        return self.total if self.total is not None else self.expected_size

    @property
    def fraction(self) -> float | None:
        size = self.size_hint
        if not size:
            return 1.0 if self.state is JobState.DONE else None
        return min(1.0, self.received / size)

    @property
    def eta(self) -> float | None:
        size = self.size_hint
        if size is None or self.speed <= 0 or self.state is not JobState.RUNNING:
            return None
        return max(0.0, (size - self.received) / self.speed)


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """Where one video would go, shown in the download modal before anything starts."""

    video: Video
    path: Path
    exists: bool
    hand_off: str = ""  # see DownloadJob.hand_off


def nearest_existing(folder: Path) -> Path:
    """The folder itself or its closest existing parent (for free-space checks)."""
    folder = folder.expanduser().absolute()
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return Path(folder.anchor or "/")


def free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(nearest_existing(folder)).free
    except OSError:
        return None


def plan_downloads(videos: Iterable[Video], folder: Path) -> list[PlannedFile]:
    """The file each video will get in `folder` (the one sanitising function names it)."""
    base = folder.expanduser().resolve()  # once for every file (see safe_destination_in)
    planned = []
    seen: set[str] = set()
    for video in videos:
        if video.video_no in seen:
            continue
        seen.add(video.video_no)
        path = safe_destination_in(base, video_filename(video.name, video.video_no))
        planned.append(PlannedFile(video=video, path=path, exists=path.exists()))
    return planned


def smoothed_speed(speed: float, window: list[float], now: float, received: int) -> float:
    """The speed to show once `received` bytes have come by `now`.

    `window` is [when it started, bytes received then]. Once it is `SPEED_WINDOW`
    seconds old, the rate over it is averaged with `speed` (the first rate is taken as
    it is) and a new window starts; before that, `speed` stays as it was.
    """
    if now - window[0] < SPEED_WINDOW:
        return speed
    rate = (received - window[1]) / (now - window[0])
    window[:] = [now, received]
    return rate if speed == 0 else 0.5 * speed + 0.5 * rate


def check_complete(job: DownloadJob) -> None:
    """Raise BadResponseError unless `job` received the whole file.

    The whole file is what the server announced (Content-Length). A chunked body shows a
    cut in its own framing (the client raises). A body with neither, ended by closing
    the connection, as the service may send it, is compared with the size the library
    lists for the video, when that is known (above 0): a connection that broke early
    looks, on the wire, just like the end of the file.
    """
    if job.total is not None:
        expected, source = job.total, "the server announced"
    elif job.close_delimited and job.expected_size:
        expected, source = job.expected_size, "the library lists"
    else:
        return  # nothing to compare with
    if job.received != expected:
        raise BadResponseError(
            f"The download of {job.video_no} ended after {job.received:,} bytes; "
            f"{source} {expected:,}. Nothing was kept."
        )


def describe_os_error(exc: OSError, path: Path) -> str:
    """An OSError in plain words, naming the folder or file it concerns."""
    if exc.errno == errno.ENOSPC:
        return f"The disk is full: no space left in {path.parent}."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Cannot write to {path.parent}: permission denied."
    if exc.errno == errno.ENOENT:
        return f"The folder {path.parent} does not exist."
    if exc.errno == errno.ENOTDIR:
        return f"{path.parent} is not a folder."
    return f"Could not write {path.name}: {exc.strerror or exc}."


class DownloadManager:
    """Creates jobs, runs them with bounded concurrency, and reports progress."""

    def __init__(
        self,
        client: MemoriesClient,
        *,
        concurrency: int = 2,
        on_update: Callable[[DownloadJob], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        progress_interval: float = PROGRESS_INTERVAL,
    ) -> None:
        self.client = client
        #: Seconds between two progress reports of one job (state changes are always
        #: reported at once).
        self.progress_interval = progress_interval
        self.concurrency = max(1, concurrency)
        self._listeners: list[Listener] = [on_update] if on_update is not None else []
        self._tasks: dict[int, asyncio.Task[DownloadJob]] = {}
        self._clock = clock
        self._slots = asyncio.Semaphore(self.concurrency)
        self._ids = itertools.count(1)
        self.jobs: list[DownloadJob] = []
        # Paths that a queued or running job will write: "keep both" must not pick them.
        self._claimed: set[Path] = set()

    @property
    def active(self) -> list[DownloadJob]:
        return [job for job in self.jobs if not job.state.finished]

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(job)` on every change of any job; returns the unsubscriber."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def start(
        self, planned: Iterable[PlannedFile], unique_id: str, conflict: Conflict
    ) -> list[DownloadJob]:
        """Enqueue `planned` (see `enqueue`) and start a task for every queued job."""
        jobs = self.enqueue(planned, unique_id, conflict)
        for job in jobs:
            self._report(job, force=True)  # listeners see every job, skipped ones too
            if job.state is JobState.QUEUED:
                task = asyncio.ensure_future(self._guarded(job))
                self._tasks[job.job_id] = task
                task.add_done_callback(functools.partial(self._forget_task, job.job_id))
        return jobs

    def _forget_task(self, job_id: int, _task: asyncio.Task[DownloadJob]) -> None:
        self._tasks.pop(job_id, None)

    async def _guarded(self, job: DownloadJob) -> DownloadJob:
        try:
            return await self.run_job(job)
        except asyncio.CancelledError:
            return job  # run_job has marked it and removed the partial file

    def cancel(self, job_id: int) -> bool:
        """Stop one job (queued or running); False if it is not running any more."""
        task = self._tasks.get(job_id)
        if task is None or task.done():
            return False
        for job in self.jobs:
            if job.job_id == job_id and job.state is JobState.QUEUED:
                # Its task may not have started yet, and then never runs to say so.
                self._mark_cancelled(job)
        task.cancel()
        return True

    def cancel_all(self) -> None:
        """Stop every queued and running job (quitting, a hang-up)."""
        self.cancel_all_pending()
        for task in list(self._tasks.values()):
            task.cancel()

    async def wait_idle(self) -> None:
        """Wait until every job started so far has ended."""
        while pending := [task for task in self._tasks.values() if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel everything and wait until every partial file is removed."""
        self.cancel_all()
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def enqueue(
        self,
        planned: Iterable[PlannedFile],
        unique_id: str,
        conflict: Conflict,
    ) -> list[DownloadJob]:
        """Turn planned files into jobs; existing files are skipped, kept or replaced."""
        jobs = []
        for item in planned:
            path = item.path
            if path in self._claimed:
                # Another video of this session will write that name (two ids can look
                # alike once sanitised): it gets a name of its own, whatever `conflict`
                # says, since that answer is about files on disk, not other downloads.
                path = self._free_path(path)
            exists = path.exists()
            job = DownloadJob(
                job_id=next(self._ids),
                video_no=item.video.video_no,
                name=item.video.name,
                path=path,
                unique_id=unique_id,
                conflict=conflict,
                expected_size=item.video.size,
                hand_off=item.hand_off,
            )
            if exists and conflict is Conflict.SKIP:
                job.state = JobState.SKIPPED
                job.error = f"{path.name} exists already; skipped."
            elif exists and conflict is Conflict.KEEP_BOTH:
                job.path = self._free_path(path)
            if job.state is JobState.QUEUED:
                self._claimed.add(job.path)
            self.jobs.append(job)
            jobs.append(job)
        return jobs

    def _free_path(self, path: Path) -> Path:
        # Free on disk and not promised to a queued or running job.
        return unique_path(path, also_taken=self._claimed)

    def changed(self, job: DownloadJob) -> None:
        """Tell the listeners that `job` changed after it finished (its hand-off)."""
        self._report(job, force=True)

    def _report(self, job: DownloadJob, *, force: bool = False) -> None:
        now = self._clock()
        if not force and now - job._last_report < self.progress_interval:
            return
        job._last_report = now
        for listener in list(self._listeners):
            try:
                listener(job)
            except Exception:
                # A faulty display must not break the download it reports on.
                log.exception("A download listener failed.")

    async def run_job(self, job: DownloadJob) -> DownloadJob:
        """Download one job to its `.part` file and rename it; never leaves a partial file.

        Cancellation (the user's cancel key, or quitting) removes the `.part` file and
        re-raises, so the worker running this is reported as cancelled, not succeeded.
        """
        if job.state is not JobState.QUEUED:
            return job
        part = part_path(job.path)
        claimed = job.path
        try:
            async with self._slots:
                job.state = JobState.RUNNING
                job.started_at = self._clock()
                self._report(job, force=True)
                await self._stream_to(job, part)
                # Too late to cancel once the complete file is being named: a cancel
                # now still lets the rename finish, and the job is done (saying
                # "cancelled" would leave a file the user was told is not there).
                job.path = await _to_thread_to_the_end(
                    self._finish_file, part, job.path, job.conflict, cancellable=False
                )
            job.state = JobState.DONE
        except asyncio.CancelledError:
            job.state = JobState.CANCELLED
            job.error = "Cancelled."
            await _remove_quietly(part)
            raise
        except MemoriesError as exc:
            job.state = JobState.FAILED
            job.error = exc.message
            log.warning("Download of %s failed: %s", job.video_no, exc.message)
            await _remove_quietly(part)
        except OSError as exc:
            job.state = JobState.FAILED
            job.error = describe_os_error(exc, job.path)
            log.warning("Download of %s failed: %s", job.video_no, job.error)
            await _remove_quietly(part)
        except Exception as exc:
            # A bug, not the network or the disk: the user must still see the job end
            # (never "downloading" for ever), and the log gets the traceback.
            log.exception("Download of %s failed unexpectedly.", job.video_no)
            job.state = JobState.FAILED
            job.error = f"Unexpected error ({type(exc).__name__}); the details are in the log."
            await _remove_quietly(part)
        finally:
            job.finished_at = self._clock()
            self._claimed.discard(claimed)
            self._report(job, force=True)
        return job

    async def _stream_to(self, job: DownloadJob, part: Path) -> None:
        # Fail before opening a connection if the folder cannot take the file. Awaited
        # to the end even if cancelled: a file created after we stopped looking would
        # be left behind.
        handle = await _to_thread_to_the_end(_open_part, part)
        try:
            async with self.client.download(job.video_no, unique_id=job.unique_id) as stream:
                job.total = stream.total
                job.close_delimited = stream.close_delimited
                window = [self._clock(), 0]  # start of the speed window, bytes then

                def progress(received: int) -> None:
                    job.speed = smoothed_speed(job.speed, window, self._clock(), received)
                    job.received = received
                    self._report(job)

                await stream.save_to(handle, progress)
            check_complete(job)
            await asyncio.to_thread(_flush_and_close, handle)
        except BaseException:
            await asyncio.to_thread(handle.close)
            raise

    @staticmethod
    def _finish_file(part: Path, final: Path, conflict: Conflict) -> Path:
        """Give the complete `.part` its name; returns the name it got."""
        if conflict is Conflict.OVERWRITE:
            os.replace(part, final)
            return final
        # The file may have appeared while we downloaded: never overwrite without
        # consent. A hard link fails if the name is taken, even by a file created a
        # moment ago, where checking first and renaming after could still clobber it.
        for _ in range(100):
            target = unique_path(final) if os.path.lexists(final) else final
            try:
                os.link(part, target)
            except FileExistsError:
                continue
            except OSError:
                break  # no hard links on this file system (FAT, some mounts)
            os.unlink(part)
            return target
        target = unique_path(final) if os.path.lexists(final) else final
        os.replace(part, target)
        return target

    def cancel_all_pending(self) -> None:
        for job in self.jobs:
            if job.state is JobState.QUEUED:
                self._mark_cancelled(job)

    def _mark_cancelled(self, job: DownloadJob) -> None:
        job.state = JobState.CANCELLED
        job.error = "Cancelled."
        job.finished_at = self._clock()
        self._claimed.discard(job.path)
        self._report(job, force=True)

    def clear_finished(self) -> None:
        self.jobs = [job for job in self.jobs if not job.state.finished]


_PART_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def _open_part(part: Path):
    """A new, empty `.part` file of our own, opened for writing.

    Created exclusively: whatever is there already (a `.part` left by a crash, or a
    link planted to make us write elsewhere) is removed, never written through.
    The folder is not created here: the modal creates it when the user confirms, so
    a folder that vanished since then is reported, not silently re-created.
    """
    try:
        fd = os.open(part, _PART_FLAGS, 0o644)
    except FileExistsError:
        os.unlink(part)  # removes the name only; a link's target is left alone
        fd = os.open(part, _PART_FLAGS, 0o644)
    return os.fdopen(fd, "wb")  # closed by _stream_to


def _flush_and_close(handle) -> None:
    handle.close()


async def _to_thread_to_the_end(
    function: Callable[..., T], *args: object, cancellable: bool = True
) -> T:
    """`function(*args)` in a thread, awaited to its end even if we are cancelled
    meanwhile. Then, if `cancellable`, the cancellation is raised once the thread's work
    is done (a file it opened is closed: the caller cleans up as for any cancellation);
    if not, it is too late to cancel, and the result is returned as if nothing happened.

    Used for the two steps whose half-done state would leave a file behind: creating
    the `.part` file, and naming the finished one.
    """
    work = asyncio.ensure_future(asyncio.to_thread(function, *args))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        result = await work
        if not cancellable:
            return result
        if isinstance(result, io.IOBase):
            result.close()
        raise


async def _remove_quietly(part: Path) -> None:
    try:
        await asyncio.shield(asyncio.to_thread(part.unlink, missing_ok=True))
    except (OSError, asyncio.CancelledError):
        # Shielded: even if we are being cancelled, the unlink finishes in its thread.
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
