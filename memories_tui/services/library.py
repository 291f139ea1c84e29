"""The video library as the views see it: filtered pages, details, sessions, images, cached.

The API has no sorting and a 1 request/s budget, so this layer keeps recently seen
pages and details in bounded caches: a revisited page costs no request and a long
browsing session does not grow without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Generic, TypeVar

from memories_tui.api.client import MemoriesClient
from memories_tui.api.errors import MemoriesError, RejectedError
from memories_tui.api.models import Video, VideoDetails, VideoPage
from memories_tui.api.status import StatusClass, spellings_of
from memories_tui.config import Settings

if TYPE_CHECKING:  # the other views' models load with those views
    from memories_tui.api.models.images import ImagePage
    from memories_tui.api.models.public import PublicVideo
    from memories_tui.api.models.sessions import SessionDetail, SessionPage
    from memories_tui.api.models.tasks import TaskStatus

log = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True, slots=True)
class VideoQuery:
    """Everything that decides which page of videos the server returns."""

    page: int = 1
    size: int = 50
    name: str = ""  # exact (the server's newest pages match names exactly)
    video_no: str = ""
    #: A class of statuses (ready, in progress, failed), None for every status. The
    #: server matches one spelling at a time, so a class is asked for once per spelling
    #: and the answers are put together (see `LibraryService._request_page`).
    status: StatusClass | None = None
    unique_id: str = "default"

    def with_page(self, page: int) -> VideoQuery:
        return replace(self, page=max(1, page))

    def resized(self, size: int) -> VideoQuery:
        """The same filters at `size` rows a page, on the page that holds this page's
        first row: changing the page size keeps the user where they were."""
        first = (self.page - 1) * self.size
        return replace(self, size=size, page=first // size + 1)

    def filters_key(self) -> tuple[object, ...]:
        """The query without its page: pages of one key belong to one result set."""
        return (self.size, self.name, self.video_no, self.status, self.unique_id)

    @property
    def is_filtered(self) -> bool:
        return bool(self.name or self.video_no or self.status)


def first_query(settings: Settings) -> VideoQuery:
    """The page the library opens on: asked for at start-up, before the screen exists."""
    return VideoQuery(size=settings.page_size, unique_id=settings.unique_id)


K = TypeVar("K")
V = TypeVar("V")


class _LRU(Generic[K, V]):
    """A bounded mapping; the least recently used entry goes first.

    `weigh` says how much of the capacity one value takes (1 each by default), so a
    cache of pages can be bounded by rows: 40 pages of 50 rows cost what 10 of 200 do.
    The newest entry is always kept, even if it alone is over the capacity.
    """

    def __init__(self, capacity: int, weigh: Callable[[V], int] | None = None) -> None:
        self.capacity = capacity
        self._weigh = weigh or (lambda _value: 1)
        self._items: OrderedDict[K, V] = OrderedDict()
        self._weight = 0

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self.discard(key)
        self._items[key] = value
        self._weight += self._weigh(value)
        while self._weight > self.capacity and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            self._weight -= self._weigh(old)

    def discard(self, key: K) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._weight -= self._weigh(old)

    def clear(self) -> None:
        self._items.clear()
        self._weight = 0

    @property
    def weight(self) -> int:
        return self._weight

    def __len__(self) -> int:
        return len(self._items)


async def _through(
    cache: _LRU[K, V], key: K, use_cache: bool, fetch: Callable[[], Awaitable[V]]
) -> V:
    """`key`'s value from `cache`, or (not there, or `use_cache` off) fetched and kept."""
    value = cache.get(key) if use_cache else None
    if value is None:
        value = await fetch()
        cache.put(key, value)
    return value


class _NoSpareBudget(Exception):
    """A prefetch stopped before a request that would have waited on the rate limit."""


