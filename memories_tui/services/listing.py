"""Whole listings of videos, beyond one page: every match of a filter, or the top few.

The TUI shows one page at a time (services/library.py); a script asks for "every failed
video" or "the ten biggest". This module reads List Videos page after page and puts
the answers together, each video once:

- **Status.** The server matches a `status` filter against its own spelling exactly
  (api/status.py), so a class (`failed`) is asked for once per spelling (`FAILED`,
  `FAIL`, `PARSE_ERROR`) and the answers are joined in the table's order. A raw
  spelling (`FAIL`, or one this program does not know) is sent as given. The class
  `unknown` has no spelling to ask for: the whole listing is read and filtered here.
- **Sorting.** The API does not sort, so `sorted_videos` reads every page and sorts in
  memory. It is the one function the local index (services/index_store.py, to come)
  replaces with a query of its own: keep its signature.

Nothing here knows Textual or the command line: `on_progress` hears how far a listing
got, and the caller decides whether to show it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

from memories_tui.api.errors import RejectedError
from memories_tui.api.models import Video
from memories_tui.api.status import SPELLINGS, StatusClass, spellings_of, status_class
from memories_tui.config import PAGE_SIZE_RANGE
from memories_tui.services.library import LibraryService

log = logging.getLogger(__name__)

__all__ = [
    "LISTING_PAGE_SIZE",
    "SORT_FIELDS",
    "STATUS_CLASS_WORDS",
    "ListingProgress",
    "SortOrder",
    "StatusFilter",
    "VideoListing",
    "collect_videos",
    "iter_videos",
    "lookup_videos",
    "parse_sort",
    "parse_status",
    "sort_videos",
    "sorted_videos",
]

#: Rows asked for per request when reading a whole listing: the most the settings allow
#: for a page (a server that uses fewer says so, and is followed).
LISTING_PAGE_SIZE = PAGE_SIZE_RANGE[1]

#: Words for a status class, as typed on a command line.
STATUS_CLASS_WORDS: dict[str, StatusClass] = {
    "ready": StatusClass.READY,
    "in-progress": StatusClass.IN_PROGRESS,
    "in progress": StatusClass.IN_PROGRESS,
    "in_progress": StatusClass.IN_PROGRESS,
    "failed": StatusClass.FAILED,
    "unknown": StatusClass.UNKNOWN,
}

#: What `--sort` can sort by.
SORT_FIELDS = ("name", "size", "duration", "created", "status")


@dataclass(frozen=True, slots=True)
class StatusFilter:
    """A status to list: a class (each of its spellings) or one spelling as given."""

    status_class: StatusClass | None = None
    spelling: str | None = None

    @property
    def spellings(self) -> tuple[str, ...] | None:
        """The spellings to ask the server for, one request each; None: ask without a
        status and keep the matches here (the class `unknown`)."""
        if self.spelling is not None:
            return (self.spelling,)
        assert self.status_class is not None
        return spellings_of(self.status_class) or None

    def matches(self, video: Video) -> bool:
        if self.spelling is not None:
            return video.status == self.spelling
        return status_class(video.status) is self.status_class

    def describe(self) -> str:
        if self.spelling is not None:
            return self.spelling
        assert self.status_class is not None
        return self.status_class.value


def parse_status(text: str) -> StatusFilter:
    """`ready`, `in-progress` (or `in progress`), `failed`, `unknown`: a class; a word in
    capitals (`FAIL`, `PARSE`, `QUEUED`): that spelling, exactly. Raises ValueError
    (with a sentence to show) for anything else: a lower-case word that is no class is
    more likely a typo than a spelling the server uses."""
    word = text.strip()
    if word.lower() in STATUS_CLASS_WORDS and not (word.isupper() and word in SPELLINGS):
        return StatusFilter(status_class=STATUS_CLASS_WORDS[word.lower()])
    if word and word == word.upper() and word.isprintable() and " " not in word:
        return StatusFilter(spelling=word)
    raise ValueError(
        f"{text!r} is neither a status class (ready, in-progress, failed, unknown) nor a "
        f"spelling of the server's in capitals ({', '.join(SPELLINGS)}, …)"
    )


@dataclass(frozen=True, slots=True)
class VideoListing:
    """Which videos to list: a namespace, an exact name, a status."""

    unique_id: str
    name: str = ""  # exact, as the server matches it
    status: StatusFilter | None = None


@dataclass(frozen=True, slots=True)
class ListingProgress:
    """How far a listing got: `fetched` videos of the `total` the server has counted so
    far (the total grows as each spelling's first page answers), in `requests`."""

    fetched: int
    total: int
    requests: int


async def iter_videos(
    library: LibraryService,
    listing: VideoListing,
    *,
    limit: int | None = None,
    page_size: int = LISTING_PAGE_SIZE,
    on_progress: Callable[[ListingProgress], None] | None = None,
) -> AsyncIterator[Video]:
    """The videos of `listing`, each once, in the server's order (spelling after
    spelling for a status class), up to `limit` (None: all of them).

    Pages are asked for `page_size` rows at a time (fewer when `limit` needs fewer);
    the page size the server answers with is followed. A spelling of a class that the
    server refuses as a wrong parameter counts as none, unless it refuses every one.
    API errors propagate.
    """
    status = listing.status
    spellings: tuple[str | None, ...] = (None,)
    # The server cannot filter (class unknown): every page is read and filtered here.
    filtered_here: StatusFilter | None = None
    if status is not None:
        asked = status.spellings
        if asked is None:
            filtered_here = status
        else:
            spellings = asked
    size = page_size if limit is None or filtered_here is not None else min(page_size, limit)
    size = max(PAGE_SIZE_RANGE[0], min(size, PAGE_SIZE_RANGE[1]))
    report = on_progress or (lambda _progress: None)
    seen: set[str] = set()
    fetched = total = requests = 0
    refused: list[RejectedError] = []
    for spelling in spellings:
        page, counted = 1, None
        while True:
            if limit is not None and len(seen) >= limit:
                return
            try:
                answer = await library.client.list_videos(
                    page, size, name=listing.name or None, status=spelling,
                    unique_id=listing.unique_id,
                )
            except RejectedError as exc:
                if page > 1 or spelling is None or status is None or status.spelling:
                    raise
                log.info("The server refused the status spelling %s: %s", spelling, exc)
                refused.append(exc)
                if len(refused) == len(spellings):
                    raise
                break
            requests += 1
            if counted is None:
                counted = answer.total_count
                total += counted
            fetched += len(answer.videos)
            report(ListingProgress(fetched, max(total, fetched), requests))
            for video in answer.videos:
                if video.video_no in seen or (filtered_here and not filtered_here.matches(video)):
                    continue
                seen.add(video.video_no)
                yield video
                if limit is not None and len(seen) >= limit:
                    return
            # Follow the server's own page size: pages are counted in the size it uses.
            read = (answer.page - 1) * max(1, answer.page_size) + len(answer.videos)
            if not answer.videos or read >= answer.total_count:
                break
            size = max(1, answer.page_size)
            page = answer.page + 1


async def collect_videos(
    library: LibraryService,
    listing: VideoListing,
    *,
    limit: int | None = None,
    page_size: int = LISTING_PAGE_SIZE,
    on_progress: Callable[[ListingProgress], None] | None = None,
) -> list[Video]:
    """`iter_videos` as a list."""
    return [
        video
        async for video in iter_videos(
            library, listing, limit=limit, page_size=page_size, on_progress=on_progress
        )
    ]


@dataclass(frozen=True, slots=True)
class SortOrder:
    """A field of `SORT_FIELDS`, ascending or descending."""

    field: str
    descending: bool = False

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.field


def parse_sort(text: str) -> SortOrder:
    """"size" or "-size" (descending); ValueError with a sentence for anything else."""
    word = text.strip()
    descending = word.startswith("-")
    field = word.removeprefix("-").lower()
    if field not in SORT_FIELDS:
        raise ValueError(f"{text!r} is not a field to sort by (one of: {', '.join(SORT_FIELDS)}; "
                         f"a leading - sorts in descending order)")
    return SortOrder(field, descending)


_CLASS_ORDER = {cls: i for i, cls in enumerate(StatusClass)}


def _sort_value(video: Video, field: str) -> object:
    """The value `field` sorts `video` by; None when the video has none."""
    if field == "name":
        return (video.name.casefold(), video.name)
    if field == "size":
        return video.size
    if field == "duration":
        return video.duration
    if field == "created":
        return video.create_time
    if field == "status":
        if video.status is None:
            return None
        return (_CLASS_ORDER[status_class(video.status)], video.status)
    raise ValueError(f"unknown sort field {field!r}")


def sort_videos(videos: Iterable[Video], order: SortOrder) -> list[Video]:
    """`videos` sorted by `order`; videos without a value (an unknown size, no status)
    come last in either direction, and ties keep the id order, so the result is the
    same on every run."""
    known: list[tuple[object, Video]] = []
    missing: list[Video] = []
    for video in videos:
        value = _sort_value(video, order.field)
        if value is None:
            missing.append(video)
        else:
            known.append((value, video))
    known.sort(key=lambda pair: pair[1].video_no)
    known.sort(key=lambda pair: pair[0], reverse=order.descending)  # type: ignore[arg-type,return-value]
    missing.sort(key=lambda video: video.video_no)
    return [video for _value, video in known] + missing


async def sorted_videos(
    library: LibraryService,
    listing: VideoListing,
    order: SortOrder,
    *,
    limit: int | None = None,
    on_progress: Callable[[ListingProgress], None] | None = None,
) -> list[Video]:
    """The first `limit` videos of `listing` (all when None) in `order`.

    Until the local index exists, this reads every page of the listing (reporting to
    `on_progress`) and sorts in memory: a sort needs every video, whatever `limit`
    says. The index replaces this function with a query of its own.
    """
    videos = await collect_videos(library, listing, on_progress=on_progress)
    ordered = sort_videos(videos, order)
    return ordered if limit is None else ordered[:limit]


async def lookup_videos(
    library: LibraryService,
    ids: Iterable[str],
    unique_id: str,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Video]:
    """The videos of `ids` that `unique_id` lists, by id; ids it does not list are left
    out. One List Videos request per id (filtered by `video_no`, which matches exactly);
    `on_progress(done, total)` after each."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Video] = {}
    for done, video_no in enumerate(wanted, start=1):
        try:
            page = await library.client.list_videos(1, 1, video_no=video_no,
                                                    unique_id=unique_id)
        except RejectedError as exc:  # an id the server cannot even take is not there
            log.info("The server refused the id %r: %s", video_no, exc)
        else:
            for video in page.videos:
                if video.video_no == video_no:
                    found[video_no] = video
        if on_progress is not None:
            on_progress(done, len(wanted))
    return found
