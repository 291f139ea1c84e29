"""The videos an upload task produced, each with its latest status; and recent task ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import DataTable

from memories_tui.format import duration_hms, human_size
from memories_tui.safetext import safe_text
from memories_tui.services.tasks import TaskVideoState
from memories_tui.tui.widgets.video_table import status_text

NAME_WIDTH = 28
MAX_RECENT = 10


class TaskVideoTable(DataTable):
    """One row per produced video id, in the order the task reported them."""

    # The table's own enter (select a row) shadows the screen's: name it for the palette.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Show video", id="tasks-table-show-video"),
    ]

    DEFAULT_CSS = """
    TaskVideoTable {
        height: 1fr;
    }
    """

    COLUMNS = (("id", "Video id"), ("status", "Status"), ("name", "Name"),
               ("duration", "Duration"), ("size", "Size"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.video_ids: list[str] = []

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.add_column(label, key=key)

    def reset(self) -> None:
        self.video_ids = []
        self.clear()

    def show_state(self, state: TaskVideoState) -> None:
        """Add the video's row, or update it in place (the cursor stays where it is)."""
        cells = self._cells(state)
        if state.video_no not in self.video_ids:
            self.video_ids.append(state.video_no)
            self.add_row(*cells, key=state.video_no)
            return
        for (column, _), value in zip(self.COLUMNS, cells, strict=True):
            self.update_cell(state.video_no, column, value, update_width=True)

    @staticmethod
    def _cells(state: TaskVideoState) -> tuple:
        details = state.details
        if details is None:
            if state.problem:
                status = Text(safe_text(state.problem, max_len=24), style="red")
            else:
                status = Text("checking…", style="italic dim")
            name = Text("")
            duration: Text | str = ""
            size: Text | str = ""
        else:
            status = status_text(details.status)
            shown = safe_text(details.name, max_len=NAME_WIDTH)
            name = Text(shown or "(no name)", style="" if shown else "dim italic")
            duration = Text(duration_hms(details.duration), justify="right")
            size = Text(human_size(getattr(details, "size", None)), justify="right")
        return (Text(safe_text(state.video_no, max_len=30)), status, name, duration, size)

    @property
    def highlighted(self) -> str | None:
        if not self.video_ids or not 0 <= self.cursor_row < len(self.video_ids):
            return None
        return self.video_ids[self.cursor_row]


class RecentTaskSuggester(Suggester):
    """Completes the task id field from the ids viewed earlier in this session."""

    def __init__(self, recent: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.recent = recent

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        return next((task_id for task_id in self.recent if task_id.startswith(value)), None)