def page_count(total: int, size: int) -> int:
    """Pages needed for `total` rows; an empty result still shows page 1 of 1."""
    return max(1, -(-total // max(1, size)))


class LibraryService:
    """Reads and changes the library through one client, with bounded caches."""

    #: Rows of cached pages kept at most (about 2 MB of videos): memory stays flat
    #: however long someone pages through a 100,000-video library.
    PAGE_CACHE_ROWS = 5_000
    DETAIL_CACHE_SIZE = 512
    #: Pages of sessions or images kept (20-50 small rows each).
    LIST_CACHE_PAGES = 100
    #: Conversations kept: one can hold hundreds of messages.
    SESSION_DETAIL_CACHE_SIZE = 32

    def __init__(self, client: MemoriesClient) -> None:
        self.client = client
        # Pages as shown (keyed by their query) and, for a status class asked for
        # spelling by spelling, the server's pages of each spelling (keyed by the
        # spelling and the query of that server page).
        self._pages: _LRU[VideoQuery | tuple[str, VideoQuery], VideoPage] = _LRU(
            self.PAGE_CACHE_ROWS, weigh=lambda page: max(1, len(page.videos))
        )
        # Prefetches in flight, so a user's request for the same page joins one of them
        # instead of sending its own; `_generation` makes a prefetch that was overtaken
        # by a delete or refresh drop its (possibly stale) answer.
        self._prefetching: dict[VideoQuery, asyncio.Task[None]] = {}
        # Fetches started ahead of anyone asking (`begin_fetch`): a caller asking for
        # the same page waits for that one, and gets its answer or its error.
        self._started: dict[VideoQuery, asyncio.Task[VideoPage]] = {}
        self._generation = 0
        self._details: _LRU[tuple[str, str], VideoDetails] = _LRU(self.DETAIL_CACHE_SIZE)
        self._public: _LRU[str, PublicVideo] = _LRU(self.DETAIL_CACHE_SIZE)
        # The other views' pages, bounded like the videos': a revisited page costs no
        # request, and a long session does not grow without bound.
        self._sessions: _LRU[tuple[str, int], SessionPage] = _LRU(self.LIST_CACHE_PAGES)
        self._session_details: _LRU[tuple[str, str], SessionDetail] = _LRU(
            self.SESSION_DETAIL_CACHE_SIZE
        )
        self._images: _LRU[tuple[str, int, int], ImagePage] = _LRU(self.LIST_CACHE_PAGES)
        # The account's namespaces (list_unique_ids): read once, when first wanted, and
        # kept until a refresh. A failure is kept too, so an old server that lacks the
        # endpoint is asked once, not on every visit to the namespace field.
        self._namespaces: list[str] | None = None
        self._namespaces_error: MemoriesError | None = None
        self._namespaces_task: asyncio.Task[None] | None = None

    # -- videos ---------------------------------------------------------------

    def cached_page(self, query: VideoQuery) -> VideoPage | None:
        return self._pages.get(query)

    async def fetch_page(self, query: VideoQuery, *, use_cache: bool = True) -> VideoPage:
        if use_cache:
            cached = self._pages.get(query)
            if cached is not None:
                return cached
            # Taken, not only read: its answer (or its error) is for one caller. A
            # later caller asks the server again (the user pressed r, or came back).
            started = self._started.pop(query, None)
            if started is not None:
                # Shielded, like a prefetch: leaving the page must not cancel it.
                return await asyncio.shield(started)
            pending = self._prefetching.get(query)
            if pending is not None:
                # Shielded: the user leaving this page must not cancel the shared fetch.
                await asyncio.shield(pending)
                cached = self._pages.get(query)
                if cached is not None:
                    return cached
        page = await self._request_page(query)
        self._pages.put(query, page)
        return page

    async def fetch_existing_page(
        self, query: VideoQuery, *, use_cache: bool = True
    ) -> tuple[VideoQuery, VideoPage]:
        """`query`'s page, or the last page when that one no longer exists (after
        deletes, or a new filter): the query that was answered, and its page. When the
        server answers with another page size than asked, the query takes that size."""
        page = await self.fetch_page(query, use_cache=use_cache)
        query = self.answered_query(query, page)
        if not page.videos and page.total_count and query.page > 1:
            query = query.with_page(page_count(page.total_count, query.size))
            page = await self.fetch_page(query, use_cache=use_cache)
        return query, page

    def answered_query(self, query: VideoQuery, page: VideoPage) -> VideoQuery:
        """The query `page` answers. When the server used another page size than asked
        (its own limit) and said so, that size: pages are counted, and the next ones
        asked for, in the size it uses. The page is cached under that query too."""
        if page.page_size == query.size:
            return query
        answered = replace(query, size=page.page_size, page=page.page)
        self._pages.put(answered, page)
        return answered

    def begin_fetch(self, query: VideoQuery) -> None:
        """Start fetching `query` now, before anyone waits for it (the first page, while
        the screen is still being built); `fetch_page(query)` then joins this request."""
        started = self._started.get(query)
        if self._pages.get(query) is not None or (started is not None and not started.done()):
            return
        task = asyncio.ensure_future(self._fetch_into_cache(query, self._generation))
        self._started[query] = task

        def done(task: asyncio.Task[VideoPage]) -> None:
            # A failure stays until the first caller asks for the page and gets it:
            # asking again at once would only repeat the request (a 401, a refusal).
            # It is read here too, so an error no one awaits is not logged.
            failed = not task.cancelled() and task.exception() is not None
            if not failed and self._started.get(query) is task:
                del self._started[query]

        task.add_done_callback(done)

    async def _fetch_into_cache(self, query: VideoQuery, generation: int) -> VideoPage:
        page = await self._request_page(query, generation=generation)
        if generation == self._generation:
            self._pages.put(query, page)
        return page

    async def prefetch_page(self, query: VideoQuery) -> None:
        """Fetch `query` into the cache if the rate budget is spare; never raises.

        Used for the next page while the user reads this one, so `]` is answered from
        the cache. Skipped when a request would have to wait on the limit: optional
        work must not delay what the user asked for.
        """
        if self._pages.get(query) is not None or query in self._prefetching:
            return
        if not self.client.has_spare_budget:
            return
        task = asyncio.ensure_future(self._prefetch(query, self._generation))
        self._prefetching[query] = task
        task.add_done_callback(lambda _task: self._prefetching.pop(query, None))
        await asyncio.shield(task)

    async def _prefetch(self, query: VideoQuery, generation: int) -> None:
        try:
            page = await self._request_page(query, generation=generation, optional=True)
        except _NoSpareBudget:
            log.debug("Prefetch of page %s stopped: the rate budget is spent.", query.page)
            return
        except Exception:  # noqa: BLE001 - optional work; the real request reports errors
            log.debug("Prefetch of page %s failed.", query.page, exc_info=True)
            return
        if generation == self._generation:
            self._pages.put(query, page)

    async def close(self) -> None:
        """Stop prefetches (the app is closing its client)."""
        tasks = [*self._prefetching.values(), *self._started.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._prefetching.clear()
        self._started.clear()

    async def _request_page(
        self, query: VideoQuery, *, generation: int | None = None, optional: bool = False
    ) -> VideoPage:
        """`query`'s page from the server. A status class with several spellings is
        asked for once per spelling and put together (`_merged_page`), whose server
        pages are cached only while the cache is still of `generation` (by default the
        present one); `optional` (a prefetch) stops before any request that would wait
        on the rate limit."""
        if query.status is None:
            return await self._ask(query, None, query.page, query.size)
        spellings = spellings_of(query.status)
        if not spellings:  # no spelling to ask for (unknown): nothing the server can match
            return VideoPage(videos=(), page=query.page, page_size=query.size, total_count=0)
        if len(spellings) == 1:
            return await self._ask(query, spellings[0], query.page, query.size)
        if generation is None:
            generation = self._generation
        return await self._merged_page(
            query, spellings, generation=generation, optional=optional)

    async def _ask(
        self, query: VideoQuery, spelling: str | None, page: int, size: int
    ) -> VideoPage:
        return await self.client.list_videos(
            page,
            size,
            name=query.name or None,
            video_no=query.video_no or None,
            status=spelling,
            unique_id=query.unique_id,
        )

    async def _spelling_page(
        self, query: VideoQuery, spelling: str, page: int, size: int, *,
        generation: int, optional: bool,
    ) -> VideoPage:
        """One server page of one spelling, through the page cache (kept only if no
        refresh or delete came in between)."""
        key = (spelling, replace(query, page=page, size=size))
        cached = self._pages.get(key)
        if cached is not None:
            return cached
        if optional and not self.client.has_spare_budget:
            raise _NoSpareBudget
        answer = await self._ask(query, spelling, page, size)
        if generation == self._generation:
            self._pages.put(key, answer)
        return answer

    async def _merged_page(
        self, query: VideoQuery, spellings: tuple[str, ...], *, generation: int, optional: bool
    ) -> VideoPage:
        """`query`'s page of the result sets of every spelling, one after the other in
        the table's order: rows [(page-1)*size, page*size) of that concatenation.

        Page 1 of each spelling gives its total and the page size the server really
        uses for it (it may cap sizes); then only the server pages that overlap the
        wanted rows are asked for. Every server page is cached, so the next page costs
        a request or two, not one per spelling. A spelling the server refuses as a wrong
        parameter (0001/0003) counts as no videos, unless every spelling is refused.
        """
        firsts: list[VideoPage | None] = []
        refused: list[RejectedError] = []
        for spelling in spellings:
            try:
                first = await self._spelling_page(
                    query, spelling, 1, query.size, generation=generation, optional=optional)
            except RejectedError as exc:
                log.info("The server refused the status spelling %s: %s", spelling, exc)
                refused.append(exc)
                first = None
            firsts.append(first)
        if len(refused) == len(spellings):
            raise refused[0]
        low = (query.page - 1) * query.size
        high = low + query.size
        rows: list[Video] = []
        offset = 0
        for spelling, first in zip(spellings, firsts, strict=True):
            if first is None:
                continue
            count, size = first.total_count, max(1, first.page_size)
            start, stop = max(low - offset, 0), min(high - offset, count)
            offset += count
            if start >= stop:
                continue
            for number in range(start // size + 1, (stop - 1) // size + 2):
                answer = first if number == 1 else await self._spelling_page(
                    query, spelling, number, size, generation=generation, optional=optional)
                base = (number - 1) * size
                rows.extend(v for i, v in enumerate(answer.videos, base) if start <= i < stop)
        # A video whose status changed between two requests could be listed twice:
        # the table keys rows by id, so the repeat goes.
        unique: dict[str, Video] = {}
        for video in rows:
            unique.setdefault(video.video_no, video)
        return VideoPage(
            videos=tuple(unique.values()), page=query.page, page_size=query.size,
            total_count=offset,
        )

    def cached_details(self, video_no: str, unique_id: str) -> VideoDetails | None:
        return self._details.get((unique_id, video_no))

    async def fetch_details(self, video_no: str, unique_id: str) -> VideoDetails:
        cached = self._details.get((unique_id, video_no))
        if cached is not None:
            return cached
        details = await self.client.get_private_video(video_no, unique_id=unique_id)
        self._details.put((unique_id, video_no), details)
        return details

    def invalidate(self) -> None:
        """Forget cached pages (after a change, or when the user asks to refresh)."""
        self._pages.clear()
        self._generation += 1
        # An early failure kept for its first reader is stale now too.
        for query in [q for q, task in self._started.items() if task.done()]:
            del self._started[query]

    def forget_videos(self, ids: Iterable[str], unique_id: str) -> None:
        """Drop what the caches know of `ids` and every cached page: after a delete
        (whatever its outcome) none of them can be trusted."""
        self.invalidate()
        for video_no in ids:
            self._details.discard((unique_id, video_no))

    async def is_present(self, video_no: str, unique_id: str) -> bool:
        """Whether the server still lists `video_no` (asked after an unclear delete)."""
        page = await self.client.list_videos(1, 1, video_no=video_no, unique_id=unique_id)
        return any(v.video_no == video_no for v in page.videos)

    # -- the rest of the library ---------------------------------------------

    async def fetch_public(self, video_no: str) -> PublicVideo:
        return await _through(self._public, video_no, True,
                              lambda: self.client.get_public_video(video_no))

    async def list_sessions(
        self, page: int, unique_id: str, *, use_cache: bool = True
    ) -> SessionPage:
        return await _through(self._sessions, (unique_id, page), use_cache,
                              lambda: self.client.list_sessions(page, unique_id=unique_id))

    async def session_detail(
        self, session_id: str, unique_id: str, *, use_cache: bool = True
    ) -> SessionDetail:
        return await _through(
            self._session_details, (unique_id, session_id), use_cache,
            lambda: self.client.get_session_detail(session_id, unique_id=unique_id),
        )

    async def list_images(
        self, page: int, size: int, unique_id: str, *, use_cache: bool = True
    ) -> ImagePage:
        return await _through(self._images, (unique_id, size, page), use_cache,
                              lambda: self.client.list_images(page, size, unique_id=unique_id))

    def forget_lists(self) -> None:
        """Forget cached pages of sessions and images, and the namespaces (the user
        asked to refresh)."""
        self._sessions.clear()
        self._images.clear()
        self.forget_namespaces()

    # -- namespaces ---------------------------------------------------------------

    async def load_namespaces(self) -> list[str] | None:
        """The account's namespaces, read from the server the first time (one request,
        shared by callers that ask meanwhile); None when they could not be read, and
        then `namespaces_error` says why. Never raises a MemoriesError."""
        if self._namespaces is None and self._namespaces_error is None:
            if self._namespaces_task is None or self._namespaces_task.done():
                self._namespaces_task = asyncio.ensure_future(self._read_namespaces())
            await asyncio.shield(self._namespaces_task)
        return None if self._namespaces is None else list(self._namespaces)

    async def _read_namespaces(self) -> None:
        try:
            names = await self.client.list_unique_ids()
        except MemoriesError as exc:
            log.info("The namespaces could not be read: %s", exc)
            self._namespaces_error = exc
            return
        self._namespaces = names

    @property
    def namespaces(self) -> list[str] | None:
        """The namespaces read so far (None: not read, or not readable)."""
        return None if self._namespaces is None else list(self._namespaces)

    @property
    def namespaces_error(self) -> MemoriesError | None:
        """Why the namespaces could not be read, if they could not."""
        return self._namespaces_error

    def namespace_is_known(self, name: str) -> bool | None:
        """Whether `name` is a namespace that exists: "default" always does; others when
        the server listed them (exactly: names are case-sensitive). None when the list
        has not been read or could not be. A name that is not known needs a person's
        word before it is used, since the server creates a namespace on first use."""
        if name == DEFAULT_NAMESPACE:
            return True
        if self._namespaces is None:
            return None
        return name in self._namespaces

    def similar_namespaces(self, name: str, limit: int = 3) -> list[str]:
        """Known namespaces close to `name` (another case first, then look-alikes),
        to offer when `name` is not known; none when the list is not read."""
        import difflib

        if not self._namespaces:
            return []
        folded = name.casefold()
        same_case = [n for n in self._namespaces if n.casefold() == folded and n != name]
        lookalikes = difflib.get_close_matches(
            folded, [n.casefold() for n in self._namespaces], n=limit, cutoff=0.6)
        by_folded: dict[str, str] = {}
        for known in self._namespaces:
            by_folded.setdefault(known.casefold(), known)
        close = dict.fromkeys([*same_case, *(by_folded[f] for f in lookalikes)])
        close.pop(name, None)
        return list(close)[:limit]

    def namespace_used(self, name: str) -> None:
        """`name` was just used: the server has created it if it was new."""
        if self._namespaces is not None and name not in self._namespaces:
            self._namespaces.append(name)

    def forget_namespaces(self) -> None:
        """Read the namespaces again when next wanted (after a refresh)."""
        self._namespaces = None
        self._namespaces_error = None

    async def task_status(self, task_id: str, unique_id: str) -> TaskStatus:
        return await self.client.get_task_status(task_id, unique_id=unique_id)

    async def video_status(self, video_no: str, unique_id: str) -> VideoDetails:
        """A fresh status read (never cached: upload tasks poll it)."""
        details = await self.client.get_private_video(video_no, unique_id=unique_id)
        self._details.put((unique_id, video_no), details)
        return details

    async def refresh_public(self, video_no: str) -> PublicVideo:
        """Read a public video again (the user pressed refresh) and cache the answer."""
        return await _through(self._public, video_no, False,
                              lambda: self.client.get_public_video(video_no))
