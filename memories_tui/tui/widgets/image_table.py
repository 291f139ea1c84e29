"""The table of one page of images, its pager line, and the detail lines of one image."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def place(image: Image, digits: int = 4) -> str:
    """Latitude and longitude as "59.9139, 10.7522" (fewer digits for the table), or "—"."""
    if image.latitude is None or image.longitude is None:
        return MISSING
    return f"{image.latitude:.{digits}f}, {image.longitude:.{digits}f}"


def frame_size(image: Image) -> str:
    if image.width is None and image.height is None:
        return MISSING
    width = MISSING if image.width is None else str(image.width)
    height = MISSING if image.height is None else str(image.height)
    return f"{width}×{height}"


#: Every column the table can show: (key, label, whether an image has a value for it).
#: The endpoint is undocumented and its answers differ, so a page shows the columns its
#: images fill (name and id always), rather than columns of dashes.
_COLUMNS: tuple[tuple[str, str, Callable[[Image], bool]], ...] = (
    ("name", "Name", lambda i: True),
    ("id", "Image id", lambda i: True),
    ("status", "Status", lambda i: i.status is not None),
    ("size", "Size", lambda i: i.size is not None),
    ("frame", "W×H", lambda i: i.width is not None or i.height is not None),
    ("taken", "Taken", lambda i: i.taken is not None),
    ("camera", "Camera", lambda i: i.camera is not None),
    ("place", "Place", lambda i: i.latitude is not None and i.longitude is not None),
    ("created", "Created", lambda i: i.create_time is not None),
)


def _cell(key: str, image: Image, now: datetime) -> Text | str:
    if key == "name":
        name = safe_text(image.name, max_len=NAME_WIDTH)
        return Text(name or "(no name)", style="" if name else "dim italic")
    if key == "id":
        return Text(safe_text(image.image_no, max_len=26), style="dim")
    if key == "status":
        return status_text(image.status)
    if key == "size":
        return Text(human_size(image.size), justify="right")
    if key == "frame":
        return Text(frame_size(image), justify="right")
    if key == "taken":
        return relative_time(image.taken, now)
    if key == "camera":
        return Text(safe_text(image.camera, max_len=24) or MISSING)
    if key == "place":
        return Text(place(image, digits=2), justify="right")  # about a kilometre
    return relative_time(image.create_time, now)


class ImageTable(DataTable):
    """A DataTable of images; it shows the columns the page's images fill."""

    DEFAULT_CSS = """
    ImageTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.images: list[Image] = []
        self.shown_columns: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self._set_columns(("name", "id"))

    def _set_columns(self, keys: tuple[str, ...]) -> None:
        if keys == self.shown_columns:
            return
        self.clear(columns=True)
        labels = {key: label for key, label, _ in _COLUMNS}
        for key in keys:
            self.add_column(labels[key], key=key)
        self.shown_columns = keys

    def show_images(self, images: Iterable[Image], *, now: datetime,
                    keep_cursor_on: str | None = None) -> None:
        self.images = list(images)
        old_row = self.cursor_row
        self.clear()
        if self.images:
            self._set_columns(tuple(key for key, _, filled in _COLUMNS
                                    if any(filled(image) for image in self.images)))
        for image in self.images:
            self.add_row(*(_cell(key, image, now) for key in self.shown_columns))
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

    def when(moment: datetime | None) -> str:
        if moment is None:
            return MISSING
        return f"{absolute_time(moment)} ({relative_time(moment, now)})"

    row("Name", Text(safe_multiline(image.name, 500) or "(no name)"))
    facts = [safe_text(image.image_no)]
    if image.size is not None:
        facts.append(exact_bytes(image.size))
    if image.width is not None or image.height is not None:
        facts.append(frame_size(image))
    if image.status is not None:
        facts.append(safe_text(image.status, max_len=20))
    if image.taken is not None:
        facts.append(f"taken {when(image.taken)}")
    if image.create_time is not None:
        facts.append(f"created {when(image.create_time)}")
    row("Image", Text(" · ".join(facts)))
    if image.camera is not None:
        row("Camera", Text(safe_text(image.camera, max_len=40)))
    if image.latitude is not None and image.longitude is not None:
        row("Place", Text(place(image)))
    if image.url is not None:
        row("Link", Text(safe_text(image.url, max_len=300), style="underline"))
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
