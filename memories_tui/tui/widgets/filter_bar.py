"""The filter row: name, status class, exact video id and namespace.

Served by the server, names and ids apply on enter (the server matches both exactly: a
half-typed one finds nothing). Served by the complete local index (`set_index_mode`),
the name field filters as you type by any part of a name, ignoring case and accents,
with no request; size and date ranges (`set_ranges`, asked for in a small dialog) are
then offered too. The status field offers classes, not the server's spellings. The namespace
applies on enter too, through the screen, which asks first when the name is not one the
server knows (it would create it); the known names are offered as completions once the
screen has read them (`offer_namespaces`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
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
class Ranges:
    """Size (bytes) and creation date (days, both ends included) limits: only the local
    index can apply them (the API filters by neither)."""

    size_min: int | None = None
    size_max: int | None = None
    created_from: date | None = None
    created_to: date | None = None

    @property
    def any(self) -> bool:
        return self != _NO_RANGES


_NO_RANGES = Ranges()


@dataclass(frozen=True, slots=True)
class Filters:
    name: str = ""
    status: str = ""
    video_no: str = ""
    unique_id: str = "default"
    ranges: Ranges = field(default_factory=Ranges)

    @property
    def any(self) -> bool:
        return bool(self.name or self.status or self.video_no or self.ranges.any)


#: The name field's words, served by the server and by the local index.
EXACT_PLACEHOLDER = "Exact name (enter)"
EXACT_TOOLTIP = ("The whole name, exactly (the server matches names exactly); press enter "
                 "to apply. Once the local index is complete, any part of a name matches "
                 "as you type.")
PART_PLACEHOLDER = "Any part of a name"
PART_TOOLTIP = ("Filters as you type: any part of the name, ignoring case and accents "
                "(the local index answers; nothing is sent to the server)")


class NameField(Input):
    """The name field: an `Input` whose typing repaints the field, not the screen.

    Textual's Input sets its virtual size (its text's width) at every change, and that
    reactive asks for a layout of the whole screen: 3-8 ms a key at 120x40, before the
    rows a name typed into the local index selects can be drawn. The field's width is
    set by the filter row, never by its text, so the virtual size is stored without a
    layout; the Input then finds it unchanged. The risk, if Textual's Input changes how
    it scrolls: a long name's cursor scrolling out of view (a test types one).
    """

    def _watch_value(self, value: str) -> None:
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)


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
        def __init__(self, filters: Filters, *, submitted: bool = False) -> None:
            super().__init__()
            self.filters = filters
            self.submitted = submitted  # enter in a field (not a key typed, a step)

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
        self._ranges = Ranges()
        #: Served by the complete local index: names filter as typed, by any part.
        self.index_mode = False

    def compose(self) -> ComposeResult:
        yield NameField(placeholder=EXACT_PLACEHOLDER, id="name-filter",
                        tooltip=EXACT_TOOLTIP)
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
            ranges=self._ranges,
        )

    @property
    def typed_namespace(self) -> str:
        return self.query_one("#namespace", Input).value.strip() or "default"

    @on(Input.Submitted, "#name-filter")
    @on(Input.Submitted, "#id-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters, submitted=True))

    @on(Input.Submitted, "#namespace")
    def _namespace_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.NamespaceSubmitted(self.typed_namespace))

    @on(Input.Changed)
    def _typed_not_applied(self, event: Input.Changed) -> None:
        # Names, ids and namespaces apply on enter: a request per key would spend the
        # rate budget on half-typed names that match nothing exactly. Served by the
        # local index, a name applies as it is typed (no request is sent).
        event.stop()
        if self.index_mode and event.input.id == "name-filter":
            self.post_message(self.Changed(self.filters))

    def set_index_mode(self, on: bool) -> None:
        """Served by the complete local index (True) or by the server: the name field
        says which way it matches."""
        self.index_mode = on
        name_field = self.query_one("#name-filter", Input)
        name_field.placeholder = PART_PLACEHOLDER if on else EXACT_PLACEHOLDER
        name_field.tooltip = PART_TOOLTIP if on else EXACT_TOOLTIP

    def set_ranges(self, ranges: Ranges) -> None:
        """Apply size and date limits (no event: the caller applies the filters)."""
        self._ranges = ranges

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
        """Clear name, status, id, size and date filters; True if anything was set."""
        had_any = self.filters.any
        self._ranges = Ranges()
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


def describe_ranges(ranges: Ranges) -> list[str]:
    """The size and date limits in words: "size 100 MB – 2.0 GB", "created from 2026-01-01"."""
    from memories_tui.format import human_size

    parts = []
    low, high = ranges.size_min, ranges.size_max
    if low is not None and high is not None:
        parts.append(f"size {human_size(low)} – {human_size(high)}")
    elif low is not None:
        parts.append(f"size at least {human_size(low)}")
    elif high is not None:
        parts.append(f"size at most {human_size(high)}")
    first, last = ranges.created_from, ranges.created_to
    if first is not None and last is not None:
        parts.append(f"created {first.isoformat()} – {last.isoformat()}")
    elif first is not None:
        parts.append(f"created from {first.isoformat()}")
    elif last is not None:
        parts.append(f"created up to {last.isoformat()}")
    return parts


def describe_filters(filters: Filters, *, index: bool = False) -> str:
    """What the active filters are, in words; they always apply to the whole library
    (the server's, or the complete local index's with `index`)."""
    parts = []
    if filters.name:
        parts.append(f"name contains “{filters.name}”" if index and not filters.video_no
                     else f"name is “{filters.name}”")
    if filters.status:
        spellings = spellings_of(StatusClass(filters.status))
        spelled = " or ".join(", ".join(spellings).rsplit(", ", 1))
        parts.append(f"status {filters.status} ({spelled})")
    if filters.video_no:
        parts.append(f"video id {filters.video_no}")
    if index and not filters.video_no:
        parts.extend(describe_ranges(filters.ranges))
    if not parts:
        return "No filter: whole library" + (" (local index)" if index else "")
    where = "local index" if index and not filters.video_no else "on the server"
    return f"Filter (whole library, {where}): " + " · ".join(parts)
