"""The local index in the TUI, against the fake over real HTTP: the library served from
the complete index (search as you type, sorting and select-all across the whole
library), the duplicates view, and the sync's progress while the index is incomplete.

The sync runs in the app's worker group "index" for as long as the app does; tests wait
for what it does (`until`), never for a time.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from memories_tui.api.client import MemoriesClient
from memories_tui.config import Settings
from memories_tui.format import fixed_clock
from memories_tui.services.index_store import IndexStore, fold_name
from memories_tui.services.library import LibraryService
from memories_tui.tui.app import MemoriesApp
from memories_tui.tui.widgets.pager import Pager
from tests.conftest import FIXED_NOW
from tests.tui.helpers import TEST_KEY, make_app, until, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)
LIST = "/list_videos"


def list_requests(server) -> int:
    return sum(1 for r in server.requests if r.path.endswith(LIST))


def deleted_ids(server) -> list[str]:
    ids: list[str] = []
    for request in server.requests:
        if request.path.endswith("/delete_videos"):
            ids.extend(request.json)  # the body is the list of ids
    return ids


def header(app) -> str:
    return screen_text(app).splitlines()[0]


async def index_ready(pilot) -> None:
    """Until the library is served from the complete index."""
    app = pilot.app
    await until(pilot, lambda: app.index.ready_for(app.unique_id)
                and getattr(app.screen, "index_mode", False), "the index to be complete")
    await wait_for_workers(app)
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


# -- the library served from the index ----------------------------------------------------


async def test_typing_part_of_a_name_shows_matches_with_no_request_per_key(fake_server):
    app = make_app(fake_server.base_url, index=True, page_size=200)
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        screen = app.screen
        name_field = screen.query_one("#name-filter")
        assert name_field.placeholder == "Any part of a name"
        before = list_requests(fake_server)
        await pilot.press("slash")
        # Upper case and no accent: "CREME" finds "Crème brûlée" as it is typed.
        for typed in ("CREME", " BR"):
            await type_text(pilot, typed)
            await pilot.pause()
        shown = [v.name for v in screen.table.videos]
        want = [r.name for r in fake_server.library.videos()
                if "creme br" in fold_name(r.name)]
        assert want and sorted(shown) == sorted(want)
        # Every key filtered the rows; none of them asked the server.
        assert list_requests(fake_server) == before
        assert "name contains “CREME BR”" in screen_text(app)
        # The stats line counts what matches, per status.
        await until(pilot, lambda: f"{len(want):,} video" in screen_text(app),
                    "the stats line")


async def test_a_name_longer_than_the_field_keeps_its_end_in_view(fake_server):
    # The name field stores its text's width without a layout of the screen (see
    # NameField): the field must still scroll to the cursor as a long name is typed.
    # The field is the same whether the index serves the table or not; without it, no
    # key runs a query, and the test is quick.
    app = make_app(fake_server.base_url, index=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_workers(app)
        await pilot.pause()
        name_field = app.screen.query_one("#name-filter")
        await pilot.press("slash")
        typed = "a very long start, cut off: the end xyz"
        await type_text(pilot, typed)
        await pilot.pause()
        assert name_field.value == typed
        assert len(typed) > name_field.content_region.width
        line = screen_text(app).splitlines()[name_field.content_region.y]
        assert "the end xyz" in line  # the end is shown, where the cursor is
        assert "a very long" not in line  # the start scrolled away
        # Home brings the start back.
        await pilot.press("home")
        await pilot.pause()
        line = screen_text(app).splitlines()[name_field.content_region.y]
        assert "a very long" in line


async def test_sorting_by_size_shows_the_largest_video_of_the_library_first(fake_server):
    app = make_app(fake_server.base_url, index=True)
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        screen = app.screen
        before = list_requests(fake_server)
        await pilot.press("S", "S", "S", "S", "S", "R")  # name, id, status, duration, size
        await pilot.pause()
        records = list(fake_server.library.videos())
        largest = max(r.size for r in records)
        first = screen.table.videos[0]
        assert first.size == largest
        assert first.video_no == min(r.video_no for r in records if r.size == largest)
        # The server's first page does not hold it: this is the whole library's order.
        page_one = {r.video_no for r in fake_server.library.query_videos(page=1, size=50)[0]}
        assert first.video_no not in page_one
        pager = str(screen.query_one(Pager).render())
        assert "sorted by size, largest first · whole library" in pager
        # Paging follows the index's order: page 2 starts where page 1 ended.
        last_of_one = screen.table.videos[-1].size
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.query_state.page == 2
        assert screen.table.videos[0].size <= last_of_one
        assert list_requests(fake_server) == before


async def test_select_all_matching_then_delete_removes_exactly_those(fake_server):
    app = make_app(fake_server.base_url, index=True)
    part = "mar"
    want = {r.video_no for r in fake_server.library.videos() if part in fold_name(r.name)}
    assert len(want) > 10  # on more than one page at 5 a page, and the count must be typed
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        screen = app.screen
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", "5", "enter")  # 5 rows a page: many pages match
        await pilot.pause()
        await pilot.press("slash")
        await type_text(pilot, part)
        await pilot.press("enter")  # to the rows, the filter kept
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert set(screen.selected) == want
        assert f"{len(want):,} selected" in str(screen.query_one(Pager).render())
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")  # more than ten: the count must be typed
        await type_text(pilot, str(len(want)))
        await pilot.press("enter")
        await wait_for_workers(app)
        await pilot.pause()
        assert set(deleted_ids(fake_server)) == want
        alive = {r.video_no for r in fake_server.library.videos()}
        assert not alive & want and len(alive) == 300 - len(want)
        # The index dropped them: the same filter now matches nothing.
        assert screen.page_result is not None and screen.page_result.total_count == 0
        assert not screen.selected


async def test_size_and_date_limits_filter_the_whole_library(fake_server):
    from datetime import UTC, datetime

    from memories_tui.api.models import parse_video
    from memories_tui.fake.wire import video_item
    from memories_tui.tui.modals.range_filter import RangeFilterModal

    app = make_app(fake_server.base_url, index=True)
    low, high = 100_000_000, 1_000_000_000  # bytes, both included
    first, last = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    # As the listing gives them: some sizes are listed as "0", unknown, and left out.
    listed = [parse_video(video_item(r)) for r in fake_server.library.videos()]
    want = {v.video_no for v in listed
            if v.size is not None and low <= v.size <= high
            and v.create_time is not None and first <= v.create_time < last}
    assert want
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        screen = app.screen
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, RangeFilterModal)
        for field, text in (("#size-min", "100 MB"), ("#size-max", "1GB"),
                            ("#created-from", "2026-01-01"), ("#created-to", "2026-06-30")):
            app.screen.query_one(field).value = text
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.page_result is not None and screen.page_result.total_count == len(want)
        await pilot.press("A")
        await pilot.pause()
        assert set(screen.selected) == want
        assert "size 100.0 MB – 1.0 GB · created 2026-01-01 – 2026-06-30" in screen_text(app)
        await pilot.press("escape")  # clears every filter, the limits too
        await pilot.pause()
        assert screen.page_result.total_count == 300


async def test_switching_namespace_switches_the_index(fake_server):
    app = make_app(fake_server.base_url, index=True)
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        first_store = app.index.store
        app.screen._use_namespace("team-b")  # as the namespace field does once confirmed
        await until(pilot, lambda: app.index.unique_id == "team-b"
                    and app.index.ready_for("team-b"), "the other namespace's index")
        assert app.index.store is not first_store
        assert app.index.store is not None and app.index.store.count() == 0
        assert app.screen.page_result is not None and app.screen.page_result.total_count == 0


# -- duplicates ------------------------------------------------------------------------------


async def test_duplicates_view_groups_repeated_uploads_and_selects_the_spare_copies(
    fake_server,
):
    repeated = fake_server.library.repeated_name()
    assert repeated
    app = make_app(fake_server.base_url, index=True)
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        await pilot.press("5")
        await until(pilot, lambda: app.current_mode == "duplicates"
                    and bool(app.screen.groups), "the duplicate groups")
        screen = app.screen
        groups = screen.groups
        same_name = [g for g in groups if g.name == repeated]
        assert same_name
        copies = {v.video_no for v in same_name[0].copies}
        assert copies == {r.video_no for r in fake_server.library.videos()
                          if r.name == repeated and r.size == same_name[0].size}
        assert f"“{repeated}”" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        spare = IndexStore.spare_copies(groups)
        assert set(screen.listing.marked) == set(spare)
        # One copy of each group stays: the newest ready one where there is one.
        for group in groups:
            kept = [v for v in group.copies if v.video_no not in spare]
            assert len(kept) == 1
        before = {r.video_no for r in fake_server.library.videos()}
        await pilot.press("d")
        await pilot.pause()
        if len(spare) > 10:
            await pilot.press("y")
            await type_text(pilot, str(len(spare)))
            await pilot.press("enter")
        else:
            await pilot.press("y")
        await wait_for_workers(app)
        await until(pilot, lambda: not app.screen.groups, "the groups to go")
        assert set(deleted_ids(fake_server)) == set(spare)
        after = {r.video_no for r in fake_server.library.videos()}
        assert before - after == set(spare)
        assert "No videos with the same name and size" in screen_text(app)


async def test_the_duplicates_view_says_when_the_index_is_not_complete(fake_server):
    app = make_app(fake_server.base_url)  # the index is off: nothing will complete
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        await pilot.press("5")
        await pilot.pause()
        text = screen_text(app)
        assert "Duplicates" in header(app)
        assert "The local index is off" in text


# -- while the index is being built ----------------------------------------------------------


class GatedTransport(httpx.AsyncBaseTransport):
    """httpx's own transport, holding the sync's request for one page until released."""

    def __init__(self, page: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.page = page
        self.gate = asyncio.Event()
        self.held = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(LIST):
            body = json.loads(request.content or b"{}")
            if body.get("page") == self.page and body.get("size", 0) >= 1000:
                self.held.set()
                await self.gate.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def gated_app(base_url: str, transport: GatedTransport) -> MemoriesApp:
    settings = Settings(api_key=TEST_KEY, base_url=base_url, rate_limit=0.0, timeout=5.0,
                        prefetch=False, index=True)
    client = MemoriesClient(TEST_KEY, base_url, rate_limit=None, timeout=5.0,
                            transport=transport, retry_network_errors=False)
    return MemoriesApp(settings, clock=fixed_clock(FIXED_NOW),
                       library=LibraryService(client))


@pytest.fixture
def server_2000():
    from memories_tui.fake.server import FakeServer

    server = FakeServer(seed=3, videos=2000)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_header_progress_and_page_scope_while_the_index_is_incomplete(server_2000):
    transport = GatedTransport(page=2)
    app = gated_app(server_2000.base_url, transport)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Indexing 1,000 of 2,000" in header(app),
                    "the header's progress")
        screen = app.screen
        assert not screen.index_mode
        text = screen_text(app)
        assert "Pages come from the server until the local index is complete" in text
        assert screen.query_one("#name-filter").placeholder == "Exact name (enter)"
        await pilot.press("S", "S", "S", "S", "S")
        await pilot.pause()
        assert "sorted by size, smallest first · this page only" in str(
            screen.query_one(Pager).render())
        await pilot.press("A")
        await pilot.pause()
        assert not screen.selected  # select all matching waits for the complete index
        transport.gate.set()
        await index_ready(pilot)
        assert "index < 1 min old" in header(app)
        assert "sorted by size, smallest first · whole library" in str(
            screen.query_one(Pager).render())
        await pilot.press("g")  # the cursor's video kept its place; the start of the order:
        await pilot.pause()
        smallest = min((r.size for r in server_2000.library.videos() if r.size),
                       default=None)
        assert screen.table.videos[0].size == smallest


async def test_quitting_mid_pass_resumes_where_it_stopped(server_2000):
    transport = GatedTransport(page=2)
    app = gated_app(server_2000.base_url, transport)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: transport.held.is_set(), "the sync to reach page 2")
    # The app is gone with page 2 unanswered: page 1 is kept, the pass resumes at page 2.
    pages_before = len(server_2000.requests)
    again = gated_app(server_2000.base_url, GatedTransport(page=0))
    async with again.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
    sync_pages = [r.json.get("page") for r in server_2000.requests[pages_before:]
                  if r.path.endswith(LIST) and (r.json.get("size") or 0) >= 1000]
    assert sync_pages[0] == 2 and 1 not in sync_pages


async def test_a_failing_sync_is_said_in_the_header_and_the_app_goes_on(fake_server):
    transport = GatedTransport(page=1)
    app = gated_app(fake_server.base_url, transport)
    app.index.retry_delays = (0.05,)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        def heard(line: str) -> None:  # every line the header was given
            said.append(line)

        app.watch(app, "index_line", heard)
        await until(pilot, lambda: transport.held.is_set(), "the sync's first request")
        fake_server.faults.push("malformed", path=LIST)
        transport.page = -1  # the retry goes through
        transport.gate.set()
        await index_ready(pilot)
        assert app.is_running
        assert app.index.progress is not None and app.index.progress.error is None
    paused = [line for line in said if line.startswith("Indexing paused: ")]
    assert paused and "trying again in" in paused[0]
    assert "Traceback" not in " ".join(said)


def test_the_stats_line_says_unknown_sizes_in_words_not_zero_bytes():
    from memories_tui.api.status import StatusClass
    from memories_tui.services.index_store import ClassStats
    from memories_tui.tui.screens.library import describe_stats

    line = describe_stats([
        ClassStats(StatusClass.READY, 2, 110_000_000, 0),
        ClassStats(StatusClass.IN_PROGRESS, 1, 0, 1),  # its one size is unknown
        ClassStats(StatusClass.FAILED, 3, 2_000_000_000, 1),
    ], filtered=True)
    assert line == ("6 videos, 2.1 GB (+2 unknown) │ ready 2, 110.0 MB │ "
                    "in progress 1, size unknown │ failed 3, 2.0 GB")
