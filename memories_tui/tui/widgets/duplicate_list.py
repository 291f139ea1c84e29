"""Groups of duplicate videos, one line a group heading and one line a copy.

Drawn line by line like the video table (only the lines on screen are painted), so
thousands of groups cost nothing to show. The cursor moves over copies only; marks
(the selection) are kept by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from memories_tui.api.models import Video
from memories_tui.api.status import status_class
from memories_tui.format import duration_hms, human_size, relative_time
from memories_tui.safetext import safe_cell, safe_text
from memories_tui.tui.widgets.video_table import MARK, STATUS_STYLES

if TYPE_CHECKING:  # the index is imported when the view first needs it
    from memories_tui.services.index_store import DuplicateGroup


@dataclass(frozen=True, slots=True)
class _Line:
    group: int  # index in `groups`
    video: Video | None  # None: the group's heading


class DuplicateList(ScrollView, can_focus=True):
    """Duplicate groups; posts `Highlighted` and `MarksChanged`."""

    BINDINGS = [
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Screen up", show=False),
        Binding("pagedown", "page_down", "Screen down", show=False),
        Binding("home", "cursor_first", "First copy", show=False),
        Binding("end", "cursor_last", "Last copy", show=False),
    ]

    COMPONENT_CLASSES = {"duplicate-list--heading", "duplicate-list--cursor",
                         "duplicate-list--keep"}

    DEFAULT_CSS = """
    DuplicateList {
        height: 1fr;
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .duplicate-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .duplicate-list--heading {
            text-style: bold;
            background: $panel;
        }
        & > .duplicate-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        & > .duplicate-list--keep {
            color: $success;
        }
    }
    """

    class Highlighted(Message):
        def __init__(self, video: Video | None) -> None:
            super().__init__()
            self.video = video

    class MarksChanged(Message):
        """Copies were marked or unmarked."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.groups: list[DuplicateGroup] = []
        self.kept: set[str] = set()
        self._lines: list[_Line] = []
        self.marked: dict[str, Video] = {}
        self.cursor = 0  # a line index (always a copy when there is one)
        self._now = datetime.now(UTC)
        self._styles: dict[str, Style] = {}

    # -- data -----------------------------------------------------------------------

    def show_groups(self, groups: list[DuplicateGroup], kept: Iterable[str], *,
                    now: datetime) -> None:
        """Show `groups`; `kept`: the copy of each group that "select spare copies"
        leaves. Marks of ids no longer listed are dropped; the cursor stays on its
        video when it is still there."""
        current = self.highlighted
        self.groups, self.kept, self._now = groups, set(kept), now
        self._lines = []
        for i, group in enumerate(groups):
            self._lines.append(_Line(i, None))
            self._lines.extend(_Line(i, video) for video in group.copies)
        listed = {line.video.video_no for line in self._lines if line.video is not None}
        dropped = [video_no for video_no in self.marked if video_no not in listed]
        for video_no in dropped:
            del self.marked[video_no]
        self.virtual_size = Size(self.size.width, len(self._lines))
        target = 0
        if current is not None:
            target = next((n for n, line in enumerate(self._lines)
                           if line.video is not None
                           and line.video.video_no == current.video_no), 0)
        self.cursor = -1
        self._move(self._copy_at_or_after(target, 1))
        if dropped:
            self.post_message(self.MarksChanged())
        self.refresh()

    @property
    def highlighted(self) -> Video | None:
        if 0 <= self.cursor < len(self._lines):
            return self._lines[self.cursor].video
        return None

    @property
    def copy_count(self) -> int:
        return sum(len(g.copies) for g in self.groups)

    # -- marks ------------------------------------------------------------------------

    def toggle_mark(self) -> None:
        video = self.highlighted
        if video is None:
            return
        if self.marked.pop(video.video_no, None) is None:
            self.marked[video.video_no] = video
        self.refresh_line(self.cursor)
        self.post_message(self.MarksChanged())

    def mark(self, ids: Iterable[str]) -> int:
        """Mark the listed copies among `ids`; how many are marked now in all."""
        wanted = set(ids)
        for line in self._lines:
            if line.video is not None and line.video.video_no in wanted:
                self.marked[line.video.video_no] = line.video
        self.refresh()
        self.post_message(self.MarksChanged())
        return len(self.marked)

    def unmark(self, ids: Iterable[str] | None = None) -> None:
        if ids is None:
            self.marked.clear()
        else:
            for video_no in ids:
                self.marked.pop(video_no, None)
        self.refresh()
        self.post_message(self.MarksChanged())

    # -- cursor -----------------------------------------------------------------------

    def _copy_at_or_after(self, line: int, step: int) -> int:
        """The nearest copy line from `line` in the direction `step` (else the other)."""
        n = len(self._lines)
        for direction in (step, -step):
            i = line
            while 0 <= i < n:
                if self._lines[i].video is not None:
                    return i
                i += direction
        return 0

    def _move(self, line: int) -> None:
        line = max(0, min(line, len(self._lines) - 1)) if self._lines else 0
        old, self.cursor = self.cursor, line
        if old != line:
            if 0 <= old < len(self._lines):
                self.refresh_line(old)
            self.refresh_line(line)
        # Keep the group heading in view with its first copy.
        top = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        if line - 1 < top:
            self.scroll_to(y=max(0, line - 1), animate=False, immediate=True)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False, immediate=True)
        if old != line:
            self.post_message(self.Highlighted(self.highlighted))

    def action_cursor_down(self) -> None:
        if self.cursor + 1 < len(self._lines):
            self._move(self._copy_at_or_after(self.cursor + 1, 1))

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self._move(self._copy_at_or_after(self.cursor - 1, -1))

    def action_page_down(self) -> None:
        step = max(1, self.scrollable_content_region.height - 2)
        self._move(self._copy_at_or_after(min(len(self._lines) - 1, self.cursor + step), 1))

    def action_page_up(self) -> None:
        step = max(1, self.scrollable_content_region.height - 2)
        self._move(self._copy_at_or_after(max(0, self.cursor - step), -1))

    def action_cursor_first(self) -> None:
        self._move(self._copy_at_or_after(0, 1))

    def action_cursor_last(self) -> None:
        self._move(self._copy_at_or_after(len(self._lines) - 1, -1))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        line = int(self.scroll_y) + offset.y
        if 0 <= line < len(self._lines) and self._lines[line].video is not None:
            if line == self.cursor:
                self.toggle_mark()  # a second click on a copy marks it
            else:
                self._move(line)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._lines))

    # -- painting ---------------------------------------------------------------------

    def _style(self, spec: str) -> Style:
        style = self._styles.get(spec)
        if style is None:
            style = self._styles[spec] = Style.parse(spec) if spec else Style()
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def heading_text(self, group: DuplicateGroup) -> str:
        copies = len(group.copies)
        frees = human_size(group.size * (copies - 1))
        if group.kind == "name_size":
            name = safe_cell(group.name or "", max_len=60) or "(no name)"
            return (f"“{name}” · {copies} copies of {human_size(group.size)} · deleting the "
                    f"spare {'copy' if copies == 2 else 'copies'} frees {frees}")
        return (f"{copies} copies of {human_size(group.size)}, {duration_hms(group.duration)} "
                f"long · frees {frees}")

    def _copy_cells(self, group: DuplicateGroup, video: Video) -> list[tuple[str, str]]:
        created = (video.create_time.strftime("%Y-%m-%d %H:%M")
                   if video.create_time is not None else "—")
        status = video.status or "—"
        cells = [
            (MARK if video.video_no in self.marked else " ", "bold"),
            (safe_text(video.video_no, max_len=24).ljust(22), "dim"),
            (set_cell_size(safe_text(status, max_len=12), 12),
             STATUS_STYLES[status_class(video.status)] if video.status else "dim"),
            (f"{created}  ({relative_time(video.create_time, self._now)})", ""),
        ]
        if group.kind != "name_size":
            cells.append((safe_cell(video.name, max_len=40) or "(no name)", ""))
        if video.video_no in self.kept:
            ready = status_class(video.status).value == "ready"
            cells.append((f"stays: the newest {'ready ' if ready else ''}copy", "italic"))
        return cells

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        n = int(self.scroll_y) + y
        if n >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[n]
        group = self.groups[line.group]
        if line.video is None:
            style = base + self.get_component_rich_style("duplicate-list--heading")
            text = set_cell_size(f" {self.heading_text(group)}", width)
            return Strip([Segment(text, style)], width)
        cursor = n == self.cursor
        line_style = base + self.get_component_rich_style("duplicate-list--cursor") \
            if cursor else base
        keep_style = self.get_component_rich_style("duplicate-list--keep")
        segments = [Segment("   ", line_style)]
        used = 3
        for text, spec in self._copy_cells(group, line.video):
            if used >= width:
                break
            piece = text + "  "
            if used + cell_len(piece) > width:
                piece = set_cell_size(piece, width - used)
            style = line_style if cursor else line_style + self._style(spec)
            if spec == "italic" and not cursor:
                style += keep_style
            segments.append(Segment(piece, style))
            used += cell_len(piece)
        if used < width:
            segments.append(Segment(" " * (width - used), line_style))
        return Strip(segments, width)
