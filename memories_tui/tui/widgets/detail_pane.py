"""The pane beside (or below) the table that shows every field of the highlighted video."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from memories_tui.api.models import Video, VideoDetails
from memories_tui.format import (
    absolute_time,
    duration_hms,
    exact_bytes,
    human_size,
    relative_time,
)
from memories_tui.safetext import safe_multiline, safe_text
from memories_tui.tui.widgets.video_table import status_text


def _row(table: Table, label: str, value: Text | str) -> None:
    table.add_row(Text(label, style="bold dim"), value if isinstance(value, Text) else Text(value))


def video_fields(
    video: Video,
    details: VideoDetails | None,
    *,
    now: datetime,
    loading: bool = False,
    error: str | None = None,
) -> Group:
    """Everything known about one video, as a renderable that never parses server markup."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, width=11)
    table.add_column(ratio=1, overflow="fold")
    _row(table, "Name", Text(safe_multiline(video.name) or "(no name)"))
    _row(table, "Video id", safe_text(video.video_no))
    _row(table, "Status", status_text(video.status))
    if video.cause:
        _row(table, "Cause", Text(safe_multiline(video.cause), style="red"))
    _row(table, "Duration", f"{duration_hms(video.duration)}"
         + (f" ({video.duration:,} s)" if video.duration is not None else ""))
    size = video.size
    if size is None and details is not None:
        size = details.size  # the listing may not know it while the details do
    if size is None:
        _row(table, "Size", f"{human_size(size)} (unknown)")
    else:
        _row(table, "Size", f"{human_size(size)}\n{exact_bytes(size)}")
    created = video.create_time
    _row(
        table,
        "Created",
        f"{relative_time(created, now)}\n{absolute_time(created)}" if created else "—",
    )
    table.add_row("", "")
    if details is not None:
        resolution = safe_text(details.resolution_label) if details.resolution_label else "—"
        _row(table, "Resolution", resolution)
        if details.width is not None and details.height is not None:
            _row(table, "Frame", f"{details.width} × {details.height}")
        else:
            _row(table, "Frame", "—")
        _row(table, "FPS", f"{details.fps:g}" if details.fps is not None else "—")
        _row(table, "URL", Text(safe_text(details.video_url) if details.video_url else "—"))
    elif error is not None:
        _row(table, "Details", Text(error, style="red"))
    elif loading:
        _row(table, "Details", Text("Loading details…", style="italic dim"))
    return Group(table)


#: The pane's width beside the table (library.tcss says the same).
PANE_WIDTH = 46


class DetailPane(VerticalScroll):
    """Scrollable details; the screen feeds it a video and, later, its private details."""

    DEFAULT_CSS = """
    DetailPane {
        border: round $primary;
        border-title-color: $text;
        padding: 0 1;
    }
    DetailPane > Static { width: 1fr; }
    """

    def compose(self):
        yield Static(Text("No video highlighted.", style="dim"), id="detail-body")

    def on_mount(self) -> None:
        self.border_title = "Details"
        self.can_focus = True

    def float_over(self, width: int | None) -> None:
        """Float at the right edge of a container `width` cells wide, over the table, or
        (None) take a place in the layout. Floating, opening the pane repaints the pane
        alone; in the layout, the table beside it shrinks and all of it is repainted
        (about 3x the terminal bytes, which a slow SSH link feels)."""
        if width is None:
            self.styles.position = "relative"
            self.styles.offset = (0, 0)
        else:
            self.styles.position = "absolute"
            self.styles.offset = (max(0, width - PANE_WIDTH), 0)

    def show(
        self,
        video: Video | None,
        details: VideoDetails | None,
        *,
        now: datetime,
        loading: bool = False,
        error: str | None = None,
    ) -> None:
        body = self.query_one("#detail-body", Static)
        if video is None:
            body.update(Text("No video highlighted.", style="dim"))
            return
        body.update(video_fields(video, details, now=now, loading=loading, error=error))
