"""The line under the table: page position, totals, sort, selection and loading state."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class Pager(Widget):
    """`Page X of Y · N things`; subclasses name the things and how pages are sized."""

    NOUNS = ("video", "videos")
    SIZE_NOTE = "per page"

    DEFAULT_CSS = """
    Pager {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    page: reactive[int] = reactive(1)
    pages: reactive[int] = reactive(1)
    total: reactive[int | None] = reactive(None)
    # Not `loading`: that is Widget's own flag, which covers the widget with a spinner.
    loading_text: reactive[str] = reactive("")
    sort: reactive[str] = reactive("")
    selection: reactive[str] = reactive("")
    page_size: reactive[int] = reactive(50)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        total = "…" if self.total is None else f"{self.total:,}"
        noun = self.NOUNS[0] if self.total == 1 else self.NOUNS[1]
        text.append(f"Page {self.page:,} of {self.pages:,} · {total} {noun}", style="bold")
        text.append(f"  ({self.page_size} {self.SIZE_NOTE})", style="dim")
        if self.sort:
            text.append(f"  ⇅ {self.sort}", style="cyan")
        if self.selection:
            text.append(f"  ● {self.selection}", style="bold magenta")
        if self.loading_text:
            text.append(f"  ⟳ {self.loading_text}", style="italic yellow")
        return text
