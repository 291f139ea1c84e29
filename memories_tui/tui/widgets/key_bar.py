"""The bottom line of every screen: the keys that work here, each clickable.

It looks and behaves like Textual's Footer (one entry per action, disabled keys dimmed,
the command palette key on the right) but is one widget that draws a line of text.
The Footer builds a widget per key and rebuilds them all whenever the bindings change
(at every focus change): at start-up that was a dozen widgets to mount and style before
the first frame, and the bar is redrawn far more often than it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class KeyItem:
    """One entry of the bar, and the cells it takes."""

    key: str  # what a press sends, e.g. "right_square_bracket"
    display: str  # how it is shown, e.g. "]"
    description: str
    enabled: bool
    action: str = ""
    start: int = 0
    end: int = 0

    @property
    def width(self) -> int:
        """Cells it takes: " key " and "description "."""
        return cell_len(self.display) + cell_len(self.description) + 3


class KeyBar(Widget, can_focus=False):
    """Posts nothing: a click on an entry presses its key, as the keyboard would."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--hover"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[KeyItem] = []
        self._hover: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    # -- what to show -------------------------------------------------------------

    def _entries(self) -> tuple[list[KeyItem], KeyItem | None]:
        """The shown bindings, first key per action, and the command palette's key."""
        app = self.app
        active = self.screen.active_bindings
        items: list[KeyItem] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            items.append(KeyItem(binding.key, app.get_key_display(binding),
                                 binding.description, enabled, binding.action))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = KeyItem(binding.key, app.get_key_display(binding),
                              binding.description, enabled)
        return items, palette

    def render(self) -> Text:
        entries, palette = self._entries()
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        hover_style = self.get_component_rich_style("key-bar--hover", partial=True)
        width = self.size.width
        palette_text = Text()
        if palette is not None:
            palette_text.append("▏", style=Style(dim=True))
            palette_text.append(f"{palette.display} ", style=key_style)
            palette_text.append(f"{palette.description} ", style=description_style)
        room = width - palette_text.cell_len
        text = Text(no_wrap=True, overflow="crop", end="")
        self._items = []
        for item in _fitting(entries, room):
            start = text.cell_len
            key, description = f" {item.display} ", f"{item.description} "
            index = len(self._items)
            text.append(key, style=key_style)
            text.append(description, style=description_style)
            end = text.cell_len
            self._items.append(replace(item, start=start, end=end))
            self._dress(text, start, end, item.enabled, index == self._hover, hover_style)
        text.truncate(max(room, 0), pad=True)
        if palette is not None and width > palette_text.cell_len:
            start = text.cell_len
            text.append_text(palette_text)
            self._items.append(replace(palette, start=start + 1, end=text.cell_len))
            self._dress(text, start + 1, text.cell_len, palette.enabled,
                        len(self._items) - 1 == self._hover, hover_style)
        return text

    @staticmethod
    def _dress(text: Text, start: int, end: int, enabled: bool, hovered: bool,
               hover_style: Style) -> None:
        if hovered and enabled:
            text.stylize(hover_style, start, end)
        if not enabled:
            text.stylize(Style(dim=True), start, end)

    # -- mouse ------------------------------------------------------------------

    def _item_at(self, x: int) -> int | None:
        for index, item in enumerate(self._items):
            if item.start <= x < item.end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._item_at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self._item_at(event.x)
        if index is None:
            return
        event.stop()
        item = self._items[index]
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def shown_keys(self) -> list[str]:
        """The entries drawn last, as "key description" (for tests and the help)."""
        return [f"{item.display} {item.description}" for item in self._items]


def _fitting(entries: list[KeyItem], room: int) -> list[KeyItem]:
    """The entries that fit whole, in order. When some must go, the help key stays
    (last): it lists every key, those left out included."""
    if sum(item.width for item in entries) <= room:
        return entries
    kept_last = [item for item in entries if item.action == "help"][:1]
    room -= sum(item.width for item in kept_last)
    shown: list[KeyItem] = []
    for item in entries:
        if item in kept_last:
            continue
        if item.width > room:
            break
        shown.append(item)
        room -= item.width
    return shown + kept_last if room >= 0 else shown
