"""The top line: app name, view, namespace, server host, and whether we wait on the rate limit."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusHeader(Widget):
    """One line that always says where the app is looking and whether it is held back."""

    DEFAULT_CSS = """
    StatusHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    view_name: reactive[str] = reactive("Videos")
    namespace: reactive[str] = reactive("default")
    host: reactive[str] = reactive("")
    waiting: reactive[bool] = reactive(False)

    def on_mount(self) -> None:
        self.watch(self.app, "rate_waiting", self._set_waiting, init=True)

    def _set_waiting(self, waiting: bool) -> None:
        self.waiting = waiting

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" memories-tui ", style="bold reverse")
        text.append(f" {self.view_name} ", style="bold")
        text.append("│ namespace ", style="dim")
        text.append(self.namespace)
        text.append(" │ server ", style="dim")
        text.append(self.host)
        if self.waiting:
            text.append("  ⏳ waiting on rate limit", style="bold yellow")
        return text
