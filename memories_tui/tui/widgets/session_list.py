"""The table of one page of chat sessions (title, id) and its pager line."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from memories_tui.api.models import SessionSummary
from memories_tui.safetext import safe_text
from memories_tui.tui.widgets.pager import Pager

TITLE_WIDTH = 80


class SessionPager(Pager):
    """The library's pager line, counting sessions (their page size is the server's)."""

    NOUNS = ("session", "sessions")
    SIZE_NOTE = "per page, set by the server"


class SessionTable(DataTable):
    """A DataTable of session summaries; row keys are the session ids."""

    # The table's own enter (select a row) shadows the screen's: name it for the palette.
    BINDINGS = [Binding("enter", "select_cursor", "Open session", id="sessions-table-open")]

    DEFAULT_CSS = """
    SessionTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.sessions: list[SessionSummary] = []

    def on_mount(self) -> None:
        self.add_column("Title", key="title")
        self.add_column("Session id", key="id")

    def show_sessions(
        self, sessions: Iterable[SessionSummary], *, keep_cursor_on: str | None = None
    ) -> None:
        self.sessions = list(sessions)
        old_row = self.cursor_row
        self.clear()
        for session in self.sessions:
            title = safe_text(session.title, max_len=TITLE_WIDTH)
            self.add_row(
                Text(title or "(untitled)", style="" if title else "dim italic"),
                Text(safe_text(session.session_id, max_len=30), style="dim"),
            )
        ids = [s.session_id for s in self.sessions]
        if keep_cursor_on in ids:
            row = ids.index(keep_cursor_on)
        else:
            row = min(max(old_row, 0), max(0, len(ids) - 1))
        self.move_cursor(row=row, animate=False, scroll=True)

    @property
    def highlighted(self) -> SessionSummary | None:
        if not self.sessions or not 0 <= self.cursor_row < len(self.sessions):
            return None
        return self.sessions[self.cursor_row]
