"""The downloads panel: one line per file with a progress bar, speed, ETA and a cancel key."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ListItem, ListView, ProgressBar

from memories_tui.format import duration_hms, human_size
from memories_tui.safetext import safe_text
from memories_tui.services.downloads import DownloadJob, JobState

STATE_STYLES = {
    JobState.QUEUED: "dim",
    JobState.RUNNING: "cyan",
    JobState.DONE: "green",
    JobState.FAILED: "bold red",
    JobState.CANCELLED: "yellow",
    JobState.SKIPPED: "yellow",
}


def job_status_text(job: DownloadJob) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{job.state.value:<11}", style=STATE_STYLES[job.state])
    size = job.size_hint
    if job.state is JobState.RUNNING or job.state is JobState.DONE:
        text.append(f"{human_size(job.received)} / {human_size(size)}")
        if job.state is JobState.RUNNING and job.speed > 0:
            text.append(f"  {human_size(int(job.speed))}/s")
            if job.eta is not None:
                text.append(f"  ETA {duration_hms(int(job.eta))}")
    elif job.error:
        text.append(safe_text(job.error, max_len=80), style="red" if job.state is JobState.FAILED else "")
    else:
        text.append(human_size(size), style="dim")
    return text


class DownloadRow(ListItem):
    DEFAULT_CSS = """
    DownloadRow { height: 1; }
    DownloadRow > Horizontal { height: 1; }
    DownloadRow .dl-name { width: 40; }
    DownloadRow ProgressBar { width: 30; }
    DownloadRow .dl-status { width: 1fr; }
    """

    def __init__(self, job: DownloadJob) -> None:
        super().__init__(id=f"download-{job.job_id}")
        self.job = job

    def on_mount(self) -> None:
        self.call_after_refresh(self.refresh_job)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(Text(safe_text(self.job.path.name, max_len=38)), classes="dl-name")
            yield ProgressBar(total=None, show_eta=False, show_percentage=True)
            yield Label(job_status_text(self.job), classes="dl-status")

    def refresh_job(self) -> None:
        job = self.job
        bars = self.query(ProgressBar)
        if not bars:
            # Not composed yet (a fast download can end first); the row refreshes
            # itself after its first refresh.
            return
        bar = bars.first()
        size = job.size_hint
        if size:
            bar.update(total=size, progress=min(job.received, size))
        elif job.state is JobState.DONE:
            bar.update(total=1, progress=1)
        self.query_one(".dl-status", Label).update(job_status_text(job))


class DownloadsPanel(ListView):
    """Lists every job of this session; `x` cancels the highlighted one."""

    DEFAULT_CSS = """
    DownloadsPanel {
        height: auto;
        max-height: 8;
        border: round $secondary;
    }
    """

    BINDINGS = [
        Binding("x", "cancel_download", "Cancel download", id="cancel-download"),
        Binding("C", "clear_finished", "Clear finished", id="clear-downloads"),
    ]

    class CancelRequested(Message):
        def __init__(self, job: DownloadJob) -> None:
            super().__init__()
            self.job = job

    class ClearRequested(Message):
        pass

    def on_mount(self) -> None:
        self.border_title = "Downloads"

    def update_job(self, job: DownloadJob) -> None:
        rows = self.query(f"#download-{job.job_id}")
        if rows:
            row = rows.first(DownloadRow)
            row.job = job
            row.refresh_job()
        else:
            row = DownloadRow(job)
            self.append(row)
            self.call_after_refresh(row.refresh_job)
            if self.index is None:
                self.call_after_refresh(self._highlight_first)
        self._retitle()

    def _highlight_first(self) -> None:
        if self.index is None and len(self):
            self.index = 0

    def _retitle(self) -> None:
        rows = list(self.query(DownloadRow))
        running = sum(1 for r in rows if not r.job.state.finished)
        self.border_title = f"Downloads · {running} active · {len(rows)} in all"

    def action_cancel_download(self) -> None:
        item = self.highlighted_child
        if isinstance(item, DownloadRow) and not item.job.state.finished:
            self.post_message(self.CancelRequested(item.job))
        elif isinstance(item, DownloadRow):
            self.notify("That download has ended already; nothing to cancel.", timeout=3)

    def action_clear_finished(self) -> None:
        for row in list(self.query(DownloadRow)):
            if row.job.state.finished:
                row.remove()
        self.post_message(self.ClearRequested())
        self.call_after_refresh(self._retitle)
