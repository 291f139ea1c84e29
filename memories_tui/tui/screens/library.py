"""The library screen: the paged, filterable video table with details, selection and actions.

Pages come from the server until the local index of the namespace is complete (see
tui/index.py); from then on the index serves them: names match any part as they are
typed, sorting and the size and date filters cover the whole library, "select all
matching" selects every video the filters match, and a line gives counts and sizes per
status. Deletes and downloads still act only on the ids the user confirmed.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from memories_tui.api.errors import MemoriesError, NotFoundError
from memories_tui.api.models import Video, VideoPage
from memories_tui.api.status import StatusClass
from memories_tui.config import PAGE_SIZE_RANGE
from memories_tui.filenames import filename_part
from memories_tui.format import total_size
from memories_tui.safetext import safe_text
from memories_tui.services.deletes import DeleteBusyError, DeleteOutcome, DeleteProgress
from memories_tui.services.downloads import JobState
from memories_tui.services.library import VideoQuery, first_query, page_count
from memories_tui.tui.errors import describe_error
from memories_tui.tui.screens.base import ViewScreen
from memories_tui.tui.widgets.detail_pane import DetailPane
from memories_tui.tui.widgets.downloads_panel import DownloadsPanel
from memories_tui.tui.widgets.filter_bar import FilterBar, Filters, Ranges, describe_filters
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.pager import Pager
from memories_tui.tui.widgets.status_header import StatusHeader
from memories_tui.tui.widgets.video_table import SORTABLE, VideoTable

if TYPE_CHECKING:
    from memories_tui.services.index_store import ClassStats, IndexFilters
    from memories_tui.tui.modals.download import DownloadRequest

# The modals are imported when first opened (see the actions): start-up needs none.

DETAIL_REST = 0.25  # seconds the cursor must rest before private details are fetched
PREFETCH_REST = 0.5  # seconds on a page before the next one is fetched ahead
STATS_REST = 0.25  # seconds the filters must rest before the stats line is counted again
NARROW_WIDTH = 110  # below this many columns the detail pane goes under the table


class LibraryScreen(ViewScreen):
    """Videos: page through the library, filter it, read details, delete and download."""

    VIEW_NAME = "Videos"
    # Its CSS (library.tcss) is the app's CSS_PATH: see MemoriesApp.

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="filter"),
        Binding("escape", "escape", "Clear filter / back", show=False, id="clear-filter"),
        Binding("right_square_bracket", "next_page", "Next page", key_display="]", id="next-page"),
        Binding("left_square_bracket", "prev_page", "Prev page", key_display="[", id="prev-page"),
        Binding("g", "first_page", "First page", show=False, id="first-page"),
        Binding("G", "last_page", "Last page", show=False, id="last-page"),
        Binding("p", "goto_page", "Go to page", show=False, id="goto-page"),
        Binding("z", "page_size", "Page size", show=False, id="page-size"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("enter", "open_details", "Details", show=False, id="details"),
        Binding("i", "toggle_details", "Toggle details pane", show=False, id="toggle-details"),
        Binding("space", "toggle_select", "Select", id="select"),
        Binding("a", "select_page", "Select page", show=False, id="select-page"),
        Binding("e", "export", "Export to CSV or JSON", show=False, id="export"),
        Binding("v", "select_range", "Select a range (again: stop)", show=False,
                id="select-range"),
        Binding("u", "clear_selection", "Clear selection", show=False, id="clear-selection"),
        Binding("d", "delete", "Delete", id="delete"),
        Binding("s", "download", "Download", id="download"),
        Binding("w", "toggle_downloads", "Focus / hide downloads", show=False, id="downloads"),
        Binding("S", "cycle_sort", "Sort by next column", show=False, id="sort"),
        Binding("R", "reverse_sort", "Reverse sort", show=False, id="reverse-sort"),
        Binding("A", "select_all_matching", "Select all matching (local index)", show=False,
                id="select-all"),
        Binding("f", "range_filter", "Size / date filter (local index)", show=False,
                id="size-date-filter"),
        Binding("y", "copy_id", "Copy id", show=False, id="copy-id"),
        Binding("o", "open_url", "Open video URL", show=False, id="open-url"),
        Binding("j", "cursor_down", "Row down", show=False, id="row-down"),
        Binding("k", "cursor_up", "Row up", show=False, id="row-up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = VideoQuery()
        self.page_result: VideoPage | None = None
        self.details_open = False
        self._load_error: str | None = None
        # The page being loaded, if any: filters applied meanwhile compare with it, not
        # with the page on screen (esc right after enter must undo the filter entered).
        self._loading: VideoQuery | None = None
        self._table_message = ""
        #: Pages come from the complete local index (not the server).
        self.index_mode = False
        self._stats_timer: Any = None
        self._stats_for: object = None

    # -- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield FilterBar(self.app.unique_id, id="filter-bar")
        yield FilterSummary("", id="filter-summary")
        yield Static("", id="index-stats")
        with Horizontal(id="body"):
            # First, though it shows on the right (or below): showing or hiding it then
            # leaves the table's place in the layout as it was, so the table is not
            # repainted (see DetailPane.float_over).
            yield DetailPane(id="details")
            with Vertical(id="table-area"):
                yield VideoTable(id="videos")
                yield Static("", id="table-message")
        yield Pager(id="pager")
        yield DownloadsPanel(id="downloads")
        yield KeyBar()

    def on_mount(self) -> None:
        app = self.app
        # The same query the app (or the command line) began fetching: this screen
        # joins that request instead of sending its own.
        self.query_state = first_query(app.settings)
        self.query_one(Pager).page_size = self.query_state.size
        self._update_filter_summary(Filters(unique_id=app.unique_id))
        remembered = app.remembered.state
        if remembered.sort_column in SORTABLE:
            self.table.sort_by(remembered.sort_column, remembered.sort_reverse)
        if remembered.details_open:
            self.details_open = True
            self.query_one(DetailPane).add_class("open")
        self.table.focus()
        # The local index opens after the first frame (the app starts it): the table
        # moves over to it once it is complete.
        self.watch(app, "index_version", self._index_changed, init=False)
        self._show_index_line()
        # The page was asked for while the screen was being built: if it is here, show
        # it now, so the first frame has rows; otherwise load_page waits for it.
        cached = app.library.cached_page(self.query_state)
        if cached is None:
            self.load_page(self.query_state)
        else:
            self.query_state = app.library.answered_query(self.query_state, cached)
            self._show_page(cached)
            self._page_settled(self.query_state)

    def on_resize(self) -> None:
        body = self.query_one("#body")
        narrow = self.size.width < NARROW_WIDTH
        body.set_class(narrow, "narrow")
        self.query_one(DetailPane).float_over(None if narrow else self.size.width)

    @property
    def table(self) -> VideoTable:
        return self.query_one(VideoTable)

    def help_widgets(self) -> list[tuple[str, object]]:
        return [("Video table", self.table), ("Status filter", self.query_one("#status-filter")),
                ("Downloads panel", self.query_one(DownloadsPanel))]

    # -- loading pages ------------------------------------------------------------

    def _set_loading(self, message: str) -> None:
        self.query_one(Pager).loading_text = message

    def load_page(
        self, query: VideoQuery, *, keep_cursor_on: str | None = None, use_cache: bool = True
    ) -> None:
        """Show `query`'s page: from the complete local index at once, or fetched from
        the server (a video id filter always asks the server, which matches it exactly)."""
        if self.index_mode and not query.video_no:
            # A server page still on its way would land on top of this one.
            self.workers.cancel_group(self, "page")
            self._loading = None
            self._set_loading("")
            self._show_index_page(query, keep_cursor_on=keep_cursor_on)
            return
        self._fetch_page(query, keep_cursor_on=keep_cursor_on, use_cache=use_cache)

    # Named as the method the screen calls: a failure reads "while running load page".
    @work(exclusive=True, group="page", exit_on_error=False, name="load_page")
    async def _fetch_page(
        self, query: VideoQuery, *, keep_cursor_on: str | None = None, use_cache: bool = True
    ) -> None:
        """Fetch one page; a newer request cancels this one, so only the newest is shown."""
        library = self.app.library
        requested = self._loading = query
        if not use_cache or library.cached_page(query) is None:
            self._set_loading(f"Loading page {query.page:,}…")
        try:
            query, page = await library.fetch_existing_page(query, use_cache=use_cache)
        except MemoriesError as exc:
            self._set_loading("")
            self._load_error = self.show_error(exc, f"load page {query.page:,}")
            if self.page_result is None:
                self._show_message(self._load_error)
            return
        finally:
            if self._loading is requested:
                self._loading = None
        if get_current_worker().is_cancelled:
            return
        self._load_error = None
        self.query_state = query
        self._show_page(page, keep_cursor_on=keep_cursor_on)
        self._set_loading("")
        self._page_settled(query)

    def worker_failed(self, worker: Worker[Any]) -> None:
        self._set_loading("")
        if worker.group == "page" and self.page_result is None:
            self._show_message("The videos could not be loaded (an unexpected error). "
                               "Press r to try again.")

    def _page_settled(self, query: VideoQuery) -> None:
        """`query`'s page is on screen: fetch the next one ahead (see prefetch_page)."""
        if self.index_mode:
            return
        if self.app.settings.prefetch and query.page < self.page_count:
            self.prefetch_page(query.with_page(query.page + 1))

    @work(exclusive=True, group="prefetch", exit_on_error=False)
    async def prefetch_page(self, query: VideoQuery) -> None:
        # Only after the user rests on a page: paging quickly must not spend the
        # budget on pages that are skipped. The service shields the request itself,
        # so `]` pressed meanwhile joins it instead of sending another.
        await asyncio.sleep(PREFETCH_REST)
        await self.app.library.prefetch_page(query)

    def _show_page(self, page: VideoPage, *, keep_cursor_on: str | None = None) -> None:
        self.page_result = page
        self.table.show_videos(
            page.videos,
            now=self.app.clock(),
            keep_cursor_on=keep_cursor_on,
        )
        pager = self.query_one(Pager)
        pager.total = page.total_count
        pager.page = self.query_state.page
        pager.pages = page_count(page.total_count, self.query_state.size)
        pager.page_size = self.query_state.size
        if page.videos:
            self._show_message("")
        elif self.query_state.is_filtered or self.query_one(FilterBar).filters.any:
            self._show_message("No videos match the filter. Press Esc to clear it.")
        else:
            self._show_message(
                f"No videos in namespace “{safe_text(self.query_state.unique_id)}”."
            )
        self._details_follow_cursor()

    def _show_message(self, message: str) -> None:
        # Static.update always asks for a new layout of the screen: skip it when nothing
        # changes, so a page switch repaints the table alone.
        if message == self._table_message:
            return
        self._table_message = message
        widget = self.query_one("#table-message", Static)
        widget.update(Text(message))
        widget.display = bool(message)

    # -- paging -------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        if self.page_result is None:
            return 1
        return page_count(self.page_result.total_count, self.query_state.size)

    def _go_to_page(self, page: int) -> None:
        page = max(1, min(page, self.page_count))
        self.load_page(self.query_state.with_page(page))

    def action_next_page(self) -> None:
        if self.query_state.page >= self.page_count:
            self.notify("This is the last page.", timeout=2)
            return
        self._go_to_page(self.query_state.page + 1)

    def action_prev_page(self) -> None:
        if self.query_state.page <= 1:
            self.notify("This is the first page.", timeout=2)
            return
        self._go_to_page(self.query_state.page - 1)

    def action_first_page(self) -> None:
        self._go_to_page(1)

    def action_last_page(self) -> None:
        self._go_to_page(self.page_count)

    def action_goto_page(self) -> None:
        from memories_tui.tui.modals.prompt import PromptModal, int_validator

        pages = self.page_count

        def go(answer: str | None) -> None:
            if answer:
                self._go_to_page(int(answer.replace(",", "")))

        self.app.push_screen(
            PromptModal(
                f"Go to page (1 – {pages:,})",
                placeholder=str(self.query_state.page),
                validate=int_validator(1, pages, "page"),
            ),
            go,
        )

    def action_page_size(self) -> None:
        from memories_tui.tui.modals.prompt import PromptModal, int_validator

        def apply(answer: str | None) -> None:
            if answer:
                size = int(answer.replace(",", ""))
                self.app.remembered.update(page_size=size)
                self.load_page(self.query_state.resized(size))

        self.app.push_screen(
            PromptModal(
                "Rows per page",
                value=str(self.query_state.size),
                validate=int_validator(*PAGE_SIZE_RANGE, "page size"),
                note="Large pages take longer to draw; 50 – 200 work well.",
            ),
            apply,
        )

    def action_export(self) -> None:
        """Write the selection (or the page on screen) to a .csv or .json file."""
        from memories_tui.tui.modals.prompt import PromptModal

        videos = list(self.selected.values()) or list(self.table.videos)
        if not videos:
            self.notify("Nothing to export: the page is empty and nothing is selected.",
                        timeout=3)
            return
        what = "selected" if self.selected else "on this page"
        folder = self.app.settings.download_dir or Path.cwd()
        stamp = self.app.clock().strftime("%Y%m%d-%H%M")
        namespace = filename_part(self.query_state.unique_id)
        default = folder / f"memories-{namespace}-{stamp}.csv"

        def check(text: str) -> str | None:
            if Path(text.strip()).suffix.lower() not in (".csv", ".json"):
                return "Name a .csv or .json file."
            return None

        def chosen(answer: str | None) -> None:
            if answer:
                self._export(videos, Path(answer.strip()).expanduser())

        self.app.push_screen(PromptModal(
            f"Export {len(videos):,} {'video' if len(videos) == 1 else 'videos'} ({what})",
            value=str(default), validate=check,
            note="A .csv file for spreadsheets, .json for scripts; the API's field names."),
            chosen)

    @work(group="export", exit_on_error=False)
    async def _export(self, videos: list[Video], path: Path) -> None:
        from memories_tui.services.export import write_videos

        try:
            count = await asyncio.to_thread(write_videos, path, videos)
        except ValueError as error:
            self.notify(f"Not exported: {error}.", title="Export", severity="error",
                        timeout=8, markup=False)
            return
        except OSError as error:
            self.show_error(error, f"export to {path}", title="Export")
            return
        self.notify(f"Exported {count:,} {'video' if count == 1 else 'videos'} to {path}.",
                    title="Export", timeout=8, markup=False)

    def action_refresh(self) -> None:
        highlighted = self.table.highlighted
        # The local index looks for changes too (the first and the last page).
        self.app.index.request_refresh()
        self.app.library.invalidate()
        # The namespaces are read again when the namespace field is next used.
        self.app.library.forget_namespaces()
        self.query_one(FilterBar).forget_namespaces()
        self.load_page(
            self.query_state,
            keep_cursor_on=highlighted.video_no if highlighted else None,
            use_cache=False,
        )

    # -- filters --------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one("#name-filter", Input).focus()

    def action_escape(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "name-filter" and not focused.value:
            self.table.focus()
            return
        if self.query_one(FilterBar).clear():
            self._apply_filters(self.query_one(FilterBar).filters)
        if isinstance(self.focused, Input):
            self.table.focus()

    @on(FilterBar.Changed)
    def _filters_changed(self, event: FilterBar.Changed) -> None:
        self._apply_filters(event.filters)
        if event.submitted and self.index_mode:
            # The rows followed the typing already: enter goes to them.
            self.table.focus()

    # -- namespaces ---------------------------------------------------------------------

    @on(FilterBar.NamespaceWanted)
    def _namespaces_wanted(self) -> None:
        self.load_namespaces()

    @work(group="namespaces", exclusive=True, exit_on_error=False)
    async def load_namespaces(self) -> None:
        """Read the known namespaces (once: the service keeps them) and offer them as
        completions; only when the namespace field is first used, never at start-up."""
        names = await self.app.library.load_namespaces()
        if names is not None:
            self.query_one(FilterBar).offer_namespaces(names)

    @on(FilterBar.NamespaceSubmitted)
    def _namespace_submitted(self, event: FilterBar.NamespaceSubmitted) -> None:
        self.check_namespace(event.name)

    @work(group="namespace-check", exclusive=True, exit_on_error=False)
    async def check_namespace(self, name: str) -> None:
        """Switch to `name` if the server knows it; otherwise ask first (the server would
        create it, and names are case-sensitive: a typo opens a new, empty one)."""
        library = self.app.library
        if library.namespace_is_known(name) is None and name != self.query_state.unique_id:
            await library.load_namespaces()
        if name == self.query_state.unique_id or library.namespace_is_known(name):
            self._use_namespace(name)
            return
        from memories_tui.tui.modals.confirm_namespace import ConfirmNamespaceModal

        def decided(use_it: bool | None) -> None:
            if use_it:
                self._use_namespace(name)
            else:
                self.query_one("#namespace", Input).focus()

        self.app.push_screen(
            ConfirmNamespaceModal(
                name,
                similar=library.similar_namespaces(name),
                error=library.namespaces_error,
            ),
            decided,
        )

    def _use_namespace(self, name: str) -> None:
        bar = self.query_one(FilterBar)
        bar.use_namespace(name)
        library = self.app.library
        library.namespace_used(name)
        if library.namespaces is not None:
            bar.offer_namespaces(library.namespaces)
        self._apply_filters(bar.filters)

    def _apply_filters(self, filters: Filters) -> None:
        namespace_changed = filters.unique_id != self.query_state.unique_id
        if namespace_changed:
            self.app.unique_id = filters.unique_id  # the header and other views follow
            if self.selected:
                self.notify("Selection cleared: it belonged to another namespace.", timeout=4)
            self.table.unmark()
        query = VideoQuery(
            page=1,
            size=self.query_state.size,
            name=filters.name,
            video_no=filters.video_no,
            status=StatusClass(filters.status) if filters.status else None,
            unique_id=filters.unique_id,
        )
        self._update_filter_summary(filters)
        if self.index_mode and not query.video_no:
            self.load_page(query)  # no request: the index answers at once
            return
        if query == (self._loading or self.query_state) and not namespace_changed:
            return
        self._loading = query  # at once: the worker starts a moment later
        self.load_page(query)

    def show_video(self, video_no: str, unique_id: str | None = None) -> None:
        """Filter to one video id (in its namespace) and open its details."""
        bar = self.query_one(FilterBar)
        bar.show_only(video_no, unique_id or self.query_state.unique_id)
        self._apply_filters(bar.filters)
        self.table.focus()
        self.action_open_details()

    def _update_filter_summary(self, filters: Filters) -> None:
        # One line whatever it says: no new layout of the screen (served by the index,
        # it changes at every key typed, and a layout delays the rows by a frame or two).
        self.query_one("#filter-summary", Static).update(
            Text(describe_filters(filters, index=self.index_mode)), layout=False)

    # -- the local index ------------------------------------------------------------------

    def _index_changed(self, _version: int) -> None:
        # Later, not now: the namespace may be changing under this very call (the app
        # opens the other namespace's index while the filters are being applied).
        self.call_later(self._follow_index)

    def _follow_index(self) -> None:
        """The index opened, became complete, or its content changed: serve the table
        from it (or from the server again), keeping the cursor on its video."""
        ready = self.app.index.ready_for(self.query_state.unique_id)
        highlighted = self.table.highlighted
        keep = highlighted.video_no if highlighted else None
        if ready != self.index_mode:
            self._set_index_mode(ready)
            if ready:
                self._show_index_page(self.query_state, follow=self._cursor_to_follow())
            else:
                self.load_page(self.query_state.with_page(1), keep_cursor_on=keep)
        elif ready and not self.query_state.video_no:
            self._show_index_page(self.query_state, keep_cursor_on=keep)
        self._show_index_line()

    def _set_index_mode(self, on: bool) -> None:
        self.index_mode = on
        self.table.order_given = on
        bar = self.query_one(FilterBar)
        bar.set_index_mode(on)
        if not on and bar.filters.ranges.any:
            bar.set_ranges(Ranges())
            self.notify("The size and date filters were cleared: they need the complete "
                        "local index.", timeout=6)
        self._update_filter_summary(bar.filters)
        self._show_sort()
        self._stats_for = None

    def _index_filters(self) -> IndexFilters:
        from memories_tui.services.index_store import IndexFilters
        from memories_tui.tui.modals.range_filter import ranges_to_datetimes

        filters = self.query_one(FilterBar).filters
        ranges = filters.ranges
        created_from, created_to = ranges_to_datetimes(ranges)
        return IndexFilters(
            name_part=filters.name,
            status_class=StatusClass(filters.status) if filters.status else None,
            size_min=ranges.size_min, size_max=ranges.size_max,
            created_from=created_from, created_to=created_to,
        )

    def _index_sort(self) -> tuple[str, bool]:
        """The table's order as the index's sort ("listing": the server's order)."""
        return self.table.sort_column or "listing", self.table.sort_reverse

    def _show_index_page(self, query: VideoQuery, *, keep_cursor_on: str | None = None,
                         follow: str | None = None) -> None:
        """`query`'s page from the local index, at once. `follow`: go to the page that
        holds this video (after a change of order) and put the cursor on it."""
        import sqlite3

        store = self.app.index.store
        if store is None:
            return
        filters = self._index_filters()
        sort, descending = self._index_sort()
        size = query.size
        page = query.page
        try:
            if follow is not None:
                position = store.position_of(follow, filters, sort, descending)
                if position is not None:
                    page, keep_cursor_on = position // size + 1, follow
            videos, total = store.query(filters, sort, descending, (page - 1) * size, size)
            if not videos and total and page > 1:  # past the end (after deletes)
                page = page_count(total, size)
                videos, total = store.query(filters, sort, descending, (page - 1) * size,
                                            size)
        except sqlite3.Error as exc:
            # Never a crash: the server still answers, page by page.
            self.notify(f"The local index could not be read ({exc}); the pages come from "
                        "the server.", title="Local index", severity="warning", timeout=8,
                        markup=False)
            self._set_index_mode(False)
            self.load_page(query)
            return
        self.query_state = replace(query, page=page)
        self._load_error = None
        self._show_page(VideoPage(videos=tuple(videos), page=page, page_size=size,
                                  total_count=total), keep_cursor_on=keep_cursor_on)
        self._schedule_stats(filters)

    def _schedule_stats(self, filters: IndexFilters) -> None:
        """Count the matches per status once the filters rest (typing a name changes
        them at every key; the rows come first)."""
        if self._stats_for == filters:
            return
        if self._stats_timer is not None:
            self._stats_timer.stop()
        self._stats_timer = self.set_timer(STATS_REST, self._show_stats, name="index-stats")

    def _show_stats(self) -> None:
        import sqlite3

        self._stats_timer = None
        store = self.app.index.store
        if not self.index_mode or store is None:
            return
        filters = self._index_filters()
        try:
            stats = store.stats(filters)
        except sqlite3.Error as exc:
            self._set_index_line(f"Counts unavailable: {exc}")
            return
        self._stats_for = filters
        self._set_index_line(describe_stats(stats, filtered=not filters.is_empty))

    def _show_index_line(self) -> None:
        """The line under the filters: counts per status (index), or what the server's
        pages cannot do yet (no index yet); nothing when the index is off."""
        index = self.app.index
        if not index.enabled:
            self.query_one("#index-stats", Static).display = False
            return
        if self.index_mode:
            self._stats_for = None
            self._schedule_stats(self._index_filters())
            return
        self._set_index_line(
            "Pages come from the server until the local index is complete: names match "
            "exactly, sorting covers one page")

    def _set_index_line(self, text: str) -> None:
        line = self.query_one("#index-stats", Static)
        line.update(Text(text), layout=not line.display)  # one line: no layout once shown
        line.display = True

    def action_select_all_matching(self) -> None:
        """Select every video the filters match, on every page (the local index)."""
        import sqlite3

        store = self.app.index.store
        if not self.index_mode or store is None or self.query_state.video_no:
            self.notify("Selecting all matching videos needs the complete local index "
                        f"({self.app.index.status_words()}); a selects this page.",
                        timeout=6, markup=False)
            return
        filters = self._index_filters()
        sort, descending = self._index_sort()
        try:
            total = store.query(filters, sort, descending, 0, 0)[1]
            videos, _ = store.query(filters, sort, descending, 0, total)
        except sqlite3.Error as exc:
            self.notify(f"The local index could not be read ({exc}).", title="Local index",
                        severity="error", timeout=8, markup=False)
            return
        if not videos:
            self.notify("No video matches the filters.", timeout=3)
            return
        self.table.mark_all(videos)
        count = len(videos)
        size = total_size(v.size for v in videos)
        self.notify(f"Selected all {count:,} matching {'video' if count == 1 else 'videos'} "
                    f"({size}); {len(self.selected):,} selected in all. d deletes, "
                    "s downloads, u clears the selection.", title="Select all matching",
                    timeout=8, markup=False)

    def action_range_filter(self) -> None:
        """Ask for size and date limits (the local index applies them)."""
        if not self.index_mode:
            self.notify("Size and date filters need the complete local index "
                        f"({self.app.index.status_words()}).", timeout=6, markup=False)
            return
        from memories_tui.tui.modals.range_filter import RangeFilterModal

        bar = self.query_one(FilterBar)

        def chosen(ranges: Ranges | None) -> None:
            if ranges is not None:
                bar.set_ranges(ranges)
                self._apply_filters(bar.filters)

        self.app.push_screen(RangeFilterModal(bar.filters.ranges, self.app.clock().date()),
                             chosen)

    # -- sorting (the table orders the page; the pager says how) -------------------------

    def action_cycle_sort(self) -> None:
        self.table.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()

    @on(VideoTable.SortChanged)
    def _sort_changed(self, event: VideoTable.SortChanged) -> None:
        self._show_sort()
        self.app.remembered.update(sort_column=self.table.sort_column,
                                   sort_reverse=self.table.sort_reverse)
        if self.index_mode and not self.query_state.video_no:
            # The whole library in the new order: from its start when the cursor was at
            # the start, else on the page that holds the row the cursor was on.
            self._show_index_page(self.query_state, follow=self._cursor_to_follow())

    def _cursor_to_follow(self) -> str | None:
        """The video the cursor should stay on through a change of order: the
        highlighted one, unless the cursor sits at the very start (then the new order
        is shown from its start)."""
        highlighted = self.table.highlighted
        if highlighted is None or (self.query_state.page == 1 and self.table.cursor_row == 0):
            return None
        return highlighted.video_no

    def _show_sort(self) -> None:
        """The order in words, and what it covers."""
        label = self.table.sort_label
        if label:
            whole = self.index_mode and not self.query_state.video_no
            label += " · whole library" if whole else " · this page only"
        self.query_one(Pager).sort = label

    # -- cursor and details ---------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    @on(VideoTable.RowSelected, "#videos")
    def _row_selected(self) -> None:
        self.action_open_details()

    def action_open_details(self) -> None:
        self.details_open = True
        self.app.remembered.update(details_open=True)
        self.query_one(DetailPane).add_class("open")
        self._details_follow_cursor()

    def action_toggle_details(self) -> None:
        self.details_open = not self.details_open
        self.app.remembered.update(details_open=self.details_open)
        self.query_one(DetailPane).set_class(self.details_open, "open")
        self._details_follow_cursor()

    @on(VideoTable.RowHighlighted, "#videos")
    def _row_highlighted(self) -> None:
        self._details_follow_cursor()

    def _details_follow_cursor(self) -> None:
        if not self.details_open:
            return
        video = self.table.highlighted
        pane = self.query_one(DetailPane)
        now = self.app.clock()
        if video is None:
            pane.show(None, None, now=now)
            return
        cached = self.app.library.cached_details(video.video_no, self.query_state.unique_id)
        pane.show(video, cached, now=now, loading=cached is None)
        if cached is None:
            self.load_details(video)

    @work(exclusive=True, group="details", exit_on_error=False)
    async def load_details(self, video: Video) -> None:
        # Wait for the cursor to rest: scrolling through rows must not spend the rate budget.
        await asyncio.sleep(DETAIL_REST)
        unique_id = self.query_state.unique_id
        try:
            details = await self.app.library.fetch_details(video.video_no, unique_id)
        except NotFoundError as exc:
            if self.index_mode and self.app.index.forget([video.video_no], unique_id):
                # The index is a cache: a video the server no longer has goes from it
                # (and from the table, which the index serves).
                self.notify(f"“{safe_text(video.name, max_len=60)}” ({video.video_no}) is "
                            "no longer on the server (deleted elsewhere?): it is gone from "
                            "the local index too.", title="Video gone", severity="warning",
                            timeout=8, markup=False)
                return
            if self.table.highlighted is video:
                self.query_one(DetailPane).show(
                    video, None, now=self.app.clock(),
                    error=describe_error(exc, "load the details"),
                )
            return
        except MemoriesError as exc:
            if self.table.highlighted is video:
                self.query_one(DetailPane).show(
                    video, None, now=self.app.clock(),
                    error=describe_error(exc, "load the details"),
                )
            return
        if self.table.highlighted is not None and self.table.highlighted.video_no == video.video_no:
            self.query_one(DetailPane).show(video, details, now=self.app.clock())

    # -- selection --------------------------------------------------------------------

    @property
    def selected(self) -> dict[str, Video]:
        """The marked videos, by id, across pages."""
        return self.table.marked

    @on(VideoTable.MarksChanged)
    def _update_selection(self) -> None:
        count = len(self.selected)
        total = total_size(v.size for v in self.selected.values())
        text = f"{count:,} selected ({total})" if count else ""
        if self.table.range_active:
            text += " · range: move to extend, v to stop"
        self.query_one(Pager).selection = text

    def action_toggle_select(self) -> None:
        video = self.table.highlighted
        if video is not None:
            self.table.toggle_mark(video)
            self.table.action_cursor_down()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Read-only: delete shows disabled in the key bar and help, and is out of the
        # palette. (The delete service refuses it too, whoever asks.)
        if action == "delete" and self.app.settings.read_only:
            return None
        return True

    def action_select_page(self) -> None:
        self.table.mark_page()

    def action_select_range(self) -> None:
        self.table.toggle_range()

    def action_clear_selection(self) -> None:
        self.table.unmark()

    def _targets(self) -> list[Video]:
        """The selection, or else the highlighted row."""
        if self.selected:
            return list(self.selected.values())
        video = self.table.highlighted
        return [video] if video is not None else []

    # -- delete -----------------------------------------------------------------------

    def action_delete(self) -> None:
        if self.app.deletes.read_only:
            self.notify("Read-only mode: nothing is deleted (started with --read-only, "
                        "MEMORIES_READ_ONLY or read_only = true).", severity="warning",
                        timeout=5)
            return
        if self.app.deletes.running:
            self.notify("A delete is already running; wait for it to finish.", timeout=4)
            return
        videos = self._targets()
        if not videos:
            self.notify("Nothing to delete: no video is highlighted or selected.", timeout=3)
            return
        unique_id = self.query_state.unique_id

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                self.delete_videos(videos, unique_id)

        from memories_tui.tui.modals.confirm_delete import ConfirmDeleteModal

        self.app.push_screen(ConfirmDeleteModal(videos, unique_id), decided)

    @work(group="delete", exit_on_error=False)
    async def delete_videos(self, videos: list[Video], unique_id: str) -> None:
        """Hand the confirmed ids to the delete service, then say what it found."""

        def progress(step: DeleteProgress) -> None:
            self._set_loading(step.describe())

        try:
            outcome = await self.app.deletes.delete(
                [v.video_no for v in videos], unique_id, on_progress=progress,
                names={v.video_no: v.name for v in videos},
            )
        except DeleteBusyError as exc:
            self.notify(str(exc), timeout=4)
            return
        finally:
            self._set_loading("")
        # The server confirmed these gone: the local index drops them at once.
        self.app.index.forget(outcome.deleted, unique_id)
        self._show_delete_outcome(outcome)
        if self.app.quitting:
            return  # the app is leaving: no more requests
        highlighted = self.table.highlighted
        self.load_page(self.query_state, use_cache=False,
                       keep_cursor_on=highlighted.video_no if highlighted else None)

    def _show_delete_outcome(self, outcome: DeleteOutcome) -> None:
        self.table.unmark(outcome.deleted)
        still_selected = bool(outcome.failed) and all(v in self.selected for v in outcome.failed)
        for kind, sentence in outcome.sentences():
            if kind == "deleted":
                self.notify(sentence, title="Delete", timeout=5)
                continue
            if kind == "failed" and still_selected:
                sentence += " They are still selected."
            title = "Delete uncertain" if kind == "unknown" else "Delete incomplete"
            self.notify(sentence, title=title, severity="error", timeout=12, markup=False)

    # -- download ----------------------------------------------------------------------

    def action_download(self) -> None:
        videos = self._targets()
        if not videos:
            self.notify("Nothing to download: no video is highlighted or selected.", timeout=3)
            return
        folder = self.app.settings.download_dir or Path.cwd()
        unique_id = self.query_state.unique_id

        def decided(request: DownloadRequest | None) -> None:
            if request is None:
                return
            self.query_one(DownloadsPanel).add_class("open")
            jobs = self.app.downloads.start(request.planned, unique_id, request.conflict)
            skipped = sum(1 for j in jobs if j.state is JobState.SKIPPED)
            if skipped:
                self.notify(f"{skipped:,} skipped: the file exists already.", timeout=5)

        from memories_tui.tui.modals.download import DownloadModal

        self.app.push_screen(DownloadModal(videos, folder), decided)

    def action_toggle_downloads(self) -> None:
        """Show and focus the panel; when it is already focused, hide it."""
        panel = self.query_one(DownloadsPanel)
        if panel.has_class("open") and panel.has_focus:
            panel.remove_class("open")
            self.table.focus()
        else:
            panel.add_class("open")
            panel.focus()

    # -- copy and open -------------------------------------------------------------------

    def action_copy_id(self) -> None:
        video = self.table.highlighted
        if video is not None:
            self.copy_text(video.video_no)

    @work(group="open-url", exclusive=True, exit_on_error=False)
    async def action_open_url(self) -> None:
        video = self.table.highlighted
        if video is None:
            return
        try:
            details = await self.app.library.fetch_details(
                video.video_no, self.query_state.unique_id
            )
        except MemoriesError as exc:
            self.show_error(exc, "find the video's URL")
            return
        self.open_link(details.video_url)


class FilterSummary(Static):
    """The line that says which filters apply; a click opens the size and date filters
    (the mouse's way to them)."""

    def on_click(self) -> None:
        screen = self.screen
        if isinstance(screen, LibraryScreen):
            screen.action_range_filter()


def describe_stats(stats: list[ClassStats], *, filtered: bool) -> str:
    """"300 videos, 94.8 GB (+11 unknown) │ ready 250, 84.4 GB │ in progress 18, 2.6 GB"
    (the line above says which filters apply)."""
    from memories_tui.format import human_size

    count = sum(s.count for s in stats)
    if not count:
        return "No video matches" if filtered else "No videos"
    size = sum(s.total_size for s in stats)
    unknown = sum(s.unknown_sizes for s in stats)
    parts = [f"{count:,} {'video' if count == 1 else 'videos'}, {human_size(size)}"
             + (f" (+{unknown:,} unknown)" if unknown else "")]
    for s in stats:
        parts.append(f"{s.status_class.value} {s.count:,}, {human_size(s.total_size)}")
    return " │ ".join(parts)
