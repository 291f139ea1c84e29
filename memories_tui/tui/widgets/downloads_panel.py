"""The downloads panel: one line per file with a progress bar, speed, ETA and a cancel key.

It follows the app's download manager (the service that owns the downloads): every
change of a job repaints its line, and the end of each job is announced once.

Drawn line by line, like the video table, rather than as a ListView of rows of Label
and ProgressBar widgets: those made ~8 widgets per file, so starting a download held
the screen ~100 ms while its row mounted (a key pressed meanwhile waited), and starting
fifty froze it for seconds. Here a job is one line, painted only while on screen, and a
progress update repaints that line alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from memories_tui.format import duration_hms, human_size
from memories_tui.safetext import safe_cell, safe_text
from memories_tui.services.downloads import DownloadJob, JobState
from memories_tui.tui.messages import DownloadUpdated

if TYPE_CHECKING:
    from memories_tui.tui.app import MemoriesApp

STATE_STYLES = {
    JobState.QUEUED: "dim",
    JobState.RUNNING: "cyan",
    JobState.DONE: "green",
    JobState.FAILED: "bold red",
    JobState.CANCELLED: "yellow",
    JobState.SKIPPED: "yellow",
}
NAME_WIDTH = 32
BAR_WIDTH = 20
PERCENT_WIDTH = 5  # " 100%"
GAP = 2


def job_status_text(job: DownloadJob) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{job.state.value:<12}", style=STATE_STYLES[job.state])
    size = job.size_hint
    if job.state is JobState.RUNNING or job.state is JobState.DONE:
        text.append(f"{human_size(job.received)} / {human_size(size)}")
        if job.state is JobState.RUNNING and job.speed > 0:
            text.append(f"  {human_size(int(job.speed))}/s")
            if job.eta is not None:
                text.append(f"  ETA {duration_hms(int(job.eta))}")
        if job.hand_off_note:  # where a file for the browser is (tui/browser.py)
            text.append(f"  {job.hand_off_note}", style="bold")
    elif job.error:
        style = "red" if job.state is JobState.FAILED else ""
        text.append(safe_text(job.error, max_len=80), style=style)
    else:
        text.append(human_size(size), style="dim")
    return text


def job_fraction(job: DownloadJob) -> float | None:
    """How much of the file is here (0 to 1), or None when its size is unknown."""
    if job.state is JobState.DONE:
        return 1.0
    return job.fraction


def bar_cells(fraction: float | None, width: int) -> tuple[str, str]:
    """(filled, empty) parts of a text progress bar `width` cells wide, in half cells."""
    if fraction is None:
        return "", "╺" + "━" * (width - 1) if width else ""
    halves = round(max(0.0, min(1.0, fraction)) * width * 2)
    full, half = divmod(halves, 2)
    filled = "━" * full + ("╸" if half else "")
    return filled, "━" * (width - len(filled))


class DownloadsPanel(ScrollView, can_focus=True):
    """Lists every job of this session; `x` cancels the highlighted one."""

    if TYPE_CHECKING:  # the app this panel runs in, with its download manager
        app: MemoriesApp

    BINDINGS = [
        Binding("up,k", "cursor_up", "Cursor up", show=False),
        Binding("down,j", "cursor_down", "Cursor down", show=False),
        Binding("home", "cursor_first", "First download", show=False),
        Binding("end", "cursor_last", "Last download", show=False),
        Binding("x", "cancel_download", "Cancel download", id="cancel-download"),
        Binding("C", "clear_finished", "Clear finished", id="clear-downloads"),
    ]

    COMPONENT_CLASSES = {
        "downloads-panel--cursor",
        "downloads-panel--bar",
        "downloads-panel--bar-done",
        "downloads-panel--bar-back",
    }

    DEFAULT_CSS = """
    DownloadsPanel {
        height: auto;
        max-height: 8;
        border: round $secondary;
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        & > .downloads-panel--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .downloads-panel--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .downloads-panel--bar { color: $warning; }
        & > .downloads-panel--bar-done { color: $success; }
        & > .downloads-panel--bar-back { color: $foreground 15%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.jobs: list[DownloadJob] = []
        self._rows: dict[int, int] = {}  # job id -> line
        self._announced: set[int] = set()  # jobs whose end was said
        self.cursor_row = 0
        self._title = ""
        self._unsubscribe = lambda: None

    def on_mount(self) -> None:
        self.border_title = "Downloads"
        # The manager calls back on the event loop; the message repaints in turn.
        self._unsubscribe = self.app.downloads.subscribe(
            lambda job: self.post_message(DownloadUpdated(job))
        )

    def on_unmount(self) -> None:
        self._unsubscribe()

    def on_download_updated(self, event: DownloadUpdated) -> None:
        job = event.job
        self.update_job(job)
        if job.state.finished and job.job_id not in self._announced:
            self._announced.add(job.job_id)
            self._announce(job)

    def _announce(self, job: DownloadJob) -> None:
        name = safe_text(job.path.name, max_len=60)
        if job.state is JobState.DONE and job.hand_off:
            return  # not saved here: the hand-off says when the browser has it
        if job.state is JobState.DONE:
            self.notify(f"Saved {name} ({human_size(job.received)}).", title="Download",
                        timeout=5, markup=False)
        elif job.state is JobState.FAILED:
            self.notify(f"{name}: {job.error}", title="Download failed", severity="error",
                        timeout=10, markup=False)
        elif job.state is JobState.CANCELLED:
            self.notify(f"Cancelled {name}; no partial file was kept.", title="Download",
                        timeout=4, markup=False)

    # -- data -------------------------------------------------------------------------

    @property
    def highlighted(self) -> DownloadJob | None:
        if 0 <= self.cursor_row < len(self.jobs):
            return self.jobs[self.cursor_row]
        return None

    def update_job(self, job: DownloadJob) -> None:
        """Show a new job, or repaint the line of a known one."""
        row = self._rows.get(job.job_id)
        if row is None:
            self._rows[job.job_id] = len(self.jobs)
            self.jobs.append(job)
            self._resized()
        else:
            self.jobs[row] = job
            self._refresh_row(row)
        self._retitle()

    def _resized(self) -> None:
        self._fit_virtual_size()
        self.refresh(layout=True)  # its height follows the number of jobs

    def _fit_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.jobs))

    def _retitle(self) -> None:
        running = sum(1 for job in self.jobs if not job.state.finished)
        title = f"Downloads · {running} active · {len(self.jobs)} in all"
        # Setting a border title repaints the whole widget, frame included, even when
        # the text is the same: at each progress tick that cost ~10x the bytes of the
        # one line that changed, which matters over a slow SSH link.
        if title != self._title:
            self._title = title
            self.border_title = title

    # -- cursor -----------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        row = max(0, min(row, len(self.jobs) - 1))
        old, self.cursor_row = self.cursor_row, row
        self._refresh_row(old)
        self._refresh_row(row)
        top, height = int(self.scroll_y), max(1, self.scrollable_content_region.height)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        self.move_cursor(len(self.jobs) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 0 <= int(self.scroll_y) + offset.y < len(self.jobs):
            self.move_cursor(int(self.scroll_y) + offset.y)

    # -- actions ----------------------------------------------------------------------

    def action_cancel_download(self) -> None:
        job = self.highlighted
        if job is not None and not job.state.finished:
            self.app.downloads.cancel(job.job_id)
        elif job is not None:
            self.notify("That download has ended already; nothing to cancel.", timeout=3)

    def action_clear_finished(self) -> None:
        self.jobs = [job for job in self.jobs if not job.state.finished]
        self._rows = {job.job_id: row for row, job in enumerate(self.jobs)}
        self.cursor_row = max(0, min(self.cursor_row, len(self.jobs) - 1))
        self._resized()
        self._retitle()
        self.app.downloads.clear_finished()

    # -- painting ---------------------------------------------------------------------

    def _refresh_row(self, row: int) -> None:
        # refresh_line takes a virtual line and subtracts the scroll offset itself.
        if 0 <= row - int(self.scroll_y) < self.size.height:
            self.refresh_line(row)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = int(self.scroll_y) + y
        if row >= len(self.jobs):
            return Strip.blank(width, base)
        cursor = row == self.cursor_row
        if cursor:
            base = base + self.get_component_rich_style("downloads-panel--cursor")
        job = self.jobs[row]
        name = safe_cell(job.path.name)
        if cell_len(name) > NAME_WIDTH:
            name = set_cell_size(name, NAME_WIDTH - 1) + "…"
        fraction = job_fraction(job)
        filled, empty = bar_cells(fraction, BAR_WIDTH)
        bar_class = ("downloads-panel--bar-done" if job.state is JobState.DONE
                     else "downloads-panel--bar")
        percent = f"{int(fraction * 100):>4}%" if fraction is not None else " " * PERCENT_WIDTH
        segments = [
            Segment(" " + set_cell_size(name, NAME_WIDTH) + " " * GAP, base),
            Segment(filled, base + self.get_component_rich_style(bar_class, partial=True)),
            Segment(empty, base + self.get_component_rich_style("downloads-panel--bar-back",
                                                                partial=True)),
            Segment(percent + " " * GAP, base),
        ]
        status = job_status_text(job)
        status.style = base  # under the text's own colours
        segments.extend(status.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, base)

    def on_resize(self) -> None:
        self._fit_virtual_size()

