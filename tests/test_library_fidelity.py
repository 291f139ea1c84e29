"""The library service against a server that spells statuses several ways and lists
its namespaces: status classes asked for spelling by spelling, and the namespace policy.

Over loopback HTTP against the fake. Expectations come from the fake's own data (its
records' `.status`), never from counts written here: the fake's library may change.
"""

from __future__ import annotations

import pytest

from memories_tui.api.client import MemoriesClient
from memories_tui.api.status import StatusClass, spellings_of, status_class
from memories_tui.services.library import LibraryService, VideoQuery, page_count

KEY = "sk-test-abcdefghijklmnop"


def list_requests(server) -> list:
    return [r for r in server.requests if r.path.endswith("/list_videos")]


def of_class(server, cls: StatusClass, namespace: str = "default") -> dict[str, str]:
    """The fake's videos of `cls` in `namespace`: id -> spelling."""
    return {v.video_no: v.status for v in server.library.videos(namespace)
            if status_class(v.status) is cls}


async def page_through(library: LibraryService, query: VideoQuery) -> tuple[list, list]:
    """Every page of `query`, as the screen asks for them: ids in order, and the pages."""
    query, page = await library.fetch_existing_page(query)
    pages = [page]
    while query.page < page_count(page.total_count, query.size):
        query, page = await library.fetch_existing_page(query.with_page(query.page + 1))
        pages.append(page)
    return [v.video_no for p in pages for v in p.videos], pages


async def test_the_failed_class_finds_every_failed_spelling_once(fake_server):
    failed = of_class(fake_server, StatusClass.FAILED)
    assert len(set(failed.values())) > 1, "the fake should spell failures several ways"
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        ids, pages = await page_through(library, VideoQuery(size=7, status=StatusClass.FAILED))
    # Every failed video, whatever its spelling, exactly once; the pager's total is right.
    assert sorted(ids) == sorted(failed)
    assert {p.total_count for p in pages} == {len(failed)}
    assert [len(p.videos) for p in pages[:-1]] == [7] * (len(pages) - 1)
    assert len(pages) == page_count(len(failed), 7)
    # Each spelling was asked for, and only the failed ones.
    assert {r.body.get("status") for r in list_requests(fake_server)} == set(
        spellings_of(StatusClass.FAILED))


async def test_the_next_page_of_a_class_does_not_ask_again_for_what_it_has(fake_server):
    spellings = spellings_of(StatusClass.FAILED)
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        query = VideoQuery(size=7, status=StatusClass.FAILED)
        await library.fetch_existing_page(query)
        first = list_requests(fake_server)
        assert len(first) == len(spellings)  # page 1 of each spelling: the totals
        await library.fetch_existing_page(query.with_page(2))
        second = list_requests(fake_server)[len(first):]
        # No spelling's first page again: those answers are kept.
        assert second and all(r.body["page"] > 1 for r in second)
        assert len(second) < len(spellings)
        await library.fetch_existing_page(query)  # back to page 1: from the cache
        assert len(list_requests(fake_server)) == len(first) + len(second)


async def test_a_class_is_paged_in_the_size_asked_for_on_a_server_that_caps_sizes():
    from memories_tui.fake.server import FakeServer

    with FakeServer(seed=1, videos=300, max_page_size=4) as server:
        failed = of_class(server, StatusClass.FAILED)
        async with MemoriesClient(KEY, server.base_url, rate_limit=None) as client:
            library = LibraryService(client)
            ids, pages = await page_through(
                library, VideoQuery(size=10, status=StatusClass.FAILED))
        assert sorted(ids) == sorted(failed)
        assert {p.total_count for p in pages} == {len(failed)}
        assert {p.page_size for p in pages} == {10}
        assert [len(p.videos) for p in pages[:-1]] == [10] * (len(pages) - 1)
        # After the first answer of each spelling, pages are asked for in the size the
        # server uses.
        sizes = [r.body["size"] for r in list_requests(server) if r.body["page"] > 1]
        assert sizes and set(sizes) == {4}


async def test_a_class_with_one_spelling_is_one_request(fake_server):
    waiting = of_class(fake_server, StatusClass.IN_PROGRESS)
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        _, page = await library.fetch_existing_page(
            VideoQuery(size=50, status=StatusClass.IN_PROGRESS))
    assert page.total_count == len(waiting)
    assert {v.video_no for v in page.videos} <= set(waiting)
    assert [r.body.get("status") for r in list_requests(fake_server)] == ["UNPARSE"]


async def test_the_ready_class_counts_both_spellings(fake_server):
    ready = of_class(fake_server, StatusClass.READY)
    assert len(set(ready.values())) > 1
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        _, page = await library.fetch_existing_page(VideoQuery(size=50, status=StatusClass.READY))
    assert page.total_count == len(ready)
    assert {v.status for v in page.videos} <= set(spellings_of(StatusClass.READY))


