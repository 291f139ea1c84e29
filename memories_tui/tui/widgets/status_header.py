"""The top line: app name, view, namespace, server host, whether we wait on the rate limit,
and the local index (its progress while a pass runs, its age once complete)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from memories_tui.api.client import WAIT_RETRY

if TYPE_CHECKING:
    from memories_tui.tui.app import MemoriesApp

# What the header says while the client holds requests back, by the client's reason.
WAITING_WORDS = {WAIT_RETRY: "⏳ server error: retrying shortly"}
WAITING_ON_RATE_LIMIT = "⏳ waiting on rate limit"


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
    wait_reason: reactive[str] = reactive("")
    index_line: reactive[str] = reactive("")

    if TYPE_CHECKING:  # the app this header runs in, with its namespace
        app: MemoriesApp

    def __init__(self, *, namespace: str | None = None) -> None:
        """`namespace` pins the one shown (a conversation belongs to the namespace it
        was opened in); otherwise the header follows the app's current namespace."""
        super().__init__()
        self._pinned_namespace = namespace

    def on_mount(self) -> None:
        app = self.app
        self.view_name = getattr(self.screen, "VIEW_NAME", "") or self.view_name
        self.host = getattr(app, "host", "")
        self.watch(app, "unique_id", self._set_namespace, init=True)
        if self._pinned_namespace is not None:
            self.namespace = self._pinned_namespace
        self.watch(app, "rate_waiting", self._set_waiting, init=True)
        self.watch(app, "wait_reason", self._set_wait_reason, init=True)
        if hasattr(app, "index_line"):
            # Set at most once a second by the app (tui/index.py): only this line repaints.
            self.watch(app, "index_line", self._set_index_line, init=True)

    def _set_namespace(self, namespace: str) -> None:
        if self._pinned_namespace is None:
            self.namespace = namespace

    def pin_namespace(self, namespace: str | None) -> None:
        """Show `namespace` whatever the app's is (the one a followed upload task
        belongs to); None follows the app again."""
        self._pinned_namespace = namespace
        self.namespace = namespace if namespace is not None else self.app.unique_id

    def _set_waiting(self, waiting: bool) -> None:
        self.waiting = waiting

    def _set_wait_reason(self, reason: str) -> None:
        self.wait_reason = reason

    def _set_index_line(self, line: str) -> None:
        self.index_line = line

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" memories-tui ", style="bold reverse")
        text.append(f" {self.view_name} ", style="bold")
        text.append("│ namespace ", style="dim")
        text.append(self.namespace)
        text.append(" │ server ", style="dim")
        text.append(self.host)
        if getattr(getattr(self.app, "settings", None), "read_only", False):
            text.append("  READ-ONLY ", style="bold reverse yellow")
        if self.waiting:
            words = WAITING_WORDS.get(self.wait_reason, WAITING_ON_RATE_LIMIT)
            text.append(f"  {words}", style="bold yellow")
        if self.index_line:
            text.append(" │ ", style="dim")
            trouble = self.index_line.startswith(("Indexing paused", "Indexing stopped"))
            text.append(self.index_line, style="yellow" if trouble else "")
        return text
