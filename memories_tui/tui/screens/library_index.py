"""The library table served from the local index: LibraryScreen's part for it.

Pages come from the server until the local index of the namespace is complete (see
tui/index.py); from then on the index serves them, at once and without a request: names
match any part as they are typed, sorting and the size and date filters cover the whole
library, "select all matching" selects every video the filters match, and a line under
the filters gives counts and sizes per status (`describe_stats`), counted once the
filters rest (`STATS_REST`). The index is a cache: when it cannot be read, the pages come
from the server again.

`LibraryIndexMixin` is a plain mixin of `LibraryScreen` (library.py), which holds the
state it uses (`index_mode`, `_stats_timer`, `_stats_for`), the bindings and the message
handlers (Textual registers `@on` handlers only for the classes of its own DOM types).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from memories_tui.api.models import VideoPage
from memories_tui.api.status import StatusClass
from memories_tui.format import total_size
from memories_tui.services.library import VideoQuery, page_count
from memories_tui.tui.widgets.filter_bar import FilterBar, Filters, Ranges

if TYPE_CHECKING:
    from memories_tui.api.models import Video
    from memories_tui.services.index_store import ClassStats, IndexFilters
    from memories_tui.tui.screens.base import ViewScreen
    from memories_tui.tui.widgets.video_table import VideoTable

    _ScreenBase = ViewScreen
else:
    _ScreenBase = object

STATS_REST = 0.25  # seconds the filters must rest before the stats line is counted again


class LibraryIndexMixin(_ScreenBase):
    """The table from the complete local index: its pages, its order, its filters, the
    counts line, select all matching, the size and date filter."""

    if TYPE_CHECKING:  # what this part uses of LibraryScreen
        query_state: VideoQuery
        index_mode: bool
        _load_error: str | None
        _stats_timer: Any
        _stats_for: object

        @property
        def table(self) -> VideoTable: ...
        @property
        def selected(self) -> dict[str, Video]: ...
        def load_page(self, query: VideoQuery, *, keep_cursor_on: str | None = None,
                      use_cache: bool = True) -> None: ...
        def _show_page(self, page: VideoPage, *, keep_cursor_on: str | None = None) -> None: ...
        def _cursor_to_follow(self) -> str | None: ...
        def _show_sort(self) -> None: ...
        def _apply_filters(self, filters: Filters) -> None: ...
        def _update_filter_summary(self, filters: Filters) -> None: ...

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
        # Not "0 Bytes" when no size of the class is known; the unknown ones of a class
        # are counted once, on the total (the line must fit 120 columns).
        size_words = ("size unknown" if s.unknown_sizes == s.count
                      else human_size(s.total_size))
        parts.append(f"{s.status_class.value} {s.count:,}, {size_words}")
    return " │ ".join(parts)
