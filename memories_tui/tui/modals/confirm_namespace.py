"""Asked before switching to a namespace the server does not list: it would create it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from memories_tui.api.errors import MemoriesError
from memories_tui.safetext import safe_text


def _quoted(name: str) -> str:
    return f"“{safe_text(name, max_len=40)}”"


class ConfirmNamespaceModal(ModalScreen[bool]):
    """True: use the name anyway; False (esc, n, Go back): change it. Focus starts on
    Go back, so enter pressed once more by habit does not create a namespace."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape,n", "back", "Go back", id="namespace-back"),
        Binding("y", "use", "Use it anyway", id="namespace-use"),
    ]

    def __init__(
        self, name: str, *, similar: list[str] | None = None,
        error: MemoriesError | None = None,
    ) -> None:
        super().__init__()
        self.namespace = name
        self.similar = similar or []
        self.error = error

    def compose(self) -> ComposeResult:
        name = _quoted(self.namespace)
        with Vertical(classes="dialog", id="namespace-dialog"):
            if self.error is None:
                title = f"Namespace {name} does not exist yet."
            else:
                title = f"Namespace {name} may not exist yet."
            yield Label(Text(title), classes="dialog-title")
            if self.error is not None:
                reason = self.error.message.rstrip(".")
                yield Label(
                    Text(f"The list of namespaces could not be read: {reason}."),
                    classes="dialog-note dialog-error", id="namespace-error",
                )
            yield Label(
                Text(
                    f"The server creates a namespace as soon as it is used: switching to "
                    f"{name} makes a new, empty one if it is not there. Names are "
                    f"case-sensitive (“Team” and “team” are two namespaces)."
                ),
                classes="dialog-note",
            )
            if self.similar:
                known = ", ".join(_quoted(n) for n in self.similar)
                yield Label(
                    Text(f"Known namespaces with a similar name: {known}."),
                    classes="dialog-note", id="namespace-similar",
                )
            yield Label(
                Text(f"Press y to use {name} anyway, or esc to go back and change it."),
                classes="dialog-note",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Go back", id="back-button", variant="primary")
                yield Button("Use it anyway", id="use-button", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#back-button", Button).focus()

    @on(Button.Pressed, "#use-button")
    def action_use(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#back-button")
    def action_back(self) -> None:
        self.dismiss(False)
