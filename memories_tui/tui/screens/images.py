"""Images: a paged table of the namespace's image library with a detail line."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from memories_tui.api.errors import MemoriesError
from memories_tui.api.models import ImagePage
from memories_tui.safetext import safe_text
from memories_tui.services.library import page_count
from memories_tui.tui.errors import describe_error
from memories_tui.tui.widgets.image_table import ImagePager, ImageTable, image_details
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.status_header import StatusHeader


class ImagesScreen(Screen):
    """The image library, a page at a time; the highlighted image's fields below."""

    VIEW_NAME = "Images"
    CSS_PATH = "images.tcss"

    BINDINGS = [
        Binding("right_square_bracket", "next_page", "Next page", key_display="]",
                id="images-next-page"),
        Binding("left_square_bracket", "prev_page", "Prev page", key_display="[",
                id="images-prev-page"),
        Binding("g", "first_page", "First page", show=False, id="images-first-page"),
        Binding("G", "last_page", "Last page", show=False, id="images-last-page"),
        Binding("r", "refresh", "Refresh", id="images-refresh"),
        Binding("y", "copy_id", "Copy image id", id="images-copy-id"),
        Binding("j", "cursor_down", "Row down", show=False, id="images-row-down"),
        Binding("k", "cursor_up", "Row up", show=False, id="images-row-up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page = 1
        self.page_size = 50
        self.page_result: ImagePage | None = None
        self.unique_id = ""
        self._pages: dict[int, ImagePage] = {}

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield ImageTable(id="images")
        yield Static("", id="images-message")
        yield Static("", id="image-detail")
        yield ImagePager(id="images-pager")
        yield KeyBar()

    def on_mount(self) -> None:
        header = self.query_one(StatusHeader)
        header.view_name = self.VIEW_NAME
        header.host = self.app.host
        self.page_size = self.app.settings.page_size
        self.query_one(ImagePager).page_size = self.page_size
        self.table.focus()
        self._follow_namespace()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.unique_id and self.unique_id != self.app.unique_id:
            self._follow_namespace()

    def _follow_namespace(self) -> None:
        self.unique_id = self.app.unique_id
        self.query_one(StatusHeader).namespace = self.unique_id
        self._pages.clear()
        self.page_result = None
        self.load_page(1)

    @property
    def table(self) -> ImageTable:
        return self.query_one(ImageTable)

    # -- loading ----------------------------------------------------------------------

    @work(exclusive=True, group="images-page", exit_on_error=False)
    async def load_page(self, page: int, *, use_cache: bool = True,
                        keep_cursor_on: str | None = None) -> None:
        pager = self.query_one(ImagePager)
        result = self._pages.get(page) if use_cache else None
        if result is None:
            pager.loading = f"Loading page {page:,}…"
            if self.page_result is None:
                self._show_message("Loading images…")
            try:
                result = await self.app.library.list_images(page, self.page_size, self.unique_id)
            except asyncio.CancelledError:
                raise
            except MemoriesError as exc:
                if get_current_worker().is_cancelled:
                    return
                pager.loading = ""
                message = describe_error(exc, f"load page {page:,} of the images")
                if self.page_result is None:
                    self._show_message(f"{message}\nPress r to retry.", error=True)
                self.notify(message, title="Images", severity="error", markup=False, timeout=8)
                return
            if get_current_worker().is_cancelled:
                return
            self._pages[page] = result
        self.page = page
        self.page_result = result
        pager.loading = ""
        self.table.show_images(result.images, now=self.app.clock(), keep_cursor_on=keep_cursor_on)
        pager.total = result.total_count
        pager.page = page
        pager.pages = self.page_count
        if result.images:
            self._show_message("")
        else:
            self._show_message(f"No images in namespace “{safe_text(self.unique_id)}”.")
        self._show_detail()

    def _show_message(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#images-message", Static)
        widget.update(Text(message))
        widget.set_class(error, "error")
        widget.display = bool(message)

    def _show_detail(self) -> None:
        image = self.table.highlighted
        detail = self.query_one("#image-detail", Static)
        if image is None:
            detail.update(Text("No image highlighted.", style="dim"))
            return
        detail.update(image_details(image, now=self.app.clock()))

    @on(DataTable.RowHighlighted, "#images")
    def _row_highlighted(self) -> None:
        self._show_detail()

    @property
    def page_count(self) -> int:
        if self.page_result is None:
            return 1
        return page_count(self.page_result.total_count, self.page_size)

    # -- actions ------------------------------------------------------------------------

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
        self._pages.clear()
        self.load_page(self.page, use_cache=False,
                       keep_cursor_on=highlighted.image_no if highlighted else None)

    def action_copy_id(self) -> None:
        image = self.table.highlighted
        if image is None:
            return
        self.app.copy_to_clipboard(image.image_no)
        self.notify(f"Copied {safe_text(image.image_no)} to the clipboard.", timeout=3,
                    markup=False)

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()
