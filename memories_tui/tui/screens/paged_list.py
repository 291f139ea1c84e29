"""What the chat sessions and images views share: one page of the namespace's items in
a table, a message line, a pager, the paging keys, and following the namespace.

Pages are cached by the library service (bounded), not here: a revisited page costs
no request, and `r` asks the server again."""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from textual import work
from textual.widgets import DataTable
from textual.worker import Worker, get_current_worker

from memories_tui.api.errors import MemoriesError
from memories_tui.safetext import safe_text
from memories_tui.services.library import page_count
from memories_tui.tui.screens.base import ViewScreen
from memories_tui.tui.widgets.pager import Pager


class _Page(Protocol):
    @property
    def total_count(self) -> int: ...


PageT = TypeVar("PageT", bound=_Page)


class PagedListScreen(ViewScreen, Generic[PageT]):
    """A subclass composes the table, `#{MESSAGE_ID}` and the pager, and says how to
    fetch and show a page (`fetch_page`, `show_page`) and what identifies a row."""

    NOUN = ""  # in plain words, as in "Loading chat sessions…"
    PAGE_SIZE: int | None = None  # None: the page size of the settings

    def __init__(self) -> None:
        super().__init__()
        self.page = 1
        self.page_size = self.PAGE_SIZE or 50
        self.page_result: PageT | None = None
        self.unique_id = ""

    # -- what a subclass provides -------------------------------------------------------

    @property
    def table(self) -> Any:
        """The view's table (a DataTable with `highlighted`)."""
        return self.query_one(DataTable)

    @property
    def pager(self) -> Pager:
        return self.query_one(Pager)

    async def fetch_page(self, page: int, *, use_cache: bool = True) -> PageT:
        raise NotImplementedError

    def show_page(self, result: PageT, *, keep_cursor_on: str | None = None) -> None:
        raise NotImplementedError

    def row_id(self, row: Any) -> str:
        raise NotImplementedError

    def size_of(self, result: PageT) -> int:
        """Rows per page, to count the pages."""
        return self.page_size

    # -- life cycle ---------------------------------------------------------------------

    def on_mount(self) -> None:
        self.page_size = self.PAGE_SIZE or self.app.settings.page_size
        self.pager.page_size = self.page_size
        self.table.focus()
        self.watch(self.app, "unique_id", self._namespace_changed, init=False)
        self._follow_namespace()

    def on_screen_resume(self) -> None:
        # The namespace changed in the videos view while we were away: load it now.
        if self.is_mounted and self.unique_id != self.app.unique_id:
            self._follow_namespace()

    def _namespace_changed(self, _namespace: str) -> None:
        # Only the view on screen reloads at once: the others would spend the shared
        # rate budget on pages nobody looks at (they catch up when shown).
        if self.is_current:
            self._follow_namespace()

    def _follow_namespace(self) -> None:
        self.unique_id = self.app.unique_id
        self.page_result = None
        self.load_page(1)

    # -- loading ------------------------------------------------------------------------

    @work(exclusive=True, group="list-page", exit_on_error=False)
    async def load_page(self, page: int, *, use_cache: bool = True,
                        keep_cursor_on: str | None = None) -> None:
        """Fetch one page; a newer request cancels this one, so only the newest shows."""
        pager = self.pager
        pager.loading_text = f"Loading page {page:,}…"
        if self.page_result is None:
            self.show_message(f"Loading {self.NOUN}…")
        try:
            result = await self.fetch_page(page, use_cache=use_cache)
        except MemoriesError as exc:
            if get_current_worker().is_cancelled:
                return
            pager.loading_text = ""
            message = self.show_error(exc, f"load page {page:,} of the {self.NOUN}")
            if self.page_result is None:
                self.show_message(f"{message}\nPress r to retry.", error=True)
            return
        if get_current_worker().is_cancelled:
            return
        self.page = page
        self.page_result = result
        pager.loading_text = ""
        self.show_page(result, keep_cursor_on=keep_cursor_on)
        pager.total = result.total_count
        pager.page = page
        pager.pages = self.page_count

    def worker_failed(self, worker: Worker[Any]) -> None:
        self.pager.loading_text = ""
        if self.page_result is None:
            self.show_message(f"The {self.NOUN} could not be loaded (an unexpected error). "
                              "Press r to try again.", error=True)

    def _show_empty(self, empty: bool) -> None:
        """The message line for a page with rows (none) or without."""
        self.show_message(
            f"No {self.NOUN} in namespace “{safe_text(self.unique_id)}”." if empty else ""
        )

    @property
    def page_count(self) -> int:
        if self.page_result is None:
            return 1
        result = self.page_result
        return page_count(result.total_count, self.size_of(result))

    # -- paging -------------------------------------------------------------------------

    def action_next_page(self) -> None:
        if self.page >= self.page_count:
            self.notify("This is the last page.", timeout=2)
            return
        self.load_page(self.page + 1)

    def action_prev_page(self) -> None:
        if self.page <= 1:
            self.notify("This is the first page.", timeout=2)
            return
        self.load_page(self.page - 1)

    def action_first_page(self) -> None:
        self.load_page(1)

    def action_last_page(self) -> None:
        self.load_page(self.page_count)

    def action_refresh(self) -> None:
        highlighted = self.table.highlighted
        self.load_page(self.page, use_cache=False,
                       keep_cursor_on=self.row_id(highlighted) if highlighted else None)

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()
