"""One public (`PI-`) video, pushed over whichever view asked for it; escape goes back."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, Static
from textual.worker import Worker, get_current_worker

from memories_tui.api.errors import MemoriesError
from memories_tui.api.models import PublicVideo
from memories_tui.safetext import safe_multiline, safe_text
from memories_tui.tui.screens.base import ViewScreen
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.public_details import (
    count_fields,
    has_counts,
    hashtag_text,
    public_fields,
)
from memories_tui.tui.widgets.status_header import StatusHeader

_PUBLIC_ID = re.compile(r"PI-[0-9]+")
EXAMPLE_ID = "PI-603068775285264430"
MAX_TITLE_CHARS = 400  # a runaway title must not push the details off the screen


def validate_public_id(text: str) -> str | None:
    """An error message for anything not shaped like `PI-` + digits; None when it is."""
    value = text.strip()
    if not value:
        return f"Enter a public video id, like {EXAMPLE_ID}."
    if _PUBLIC_ID.fullmatch(value) is None:
        if value.startswith("VI"):
            return "That is a private video id (VI…); public ids start with PI-."
        return f"A public video id is PI- followed by digits, like {EXAMPLE_ID}."
    return None


class PublicVideoScreen(ViewScreen):
    """Details of one public video: who made it, when, how it did, and its hashtags."""

    VIEW_NAME = "Public video"
    MESSAGE_ID = "public-message"
    CSS_PATH = "public.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", id="public-back"),
        Binding("o", "open_url", "Open video URL", id="public-open-url"),
        Binding("y", "copy_id", "Copy id", id="public-copy-id"),
        Binding("Y", "copy_url", "Copy URL", show=False, id="public-copy-url"),
        Binding("e", "toggle_exact", "Exact / short counts", id="public-exact-counts"),
        Binding("r", "refresh", "Refresh", id="public-refresh"),
        Binding("j", "scroll_down", "Scroll down", show=False, id="public-scroll-down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="public-scroll-up"),
    ]

    def __init__(self, video_no: str) -> None:
        super().__init__()
        self.video_no = video_no.strip()
        self.video: PublicVideo | None = None
        self.exact_counts = False
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        with VerticalScroll(id="public-body"):
            yield Static(Text(self.video_no, style="bold"), id="public-title")
            yield Static("", id="public-message")
            yield Static("", id="public-fields")
            yield Label("Counts", id="public-counts-label", classes="public-section")
            yield Static("", id="public-counts")
            yield Label("Hashtags", classes="public-section")
            yield Static("", id="public-hashtags")
        yield KeyBar()

    def on_mount(self) -> None:
        header = self.query_one(StatusHeader)
        header.view_name = f"{self.VIEW_NAME} {safe_text(self.video_no, max_len=40)}"
        self.query_one("#public-body").focus()
        self._show_details(None)
        problem = validate_public_id(self.video_no)
        if problem:
            self.show_message(problem, error=True)
            return
        self.load(use_cache=True)

    # -- loading ------------------------------------------------------------------

    @work(exclusive=True, group="public", exit_on_error=False)
    async def load(self, use_cache: bool = True) -> None:
        self.show_message(f"Loading public video {self.video_no}…")
        library = self.app.library
        try:
            if use_cache:
                video = await library.fetch_public(self.video_no)
            else:
                video = await library.refresh_public(self.video_no)
        except MemoriesError as exc:
            if get_current_worker().is_cancelled:
                return
            message = self.show_error(exc, f"load {self.video_no}")
            self.error = message
            if self.video is None:
                self.show_message(f"{message}\nPress r to retry, Esc to go back.", error=True)
            else:
                self.show_message("")
            return
        if get_current_worker().is_cancelled:
            return
        self.error = None
        self.video = video
        self.show_message("")
        self._show_details(video)

    def worker_failed(self, worker: Worker[Any]) -> None:
        if self.video is None:
            self.show_message("The video could not be loaded (an unexpected error). "
                              "Press r to retry, Esc to go back.", error=True)

    def _show_details(self, video: PublicVideo | None) -> None:
        has_video = video is not None
        for selector in ("#public-fields", "#public-counts", "#public-hashtags", ".public-section"):
            for widget in self.query(selector):
                widget.display = has_video
        if video is None:
            return
        self.query_one("#public-title", Static).update(
            Text(safe_multiline(video.name, MAX_TITLE_CHARS).strip() or "(no title)", style="bold")
        )
        self.query_one("#public-fields", Static).update(public_fields(video, now=self.app.clock()))
        self.query_one("#public-hashtags", Static).update(hashtag_text(video.hashtags, video.name))
        self._show_counts()

    def _show_counts(self) -> None:
        if self.video is None:
            return
        how = "exact" if self.exact_counts else "short; press e for exact"
        if not has_counts(self.video):
            how = "none sent"  # real answers often carry only 7 fields
        self.query_one("#public-counts-label", Label).update(Text(f"Counts ({how})"))
        self.query_one("#public-counts", Static).update(
            count_fields(self.video, exact=self.exact_counts)
        )

    # -- actions --------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        if validate_public_id(self.video_no):
            self.notify("This is not a public video id; nothing to refresh.", timeout=3)
            return
        self.load(use_cache=False)

    def action_toggle_exact(self) -> None:
        self.exact_counts = not self.exact_counts
        self._show_counts()

    def action_copy_id(self) -> None:
        self.copy_text(self.video_no)

    def action_copy_url(self) -> None:
        url = self.video.video_url if self.video is not None else None
        if not url:
            self.notify("No URL to copy.", timeout=3)
            return
        self.copy_text(url)

    def action_open_url(self) -> None:
        self.open_link(self.video.video_url if self.video is not None else None)

    def action_scroll_down(self) -> None:
        self.query_one("#public-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#public-body", VerticalScroll).scroll_up()
