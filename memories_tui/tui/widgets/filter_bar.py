"""The filter row: exact name, status class, exact video id and namespace.

Names and ids apply on enter (the server matches both exactly: a half-typed one finds
nothing). The status field offers classes, not the server's spellings. The namespace
applies on enter too, through the screen, which asks first when the name is not one the
server knows (it would create it); the known names are offered as completions once the
screen has read them (`offer_namespaces`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input

from memories_tui.api.status import FILTER_CLASSES, StatusClass, spellings_of
from memories_tui.tui.widgets.option_cycle import OptionCycle

#: (label, value): the value is a StatusClass value, "" for any status.
STATUS_OPTIONS = [("Any status", "")] + [
    (cls.value.capitalize(), cls.value) for cls in FILTER_CLASSES
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
    """Posts `FilterBar.Changed` when a filter is applied (enter, or a status step),
    `NamespaceWanted` when the namespace field first gets focus and
    `NamespaceSubmitted` on enter there; the namespace applies only through
    `use_namespace`."""

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
        padding: 0 1;
    }
    FilterBar #name-filter { width: 2fr; min-width: 22; }
    /* No padding: "‹ In progress ›" fits in the width "‹ FAILED ›" had. */
    FilterBar #status-filter { width: 18; padding: 0; }
    /* At 80 columns the id field gives way: the name is what people type. */
    FilterBar #id-filter { width: 1fr; max-width: 28; min-width: 14; }
    FilterBar #namespace { width: 18; }
    """

    class Changed(Message):
        def __init__(self, filters: Filters) -> None:
            super().__init__()
            self.filters = filters

    class NamespaceWanted(Message):
        """The namespace field got focus: the known names are worth reading now."""

    class NamespaceSubmitted(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, unique_id: str = "default", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._unique_id = unique_id
        self._namespaces_wanted = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Exact name (enter)", id="name-filter",
                    tooltip="The whole name, exactly; press enter to apply")
        yield OptionCycle(STATUS_OPTIONS, "", id="status-filter",
                          tooltip="Status filter: ←/→, space or a click to change")
        yield Input(placeholder="Exact video id (enter)", id="id-filter")
        yield Input(value=self._unique_id, placeholder="namespace", id="namespace",
                    tooltip="unique_id namespace (case-sensitive); press enter to switch")

    @property
    def filters(self) -> Filters:
        """The filters as applied: the namespace in use, not one typed and not entered."""
        return Filters(
            name=self.query_one("#name-filter", Input).value.strip(),
            status=self.query_one("#status-filter", OptionCycle).value,
            video_no=self.query_one("#id-filter", Input).value.strip(),
            unique_id=self._unique_id,
        )

    @property
    def typed_namespace(self) -> str:
        return self.query_one("#namespace", Input).value.strip() or "default"

    @on(Input.Submitted, "#name-filter")
    @on(Input.Submitted, "#id-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters))

    @on(Input.Submitted, "#namespace")
    def _namespace_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.NamespaceSubmitted(self.typed_namespace))

    @on(Input.Changed)
    def _typed_not_applied(self, event: Input.Changed) -> None:
        # Names, ids and namespaces apply on enter: a request per key would spend the
        # rate budget on half-typed names that match nothing exactly.
        event.stop()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "namespace" and not self._namespaces_wanted:
            self._namespaces_wanted = True
            self.post_message(self.NamespaceWanted())

    def offer_namespaces(self, names: list[str]) -> None:
        """Complete the namespace field from `names` (exactly: names are case-sensitive)."""
        self.query_one("#namespace", Input).suggester = SuggestFromList(
            names, case_sensitive=True)

    def forget_namespaces(self) -> None:
        """The known names were dropped (a refresh): ask again on the next focus."""
        self._namespaces_wanted = False

    def use_namespace(self, name: str) -> None:
        """Apply `name` as the namespace (the screen decided it may be used)."""
        self._unique_id = name
        with self.prevent(Input.Changed):
            self.query_one("#namespace", Input).value = name

    @on(OptionCycle.Changed, "#status-filter")
    def _status_changed(self, event: OptionCycle.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters))

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
        self.use_namespace(unique_id)

    def set_status(self, status: str) -> None:
        self.query_one("#status-filter", OptionCycle).value = status


def describe_filters(filters: Filters) -> str:
    """What the active filters are, in words; they always apply to the whole library."""
    parts = []
    if filters.name:
        parts.append(f"name is “{filters.name}”")
    if filters.status:
        spellings = spellings_of(StatusClass(filters.status))
        spelled = " or ".join(", ".join(spellings).rsplit(", ", 1))
        parts.append(f"status {filters.status} ({spelled})")
    if filters.video_no:
        parts.append(f"video id {filters.video_no}")
    if not parts:
        return "No filter: whole library"
    return "Filter (whole library, on the server): " + " · ".join(parts)
