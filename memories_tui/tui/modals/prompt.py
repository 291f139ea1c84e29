"""A one-line question (go to page, page size, public video id, task id)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

Validator = Callable[[str], str | None]  # returns an error message, or None when fine


class PromptModal(ModalScreen[str | None]):
    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt-cancel")]

    def __init__(
        self,
        title: str,
        *,
        placeholder: str = "",
        value: str = "",
        note: str = "",
        validate: Validator | None = None,
        suggestions: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.initial = value
        self.note = note
        self.validate = validate
        self.suggestions = suggestions or []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="prompt-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.initial, placeholder=self.placeholder, id="prompt-input")
            if self.note:
                yield Label(self.note, classes="dialog-note")
            yield Label("", id="prompt-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel-button")
                yield Button("OK", id="ok-button", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted, "#prompt-input")
    @on(Button.Pressed, "#ok-button")
    def _submit(self) -> None:
        value = self.query_one("#prompt-input", Input).value.strip()
        if self.validate is not None:
            problem = self.validate(value)
            if problem:
                self.query_one("#prompt-error", Label).update(Text(problem))
                return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)


def int_validator(low: int, high: int, what: str) -> Validator:
    def check(value: str) -> str | None:
        try:
            number = int(value.replace(",", ""))
        except ValueError:
            return f"Enter a whole number from {low:,} to {high:,}."
        if not low <= number <= high:
            return f"The {what} must be from {low:,} to {high:,}."
        return None

    return check
