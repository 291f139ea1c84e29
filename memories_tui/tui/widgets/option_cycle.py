"""A one-line choice among a few options, changed in place: ←/→, space, enter or a click.

Used for the status filter, which has four values. A drop-down (Textual's Select) is
six widgets and an overlay, mounted and styled at start-up for a list that fits in
the field itself; here the field shows the choice and its neighbours are a key away.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class OptionCycle(Widget, can_focus=True):
    """Shows `‹ label ›` for the current value; posts `OptionCycle.Changed` on change."""

    DEFAULT_CSS = """
    OptionCycle {
        background: $surface;
        color: $foreground;
        border: tall $border-blurred;
        padding: 0 1;
        width: 100%;
        height: 3;
        pointer: pointer;
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
        }
        &:hover {
            background: $block-hover-background;
        }
    }
    """

    BINDINGS = [
        Binding("right,space,enter", "step(1)", "Next choice", show=False),
        Binding("left", "step(-1)", "Previous choice", show=False),
    ]

    value: reactive[str] = reactive("", init=False)

    class Changed(Message):
        def __init__(self, cycle: OptionCycle, value: str) -> None:
            super().__init__()
            self.cycle = cycle
            self.value = value

        @property
        def control(self) -> OptionCycle:
            return self.cycle

    def __init__(self, options: Sequence[tuple[str, str]], value: str = "", *,
                 id: str | None = None, tooltip: str | None = None) -> None:
        """`options` are (label, value) pairs, in the order the keys step through."""
        super().__init__(id=id)
        if not options:
            raise ValueError("an OptionCycle needs at least one option")
        self._options = list(options)
        self.set_reactive(OptionCycle.value, self._known(value))
        if tooltip:
            self.tooltip = tooltip

    def _known(self, value: str) -> str:
        values = [option for _label, option in self._options]
        return value if value in values else values[0]

    def _index(self) -> int:
        return [option for _label, option in self._options].index(self.value)

    def validate_value(self, value: str) -> str:
        return self._known(value)

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))

    @property
    def label(self) -> str:
        return self._options[self._index()][0]

    def action_step(self, delta: int) -> None:
        self.value = self._options[(self._index() + delta) % len(self._options)][1]

    def on_click(self, event: events.Click) -> None:
        # The left arrow's side steps back, the rest steps forward.
        self.action_step(-1 if event.x < self.gutter.left + 2 else 1)

    def render(self) -> Text:
        width = max(self.content_region.width, 1)
        label = self.label
        room = max(width - 4, 1)
        if len(label) > room:
            label = label[: max(room - 1, 0)] + "…"
        text = Text(no_wrap=True, overflow="crop")
        text.append("‹ ", style="dim")
        text.append(label.ljust(room), style="bold" if self.value else "")
        text.append(" ›", style="dim")
        return text
