"""The table of one page of images, its pager line, and the detail lines of one image."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.widgets import DataTable

from memories_tui.api.models import Image
from memories_tui.format import MISSING, absolute_time, exact_bytes, human_size, relative_time
from memories_tui.safetext import safe_multiline, safe_text
from memories_tui.tui.widgets.pager import Pager
from memories_tui.tui.widgets.video_table import status_text

NAME_WIDTH = 40
MAX_EXTRA_FIELDS = 12


class ImagePager(Pager):
    """The library's pager line, counting images."""

    NOUNS = ("image", "images")


def frame_size(image: Image) -> str:
    if image.width is None and image.height is None:
        return MISSING
    width = MISSING if image.width is None else str(image.width)
    height = MISSING if image.height is None else str(image.height)
    return f"{width}×{height}"


class ImageTable(DataTable):
    """A DataTable of images; missing fields show as "—"."""

    DEFAULT_CSS = """
    ImageTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.images: list[Image] = []

    def on_mount(self) -> None:
        for key, label in (("name", "Name"), ("id", "Image id"), ("status", "Status"),
                           ("size", "Size"), ("frame", "W×H"), ("created", "Created")):
            self.add_column(label, key=key)

    def show_images(self, images: Iterable[Image], *, now: datetime,
                    keep_cursor_on: str | None = None) -> None:
        self.images = list(images)
        old_row = self.cursor_row
        self.clear()
        for image in self.images:
            name = safe_text(image.name, max_len=NAME_WIDTH)
            self.add_row(
                Text(name or "(no name)", style="" if name else "dim italic"),
                Text(safe_text(image.image_no, max_len=26), style="dim"),
                status_text(image.status),
                Text(human_size(image.size), justify="right"),
                Text(frame_size(image), justify="right"),
                relative_time(image.create_time, now),
            )
        ids = [i.image_no for i in self.images]
        if keep_cursor_on in ids:
            row = ids.index(keep_cursor_on)
        else:
            row = min(max(old_row, 0), max(0, len(ids) - 1))
        self.move_cursor(row=row, animate=False, scroll=True)

    @property
    def highlighted(self) -> Image | None:
        if not self.images or not 0 <= self.cursor_row < len(self.images):
            return None
        return self.images[self.cursor_row]


def image_details(image: Image, *, now: datetime) -> Table:
    """Every field of one image, including the ones this client does not know."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, width=9)
    table.add_column(ratio=1, overflow="fold")

    def row(label: str, value: Text | str) -> None:
        table.add_row(
            Text(label, style="bold dim"), value if isinstance(value, Text) else Text(value)
        )

    row("Name", Text(safe_multiline(image.name, 500) or "(no name)"))
    created = MISSING
    if image.create_time is not None:
        created = f"{absolute_time(image.create_time)} ({relative_time(image.create_time, now)})"
    row("Image", Text(f"{safe_text(image.image_no)} · {exact_bytes(image.size)}"
                      f" · {frame_size(image)} · created {created}"))
    if image.extra:
        extra = Text()
        for n, (key, value) in enumerate(image.extra[:MAX_EXTRA_FIELDS]):
            if n:
                extra.append(" · ", style="dim")
            extra.append(f"{safe_text(key, max_len=30)}: ", style="italic")
            extra.append(safe_text(value, max_len=80))
        if len(image.extra) > MAX_EXTRA_FIELDS:
            extra.append(f" · and {len(image.extra) - MAX_EXTRA_FIELDS:,} more", style="dim")
        row("Other", extra)
    return table
