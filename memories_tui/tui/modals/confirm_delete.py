"""The delete confirmation: lists every video that will go; focus starts on Cancel."""

from __future__ import annotations

from typing import cast

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from memories_tui.api.models import Video
from memories_tui.format import human_size, total_size
from memories_tui.safetext import safe_cell, safe_text

# Above this many videos a single key is too easy to press by accident: type the count.
TYPE_COUNT_ABOVE = 10


#: Cells a name keeps however narrow the list: below that, the line is cut at its end.
MIN_NAME_CELLS = 12


def delete_lines(videos: list[Video], name_width: int = 40,
                 width: int | None = None) -> list[Text]:
    """One line per video in three aligned columns, as the table shows them: name (cut
    to `name_width` cells), id, and size right-aligned. Given the list's `width`, the
    name gives way first, so that the ids and sizes of what is deleted stay whole."""
    ids = [safe_text(v.video_no, max_len=30) for v in videos]
    sizes = [human_size(v.size) for v in videos]
    id_cells = max((cell_len(i) for i in ids), default=0)
    size_cells = max((cell_len(z) for z in sizes), default=0)
    if width is not None:
        name_width = max(MIN_NAME_CELLS, min(name_width, width - id_cells - size_cells - 4))
    names = [safe_cell(v.name, max_len=name_width) or "(no name)" for v in videos]
    name_cells = max((cell_len(n) for n in names), default=0)
    lines = []
    for name, video_no, size in zip(names, ids, sizes, strict=True):
        line = Text()
        line.append(name + " " * (name_cells - cell_len(name)))
        line.append("  " + video_no + " " * (id_cells - cell_len(video_no)), style="dim")
        line.append("  " + " " * (size_cells - cell_len(size)) + size, style="dim")
        lines.append(line)
    return lines


class ConfirmDeleteModal(ModalScreen[bool]):
    """Answers True only after a deliberate act: `y`/Delete, or the typed count for >10."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="delete-cancel"),
        Binding("y", "confirm", "Delete", id="delete-confirm"),
    ]
    # One line a video however narrow the terminal, cut with "…": Textual takes no
    # `no_wrap` or `overflow` from a rich Text, so the lines are told here.
    DEFAULT_CSS = """
    #delete-list > Static { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, videos: list[Video], unique_id: str) -> None:
        super().__init__()
        self.videos = videos
        self.unique_id = unique_id

    @property
    def needs_typed_count(self) -> bool:
        return len(self.videos) > TYPE_COUNT_ABOVE

    def compose(self) -> ComposeResult:
        count = len(self.videos)
        noun = "video" if count == 1 else "videos"
        with Vertical(classes="dialog danger"):
            yield Label(
                Text(
                    f"Delete {count:,} {noun} ({total_size(v.size for v in self.videos)}) "
                    f"from namespace “{safe_text(self.unique_id, max_len=40)}”?"
                ),
                classes="dialog-title",
            )
            yield Label(
                "This is permanent: the files and everything derived from them are gone.",
                classes="dialog-note",
            )
            with VerticalScroll(classes="dialog-list", id="delete-list") as self._list:
                yield from (Static(line) for line in delete_lines(self.videos))
            if self.needs_typed_count:
                yield Label(f"Type {count} to confirm:", classes="dialog-note")
                yield Input(placeholder=str(count), id="delete-count")
            else:
                yield Label("Press y or choose Delete to confirm.", classes="dialog-note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel-button", variant="primary")
                yield Button(
                    f"Delete {count:,}",
                    id="delete-button",
                    variant="error",
                    disabled=self.needs_typed_count,
                )

    def on_mount(self) -> None:
        self.query_one("#cancel-button", Button).focus()

    def on_resize(self) -> None:
        # The lines were made for the widest list; a narrower one cuts the names.
        lines = delete_lines(self.videos, width=self._list.scrollable_content_region.width)
        for index, row in enumerate(self._list.children):
            cast(Static, row).update(lines[index])

    @on(Input.Changed, "#delete-count")
    def _count_typed(self, event: Input.Changed) -> None:
        matches = event.value.strip().replace(",", "") == str(len(self.videos))
        self.query_one("#delete-button", Button).disabled = not matches

    @on(Input.Submitted, "#delete-count")
    def _count_submitted(self, event: Input.Submitted) -> None:
        if not self.query_one("#delete-button", Button).disabled:
            self.dismiss(True)

    @on(Button.Pressed, "#delete-button")
    def _delete_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        if self.needs_typed_count:
            # `y` alone is not enough for a large delete.
            self.query_one("#delete-count", Input).focus()
            self.notify(f"Type {len(self.videos)} to delete this many videos.", markup=False)
            return
        self.dismiss(True)
