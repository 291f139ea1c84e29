"""Shown at start when no API key is set: where to get one, where it can go, and a field
to paste it into (checked with the server, then saved to the config file, mode 0600)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from memories_tui.config import default_config_path
from memories_tui.services.first_run import KeyProblem, check_key, save_key

if TYPE_CHECKING:
    from memories_tui.tui.app import MemoriesApp


class FirstRunModal(ModalScreen[str | None]):
    """Dismissed with the key once it is checked and saved (None: closed without one)."""

    if TYPE_CHECKING:
        app: MemoriesApp

    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "later", "Close (no key yet)", id="first-run-close")]

    def compose(self) -> ComposeResult:
        config = default_config_path()
        where = str(config) if config is not None else "the config file"
        with Vertical(classes="dialog", id="first-run-dialog"):
            yield Label("Welcome to memories-tui", classes="dialog-title")
            yield Static(Text(
                "It needs the API key of your Memories.ai account: create or copy one on "
                "the API keys page of your account at memories.ai. Keys look like sk-…\n\n"
                "Paste it here: it is checked with the server, then saved to "
                f"{where}, readable by you alone.\n"
                "Or set it yourself: MEMORIES_API_KEY in the environment or in a .env file "
                f"in this folder, or api_key = \"…\" in {where}.\n\n"
                "Just looking around? Quit and run  memories-tui --demo : a built-in "
                "library, no key, no network."), classes="dialog-note")
            yield Input(placeholder="sk-…", password=True, id="first-run-key")
            yield Label("", classes="dialog-error", id="first-run-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check and save", id="first-run-save", variant="primary")
                yield Button("Quit", id="first-run-quit")

    def on_mount(self) -> None:
        self.query_one("#first-run-error", Label).display = False
        self.query_one("#first-run-key", Input).focus()

    def _say(self, problem: str) -> None:
        error = self.query_one("#first-run-error", Label)
        error.update(Text(problem))
        error.display = bool(problem)

    @on(Input.Submitted, "#first-run-key")
    @on(Button.Pressed, "#first-run-save")
    def _save(self) -> None:
        self._check(self.query_one("#first-run-key", Input).value)

    @work(exclusive=True, group="first-run")
    async def _check(self, pasted: str) -> None:
        self._say("Checking the key with the server…")
        try:
            key = await check_key(self.app.settings, pasted)
        except KeyProblem as problem:
            self._say(str(problem))
            return
        path = default_config_path()
        if path is None:
            self._say("The key works, but there is no home folder to save it in: set "
                      "MEMORIES_API_KEY instead.")
            return
        try:
            save_key(path, key)
        except OSError as error:
            self._say(f"The key works, but it could not be saved to {path}: "
                      f"{error.strerror or error}. Set MEMORIES_API_KEY instead.")
            return
        self.app.notify(f"Key saved to {path}.", title="Welcome", timeout=6, markup=False)
        self.dismiss(key)

    @on(Button.Pressed, "#first-run-quit")
    def _quit(self) -> None:
        self.app.exit()

    def action_later(self) -> None:
        self.dismiss(None)
