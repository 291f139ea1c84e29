"""Images: a paged table of the namespace's image library with a detail line."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from memories_tui.api.models import Image, ImagePage
from memories_tui.tui.screens.paged_list import PagedListScreen
from memories_tui.tui.widgets.image_table import ImagePager, ImageTable, image_details
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.status_header import StatusHeader


class ImagesScreen(PagedListScreen[ImagePage]):
    """The image library, a page at a time; the highlighted image's fields below."""

    VIEW_NAME = "Images"
    NOUN = "images"
    MESSAGE_ID = "images-message"
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
        Binding("o", "open_image", "Open image", id="images-open"),
        Binding("j", "cursor_down", "Row down", show=False, id="images-row-down"),
        Binding("k", "cursor_up", "Row up", show=False, id="images-row-up"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield ImageTable(id="images")
        yield Static("", id="images-message")
        yield Static("", id="image-detail")
        yield ImagePager(id="images-pager")
        yield KeyBar()

    @property
    def table(self) -> ImageTable:
        return self.query_one(ImageTable)

    async def fetch_page(self, page: int, *, use_cache: bool = True) -> ImagePage:
        return await self.app.library.list_images(page, self.page_size, self.unique_id,
                                                  use_cache=use_cache)

    def show_page(self, result: ImagePage, *, keep_cursor_on: str | None = None) -> None:
        self.table.show_images(result.images, now=self.app.clock(), keep_cursor_on=keep_cursor_on)
        if result.unreadable:
            self.show_message(
                f"The server counts {result.total_count:,} images but sent no list this app "
                "can read. Details are in the log.", error=True)
        else:
            self._show_empty(not result.images)
        self._show_detail()

    def row_id(self, row: Image) -> str:
        return row.image_no

    def size_of(self, result: ImagePage) -> int:
        # The size the server says it used (it may cap what was asked).
        return result.page_size or self.page_size

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

    # -- actions ------------------------------------------------------------------------

    def action_copy_id(self) -> None:
        image = self.table.highlighted
        if image is None:
            return
        self.copy_text(image.image_no)

    def action_open_image(self) -> None:
        image = self.table.highlighted
        if image is None:
            return
        self.open_link(image.url, what="image")
