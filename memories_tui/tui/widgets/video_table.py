"""The table of one page of videos: marks, coloured statuses, sorting within the page.

Served from the server, the table sorts the page it holds. Served from the local index
(`order_given`), the rows come sorted across the whole library and the table only
shows the order (the screen asks the index for the page in the new order).

It is drawn line by line instead of being a DataTable. DataTable measures and renders
every cell through Rich when rows are added (about 19 µs a cell) and again when they
are first painted: a 200-row page cost ~30 ms to fill and as much to paint, on every
page switch. Here a row is kept as plain (text, style) cells, columns are laid out from
cell widths once per page, and only the lines on screen are painted, so showing a page
costs about a millisecond whatever its size, cached or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from memories_tui.api.models import Video
from memories_tui.api.status import StatusClass, status_class
from memories_tui.format import duration_hms, human_size, relative_time
from memories_tui.safetext import safe_cell, safe_text

#: Colours by status class (api/status.py), so every spelling of failed is red.
STATUS_STYLES = {
    StatusClass.READY: "green",
    StatusClass.IN_PROGRESS: "yellow",
    StatusClass.FAILED: "bold red",
    StatusClass.UNKNOWN: "magenta",
}
MARK = "●"

# (key, label). The mark column comes first and is not sortable.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("mark", " "),
    ("name", "Name"),
    ("id", "Video id"),
    ("status", "Status"),
    ("duration", "Duration"),
    ("size", "Size"),
    ("created", "Created"),
    ("cause", "Failure cause"),
)
SORTABLE = ("name", "id", "status", "duration", "size", "created")
SORT_LABELS = {
    "name": "name",
    "id": "video id",
    "status": "status",
    "duration": "duration",
    "size": "size",
    "created": "date",
}
#: How each order reads, ascending and descending.
SORT_DIRECTIONS = {
    "name": ("A to Z", "Z to A"),
    "id": ("A to Z", "Z to A"),
    "status": ("ready first", "ready last"),
    "duration": ("shortest first", "longest first"),
    "size": ("smallest first", "largest first"),
    "created": ("oldest first", "newest first"),
}
_CLASS_RANK = {StatusClass.READY: 0, StatusClass.IN_PROGRESS: 1, StatusClass.FAILED: 2,
               StatusClass.UNKNOWN: 3}


def sort_words(column: str | None, reverse: bool) -> str:
    """An order in words: "sorted by size, largest first"; "" for the server's order."""
    if column is None:
        return ""
    return f"sorted by {SORT_LABELS[column]}, {SORT_DIRECTIONS[column][1 if reverse else 0]}"

NAME_WIDTH = 34  # the most a name may take, so the other columns stay on screen
CAUSE_WIDTH = 28
MIN_NAME_WIDTH = 16
# Columns hidden first when the table is too narrow for all of them (the detail pane
# shows every one of them for the highlighted video).
HIDE_ORDER = ("cause", "id", "created", "duration")
CELL_PADDING = 1  # blank cells each side of a column
CELL_CACHE_ROWS = 2_000  # rows whose cells are kept for revisited pages (10 pages of 200)
RIGHT_ALIGNED = frozenset({"duration", "size"})


def _sort_key(column: str) -> Callable[[Video], tuple]:
    # Missing values sort last in either direction of the same key's natural order.
    def key(video: Video) -> tuple:
        value = {
            "name": video.name.casefold(),
            "id": video.video_no,
            # By what the status means (ready, in progress, failed, unknown), then by
            # spelling: as the local index sorts it.
            "status": (None if video.status is None
                       else (_CLASS_RANK[status_class(video.status)], video.status)),
            "duration": video.duration,
            "size": video.size,
            "created": video.create_time,
        }[column]
        return (value is None, value if value is not None else 0)

    return key


