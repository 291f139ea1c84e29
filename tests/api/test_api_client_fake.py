"""The client against the fake Memories.ai server (written from the reference, not from us).

Expectations come from the fake's own library, so these tests check that the client
reads what a faithful server says; faults come from the fake's fault switch.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from memories_tui.api import (
    AuthError,
    BadResponseError,
    MemoriesError,
    NotFoundError,
    RequestTimeout,
    ServerError,
)

from .api_testkit import API_KEY

V1 = "/serve/api/v1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SleepRecorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def requests_to(fake, endpoint: str) -> list:
    return [r for r in list(fake.requests) if r.path == f"{V1}/{endpoint}"]


def expected_bytes(video_no: str, size: int) -> bytes:
    # The contract names memories_tui.fake.server.expected_bytes; it is defined in
    # fake/content.py, so accept either place.
    try:
        from memories_tui.fake.server import expected_bytes as fake_expected_bytes
    except ImportError:
        from memories_tui.fake.content import expected_bytes as fake_expected_bytes
    return fake_expected_bytes(video_no, size)


# -- every endpoint ----------------------------------------------------------------------


async def test_list_videos_matches_the_library(fake, make_client):
    records, total = fake.library.query_videos("default", page=2, size=10)
    async with make_client(fake.base_url) as client:
        page = await client.list_videos(2, 10)
    assert page.total_count == total == fake.library.video_count()
    assert (page.page, page.page_size) == (2, 10)
    assert [v.video_no for v in page.videos] == [r.video_no for r in records]
    for video, record in zip(page.videos, records, strict=True):
        assert video.name == record.name
        # As the service lists them: FAIL and UNPARSE rows with duration 0, an unknown
        # size as "0", which the client reads as "unknown".
        listed = 0 if record.status in ("FAIL", "UNPARSE") else record.duration
        assert video.duration == listed
        assert video.size == (None if record.size_unknown else record.size)
        assert video.status == record.status and video.cause == record.cause
        assert video.create_time == EPOCH + timedelta(milliseconds=record.create_ms)
    (request,) = requests_to(fake, "list_videos")
    assert request.method == "POST" and request.has_auth
    assert request.json["unique_id"] == "default"


async def test_list_videos_reference_example(fake, make_client):
    async with make_client(fake.base_url, unique_id="docs") as client:
        page = await client.list_videos(1, 200)
    assert len(page.videos) == 3 and page.total_count == 3
    first = page.videos[0]
    assert (first.video_no, first.duration, first.size) == ("VI606404158946574336", 12, 3284512)
    assert first.create_time == datetime(2025, 8, 1, 8, 33, 37, 992000, tzinfo=UTC)
    assert first.cause is None


async def test_list_videos_filters(fake, make_client):
    record = next(fake.library.videos())
    async with make_client(fake.base_url) as client:
        page = await client.list_videos(1, 5, video_no=record.video_no)
    assert [v.video_no for v in page.videos] == [record.video_no]


async def test_sessions_and_detail(fake, make_client):
    summaries = fake.library.sessions()
    async with make_client(fake.base_url) as client:
        page = await client.list_sessions(1)
        detail = await client.get_session_detail(page.sessions[0].session_id)
    assert page.total_count == len(summaries)
    assert page.sessions[0].session_id == str(summaries[0]["sessionId"])
    assert detail.session_id == page.sessions[0].session_id
    assert detail.messages
    (request,) = requests_to(fake, "list_sessions")
    assert request.method == "GET" and request.query["unique_id"] == "default"


async def test_public_video_reference_example(fake, make_client):
    async with make_client(fake.base_url) as client:
        video = await client.get_public_video(fake.library.reference_public_video_id)
    assert video.publish_time == datetime(2024, 11, 7, 2, 40, 13, tzinfo=UTC)
    assert video.create_time == datetime(2025, 7, 23, 3, 40, 2, 121000, tzinfo=UTC)
    assert video.hashtags == ("nba", "minnesota", "timberwolves")
    assert (video.like_count, video.view_count) == (1460, 14200)


async def test_private_video_details(fake, make_client):
    record = next(fake.library.videos())
    async with make_client(fake.base_url) as client:
        details = await client.get_private_video(record.video_no)
        with pytest.raises(NotFoundError):
            await client.get_private_video("VI000000000000000000")
    assert details.video_no == record.video_no
    assert (details.width, details.height) == (record.width, record.height)
    assert details.fps == pytest.approx(record.fps)
    assert details.size == record.size


async def test_task_status(fake, make_client):
    finished = fake.library.task_ids["finished"]
    async with make_client(fake.base_url) as client:
        task = await client.get_task_status(finished)
        empty = await client.get_task_status(fake.library.task_ids["empty"])
        with pytest.raises(MemoriesError):
            await client.get_task_status("no-such-task")
    assert task.task_id == finished and len(task.video_ids) == 3
    assert empty.video_ids == ()


async def test_images(fake, make_client):
    async with make_client(fake.base_url) as client:
        page = await client.list_images(1, 20)
    assert page.total_count == len(fake.library.images())
    assert len(page.images) == 20
    assert all(image.image_no for image in page.images)


async def test_wrong_key_is_an_auth_error_that_never_shows_the_key(fake, make_client):
    wrong = "sk-test-wrong-key-0000111122223333"
    async with make_client(fake.base_url, api_key=wrong) as client:
        with pytest.raises(AuthError) as info:
            await client.list_videos()
    for text in (str(info.value), repr(info.value)):
        assert wrong not in text and API_KEY not in text
    assert "MEMORIES_API_KEY" in str(info.value)


# -- pacing and retries ------------------------------------------------------------------


async def test_default_pacing_never_trips_a_1_qps_server(fake_factory, make_client):
    fake = fake_factory(rate_limit=1)
    async with make_client(fake.base_url, rate_limit=1.0) as client:
        for _ in range(3):
            await client.list_sessions()
    assert len(requests_to(fake, "list_sessions")) == 3  # no 0429, so no retry


async def test_unpaced_burst_is_limited_then_retried(fake_factory, make_client):
    fake = fake_factory(rate_limit=5)  # its bucket refills in 0.2 s
    waits: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    # The service's 0429 often has no Retry-After: the client backs off, doubling.
    async with make_client(fake.base_url, sleep=recorded_sleep, backoff_base=0.1) as client:
        await client.list_sessions()
        await client.list_sessions()
    assert waits and all(later > earlier for earlier, later in zip(waits, waits[1:], strict=False))
    assert 0.1 <= waits[0] <= 0.125
    assert len(requests_to(fake, "list_sessions")) == 2 + len(waits)
    assert fake.rate_limited_count == len(waits)


async def test_429_twice_then_success(fake, make_client):
    fake.faults.push("429", 2)
    sleep = SleepRecorder()
    async with make_client(fake.base_url, sleep=sleep) as client:
        page = await client.list_videos()
    assert page.videos
    assert len(requests_to(fake, "list_videos")) == 3
    assert sleep.waits == [1.0, 1.0]  # Retry-After: 1, honoured


@pytest.mark.parametrize("kind", ["500", "502", "503-html", "cut"])
async def test_transient_faults_are_retried_for_reads(fake, make_client, kind):
    fake.faults.push(kind)
    async with make_client(fake.base_url) as client:
        page = await client.list_videos()
    assert page.videos
    assert len(requests_to(fake, "list_videos")) == 2


async def test_html_error_page_is_summarised(fake, make_client):
    fake.faults.push("503-html")
    async with make_client(fake.base_url, max_retries=0) as client:
        with pytest.raises(ServerError) as info:
            await client.list_videos()
    assert info.value.message == "The server answered 503 Service Unavailable."


@pytest.mark.parametrize("kind", ["malformed", "envelope-missing"])
async def test_unreadable_answers(fake, make_client, kind):
    fake.faults.push(kind)
    async with make_client(fake.base_url) as client:
        with pytest.raises(BadResponseError):
            await client.list_videos()
    assert len(requests_to(fake, "list_videos")) == 1


async def test_stall_is_a_timeout(fake, make_client):
    fake.faults.push("stall")
    async with make_client(fake.base_url, timeout=0.3, max_retries=0) as client:
        with pytest.raises(RequestTimeout):
            await client.list_sessions()


# -- deletes -----------------------------------------------------------------------------


async def test_delete_250_in_three_requests(fake_factory, make_client):
    fake = fake_factory(videos=300)
    ids = [r.video_no for r in fake.library.videos()][:250]
    seen = []
    async with make_client(fake.base_url) as client:
        report = await client.delete_videos(ids, on_chunk=seen.append)
    deletes = requests_to(fake, "delete_videos")
    assert [len(r.json) for r in deletes] == [100, 100, 50]
    assert all(r.query.get("unique_id") == "default" for r in deletes)
    assert report.deleted == tuple(ids) and report.ok
    assert len(seen) == 3
    assert fake.library.video_count() == 50


async def test_delete_not_resent_after_a_stall(fake, make_client):
    ids = [r.video_no for r in fake.library.videos()][:3]
    fake.faults.push("stall", path="/delete_videos")
    async with make_client(fake.base_url, timeout=0.3) as client:
        report = await client.delete_videos(ids)
    assert len(requests_to(fake, "delete_videos")) == 1
    error = report.chunks[0].error
    assert isinstance(error, RequestTimeout) and error.maybe_applied
    assert report.maybe_deleted == tuple(ids)


async def test_delete_not_resent_after_a_5xx(fake, make_client):
    fake.faults.push("502", path="/delete_videos")
    async with make_client(fake.base_url) as client:
        report = await client.delete_videos(["VI1"])
    assert len(requests_to(fake, "delete_videos")) == 1
    assert report.chunks[0].error.maybe_applied


async def test_delete_resent_after_0429(fake_factory, make_client):
    fake = fake_factory()
    ids = [r.video_no for r in fake.library.videos()][:2]
    before = fake.library.video_count()
    fake.faults.push("429", path="/delete_videos")
    async with make_client(fake.base_url, sleep=SleepRecorder()) as client:
        report = await client.delete_videos(ids)
    assert report.ok and report.deleted == tuple(ids)
    assert len(requests_to(fake, "delete_videos")) == 2
    assert fake.library.video_count() == before - 2


# -- downloads ---------------------------------------------------------------------------


def small_video(fake):
    video_no = fake.library.small_video_ids(max_size=512 * 1024, limit=1)[0]
    return fake.library.get_video(video_no)


async def download_all(client, video_no: str) -> tuple[int | None, bytes]:
    async with client.download(video_no) as stream:
        data = b"".join([chunk async for chunk in stream.aiter_bytes()])
    return stream.total, data


async def test_download_bytes_are_the_expected_bytes(fake, make_client):
    record = small_video(fake)
    async with make_client(fake.base_url) as client:
        total, data = await download_all(client, record.video_no)
    assert data == expected_bytes(record.video_no, record.size)
    assert total == record.size


async def test_download_of_an_unknown_video(fake, make_client):
    yielded = []
    async with make_client(fake.base_url) as client:
        with pytest.raises(NotFoundError):
            async with client.download("VI000000000000000000") as stream:
                yielded.append(stream)
    assert yielded == []


@pytest.mark.parametrize("kind", ["cut", "short"])
async def test_broken_downloads_raise(fake, make_client, kind):
    record = small_video(fake)
    fake.faults.push(kind, path="/download")
    async with make_client(fake.base_url) as client:
        with pytest.raises(MemoriesError):
            await download_all(client, record.video_no)


@pytest.mark.parametrize("via", ["fast-path", "httpx"])
async def test_long_download_gives_exactly_the_announced_bytes(fake, make_client, via):
    # HTTP/1.1 framing stops at Content-Length, so the 4 KiB the server adds past it
    # never reach us: the file comes out exactly right, on either path a body takes.
    record = small_video(fake)
    fired = fake.faults.fired["long"]  # the fake is shared by the module's tests
    fake.faults.push("long", path="/download")
    kwargs = {"transport": httpx.AsyncHTTPTransport()} if via == "httpx" else {}
    async with make_client(fake.base_url, **kwargs) as client:
        total, data = await download_all(client, record.video_no)
    assert total == record.size
    assert data == expected_bytes(record.video_no, record.size)
    assert fake.faults.fired["long"] == fired + 1


async def test_download_retried_after_a_rate_limit(fake, make_client):
    record = small_video(fake)
    fake.faults.push("429", path="/download")
    async with make_client(fake.base_url, sleep=SleepRecorder()) as client:
        _, data = await download_all(client, record.video_no)
    assert data == expected_bytes(record.video_no, record.size)
    assert len(requests_to(fake, "download")) == 2


# -- the fake's hostile profile: wrong types, odd values, escapes ---------------------------


async def test_hostile_library_parses_without_surprises(fake_factory, make_client):
    fake = fake_factory(hostile=True)
    async with make_client(fake.base_url) as client:
        page = await client.list_videos(1, 200)
        assert page.videos and page.total_count >= len(page.videos)
        assert len({v.video_no for v in page.videos}) == len(page.videos)
        for video in page.videos:
            assert video.duration is None or type(video.duration) is int
            assert video.create_time is None or video.create_time.tzinfo is not None
        sessions = await client.list_sessions(1)
        assert sessions.sessions
        for summary in sessions.sessions:
            detail = await client.get_session_detail(summary.session_id)
            wire = fake.library.session_detail(summary.session_id)
            # Every message is kept (odd roles and contents as text), none invented.
            assert detail.session_id == summary.session_id
            assert len(detail.messages) == len(wire["messages"])
            assert all(type(m.role) is str and type(m.content) is str
                       for m in detail.messages)
        images = await client.list_images(1, 100)
        assert images.images and all(image.image_no for image in images.images)
        for video_no in fake.library.public_video_ids:
            public = await client.get_public_video(video_no)
            assert public.video_no == video_no
            assert all(type(tag) is str for tag in public.hashtags)
            assert public.like_count is None or type(public.like_count) is int
