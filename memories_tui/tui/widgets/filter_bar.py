"""The filter row: name (as you type), status, exact video id and namespace."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input

from memories_tui.tui.widgets.option_cycle import OptionCycle

STATUS_OPTIONS = [
    ("Any status", ""), ("PARSE", "PARSE"), ("UNPARSE", "UNPARSE"), ("FAILED", "FAILED"),
]


@dataclass(frozen=True, slots=True)
class Filters:
    name: str = ""
    status: str = ""
    video_no: str = ""
    unique_id: str = "default"

    @property
    def any(self) -> bool:
        return bool(self.name or self.status or self.video_no)


class FilterBar(Horizontal):
    """Posts `FilterBar.Changed` whenever a filter changes; `typing` asks for a debounce."""

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
        padding: 0 1;
    }
    FilterBar #name-filter { width: 2fr; min-width: 22; }
    FilterBar #status-filter { width: 18; }
    /* At 80 columns the id field gives way: the name is what people type. */
    FilterBar #id-filter { width: 1fr; max-width: 28; min-width: 14; }
    FilterBar #namespace { width: 18; }
    """

    class Changed(Message):
        def __init__(self, filters: Filters, typing: bool) -> None:
            super().__init__()
            self.filters = filters
            self.typing = typing

    def __init__(self, unique_id: str = "default", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._unique_id = unique_id

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter by name  ( / )", id="name-filter")
        yield OptionCycle(STATUS_OPTIONS, "", id="status-filter",
                          tooltip="Status filter: ←/→, space or a click to change")
        yield Input(placeholder="Exact video id (enter)", id="id-filter")
        yield Input(value=self._unique_id, placeholder="namespace", id="namespace",
                    tooltip="unique_id namespace; press enter to switch")

    @property
    def filters(self) -> Filters:
        return Filters(
            name=self.query_one("#name-filter", Input).value.strip(),
            status=self.query_one("#status-filter", OptionCycle).value,
            video_no=self.query_one("#id-filter", Input).value.strip(),
            unique_id=self.query_one("#namespace", Input).value.strip() or "default",
        )

    @on(Input.Changed, "#name-filter")
    def _name_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters, typing=True))

    @on(Input.Submitted, "#name-filter")
    @on(Input.Submitted, "#id-filter")
    @on(Input.Submitted, "#namespace")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters, typing=False))

    @on(Input.Changed, "#id-filter")
    @on(Input.Changed, "#namespace")
    def _typed_not_applied(self, event: Input.Changed) -> None:
        # Exact ids and namespaces apply on enter: a half-typed id would find nothing.
        event.stop()

    @on(OptionCycle.Changed, "#status-filter")
    def _status_changed(self, event: OptionCycle.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters, typing=False))

    def clear(self) -> bool:
        """Clear name, status and id filters; True if anything was set."""
        had_any = self.filters.any
        with self.prevent(Input.Changed, OptionCycle.Changed):
            self.query_one("#name-filter", Input).value = ""
            self.query_one("#id-filter", Input).value = ""
            self.query_one("#status-filter", OptionCycle).value = ""
        return had_any

    def show_only(self, video_no: str, unique_id: str) -> None:
        """Set the filters to exactly one video id in one namespace (no events)."""
        with self.prevent(Input.Changed, OptionCycle.Changed):
            self.query_one("#name-filter", Input).value = ""
            self.query_one("#status-filter", OptionCycle).value = ""
            self.query_one("#id-filter", Input).value = video_no
            self.query_one("#namespace", Input).value = unique_id

    def set_status(self, status: str) -> None:
        self.query_one("#status-filter", OptionCycle).value = status


def describe_filters(filters: Filters) -> str:
    """What the active filters are, in words; they always apply to the whole library."""
    parts = []
    if filters.name:
        parts.append(f"name contains “{filters.name}”")
    if filters.status:
        parts.append(f"status {filters.status}")
    if filters.video_no:
        parts.append(f"video id {filters.video_no}")
    if not parts:
        return "No filter: whole library"
    return "Filter (whole library, on the server): " + " · ".join(parts)
