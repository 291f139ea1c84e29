"""The highlighted video: its details in the pane that follows the cursor, its id copied,
its URL opened. LibraryScreen's part for them.

The details are private (one request each, against the rate budget): they are fetched
only once the cursor rests on a row (`DETAIL_REST`), and shown from the service's cache
when it has them. A video the server no longer has goes from the local index too (when
the index serves the table).

`LibraryDetailsMixin` is a plain mixin of `LibraryScreen` (library.py), which holds the
`details_open` state and the row handlers that call it (Textual registers `@on` handlers
only for the classes of its own DOM types).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work

from memories_tui.api.errors import MemoriesError, NotFoundError
from memories_tui.api.models import Video
from memories_tui.safetext import safe_text
from memories_tui.tui.errors import describe_error
from memories_tui.tui.widgets.detail_pane import DetailPane

if TYPE_CHECKING:
    from memories_tui.services.library import VideoQuery
    from memories_tui.tui.screens.base import ViewScreen
    from memories_tui.tui.widgets.video_table import VideoTable

    _ScreenBase = ViewScreen
else:
    _ScreenBase = object

DETAIL_REST = 0.25  # seconds the cursor must rest before private details are fetched


class LibraryDetailsMixin(_ScreenBase):
    """The detail pane (open or not, following the cursor), copy id, open URL."""

    if TYPE_CHECKING:  # what this part uses of LibraryScreen
        query_state: VideoQuery
        index_mode: bool
        details_open: bool

        @property
        def table(self) -> VideoTable: ...

    # -- details ------------------------------------------------------------------------

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
