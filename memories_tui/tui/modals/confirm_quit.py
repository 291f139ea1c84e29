"""Asked when quitting would cancel running downloads."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmQuitModal(ModalScreen[bool]):
    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape,n", "stay", "Stay", id="quit-stay")]

    def __init__(self, running: int) -> None:
        super().__init__()
        self.running = running

    def compose(self) -> ComposeResult:
        noun = "download is" if self.running == 1 else "downloads are"
        with Vertical(classes="dialog"):
            yield Label(f"{self.running} {noun} still running.", classes="dialog-title")
            yield Label(
                "Quitting cancels them and removes their partial files.", classes="dialog-note"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep downloading", id="stay-button", variant="primary")
                yield Button("Quit and cancel", id="quit-button", variant="error")

    def on_mount(self) -> None:
        self.query_one("#stay-button", Button).focus()

    @on(Button.Pressed, "#quit-button")
    def _quit(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#stay-button")
    def action_stay(self) -> None:
        self.dismiss(False)
