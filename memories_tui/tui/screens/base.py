"""What every view shares: the header, a message line, copying, opening links, errors.

A view (`ViewScreen`) turns what the user asks for into service calls and what comes
back into pixels. The wording of the common cases lives here once: a copied id, a link
that is opened or refused, an API error in plain words, and a worker that failed in a
way nobody foresaw (the app logs it; the view puts its own display back in order, so
nothing stays "Loading…").
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from memories_tui.safetext import safe_text
from memories_tui.tui.errors import describe_error
from memories_tui.tui.links import is_web_link

if TYPE_CHECKING:
    from collections.abc import Callable

    from memories_tui.api.models import Video
    from memories_tui.tui.app import MemoriesApp

log = logging.getLogger("memories_tui.tui")


def over_ssh() -> bool:
    """Whether this terminal is a remote one (ssh sets these in the session it opens)."""
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


class ViewScreen(Screen[Any]):
    """A screen of this app. Subclasses set `VIEW_NAME` (shown in the header) and, if
    they have a message line, `MESSAGE_ID` (the id of a `Static`)."""

    VIEW_NAME = ""
    MESSAGE_ID = ""

    if TYPE_CHECKING:  # the app these screens run in, with its services
        app: MemoriesApp

    # -- deleting ---------------------------------------------------------------------

    def ask_to_delete(self, videos: list[Video], unique_id: str, what: str,
                      then: Callable[[list[Video], str], object]) -> None:
        """The one way a view asks before a delete: refused in read-only mode or while a
        delete runs, nothing to do without `videos` ("no {what} is highlighted or
        selected"), else the confirmation dialog; `then` runs only once it is confirmed."""
        if self.app.deletes.read_only:
            self.notify("Read-only mode: nothing is deleted (started with --read-only, "
                        "MEMORIES_READ_ONLY or read_only = true).", severity="warning",
                        timeout=5)
            return
        if self.app.deletes.running:
            self.notify("A delete is already running; wait for it to finish.", timeout=4)
            return
        if not videos:
            self.notify(f"Nothing to delete: no {what} is highlighted or selected.",
                        timeout=3)
            return

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                then(videos, unique_id)

        from memories_tui.tui.modals.confirm_delete import ConfirmDeleteModal

        self.app.push_screen(ConfirmDeleteModal(videos, unique_id), decided)

    # -- the message line ---------------------------------------------------------------

    def show_message(self, message: str, *, error: bool = False) -> None:
        """Put `message` (plain text, never markup) on the view's message line."""
        widget = self.query_one(f"#{self.MESSAGE_ID}", Static)
        widget.update(Text(message))
        widget.set_class(error, "error")
        widget.display = bool(message)

    # -- errors -------------------------------------------------------------------------

    def show_error(self, exc: BaseException, doing: str, *, title: str = "") -> str:
        """Notify `exc` in plain words ("Could not `doing`: why. What to do.")."""
        message = describe_error(exc, doing)
        log.warning("%s: %s", self.VIEW_NAME or type(self).__name__, message)
        self.notify(message, title=title or self.VIEW_NAME, severity="error", markup=False,
                    timeout=8)
        return message

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.report_worker_failure(event.worker)
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """Put the display back in order after `worker` failed unexpectedly (the app
        has already told the user and logged it). Views with a loading state clear it."""

    # -- copy and open ------------------------------------------------------------------

    def copy_text(self, text: str, what: str = "") -> None:
        """Copy `text` to the clipboard (through the terminal) and say so; `what`
        names it in the message ("session id")."""
        notes = self.app.copy_with_notes(text)
        named = f"{what} " if what else ""
        message = f"Copied {named}{safe_text(text, max_len=80)} to the clipboard."
        self.notify("\n".join([message, *notes]), timeout=8 if notes else 3, markup=False)

    def open_link(self, url: str | None, *, what: str = "video") -> None:
        """Open a web link in the browser; anything else is refused in plain words.

        Over SSH a browser would start on the remote machine (perhaps a console one,
        inside this very terminal): there the link is shown in full and copied instead.
        In a browser (`memories-tui serve`) the link opens in a new tab of that browser.
        """
        if not url:
            self.notify(f"The server gave no URL for this {what}.", timeout=4)
            return
        if not is_web_link(url):
            self.notify(f"Not opening {safe_text(url, max_len=60)}: not a web link.",
                        severity="warning", timeout=5, markup=False)
            return
        if over_ssh() and not self.app.is_web:
            notes = self.app.copy_with_notes(url)
            self.notify("\n".join([f"{safe_text(url, max_len=1000)}\nCopied (over SSH, no "
                                   "browser is opened on the remote machine).", *notes]),
                        title="Link", timeout=15, markup=False)
            return
        self.app.open_url(url)
        self.notify(f"Opening {safe_text(url, max_len=80)}", timeout=3, markup=False)
