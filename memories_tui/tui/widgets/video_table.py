"""The table of one page of videos: marks, coloured statuses, and sorting within the page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable

from memories_tui.api.models import Video
from memories_tui.format import duration_hms, human_size, relative_time
from memories_tui.safetext import safe_text

STATUS_STYLES = {"PARSE": "green", "UNPARSE": "yellow", "FAILED": "bold red"}
MARK = "●"

# (key, label, sort key). The mark column comes first and is not sortable.
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
    "created": "created",
}
NAME_WIDTH = 34
CAUSE_WIDTH = 28


def _sort_key(column: str) -> Callable[[Video], tuple]:
    # Missing values sort last in either direction of the same key's natural order.
    def key(video: Video) -> tuple:
        value = {
            "name": video.name.casefold(),
            "id": video.video_no,
            "status": video.status or "",
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


def status_text(status: str | None) -> Text:
    if status is None:
        return Text("—", style="dim")
    return Text(safe_text(status, max_len=12), style=STATUS_STYLES.get(status, "magenta"))


class VideoTable(DataTable):
    """A DataTable of videos keyed by video id."""

    DEFAULT_CSS = """
    VideoTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.videos: list[Video] = []
        self.by_id: dict[str, Video] = {}

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show_videos(
        self,
        videos: Iterable[Video],
        *,
        selected: set[str],
        now: datetime,
        sort_column: str | None = None,
        sort_reverse: bool = False,
        keep_cursor_on: str | None = None,
    ) -> None:
        """Replace the rows in one batch; put the cursor back on `keep_cursor_on` if present."""
        self.videos = sort_videos(videos, sort_column, sort_reverse)
        self.by_id = {v.video_no: v for v in self.videos}
        old_row = self.cursor_row
        self.clear()
        self.add_rows(
            (self._cells(video, video.video_no in selected, now) for video in self.videos),
        )
        # add_rows assigns keys in order; rebuild with keys for lookups by id.
        self._key_rows()
        if keep_cursor_on is not None and keep_cursor_on in self.by_id:
            row = self.row_index(keep_cursor_on)
        else:
            row = min(old_row, max(0, len(self.videos) - 1))
        self.move_cursor(row=row, animate=False, scroll=True)

    def _key_rows(self) -> None:
        self._ids_in_order = [v.video_no for v in self.videos]

    def row_index(self, video_no: str) -> int:
        return self._ids_in_order.index(video_no)

    @property
    def highlighted(self) -> Video | None:
        if not self.videos or self.cursor_row < 0 or self.cursor_row >= len(self.videos):
            return None
        return self.videos[self.cursor_row]

    def set_marked(self, video_no: str, marked: bool) -> None:
        if video_no not in self.by_id:
            return
        row = self.row_index(video_no)
        self.update_cell_at((row, 0), Text(MARK, style="bold") if marked else "", update_width=False)

    @staticmethod
    def _cells(video: Video, marked: bool, now: datetime) -> tuple:
        name = safe_text(video.name, max_len=NAME_WIDTH) or "(no name)"
        return (
            Text(MARK, style="bold") if marked else "",
            Text(name, style="" if video.name else "dim italic"),
            Text(safe_text(video.video_no, max_len=24), style="dim"),
            status_text(video.status),
            Text(duration_hms(video.duration), justify="right"),
            Text(human_size(video.size), justify="right"),
            relative_time(video.create_time, now),
            Text(safe_text(video.cause, max_len=CAUSE_WIDTH), style="red")
            if video.cause
            else "",
        )
