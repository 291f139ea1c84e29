"""The library screen: the paged, filterable video table with details, selection and actions.

Pages come from the server until the local index of the namespace is complete (see
tui/index.py); from then on the index serves them: names match any part as they are
typed, sorting and the size and date filters cover the whole library, "select all
matching" selects every video the filters match, and a line gives counts and sizes per
status. Deletes and downloads still act only on the ids the user confirmed.

This module holds the screen itself: its bindings (one list, for help and the keymap),
its layout, loading and paging, filters, sorting, selection, and the message handlers
(Textual registers `@on` handlers only for the classes of its own DOM types, so they
stay here and call the parts). The parts are plain mixins, each in its own module:
library_index.py (the table served from the local index, the counts line),
library_details.py (the detail pane following the cursor, copy id, open URL),
library_actions.py (the actions that ask first: delete, download, export, go to page,
page size) and library_namespace.py (switching namespace). The modals are imported when
first opened: start-up needs none.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from memories_tui.api.errors import MemoriesError
from memories_tui.api.models import Video, VideoPage
from memories_tui.api.status import StatusClass
from memories_tui.format import total_size
from memories_tui.safetext import safe_text
from memories_tui.services.library import VideoQuery, first_query, page_count
from memories_tui.tui.screens.base import ViewScreen
from memories_tui.tui.screens.library_actions import LibraryActionsMixin
from memories_tui.tui.screens.library_details import LibraryDetailsMixin
from memories_tui.tui.screens.library_index import LibraryIndexMixin, describe_stats
from memories_tui.tui.screens.library_namespace import LibraryNamespaceMixin
from memories_tui.tui.widgets.detail_pane import DetailPane
from memories_tui.tui.widgets.downloads_panel import DownloadsPanel
from memories_tui.tui.widgets.filter_bar import FilterBar, Filters, describe_filters
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.pager import Pager
from memories_tui.tui.widgets.status_header import StatusHeader
from memories_tui.tui.widgets.video_table import SORTABLE, VideoTable

__all__ = ["FilterSummary", "LibraryScreen", "describe_stats"]

PREFETCH_REST = 0.5  # seconds on a page before the next one is fetched ahead
NARROW_WIDTH = 110  # below this many columns the detail pane goes under the table


class LibraryScreen(LibraryIndexMixin, LibraryDetailsMixin, LibraryActionsMixin,
                    LibraryNamespaceMixin, ViewScreen):
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
        #: Pages come from the complete local index (not the server): library_index.py.
        self.index_mode = False
        # The counts line's timer, and the filters it last counted.
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

    # -- paging (go to page, page size: library_actions.py) -----------------------------

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

    # -- namespaces (the switch: library_namespace.py) ----------------------------------

    @on(FilterBar.NamespaceWanted)
    def _namespaces_wanted(self) -> None:
        self.load_namespaces()

    @on(FilterBar.NamespaceSubmitted)
    def _namespace_submitted(self, event: FilterBar.NamespaceSubmitted) -> None:
        self.check_namespace(event.name)

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

    # -- cursor (the details follow it: library_details.py) -----------------------------

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    @on(VideoTable.RowSelected, "#videos")
    def _row_selected(self) -> None:
        self.action_open_details()

    @on(VideoTable.RowHighlighted, "#videos")
    def _row_highlighted(self) -> None:
        self._details_follow_cursor()

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


class FilterSummary(Static):
    """The line that says which filters apply; a click opens the size and date filters
    (the mouse's way to them)."""

    def on_click(self) -> None:
        screen = self.screen
        if isinstance(screen, LibraryScreen):
            screen.action_range_filter()
