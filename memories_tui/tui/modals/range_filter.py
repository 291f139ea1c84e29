"""Size and date limits for the library, applied by the local index (the API has neither).

Four fields: size from / to ("500 MB", "1.5 GB", "700k", bytes), created from / to
("2026-03-31", or "30d" for 30 days ago). Both ends are included; an empty field is no
limit. Enter in any field or the Apply button applies, Clear removes every limit, Esc
or Cancel leaves them as they were.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from memories_tui.tui.widgets.filter_bar import Ranges

_UNITS = {
    "": 1, "b": 1, "byte": 1, "bytes": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
    "t": 1000**4, "tb": 1000**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z]*)\s*$")
_DAYS_AGO = re.compile(r"^\s*(\d{1,5})\s*d(?:ays?)?\s*$")


def parse_size(text: str) -> int | None:
    """Bytes from "500 MB", "1.5GB", "700k", "2 GiB" or a plain number of bytes; None for
    an empty field. ValueError (a sentence) for anything else."""
    if not text.strip():
        return None
    match = _SIZE.match(text.lower())
    if match is None or match.group(2) not in _UNITS:
        raise ValueError(f"“{text.strip()}” is not a size: write 500 MB, 1.5 GB, 700 kB "
                         "or a number of bytes.")
    return int(float(match.group(1).replace(",", ".")) * _UNITS[match.group(2)])


def parse_day(text: str, today: date) -> date | None:
    """A day from "2026-03-31" or "30d" (30 days before `today`); None for an empty
    field. ValueError (a sentence) for anything else."""
    text = text.strip()
    if not text:
        return None
    ago = _DAYS_AGO.match(text.lower())
    if ago is not None:
        return today - timedelta(days=int(ago.group(1)))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date: write 2026-03-31, or 30d for 30 days "
                         "ago.") from None


def _size_text(size: int | None) -> str:
    if size is None:
        return ""
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor and size % (factor // 100 or 1) == 0:
            return f"{size / factor:g} {unit}"
    return str(size)


class RangeFilterModal(ModalScreen[Ranges | None]):
    """Asks for size and date limits; dismissed with the new `Ranges`, or None."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ranges-cancel")]

    DEFAULT_CSS = """
    #ranges-dialog .range-row { height: auto; }
    #ranges-dialog .range-label { width: 14; padding: 1 0 0 0; }
    #ranges-dialog .range-to { width: 4; padding: 1 1 0 1; }
    #ranges-dialog Input { width: 1fr; }
    """

    def __init__(self, ranges: Ranges, today: date) -> None:
        super().__init__()
        self.ranges = ranges
        self.today = today

    def compose(self) -> ComposeResult:
        r = self.ranges
        with Vertical(classes="dialog", id="ranges-dialog"):
            yield Label("Size and date filters (local index)", classes="dialog-title")
            with Horizontal(classes="range-row"):
                yield Label("Size from", classes="range-label")
                yield Input(_size_text(r.size_min), placeholder="e.g. 100 MB",
                            id="size-min")
                yield Label("to", classes="range-to")
                yield Input(_size_text(r.size_max), placeholder="e.g. 2 GB", id="size-max")
            with Horizontal(classes="range-row"):
                yield Label("Created from", classes="range-label")
                yield Input(r.created_from.isoformat() if r.created_from else "",
                            placeholder="2026-01-31 or 30d", id="created-from")
                yield Label("to", classes="range-to")
                yield Input(r.created_to.isoformat() if r.created_to else "",
                            placeholder="2026-03-31", id="created-to")
            # Static, not Label: the note wraps to the dialog's width.
            yield Static("Sizes like 500 MB or 1.5 GB; days like 2026-03-31, or 30d for "
                         "30 days ago. Both ends are included; an empty field is no limit. "
                         "A limit leaves out videos whose size or date is unknown.",
                         classes="dialog-note")
            yield Label("", id="ranges-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="ranges-cancel-button")
                yield Button("Clear", id="ranges-clear-button")
                yield Button("Apply", id="ranges-apply-button", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#size-min", Input).focus()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    @on(Input.Submitted)
    @on(Button.Pressed, "#ranges-apply-button")
    def _apply(self) -> None:
        try:
            ranges = Ranges(
                size_min=parse_size(self._value("size-min")),
                size_max=parse_size(self._value("size-max")),
                created_from=parse_day(self._value("created-from"), self.today),
                created_to=parse_day(self._value("created-to"), self.today),
            )
        except ValueError as problem:
            self.query_one("#ranges-error", Label).update(Text(str(problem)))
            return
        if (ranges.size_min is not None and ranges.size_max is not None
                and ranges.size_min > ranges.size_max):
            self.query_one("#ranges-error", Label).update(
                Text("The smallest size is larger than the largest."))
            return
        if (ranges.created_from is not None and ranges.created_to is not None
                and ranges.created_from > ranges.created_to):
            self.query_one("#ranges-error", Label).update(
                Text("The first day comes after the last."))
            return
        self.dismiss(ranges)

    @on(Button.Pressed, "#ranges-clear-button")
    def _clear(self) -> None:
        self.dismiss(Ranges())

    @on(Button.Pressed, "#ranges-cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)


def ranges_to_datetimes(ranges: Ranges) -> tuple[datetime | None, datetime | None]:
    """The creation limits as the index takes them: from the first day's start (UTC) to
    the start of the day after the last."""
    from datetime import UTC

    first = (datetime(ranges.created_from.year, ranges.created_from.month,
                      ranges.created_from.day, tzinfo=UTC)
             if ranges.created_from is not None else None)
    last = None
    if ranges.created_to is not None:
        end = ranges.created_to + timedelta(days=1)
        last = datetime(end.year, end.month, end.day, tzinfo=UTC)
    return first, last
