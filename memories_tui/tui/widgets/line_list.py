"""A list of one-line entries that draws only the lines in view.

A dialog may list every video of a select-all: 100,000 of them. A widget a line (or one
`Static` holding every line) held the app for minutes and took a gigabyte; this one asks
for a line when it scrolls into view, and costs the same for ten lines or 100,000.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

#: `line(index, width)`: entry `index` as drawn in a list `width` cells wide.
LineMaker = Callable[[int, int], Text]


class LineList(ScrollView):
    """`count` lines made by `line`, each as wide as the list: a line wider than the
    list is cut with "…" (the list never scrolls sideways). Scrolls like any list
    (mouse, arrows, page keys, Home/End) once focused."""

    DEFAULT_CSS = """
    LineList { overflow-x: hidden; }
    """

    def __init__(self, count: int = 0, line: LineMaker | None = None, *,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._count = count
        self._line: LineMaker = line or (lambda _index, _width: Text())
        self.virtual_size = Size(0, count)

    def show(self, count: int, line: LineMaker) -> None:
        """List `count` other lines (the view goes back to the top)."""
        self._count, self._line = count, line
        self.scroll_to(0, 0, animate=False)
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._count)
        self.refresh()

    def shown(self) -> list[str]:
        """Every line as drawn at the list's width (for tests)."""
        width = self.scrollable_content_region.width
        return [self._fitted(index, width).plain for index in range(self._count)]

    def _fitted(self, index: int, width: int) -> Text:
        line = self._line(index, width)
        if line.cell_len > width:
            line.truncate(width, overflow="ellipsis")
        return line

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= self._count or width <= 0:
            return Strip.blank(width, style)
        segments = self._fitted(index, width).render(self.app.console)
        return Strip(segments).apply_style(style).crop_extend(scroll_x, scroll_x + width,
                                                               style)
