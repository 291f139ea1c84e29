"""Following an upload task (services/tasks.py), over loopback HTTP against the fake.

No Textual here: the poller is driven by calling `check()` and reading its events, and
its schedule by a clock the tests move by hand.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest

from memories_tui.api.client import MemoriesClient
from memories_tui.api.errors import ServerError
from memories_tui.services.library import LibraryService
from memories_tui.services.tasks import (
    NOT_LISTED_YET,
    REFRESH_SECONDS,
    CheckEnded,
    Checking,
    TaskPoller,
    TaskRead,
    TaskUnreadable,
    VideoRead,
)

KEY = "sk-test-abcdefghijklmnop"
VIDEO_READ = "/get_private_video_details"
TASK_READ = "/get_video_ids_by_task_id"


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def following(server, task_id: str, unique_id: str = "default", **kwargs):
    # No retries: one fault is one failed read, as the poller sees it.
    async with MemoriesClient(KEY, server.base_url, rate_limit=None, max_retries=0) as client:
        yield TaskPoller(LibraryService(client), task_id, unique_id, **kwargs)


async def check(poller: TaskPoller) -> list:
    events: list = []
    await poller.check(events.append)
    return events


def reads(server, endpoint: str, since: int = 0) -> list[str]:
    """The video (or task) ids read from `endpoint`, in order, from request `since` on."""
    key = "task_id" if endpoint == TASK_READ else "video_no"
    return [r.query.get(key, "") for r in server.requests[since:] if r.path.endswith(endpoint)]


def a_failed_video(server) -> str:
    return next(v.video_no for v in server.library.videos() if v.status == "FAILED")


async def test_ids_appear_over_time_until_every_video_is_parsed(fake_server):
    task_id = fake_server.library.task_ids["growing"]
    async with following(fake_server, task_id) as poller:
        events = await check(poller)
        assert [type(e) for e in events] == [Checking, TaskRead, Checking, VideoRead, CheckEnded]
        read = events[1]
        assert read.first_answer and [s.video_no for s in read.added] == list(poller.videos)
        assert events[2] == Checking(read.added[0].video_no, 1, 1)
        assert events[3].state.status == "UNPARSE" and not events[-1].done
        counts, added = [len(poller.videos)], []
        for _ in range(8):
            if poller.done:
                break
            events = await check(poller)
            task_read = next(e for e in events if isinstance(e, TaskRead))
            assert not task_read.first_answer
            added.append(len(task_read.added))
            counts.append(len(poller.videos))
        assert counts[:4] == [1, 2, 3, 4] and added[:3] == [1, 1, 1]
        assert poller.done and poller.finished and events[-1] == CheckEnded(done=True)
        assert [s.status for s in poller.videos.values()] == ["PARSE"] * 4
        # The task's order is kept, whatever order the reads finished in.
        assert list(poller.videos) == fake_server.library.task_video_ids(task_id)


async def test_only_unfinished_videos_are_read_again(fake_server):
    lib = fake_server.library
    task_id = lib.task_ids["growing"]
    async with following(fake_server, task_id) as poller:
        skipped = 0  # reads saved: videos already final when a check began
        while not poller.done:
            start = len(fake_server.requests)
            seen = list(poller.videos)
            unfinished = [v for v, s in poller.videos.items() if not s.final]
            await check(poller)
            new = [v for v in poller.videos if v not in seen]
            assert len(new) <= 1  # the growing task reveals one id a read
            video_reads = reads(fake_server, VIDEO_READ, start)
            # One task read first, then each video not final before this check (and each
            # id it revealed), once each, in the task's order.
            assert reads(fake_server, TASK_READ, start) == [task_id]
            assert fake_server.requests[start].path.endswith(TASK_READ)
            assert video_reads == [v for v in poller.videos if v in unfinished or v in new]
            skipped += len(seen) - len(unfinished)
        assert skipped > 0
        start = len(fake_server.requests)
        await check(poller)  # asked again when done: only the task is read
        assert reads(fake_server, VIDEO_READ, start) == []
        assert reads(fake_server, TASK_READ, start) == [task_id]


async def test_a_video_the_server_does_not_know_is_not_listed_yet(fake_server):
    lib = fake_server.library
    ready = lib.ids()[20]
    lib.put_task("t-missing", ["VI1", ready])
    async with following(fake_server, "t-missing") as poller:
        events = await check(poller)
        missing = poller.videos["VI1"]
        assert missing.problem == NOT_LISTED_YET and missing.details is None
        assert not missing.final and not poller.done and not poller.finished
        assert VideoRead(missing) in events
        start = len(fake_server.requests)
        await check(poller)
        assert reads(fake_server, VIDEO_READ, start) == ["VI1"]  # asked again, alone


async def test_a_video_deleted_while_followed_keeps_its_last_details(fake_server):
    lib = fake_server.library
    task_id = lib.task_ids["growing"]
    async with following(fake_server, task_id) as poller:
        await check(poller)
        (video_no,) = poller.videos
        assert poller.videos[video_no].status == "UNPARSE"
        lib.delete("default", [video_no])
        await check(poller)
        state = poller.videos[video_no]
        assert state.problem == NOT_LISTED_YET and state.status == "UNPARSE"


async def test_an_api_error_mid_check_marks_that_video_and_the_check_goes_on(fake_server):
    lib = fake_server.library
    first, second, third = lib.ids()[20:23]
    lib.put_task("t-error", [first, second, third])
    fake_server.faults.push("500", path=VIDEO_READ)  # the first video read only
    async with following(fake_server, "t-error") as poller:
        events = await check(poller)
        assert poller.videos[first].problem == "unknown (server error)"
        assert poller.videos[first].details is None and not poller.videos[first].final
        assert all(poller.videos[v].problem is None for v in (second, third))
        assert events[-1] == CheckEnded(done=False)  # not raised: reported
        unfinished = [v for v, state in poller.videos.items() if not state.final]
        assert unfinished[0] == first
        start = len(fake_server.requests)
        await check(poller)
        assert reads(fake_server, VIDEO_READ, start) == unfinished  # the failed one again
        assert poller.videos[first].problem is None and poller.videos[first].details is not None


async def test_done_stops_polling(fake_server):
    clock = Clock()
    task_id = fake_server.library.task_ids["finished"]
    async with following(fake_server, task_id, clock=clock) as poller:
        events = await check(poller)
        assert poller.done and poller.finished and events[-1] == CheckEnded(done=True)
        assert [e.number for e in events if isinstance(e, Checking) and e.video_no] == [1, 2, 3]
        clock.now += 3600
        assert poller.seconds_until_next() is None and poller.countdown() is None
        assert not poller.due()


async def test_failed_and_public_videos_are_final_and_public_ids_are_read_publicly(fake_server):
    lib = fake_server.library
    failed = a_failed_video(fake_server)
    public = lib.reference_public_video_id
    lib.put_task("t-public", [public, failed], namespace="team-a")
    async with following(fake_server, "t-public", "team-a") as poller:
        await check(poller)
    assert poller.videos[public].status == "PARSE"
    # The failed id lives in default, not team-a: the private read asks team-a.
    assert poller.videos[failed].problem == NOT_LISTED_YET
    public_reads = [r for r in fake_server.requests if r.path.endswith("/get_public_video_detail")]
    assert [r.query for r in public_reads] == [{"video_no": public}]  # no namespace
    assert reads(fake_server, VIDEO_READ) == [failed]
    task_reads = [r for r in fake_server.requests if r.path.endswith(TASK_READ)]
    assert task_reads[0].query["unique_id"] == "team-a"
    lib.put_task("t-failed", [public, failed])
    async with following(fake_server, "t-failed") as poller:
        await check(poller)
    assert poller.videos[failed].status == "FAILED" and poller.videos[failed].final
    assert poller.done


async def test_a_task_the_server_does_not_know(fake_server):
    clock = Clock()
    async with following(fake_server, "no-such-task", clock=clock) as poller:
        events = await check(poller)
    assert [type(e) for e in events] == [Checking, TaskUnreadable, CheckEnded]
    failure = events[1]
    assert failure.not_found and failure.first_answer
    assert not poller.loaded and poller.finished and not poller.done
    clock.now += 3600
    assert poller.countdown() is None and not poller.due()  # nothing to follow
    assert reads(fake_server, VIDEO_READ) == []


async def test_a_first_answer_that_fails_otherwise_can_be_retried(fake_server):
    task_id = fake_server.library.task_ids["finished"]
    fake_server.faults.push("503-html", path=TASK_READ)
    async with following(fake_server, task_id) as poller:
        events = await check(poller)
        failure = next(e for e in events if isinstance(e, TaskUnreadable))
        assert not failure.not_found and failure.first_answer
        assert isinstance(failure.error, ServerError)
        assert poller.finished and poller.countdown() is None  # not polled on its own
        events = await check(poller)  # the user asks again
        assert next(e for e in events if isinstance(e, TaskRead)).first_answer
        assert poller.done and len(poller.videos) == 3


async def test_a_failure_while_following_keeps_what_was_shown(fake_server):
    clock = Clock()
    task_id = fake_server.library.task_ids["growing"]
    async with following(fake_server, task_id, clock=clock) as poller:
        await check(poller)
        await check(poller)
        shown = dict(poller.videos)
        assert len(shown) == 2
        fake_server.faults.push("500", path=TASK_READ)
        start = len(fake_server.requests)
        events = await check(poller)
        assert [type(e) for e in events] == [Checking, TaskUnreadable, CheckEnded]
        assert not events[1].first_answer and not events[1].not_found
        assert dict(poller.videos) == shown and poller.loaded
        assert reads(fake_server, VIDEO_READ, start) == []  # no ids: nothing else is read
        assert not poller.finished and poller.countdown() == REFRESH_SECONDS
        # Not found while following (the task expired?) is kept the same way.
        fake_server.library.tasks.pop(task_id)
        events = await check(poller)
        assert events[1].not_found and not events[1].first_answer
        assert dict(poller.videos) == shown and not poller.finished


async def test_the_next_check_is_due_an_interval_after_the_end_of_the_last(fake_server):
    clock = Clock()
    task_id = fake_server.library.task_ids["growing"]
    async with following(fake_server, task_id, clock=clock, refresh_seconds=5) as poller:
        assert poller.countdown() is None and not poller.due()  # nothing checked yet

        def slow_reads(event) -> None:
            clock.now += 2  # every step of the check takes time
            assert poller.countdown() is None and not poller.due()  # none while checking

        await poller.check(slow_reads)
        assert poller.countdown() == 5 and not poller.due()
        clock.now += 1
        assert poller.countdown() == 4
        clock.now += 3.5
        assert poller.countdown() == 1 and not poller.due()
        clock.now += 0.5 - 0.0005  # a timer that wakes half a millisecond early
        assert poller.countdown() == 0 and poller.due()
        clock.now += 60  # a view shown again long after: due at once, not late by more
        assert poller.due() and poller.seconds_until_next() == 0


async def test_one_check_at_a_time_and_cancelling_keeps_what_was_read(fake_server):
    lib = fake_server.library
    first, second = lib.ids()[20:22]
    lib.put_task("t-cancel", [first, second])
    async with following(fake_server, "t-cancel") as poller:
        again: list[asyncio.Future] = []

        def report(event) -> None:
            # The view goes away just as the first video is about to be read.
            if isinstance(event, Checking) and event.video_no == first:
                again.append(asyncio.ensure_future(poller.check()))
                running.cancel()

        running = asyncio.ensure_future(poller.check(report))
        with pytest.raises(asyncio.CancelledError):
            await running
        with pytest.raises(RuntimeError):
            await again[0]  # started while the first check still ran
        assert not poller.checking and poller.loaded
        assert list(poller.videos) == [first, second]
        assert all(state.details is None for state in poller.videos.values())
        assert poller.countdown() == REFRESH_SECONDS  # still followed
        await check(poller)
        assert poller.done