def sort_videos(videos: Iterable[Video], column: str | None, reverse: bool) -> list[Video]:
    videos = list(videos)
    if column is None:
        return videos
    present = [v for v in videos if _sort_key(column)(v)[0] is False]
    missing = [v for v in videos if _sort_key(column)(v)[0] is True]
    present.sort(key=_sort_key(column), reverse=reverse)
    return present + missing


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as it is drawn: safe plain text (no markup, no control characters)."""

    text: str
    style: str = ""


def status_cell(status: str | None) -> Cell:
    if status is None:
        return Cell("—", "dim")
    # The raw spelling stays visible: only its colour says what class it is.
    return Cell(safe_text(status, max_len=12), STATUS_STYLES[status_class(status)])


def status_text(status: str | None) -> Text:
    """The status as Rich text, for widgets that render Rich (the detail pane)."""
    cell = status_cell(status)
    return Text(cell.text, style=cell.style)


def video_cells(video: Video, marked: bool, now: datetime) -> tuple[Cell, ...]:
    """The cells of one row, in COLUMNS order."""
    return (
        Cell(MARK, "bold") if marked else Cell(""),
        Cell(safe_cell(video.name, max_len=NAME_WIDTH), "")
        if video.name
        else Cell("(no name)", "dim italic"),
        Cell(safe_text(video.video_no, max_len=24), "dim"),
        status_cell(video.status),
        Cell(duration_hms(video.duration)),
        Cell(human_size(video.size)),
        Cell(relative_time(video.create_time, now)),
        Cell(safe_text(video.cause, max_len=CAUSE_WIDTH), "red") if video.cause else Cell(""),
    )


def layout_columns(rows: list[tuple[Cell, ...]], labels: list[str], width: int) -> list[int]:
    """Content width of each column (0 = hidden) for a table `width` cells wide.

    Fixed columns get what their widest cell needs; the name and the failure cause
    share what is left, the name first (it is what people scan for). When even that
    does not fit (a narrow terminal, the detail pane open), whole columns are hidden
    in HIDE_ORDER rather than every column being clipped into illegibility.
    """
    widths = [cell_len(label) for label in labels]
    for row in rows:
        for i, cell in enumerate(row):
            n = cell_len(cell.text)
            if n > widths[i]:
                widths[i] = n
    keys = [key for key, _ in COLUMNS]
    name_i, cause_i = keys.index("name"), keys.index("cause")
    wanted_name, wanted_cause = min(widths[name_i], NAME_WIDTH), min(widths[cause_i], CAUSE_WIDTH)
    shown = set(range(len(keys)))

    def spare() -> int:
        fixed = sum(widths[i] for i in shown if i not in (name_i, cause_i))
        return width - fixed - 2 * CELL_PADDING * len(shown)

    def floor() -> int:  # what the name and cause need at the least
        name_floor = min(wanted_name, MIN_NAME_WIDTH)
        return name_floor + (cell_len(labels[cause_i]) if cause_i in shown else 0)

    for key in HIDE_ORDER:
        if spare() >= floor():
            break
        shown.discard(keys.index(key))
    room = spare()
    cause_floor = min(wanted_cause, cell_len(labels[cause_i])) if cause_i in shown else 0
    name = max(1, min(wanted_name, room - cause_floor))
    cause = max(0, min(wanted_cause, room - name)) if cause_i in shown else 0
    widths[name_i], widths[cause_i] = name, cause
    return [w if i in shown else 0 for i, w in enumerate(widths)]


class VideoTable(ScrollView, can_focus=True):
    """One page of videos; the cursor is a whole row."""

    BINDINGS = [
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Rows: screen up", show=False),
        Binding("pagedown", "page_down", "Rows: screen down", show=False),
        Binding("home", "cursor_first", "First row", show=False),
        Binding("end", "cursor_last", "Last row", show=False),
        Binding("shift+up", "extend_up", "Extend the selection up", show=False),
        Binding("shift+down", "extend_down", "Extend the selection down", show=False),
    ]

    #: (size, container size, virtual size) at the last layout that updated the scrollbars.
    _laid_out: tuple[Size, Size, Size] | None = None

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # Textual's ScrollView compares the compositor's virtual size (the visible
        # region's) with its own (the rows'): they always differ, so every layout of the
        # screen, even one for a widget elsewhere, repaints this table's scrollbar, 32
        # rows of terminal output at 120x40 (2.6 KB each time the detail pane opens or
        # changes height). Skipped while the table's size and rows are what the last
        # layout saw. The risk, if ScrollView changes: a scrollbar that does not follow
        # a new page (tests switch pages of different lengths and check it).
        key = (size, container_size, self.virtual_size)
        if key == self._laid_out:
            return False
        self._laid_out = key
        return super()._size_updated(size, virtual_size, container_size, layout)

    COMPONENT_CLASSES = {
        "video-table--header",
        "video-table--cursor",
        "video-table--even-row",
    }

    DEFAULT_CSS = """
    VideoTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .video-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .video-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .video-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .video-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .video-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class _RowMessage(Message):
        def __init__(self, table: VideoTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = row

        @property
        def control(self) -> VideoTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row (or the rows changed under it)."""

    class RowSelected(_RowMessage):
        """A row was clicked while highlighted (the mouse's enter)."""

    class SortChanged(Message):
        """The rows were put in another order (a key, or a click on a header)."""

        def __init__(self, table: VideoTable, label: str) -> None:
            super().__init__()
            self.table = table
            self.label = label  # "" for the server's order

        @property
        def control(self) -> VideoTable:
            return self.table

    class MarksChanged(Message):
        """Rows were marked or unmarked (the selection, which outlives a page)."""

        def __init__(self, table: VideoTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> VideoTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.videos: list[Video] = []
        self.by_id: dict[str, Video] = {}
        self._rows: list[tuple[Cell, ...]] = []
        self._index: dict[str, int] = {}
        self._widths: list[int] = []
        self._laid_out_for = -1
        self._source: list[Video] = []  # the page in the server's order
        self._now = datetime.now(UTC)
        #: Marked videos by id, across pages: the selection.
        self.marked: dict[str, Video] = {}
        self.sort_column: str | None = None
        self.sort_reverse = False
        #: The rows come in the order to show (the local index sorted the whole
        #: library): the table does not sort them again.
        self.order_given = False
        self._styles: dict[str, Style] = {}
        self._cell_cache: dict[str, tuple[Video, bool, datetime, tuple[Cell, ...]]] = {}
        self.cursor_row = 0
        #: A range being selected (`v`): its anchor row, and the marks from before it.
        self._range: tuple[int, dict[str, Video]] | None = None

    # -- data -------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.videos)

    def show_videos(
        self, videos: Iterable[Video], *, now: datetime, keep_cursor_on: str | None = None
    ) -> None:
        """Replace the rows (in the current sort, marks kept); put the cursor back on
        `keep_cursor_on` if present."""
        self._source, self._now = list(videos), now
        self._range = None  # a range belongs to the rows it was started on
        self.videos = (list(self._source) if self.order_given
                       else sort_videos(self._source, self.sort_column, self.sort_reverse))
        self.by_id = {v.video_no: v for v in self.videos}
        self._index = {v.video_no: i for i, v in enumerate(self.videos)}
        marked = self.marked
        self._rows = [self._cells_for(v, v.video_no in marked, now) for v in self.videos]
        self._laid_out_for = -1
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        if keep_cursor_on is not None and keep_cursor_on in self._index:
            row = self._index[keep_cursor_on]
        else:
            row = min(self.cursor_row, max(0, len(self.videos) - 1))
        self.move_cursor(row=row, scroll=True, force_message=True)
        self.refresh()

    def _cells_for(self, video: Video, marked: bool, now: datetime) -> tuple[Cell, ...]:
        # A revisited page holds the same Video objects: reuse their cells unless the
        # mark changed or "3 days ago" may have moved on (a minute is close enough).
        cached = self._cell_cache.get(video.video_no)
        if (cached is not None and cached[0] is video and cached[1] == marked
                and abs((now - cached[2]).total_seconds()) < 60):
            return cached[3]
        cells = video_cells(video, marked, now)
        if len(self._cell_cache) >= CELL_CACHE_ROWS:
            self._cell_cache.clear()  # bounded; rebuilding is cheap, just not free
        self._cell_cache[video.video_no] = (video, marked, now, cells)
        return cells

    def row_index(self, video_no: str) -> int:
        return self._index[video_no]

    @property
    def highlighted(self) -> Video | None:
        if not self.videos or self.cursor_row < 0 or self.cursor_row >= len(self.videos):
            return None
        return self.videos[self.cursor_row]

    # -- marks (the selection) ------------------------------------------------------

    def toggle_mark(self, video: Video) -> None:
        if self.marked.pop(video.video_no, None) is None:
            self.marked[video.video_no] = video
        self._show_mark(video.video_no)
        self.post_message(self.MarksChanged(self))

    def mark_all(self, videos: Iterable[Video]) -> None:
        """Mark `videos` (on this page or not): "select all matching"."""
        for video in videos:
            self.marked[video.video_no] = video
        for video in self.videos:
            if video.video_no in self.marked:
                self._show_mark(video.video_no)
        self.post_message(self.MarksChanged(self))

    def mark_page(self) -> None:
        """Mark every row of the page; if all are marked already, unmark them."""
        mark = not (self.videos and all(v.video_no in self.marked for v in self.videos))
        for video in self.videos:
            if mark:
                self.marked[video.video_no] = video
            else:
                self.marked.pop(video.video_no, None)
            self._show_mark(video.video_no)
        self.post_message(self.MarksChanged(self))

    @property
    def range_active(self) -> bool:
        return self._range is not None

    def toggle_range(self) -> None:
        """Start a range at the cursor (moving the cursor then extends it), or end it,
        keeping what it marked."""
        if self._range is not None:
            self._range = None
            self.post_message(self.MarksChanged(self))
            return
        if not self.videos:
            return
        self._range = (self.cursor_row, dict(self.marked))
        self._apply_range()

    def _apply_range(self) -> None:
        """Marks = those from before the range + every row from its anchor to the cursor."""
        if self._range is None:
            return
        anchor, before = self._range
        low, high = sorted((anchor, self.cursor_row))
        wanted = dict(before)
        wanted.update((v.video_no, v) for v in self.videos[low:high + 1])
        changed = set(wanted) ^ set(self.marked)
        self.marked.clear()
        self.marked.update(wanted)
        for video_no in changed:
            self._show_mark(video_no)
        self.post_message(self.MarksChanged(self))

    def action_extend_up(self) -> None:
        if self._range is None:
            self.toggle_range()
        self.move_cursor(row=self.cursor_row - 1)

    def action_extend_down(self) -> None:
        if self._range is None:
            self.toggle_range()
        self.move_cursor(row=self.cursor_row + 1)

    def unmark(self, video_nos: Iterable[str] | None = None) -> None:
        """Unmark these ids (all of them with None, which also ends a range)."""
        if video_nos is None:
            self._range = None
        for video_no in list(self.marked) if video_nos is None else list(video_nos):
            if self.marked.pop(video_no, None) is not None:
                self._show_mark(video_no)
        self.post_message(self.MarksChanged(self))

    def _show_mark(self, video_no: str) -> None:
        row = self._index.get(video_no)
        if row is None:
            return
        cells = self._rows[row]
        self._rows[row] = (Cell(MARK, "bold") if video_no in self.marked else Cell("")), *cells[1:]
        self._refresh_row(row)

    # -- order ------------------------------------------------------------------------

    @property
    def sort_label(self) -> str:
        """The order in words ("sorted by size, largest first"); "" for the server's."""
        return sort_words(self.sort_column, self.sort_reverse)

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        """Order the page by `column` (None: as the server sent it), cursor kept. With
        `order_given`, only the header changes: whoever gives the rows sorts them."""
        self.sort_column, self.sort_reverse = column, reverse
        if self.order_given:
            self._laid_out_for = -1  # the header's arrow moved
            self.refresh()
        else:
            highlighted = self.highlighted
            self.show_videos(self._source, now=self._now,
                             keep_cursor_on=highlighted.video_no if highlighted else None)
        self.post_message(self.SortChanged(self, self.sort_label))

    def cycle_sort(self) -> None:
        """By the next sortable column, and back to the server's order after the last."""
        order = [None, *SORTABLE]
        self.sort_by(order[(order.index(self.sort_column) + 1) % len(order)])

    def reverse_sort(self) -> None:
        if self.sort_column is None:
            self.sort_by("name")
        else:
            self.sort_by(self.sort_column, not self.sort_reverse)

    # -- cursor -----------------------------------------------------------------------

    def move_cursor(self, *, row: int, scroll: bool = True, force_message: bool = False,
                    animate: bool = False) -> None:
        row = max(0, min(row, len(self.videos) - 1)) if self.videos else 0
        old = self.cursor_row
        self.cursor_row = row
        if old != row:
            self._refresh_row(old)
            self._refresh_row(row)
            self._apply_range()
        if scroll:
            self._scroll_to_cursor()
        if old != row or force_message:
            self.post_message(self.RowHighlighted(self, row))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)  # minus the header
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + max(1, self.scrollable_content_region.height - 2))

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - max(1, self.scrollable_content_region.height - 2))

    def action_cursor_first(self) -> None:
        self.move_cursor(row=0)

    def action_cursor_last(self) -> None:
        self.move_cursor(row=len(self.videos) - 1)

    def on_resize(self) -> None:
        self._laid_out_for = -1
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows) + 1)
        self._scroll_to_cursor()

    # -- mouse ------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            name = COLUMNS[column][0] if column is not None else None
            if name in SORTABLE:  # a second click on the same header reverses
                self.sort_by(name, name == self.sort_column and not self.sort_reverse)
            return
        row = int(self.scroll_y) + offset.y - 1
        if not 0 <= row < len(self.videos):
            return
        # Like a file manager: the first click highlights, a click on the highlighted row
        # (or a double click) opens it.
        if row == self.cursor_row:
            self.post_message(self.RowSelected(self, row))
        else:
            self.move_cursor(row=row, scroll=False)

    def _column_at(self, x: int) -> int | None:
        left = 0
        for i, width in enumerate(self._layout()):
            right = left + width + 2 * CELL_PADDING
            if left <= x < right:
                return i
            left = right
        return None

    # -- painting ---------------------------------------------------------------------

    def _layout(self) -> list[int]:
        width = self.scrollable_content_region.width
        if self._laid_out_for != width:
            self._widths = layout_columns(self._rows, self._labels(), width)
            self._laid_out_for = width
        return self._widths

    def _labels(self) -> list[str]:
        labels = []
        for key, label in COLUMNS:
            if key == self.sort_column:
                label = f"{label} {'↓' if self.sort_reverse else '↑'}"
            labels.append(label)
        return labels

    def _style(self, spec: str) -> Style:
        style = self._styles.get(spec)
        if style is None:
            style = self._styles[spec] = Style.parse(spec) if spec else Style()
        return style

    def _refresh_row(self, row: int) -> None:
        # refresh_line takes a virtual line (it subtracts the scroll offset itself);
        # the row's virtual line is one below its index, under the header.
        y = row + 1 - int(self.scroll_y)
        if 1 <= y < self.size.height:
            self.refresh_line(row + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._layout()
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("video-table--header")
            cells = [(label, Style()) for label in self._labels()]
            return self._strip(cells, widths, header, width)
        row = int(self.scroll_y) + y - 1
        if row >= len(self._rows):
            return Strip.blank(width, base)
        if row == self.cursor_row:
            line_style = base + self.get_component_rich_style("video-table--cursor")
        elif row % 2:
            line_style = base + self.get_component_rich_style("video-table--even-row")
        else:
            line_style = base
        cells = [(cell.text, self._style(cell.style)) for cell in self._rows[row]]
        return self._strip(cells, widths, line_style, width, cursor=row == self.cursor_row)

    @staticmethod
    def _strip(cells: list[tuple[str, Style]], widths: list[int], line_style: Style,
               width: int, *, cursor: bool = False) -> Strip:
        segments = []
        pad = " " * CELL_PADDING
        used = 0
        # One label or cell and one width per column: a mismatch is a bug, not a row to trim.
        for (key, _), (text, style), cell_width in zip(COLUMNS, cells, widths, strict=True):
            if cell_width <= 0 or used >= width:
                continue
            if cell_len(text) > cell_width:
                text = set_cell_size(text, max(0, cell_width - 1)) + "…" if cell_width > 1 else "…"
            elif key in RIGHT_ALIGNED:
                text = " " * (cell_width - cell_len(text)) + text
            else:
                text = set_cell_size(text, cell_width)
            # The cursor row keeps its own colours, so statuses stay readable on it.
            cell_style = line_style if cursor else line_style + style
            segments.append(Segment(pad + text + pad, cell_style))
            used += cell_width + 2 * CELL_PADDING
        if used < width:
            segments.append(Segment(" " * (width - used), line_style))
            used = width
        if used == width:
            return Strip(segments, width)  # known length: Strip need not measure it
        return Strip(segments).crop(0, width)
