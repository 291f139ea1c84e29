"""The delete confirmation: lists every video that will go; focus starts on Cancel."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from memories_tui.api.models import Video
from memories_tui.format import human_size, total_size
from memories_tui.safetext import safe_cell, safe_text
from memories_tui.tui.widgets.line_list import LineList

# Above this many videos a single key is too easy to press by accident: type the count.
TYPE_COUNT_ABOVE = 10


#: Cells a name keeps however narrow the list: below that, the line is cut at its end.
MIN_NAME_CELLS = 12


class DeleteLines:
    """One line per video in three aligned columns, as the table shows them: name (cut
    to `name_width` cells), id, and size right-aligned. Given the list's `width`, the
    name gives way first, so that the ids and sizes of what is deleted stay whole.

    A line is made when asked for: a select-all can delete the whole library, and the
    lines of 100,000 videos took two seconds to make (the widths take a tenth of that)."""

    def __init__(self, videos: list[Video], name_width: int = 40) -> None:
        self.videos = videos
        self.name_width = name_width
        self._ids = [safe_text(v.video_no, max_len=30) for v in videos]
        self._sizes = [human_size(v.size) for v in videos]
        self._id_cells = max(map(cell_len, self._ids), default=0)
        self._size_cells = max(map(cell_len, self._sizes), default=0)
        # The widest name as cut to `name_width`: a narrower cut is at most that wide.
        self._name_cells = max((cell_len(self._name(v, name_width)) for v in videos),
                               default=0)

    def __len__(self) -> int:
        return len(self.videos)

    @staticmethod
    def _name(video: Video, width: int) -> str:
        return safe_cell(video.name, max_len=width) or "(no name)"

    def _name_width(self, width: int | None) -> int:
        if width is None:
            return self.name_width
        fixed = self._id_cells + self._size_cells + 4
        return max(MIN_NAME_CELLS, min(self.name_width, width - fixed))

    def line(self, index: int, width: int | None = None) -> Text:
        """Video `index`'s line in a list `width` cells wide (None: at `name_width`)."""
        name_width = self._name_width(width)
        name_cells = min(self._name_cells, name_width)
        name = self._name(self.videos[index], name_width)
        video_no, size = self._ids[index], self._sizes[index]
        line = Text()
        line.append(name + " " * (name_cells - cell_len(name)))
        line.append("  " + video_no + " " * (self._id_cells - cell_len(video_no)), style="dim")
        line.append("  " + " " * (self._size_cells - cell_len(size)) + size, style="dim")
        return line


def delete_lines(videos: list[Video]) -> list[Text]:
    """Every line of `DeleteLines` at once, as wide as they like (for a few videos)."""
    lines = DeleteLines(videos)
    return [lines.line(index) for index in range(len(lines))]


def delete_list(videos: list[Video], **kwargs: str) -> LineList:
    """The dialog's list of `videos`, one line each, drawn as they come into view."""
    lines = DeleteLines(videos)
    return LineList(len(lines), lines.line, **kwargs)


class ConfirmDeleteModal(ModalScreen[bool]):
    """Answers True only after a deliberate act: `y`/Delete, or the typed count for >10."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="delete-cancel"),
        Binding("y", "confirm", "Delete", id="delete-confirm"),
    ]
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
            yield delete_list(self.videos, classes="dialog-list", id="delete-list")
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