async def test_a_class_prefetch_overtaken_by_a_refresh_keeps_nothing(fake_server):
    import asyncio

    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        query = VideoQuery(size=7, status=StatusClass.FAILED, page=2)
        prefetch = asyncio.ensure_future(library.prefetch_page(query))
        await asyncio.sleep(0)
        library.invalidate()  # e.g. a delete finished while the prefetch was in flight
        await prefetch
        assert library.cached_page(query) is None
        assert library._pages.weight == 0  # not even one spelling's page


async def test_a_class_filter_after_a_delete_no_longer_lists_the_video(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        query = VideoQuery(size=50, status=StatusClass.FAILED)
        _, page = await library.fetch_existing_page(query)
        gone = page.videos[0].video_no
        await client.delete_videos([gone])
        library.forget_videos([gone], "default")
        _, page = await library.fetch_existing_page(query)
        assert gone not in {v.video_no for v in page.videos}
        assert page.total_count == len(of_class(fake_server, StatusClass.FAILED))


# -- a spelling the server refuses -------------------------------------------------------


async def test_a_spelling_the_server_refuses_counts_as_none(scripted_pages):
    """A server may answer a spelling it does not use with 0001: the class still shows
    the others; only when every spelling is refused is that the answer."""
    from memories_tui.api.errors import RejectedError

    server, make = scripted_pages
    server.refuse = {"PARSE_ERROR"}
    async with make() as client:
        library = LibraryService(client)
        _, page = await library.fetch_existing_page(VideoQuery(status=StatusClass.FAILED))
        assert {v.status for v in page.videos} == {"FAILED", "FAIL"}
        assert page.total_count == 2
        server.refuse = set(spellings_of(StatusClass.FAILED))
        library.invalidate()
        with pytest.raises(RejectedError):
            await library.fetch_page(VideoQuery(status=StatusClass.FAILED))


@pytest.fixture
def scripted_pages():
    """A tiny server that has one video per failed spelling and refuses some spellings
    with the envelope code 0001."""
    import json
    import threading

    import httpx

    class Server:
        refuse: set[str] = set()

    server = Server()
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        status = body.get("status")
        with lock:
            if status in server.refuse:
                return httpx.Response(200, json={"code": "0001", "msg": "bad status",
                                                 "data": None})
        videos = [{"video_no": f"VI{len(status)}{ord(status[-1])}", "video_name": status,
                   "status": status, "size": "0", "duration": "0",
                   "create_time": "1754037217992"}] if status else []
        return httpx.Response(200, json={"code": "0000", "msg": "success", "data": {
            "videos": videos, "current_page": body["page"], "page_size": body["size"],
            "total_count": str(len(videos))}})

    def make() -> MemoriesClient:
        return MemoriesClient(KEY, "http://127.0.0.1:9", rate_limit=None, max_retries=0,
                              transport=httpx.MockTransport(handler))

    return server, make


# -- namespaces ---------------------------------------------------------------------------


async def test_namespaces_are_read_once_and_judged_exactly(fake_server):
    known = list(fake_server.library.namespaces)
    other = next(n for n in known if n != "default")
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        assert library.namespace_is_known("default") is True  # always, without asking
        assert library.namespace_is_known(other) is None  # not read yet
        assert await library.load_namespaces() == known
        assert await library.load_namespaces() == known  # kept: no second request
        assert library.namespace_is_known(other) is True
        assert library.namespace_is_known(other.upper()) is False  # case-sensitive
        assert library.namespace_is_known("no-such-namespace") is False
        # A wrong case is offered first among the close names.
        assert library.similar_namespaces(other.upper())[0] == other
        assert library.similar_namespaces("zzzzzzzz") == []
        library.forget_lists()  # the user refreshed: read again when next wanted
        assert library.namespace_is_known(other) is None
        await library.load_namespaces()
    calls = [r for r in fake_server.requests if r.path.endswith("/list_unique_ids")]
    assert len(calls) == 2


async def test_a_namespace_used_is_known_afterwards(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None) as client:
        library = LibraryService(client)
        await library.load_namespaces()
        assert library.namespace_is_known("brand-new") is False
        await library.fetch_page(VideoQuery(unique_id="brand-new"))
        library.namespace_used("brand-new")
        assert library.namespace_is_known("brand-new") is True
        # The server agrees: it lists the namespace once it was used.
        library.forget_namespaces()
        assert "brand-new" in (await library.load_namespaces() or [])


async def test_namespaces_that_cannot_be_read_leave_the_answer_open(fake_server):
    """An old server without the endpoint, or a failure: no name but "default" is known,
    the error is kept to be shown, and the server is not asked again and again."""
    fake_server.faults.push("500", count=5, path="/list_unique_ids")
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None,
                              max_retries=0) as client:
        library = LibraryService(client)
        assert await library.load_namespaces() is None
        assert await library.load_namespaces() is None
        assert library.namespace_is_known("team-a") is None
        assert library.namespace_is_known("default") is True
        assert library.namespaces_error is not None and library.namespaces_error.message
        assert library.similar_namespaces("team-a") == []
    calls = [r for r in fake_server.requests if r.path.endswith("/list_unique_ids")]
    assert len(calls) == 1
