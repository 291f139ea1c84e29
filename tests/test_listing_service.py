"""services/listing.py: whole listings beyond one page, status classes asked spelling by
spelling, sorting, and looking videos up by id; against the fake over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from memories_tui.api.client import MemoriesClient
from memories_tui.api.models import Video
from memories_tui.api.status import StatusClass, spellings_of
from memories_tui.fake.server import FakeServer
from memories_tui.services.library import LibraryService
from memories_tui.services.listing import (
    ListingProgress,
    SortOrder,
    StatusFilter,
    VideoListing,
    collect_videos,
    lookup_videos,
    parse_sort,
    parse_status,
    sort_videos,
    sorted_videos,
)


def library_for(server: FakeServer) -> LibraryService:
    return LibraryService(MemoriesClient("sk-listing-test", server.base_url, rate_limit=None))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("failed", StatusFilter(status_class=StatusClass.FAILED)),
        ("Failed", StatusFilter(status_class=StatusClass.FAILED)),
        ("in-progress", StatusFilter(status_class=StatusClass.IN_PROGRESS)),
        ("in progress", StatusFilter(status_class=StatusClass.IN_PROGRESS)),
        ("READY", StatusFilter(status_class=StatusClass.READY)),
        ("unknown", StatusFilter(status_class=StatusClass.UNKNOWN)),
        ("FAILED", StatusFilter(spelling="FAILED")),  # the server's spelling, exactly
        ("FAIL", StatusFilter(spelling="FAIL")),
        ("QUEUED", StatusFilter(spelling="QUEUED")),
    ],
)
def test_parse_status(text: str, expected: StatusFilter) -> None:
    assert parse_status(text) == expected


@pytest.mark.parametrize("text", ["faild", "", "Fail ed", "done-ish"])
def test_parse_status_refuses_what_is_likely_a_typo(text: str) -> None:
    with pytest.raises(ValueError, match="neither a status class"):
        parse_status(text)


def test_parse_sort() -> None:
    assert parse_sort("-size") == SortOrder("size", descending=True)
    assert parse_sort("Created") == SortOrder("created")
    assert str(parse_sort("-name")) == "-name"
    with pytest.raises(ValueError, match="not a field to sort by"):
        parse_sort("colour")


def _video(video_no: str, *, size: int | None = None, name: str = "v",
           created: datetime | None = None, status: str | None = None) -> Video:
    return Video(video_no=video_no, name=name, status=status, duration=None, size=size,
                 create_time=created, cause=None)


def test_unknown_values_sort_last_in_either_direction_and_ties_by_id() -> None:
    videos = [_video("VI3", size=5), _video("VI1"), _video("VI2", size=5), _video("VI0", size=9)]
    assert [v.video_no for v in sort_videos(videos, SortOrder("size"))] == [
        "VI2", "VI3", "VI0", "VI1"]
    assert [v.video_no for v in sort_videos(videos, SortOrder("size", True))] == [
        "VI0", "VI2", "VI3", "VI1"]


def test_sort_by_status_goes_by_class_then_spelling() -> None:
    videos = [_video("a", status="FAIL"), _video("b", status="PARSE"),
              _video("c", status="QUEUED"), _video("d", status="UNPARSE"),
              _video("e", status="DONE"), _video("f")]
    assert [v.status for v in sort_videos(videos, SortOrder("status"))] == [
        "DONE", "PARSE", "UNPARSE", "FAIL", "QUEUED", None]


def test_sort_by_created_and_name() -> None:
    early, late = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    videos = [_video("a", created=early, name="b"), _video("b", created=late, name="B"),
              _video("c", name="a")]
    assert [v.video_no for v in sort_videos(videos, SortOrder("created", True))] == [
        "b", "a", "c"]
    assert [v.name for v in sort_videos(videos, SortOrder("name"))] == ["a", "B", "b"]


async def test_a_server_that_caps_pages_is_followed_to_the_end() -> None:
    with FakeServer(max_page_size=40) as server:
        library = library_for(server)
        progress: list[ListingProgress] = []
        try:
            videos = await collect_videos(library, VideoListing("default"),
                                          on_progress=progress.append)
        finally:
            await library.client.aclose()
        assert [v.video_no for v in videos] == [r.video_no for r in server.library.videos()]
        assert len(server.requests) == 300 // 40 + 1
        assert progress[-1] == ListingProgress(300, 300, len(server.requests))


async def test_a_class_lists_its_spellings_one_after_the_other(fake_server) -> None:
    library = library_for(fake_server)
    try:
        failed = StatusFilter(status_class=StatusClass.FAILED)
        videos = await collect_videos(library, VideoListing("default", status=failed),
                                      page_size=10)
        first_four = await collect_videos(library, VideoListing("default", status=failed),
                                          limit=4)
    finally:
        await library.client.aclose()
    records = list(fake_server.library.videos())
    expected = [r.video_no for s in spellings_of(StatusClass.FAILED) for r in records
                if r.status == s]
    assert [v.video_no for v in videos] == expected
    assert [v.video_no for v in first_four] == expected[:4]


async def test_sorted_videos_is_the_top_of_the_whole_listing(fake_server) -> None:
    library = library_for(fake_server)
    try:
        top = await sorted_videos(library, VideoListing("default"), SortOrder("created"),
                                  limit=3)
    finally:
        await library.client.aclose()
    # The listing is not in time order (an old block comes last): only a sort finds these.
    records = sorted(fake_server.library.videos(), key=lambda r: (r.create_ms, r.video_no))
    assert [v.video_no for v in top] == [r.video_no for r in records[:3]]
    assert top[0].video_no not in [r.video_no for r in list(fake_server.library.videos())[:3]]


async def test_lookup_videos_finds_what_the_namespace_lists(fake_server) -> None:
    library = library_for(fake_server)
    known = [r.video_no for r in list(fake_server.library.videos())[:2]]
    seen: list[tuple[int, int]] = []
    try:
        found = await lookup_videos(library, [*known, "VI000", known[0]], "default",
                                    on_progress=lambda done, total: seen.append((done, total)))
    finally:
        await library.client.aclose()
    assert list(found) == known
    assert seen == [(1, 3), (2, 3), (3, 3)]
