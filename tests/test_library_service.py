"""The library service's caches and prefetching, over loopback HTTP against the fake."""

from __future__ import annotations

from memories_tui.api.client import MemoriesClient
from memories_tui.services.library import LibraryService, VideoQuery, page_count

KEY = "sk-test-abcdefghijklmnop"


def list_pages(server) -> list[int]:
    return [r.body["page"] for r in server.requests if r.path.endswith("/list_videos")]


class SmallCacheService(LibraryService):
    PAGE_CACHE_ROWS = 100  # two pages of 50


async def test_page_cache_is_bounded_by_rows(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = SmallCacheService(client)
        for page in (1, 2, 3, 4):
            await library.fetch_page(VideoQuery(page=page, size=50))
        assert library._pages.weight <= 100
        await library.fetch_page(VideoQuery(page=4, size=50))  # recent: cached
        await library.fetch_page(VideoQuery(page=1, size=50))  # evicted: asked again
        assert list_pages(fake_server) == [1, 2, 3, 4, 1]


async def test_prefetch_is_skipped_while_the_rate_budget_is_spent(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=1.0) as client:
        library = LibraryService(client)
        await library.fetch_page(VideoQuery(page=1))
        await library.prefetch_page(VideoQuery(page=2))  # would wait ~1 s: skipped
        assert list_pages(fake_server) == [1]


async def test_a_request_joins_the_prefetch_of_its_page(fake_server):
    import asyncio

    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        prefetch = asyncio.ensure_future(library.prefetch_page(VideoQuery(page=2)))
        await asyncio.sleep(0)  # let the prefetch start its request
        page = await library.fetch_page(VideoQuery(page=2))
        await prefetch
        assert page.videos and list_pages(fake_server) == [2]


async def test_a_prefetch_overtaken_by_a_delete_is_dropped(fake_server):
    import asyncio

    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        prefetch = asyncio.ensure_future(library.prefetch_page(VideoQuery(page=2)))
        await asyncio.sleep(0)
        library.invalidate()  # e.g. a delete finished while the prefetch was in flight
        await prefetch
        assert library.cached_page(VideoQuery(page=2)) is None


async def test_a_request_joins_a_fetch_begun_ahead(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        library.begin_fetch(VideoQuery(page=1))  # the app, while its screen is built
        page = await library.fetch_page(VideoQuery(page=1))  # the screen, once mounted
        assert page.videos and list_pages(fake_server) == [1]
        assert library.cached_page(VideoQuery(page=1)) is page


async def test_a_fetch_begun_ahead_hands_its_error_to_the_request(fake_server):
    # Unlike a prefetch, its failure is the user's answer: not swallowed, not re-sent.
    import pytest

    from memories_tui.api.errors import ServerError

    fake_server.faults.push("500", count=1, path="/list_videos")
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None, max_retries=0) as client:
        library = LibraryService(client)
        library.begin_fetch(VideoQuery(page=1))
        with pytest.raises(ServerError):
            await library.fetch_page(VideoQuery(page=1))
        assert list_pages(fake_server) == [1]


async def test_a_fetch_begun_ahead_that_failed_before_anyone_asked_is_not_resent(fake_server):
    # Started from the command line, page 1 can fail (a wrong key, a refusal) long
    # before the screen asks for it: the screen gets that error, and only a later
    # request (a retry) goes to the server again.
    import asyncio

    import pytest

    from memories_tui.api.errors import ServerError

    fake_server.faults.push("500", count=1, path="/list_videos")
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None, max_retries=0) as client:
        library = LibraryService(client)
        library.begin_fetch(VideoQuery(page=1))
        await asyncio.wait([library._started[VideoQuery(page=1)]])  # failed, unread
        with pytest.raises(ServerError):
            await library.fetch_page(VideoQuery(page=1))
        assert list_pages(fake_server) == [1]
        page = await library.fetch_page(VideoQuery(page=1))  # the user retries
        assert page.videos and list_pages(fake_server) == [1, 1]


class SmallListCache(LibraryService):
    LIST_CACHE_PAGES = 2
    SESSION_DETAIL_CACHE_SIZE = 1


def requests_to(server, path: str) -> list:
    return [r for r in server.requests if r.path.endswith(path)]


async def test_sessions_and_images_are_cached_bounded_and_refreshed_on_demand(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = SmallListCache(client)
        first = await library.list_sessions(1, "default")
        assert await library.list_sessions(1, "default") is first  # revisited: no request
        await library.list_sessions(1, "default", use_cache=False)  # r: asked again
        await library.list_images(1, 10, "default")
        await library.list_images(2, 10, "default")
        await library.list_images(3, 10, "default")  # the first page falls out
        await library.list_images(1, 10, "default")
        assert len(requests_to(fake_server, "/list_sessions")) == 2
        assert [r.body["page"] for r in requests_to(fake_server, "/img_list_page")] == [1, 2, 3, 1]
        session_id = first.sessions[0].session_id
        detail = await library.session_detail(session_id, "default")
        assert await library.session_detail(session_id, "default") is detail
        assert len(requests_to(fake_server, "/get_session_detail")) == 1
        # Another namespace is another entry, never the cached one.
        await library.list_sessions(1, "team-a")
        assert [r.query.get("unique_id") for r in requests_to(fake_server, "/list_sessions")] == [
            "default", "default", "team-a"]


async def test_a_server_that_caps_the_page_size_is_paged_in_its_own_size():
    """The service echoes the page size it used: pages are counted, and the next ones
    asked for, in that size, not in the one asked for."""
    from memories_tui.fake.server import FakeServer

    with FakeServer(seed=1, videos=300, max_page_size=20) as server:
        async with MemoriesClient(KEY, server.base_url, rate_limit=None) as client:
            library = LibraryService(client)
            query, page = await library.fetch_existing_page(VideoQuery(page=1, size=50))
            assert (query.size, page.page_size, len(page.videos)) == (20, 20, 20)
            assert page_count(page.total_count, query.size) == 15
            query, second = await library.fetch_existing_page(query.with_page(2))
            assert {v.video_no for v in second.videos}.isdisjoint(v.video_no for v in page.videos)
            assert [r.body["size"] for r in server.requests
                    if r.path.endswith("/list_videos")] == [50, 20]
