"""The download dialog: destination, each file's name, what to do with existing files, space.

In a browser (`memories-tui serve`) it asks first where the files go: to this computer,
through the browser (the default; tui/browser.py), or to a folder on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from memories_tui.api.models import Video
from memories_tui.format import human_size, total_size
from memories_tui.safetext import safe_text
from memories_tui.services.downloads import Conflict, PlannedFile, free_space, plan_downloads
from memories_tui.tui.browser import BROWSER, browser_filename, hand_off
from memories_tui.tui.widgets.line_list import LineList

#: Above this many videos, the plan (a file name and a look on disk each: about 1.7 s
#: for 100,000) is made again once the typing in the folder field pauses, not at each
#: key. The listed files are drawn as they scroll into view (`LineList`).
PLAN_AT_ONCE_UP_TO = 1000
PLAN_AFTER_PAUSE = 0.3  # seconds


@dataclass(frozen=True)
class DownloadRequest:
    folder: Path
    planned: list[PlannedFile]
    conflict: Conflict


class DownloadModal(ModalScreen[DownloadRequest | None]):
    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="download-cancel")]

    def __init__(self, videos: list[Video], folder: Path, *,
                 in_browser: bool | None = None) -> None:
        """`in_browser`: offer "to this computer" (None: whether the app runs in one)."""
        super().__init__()
        self.videos = videos
        self.default_folder = folder
        self.planned: list[PlannedFile] = []
        self._in_browser = in_browser
        self._replan_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        count = len(self.videos)
        with Vertical(classes="dialog"):
            yield Label(
                f"Download {count:,} {'video' if count == 1 else 'videos'} "
                f"({total_size(v.size for v in self.videos)})",
                classes="dialog-title",
            )
            if self.in_browser:
                yield Label("Where to:")
                with RadioSet(id="download-where"):
                    yield RadioButton("To this computer (through the browser)", value=True,
                                      id="where-browser")
                    yield RadioButton("To a folder on the server", id="where-server")
            yield Label("Destination folder:", classes="on-server")
            yield Input(str(self.default_folder), id="download-folder", classes="on-server")
            yield Label("", id="download-space", classes="dialog-note")
            yield LineList(classes="dialog-list", id="download-files")
            yield Label("When a file exists already:", classes="on-server")
            with RadioSet(id="download-conflict", classes="on-server"):
                yield RadioButton("Skip it", value=True, id="conflict-skip")
                yield RadioButton("Keep both (add a number)", id="conflict-keep")
                yield RadioButton("Overwrite it", id="conflict-overwrite")
            yield Label("", id="download-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel-button")
                yield Button("Download", id="download-button", variant="primary")

    def on_mount(self) -> None:
        self._replan()
        if self.to_browser:
            self._show_destination()
            self.query_one("#download-button", Button).focus()
            return
        # Focus starts in the folder field, all of it selected: typing replaces it, and
        # enter downloads (into the folder shown, or the one just typed).
        folder = self.query_one("#download-folder", Input)
        folder.focus()
        folder.select_all()

    @property
    def in_browser(self) -> bool:
        if self._in_browser is None:
            self._in_browser = self.app.is_web
        return self._in_browser

    @property
    def to_browser(self) -> bool:
        """The files go to this computer, through the browser."""
        if not self.in_browser:
            return False
        pressed = self.query_one("#download-where", RadioSet).pressed_button
        return pressed is None or pressed.id == "where-browser"

    @property
    def folder(self) -> Path:
        if self.to_browser:
            return hand_off(self.app).folder()
        raw = self.query_one("#download-folder", Input).value.strip() or "."
        return Path(raw).expanduser()

    @property
    def conflict(self) -> Conflict:
        if self.to_browser:
            return Conflict.KEEP_BOTH  # the staging folder: two names alike both go
        pressed = self.query_one("#download-conflict", RadioSet).pressed_button
        button_id = pressed.id if pressed is not None else None
        return {
            "conflict-keep": Conflict.KEEP_BOTH,
            "conflict-overwrite": Conflict.OVERWRITE,
        }.get(button_id or "", Conflict.SKIP)

    @on(Input.Changed, "#download-folder")
    def _folder_changed(self) -> None:
        self._replan_soon()

    @on(RadioSet.Changed)
    def _conflict_changed(self) -> None:
        self._replan_soon()

    def _replan_soon(self) -> None:
        if len(self.videos) <= PLAN_AT_ONCE_UP_TO:
            self._replan()
            return
        if self._replan_timer is not None:
            self._replan_timer.stop()
        self._replan_timer = self.set_timer(PLAN_AFTER_PAUSE, self._replan)

    def _plan_is_current(self) -> None:
        """Before acting on the plan: one still waiting for the typing to pause is
        made now, for the folder as it reads."""
        if self._replan_timer is not None:
            self._replan()

    @on(RadioSet.Changed, "#download-where")
    def _where_changed(self) -> None:
        self._show_destination()
        if not self.to_browser:
            self.query_one("#download-folder", Input).focus()

    def _show_destination(self) -> None:
        """The folder and the question about existing files are for the server only."""
        for widget in self.query(".on-server"):
            widget.display = not self.to_browser

    def _replan(self) -> None:
        if self._replan_timer is not None:
            self._replan_timer.stop()
            self._replan_timer = None
        folder = self.folder
        error = self.query_one("#download-error", Label)
        error.update("")
        try:
            self.planned = plan_downloads(self.videos, folder)
        except (OSError, ValueError) as exc:
            self.planned = []
            error.update(Text(f"That folder cannot be used: {exc}"))
        planned, to_browser = self.planned, self.to_browser
        action = {
            Conflict.SKIP: "exists: will be skipped",
            Conflict.KEEP_BOTH: "exists: a numbered copy is added",
            Conflict.OVERWRITE: "exists: will be OVERWRITTEN",
        }[self.conflict]

        def line(index: int, _width: int) -> Text:
            item = planned[index]
            # In the browser, the name the browser is given (tui/browser.py).
            name = browser_filename(item.path.name) if to_browser else item.path.name
            text = Text(safe_text(name, max_len=70))
            if item.exists:
                text.append(f"  ({action})", style="yellow")
            return text

        existing = sum(1 for item in planned if item.exists)
        self.query_one("#download-files", LineList).show(len(planned), line)
        sizes = [
            p.video.size
            for p in self.planned
            if not (p.exists and self.conflict is Conflict.SKIP)
        ]
        # Files of unknown size count as nothing here: the note says there are some.
        total = sum(size or 0 for size in sizes)
        free = free_space(folder)
        note = Text()
        if self.to_browser:
            # Each file is downloaded and checked on the server, then handed over.
            note.append("On the server until your browser has it: "
                        f"{total_size(sizes) if sizes else human_size(0)}")
            if free is not None:
                note.append(f" · {human_size(free)} free")
                if free < total:
                    note.append(" · NOT ENOUGH SPACE", style="bold red")
            self.query_one("#download-space", Label).update(note)
            return
        if not folder.exists():
            note.append("The folder does not exist; it will be created. ", style="yellow")
        elif not folder.is_dir():
            note.append("This path is not a folder. ", style="red")
        note.append(f"Needs {total_size(sizes) if sizes else human_size(0)}")
        if free is not None:
            note.append(f" · {human_size(free)} free")
            if free < total:
                note.append(" · NOT ENOUGH SPACE", style="bold red")
        if existing:
            note.append(f" · {existing} already there")
        self.query_one("#download-space", Label).update(note)

    @on(Input.Submitted, "#download-folder")
    @on(Button.Pressed, "#download-button")
    def _confirm(self) -> None:
        self._plan_is_current()
        folder = self.folder
        error = self.query_one("#download-error", Label)
        if self.to_browser:
            if not self.planned:
                error.update("Nothing to download.")
                return
            planned = [replace(item, hand_off=BROWSER) for item in self.planned]
            self.dismiss(DownloadRequest(folder=folder, planned=planned, conflict=self.conflict))
            return
        if folder.exists() and not folder.is_dir():
            error.update(Text(f"{folder} is not a folder."))
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            error.update(Text(f"Cannot create {folder}: {exc.strerror or exc}."))
            return
        if not self.planned:
            error.update("Nothing to download.")
            return
        self.dismiss(DownloadRequest(folder=folder, planned=self.planned, conflict=self.conflict))

    @on(Button.Pressed, "#cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)
