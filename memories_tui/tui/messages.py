"""Messages that carry results from services and workers to the widgets that show them."""

from __future__ import annotations

from textual.message import Message

from memories_tui.services.downloads import DownloadJob


class DownloadUpdated(Message):
    """A download job started, progressed or ended."""

    def __init__(self, job: DownloadJob) -> None:
        super().__init__()
        self.job = job
