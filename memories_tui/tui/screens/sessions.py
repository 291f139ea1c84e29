"""Chat sessions: a paged list of conversations, and one conversation pushed over it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Collapsible, DataTable, Markdown, Static
from textual.worker import Worker, get_current_worker

from memories_tui.api.errors import MemoriesError
from memories_tui.api.models import SessionDetail, SessionPage, SessionSummary
from memories_tui.safetext import safe_text
from memories_tui.tui.screens.base import ViewScreen
from memories_tui.tui.screens.paged_list import PagedListScreen
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.session_conversation import SessionRefLink, turn_widget
from memories_tui.tui.widgets.session_list import SessionPager, SessionTable
from memories_tui.tui.widgets.status_header import StatusHeader

SESSION_PAGE_SIZE = 20  # the server's; used until a page says otherwise


class SessionsScreen(PagedListScreen[SessionPage]):
    """The chat sessions of the namespace, a page at a time; enter opens one."""

    VIEW_NAME = "Chat sessions"
    NOUN = "chat sessions"
    MESSAGE_ID = "sessions-message"
    PAGE_SIZE = SESSION_PAGE_SIZE
    CSS_PATH = "sessions.tcss"

    BINDINGS = [
        Binding("enter", "open_session", "Open session", id="sessions-open"),
        Binding("right_square_bracket", "next_page", "Next page", key_display="]",
                id="sessions-next-page"),
        Binding("left_square_bracket", "prev_page", "Prev page", key_display="[",
                id="sessions-prev-page"),
        Binding("g", "first_page", "First page", show=False, id="sessions-first-page"),
        Binding("G", "last_page", "Last page", show=False, id="sessions-last-page"),
        Binding("r", "refresh", "Refresh", id="sessions-refresh"),
        Binding("y", "copy_id", "Copy session id", show=False, id="sessions-copy-id"),
        Binding("j", "cursor_down", "Row down", show=False, id="sessions-row-down"),
        Binding("k", "cursor_up", "Row up", show=False, id="sessions-row-up"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield SessionTable(id="sessions")
        yield Static("", id="sessions-message")
        yield SessionPager(id="sessions-pager")
        yield KeyBar()

    @property
    def table(self) -> SessionTable:
        return self.query_one(SessionTable)

    async def fetch_page(self, page: int, *, use_cache: bool = True) -> SessionPage:
        return await self.app.library.list_sessions(page, self.unique_id, use_cache=use_cache)

    def show_page(self, result: SessionPage, *, keep_cursor_on: str | None = None) -> None:
        self.table.show_sessions(result.sessions, keep_cursor_on=keep_cursor_on)
        self.pager.page_size = self.size_of(result)
        self._show_empty(not result.sessions)

    def row_id(self, row: SessionSummary) -> str:
        return row.session_id

    def size_of(self, result: SessionPage) -> int:
        # The server decides the page size of this endpoint; it says which, or not.
        return result.page_size or SESSION_PAGE_SIZE

    # -- opening ----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#sessions")
    def _row_selected(self) -> None:
        self.action_open_session()

    def action_open_session(self) -> None:
        session = self.table.highlighted
        if session is None:
            return
        self.app.push_screen(SessionDetailScreen(session, self.unique_id))

    def action_copy_id(self) -> None:
        session = self.table.highlighted
        if session is not None:
            self.copy_text(session.session_id, "session id")


class SessionDetailScreen(ViewScreen):
    """One conversation: user and assistant turns, thinkings, and the videos cited."""

    VIEW_NAME = "Chat session"
    CSS_PATH = "sessions.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back to sessions", id="session-back"),
        Binding("n", "next_ref", "Next cited video", id="session-next-ref"),
        Binding("N", "prev_ref", "Previous cited video", show=False, id="session-prev-ref"),
        Binding("t", "toggle_thinking", "Show / hide thinking", id="session-thinking"),
        Binding("r", "refresh", "Refresh", id="session-refresh"),
        Binding("y", "copy_id", "Copy session id", show=False, id="session-copy-id"),
        Binding("j", "scroll_down", "Scroll down", show=False, id="session-scroll-down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="session-scroll-up"),
        Binding("g", "scroll_top", "Top", show=False, id="session-top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="session-bottom"),
    ]

    def __init__(self, session: SessionSummary, unique_id: str) -> None:
        super().__init__()
        self.session = session
        self.unique_id = unique_id
        self.detail: SessionDetail | None = None

    MESSAGE_ID = "session-message"

    def compose(self) -> ComposeResult:
        yield StatusHeader(namespace=self.unique_id)
        yield Static(self._title_text(self.session.title), id="session-title")
        yield Static("", id="session-message")
        yield VerticalScroll(id="conversation")
        yield KeyBar()

    def _title_text(self, title: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(safe_text(title, max_len=200) or "(untitled)", style="bold")
        text.append(f"   session {safe_text(self.session.session_id, max_len=30)}", style="dim")
        return text

    def on_mount(self) -> None:
        self.conversation.focus()
        self.load()

    @property
    def conversation(self) -> VerticalScroll:
        return self.query_one("#conversation", VerticalScroll)

    def help_widgets(self) -> list[tuple[str, object]]:
        links = list(self.query(SessionRefLink))
        return [("Cited video", links[0])] if links else []

    # -- loading ------------------------------------------------------------------------

    @work(exclusive=True, group="session-detail", exit_on_error=False)
    async def load(self, use_cache: bool = True) -> None:
        if self.detail is None:
            self.show_message("Loading the conversation…")
        try:
            detail = await self.app.library.session_detail(
                self.session.session_id, self.unique_id, use_cache=use_cache
            )
        except MemoriesError as exc:
            if get_current_worker().is_cancelled:
                return
            message = self.show_error(exc, "load the conversation")
            if self.detail is None:
                self.show_message(f"{message}\nPress r to retry, Esc to go back.", error=True)
            return
        if get_current_worker().is_cancelled:
            return
        self.detail = detail
        await self._show_detail(detail)

    async def _show_detail(self, detail: SessionDetail) -> None:
        if detail.title:
            self.query_one("#session-title", Static).update(self._title_text(detail.title))
        conversation = self.conversation
        await conversation.remove_children()
        await conversation.mount_all([turn_widget(m) for m in detail.messages])
        self.show_message("" if detail.messages else "This session has no messages.")
        conversation.scroll_home(animate=False)

    def worker_failed(self, worker: Worker[Any]) -> None:
        if self.detail is None:
            self.show_message("The conversation could not be loaded (an unexpected error). "
                              "Press r to retry, Esc to go back.", error=True)

    # -- actions --------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        self.load(use_cache=False)

    def action_copy_id(self) -> None:
        self.copy_text(self.session.session_id, "session id")

    def _links(self) -> list[SessionRefLink]:
        return [link for link in self.query(SessionRefLink) if link.can_focus]

    def _move_ref(self, step: int) -> None:
        links = self._links()
        if not links:
            self.notify("No cited videos in this session.", timeout=2)
            return
        focused = self.focused
        if focused in links:
            index = (links.index(focused) + step) % len(links)
        else:
            index = 0 if step > 0 else len(links) - 1
        links[index].focus()
        links[index].scroll_visible(animate=False)

    def action_next_ref(self) -> None:
        self._move_ref(1)

    def action_prev_ref(self) -> None:
        self._move_ref(-1)

    def action_toggle_thinking(self) -> None:
        boxes = list(self.query(Collapsible))
        if not boxes:
            self.notify("No thinking steps in this session.", timeout=2)
            return
        collapse = not all(box.collapsed for box in boxes)
        for box in boxes:
            box.collapsed = collapse

    def action_scroll_down(self) -> None:
        self.conversation.scroll_down()

    def action_scroll_up(self) -> None:
        self.conversation.scroll_up()

    def action_scroll_top(self) -> None:
        self.conversation.scroll_home()

    def action_scroll_bottom(self) -> None:
        self.conversation.scroll_end()

    @on(SessionRefLink.Chosen)
    async def _ref_chosen(self, event: SessionRefLink.Chosen) -> None:
        event.stop()
        await self.app.show_video_in_library(event.video_no, self.unique_id)

    @on(Markdown.LinkClicked)
    def _link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.open_link(event.href, what="link")
