"""What every hostile test needs: the app against a fake, and what a user would notice.

A user notices three things: whether the app is still there, what the screen says
(notifications included), and what landed on the disk. The helpers here read exactly
those, the screen as the terminal would get it, line by line from the compositor.
"""

from __future__ import annotations

import asyncio
import io
import re
import unicodedata
from pathlib import Path

from rich.console import Console
from textual import events
from textual.screen import Screen

from memories_tui.filenames import PART_SUFFIX
from memories_tui.safetext import _EMOJI_JOINER
from memories_tui.tui.app import MemoriesApp
from memories_tui.tui.screens.library import LibraryScreen
from tests.tui.helpers import TEST_KEY, make_app, wait_for_workers

SIZE = (120, 40)
TALL = (160, 64)  # shows the whole hostile library (55 videos) on one screen
SHORT_TIMEOUT = 1.0  # seconds: stalls must end in an error within this


class Backoff:
    """Stands in for the client's sleep: records each wait and returns at once.

    With `hold()`, waits block until `release()`, so a test can look at the screen
    while the client is backing off, without spending real seconds on it.
    """

    def __init__(self) -> None:
        self.waits: list[float] = []
        self._open = asyncio.Event()
        self._open.set()

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await self._open.wait()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()


def hostile_app(base_url: str, **settings) -> MemoriesApp:
    """The app as a user starts it, with backoffs that cost no wall-clock time."""
    return with_instant_backoff(make_app(base_url, **settings))


def with_instant_backoff(app: MemoriesApp) -> MemoriesApp:
    # The client's sleep is its one seam for time; backoff lengths are what the
    # client decides, and `app.backoff.waits` shows them.
    app.backoff = Backoff()
    app.client._sleep = app.backoff
    return app


async def started(pilot) -> LibraryScreen:
    """The library screen once its first page (or its error) is shown."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def settle(pilot) -> None:
    """Until every worker (and any worker they start) is done, and the screen caught up."""
    await wait_for_workers(pilot.app)
    await pilot.pause()


def screen_text(app) -> str:
    """What the terminal shows now (toasts included when the app runs with notifications)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def messages(app) -> list[str]:
    """Every notification so far, title and message, as the user read them."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def notified(app, words: str) -> bool:
    return any(words in m for m in messages(app))


def unsafe_characters(text: str) -> set[str]:
    """Characters that would act on a terminal or hide text, if any reached the screen.

    Line breaks between screen lines are ours; a zero-width joiner inside an emoji
    sequence (👩‍💻) is how such emoji are written and hides nothing.
    """
    found = set()
    for index, ch in enumerate(text):
        if ch == "\n":
            continue
        if ch == "\u200d" and _EMOJI_JOINER.match(text, index):
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            found.add(ch)
    return found


def assert_screen_is_clean(app) -> str:
    """The screen holds no control or invisible character and never the key."""
    text = screen_text(app)
    assert unsafe_characters(text) == set(), sorted(map(hex, map(ord, unsafe_characters(text))))
    for message in messages(app):
        assert unsafe_characters(message.replace("\n", " ")) == set(), message
    assert TEST_KEY not in text and all(TEST_KEY not in m for m in messages(app))
    return text


def assert_still_running(app, view: type[Screen] = LibraryScreen) -> None:
    """The app is up, and `view` is still the view under whatever is on top."""
    assert app.is_running and app.return_code is None
    assert isinstance(app.screen_stack[0], view)


async def paste(pilot, text: str) -> None:
    """Paste into the focused widget, as a terminal delivers a paste."""
    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())


def assert_no_stray_files(root: Path, folder: Path | None = None) -> list[Path]:
    """No `.part` anywhere under `root`, and every file inside `folder` (if given)."""
    found = files_under(root)
    assert not [p for p in found if p.name.endswith(PART_SUFFIX)], found
    if folder is not None:
        resolved = folder.resolve()
        outside = [p for p in found if p.resolve().parent != resolved]
        assert not outside, outside
    return found


async def click_video(pilot, screen: LibraryScreen, video_no: str) -> None:
    """Click a video's row, as a person would (the row must be on screen: see TALL)."""
    table = screen.table
    row = [v.video_no for v in table.videos].index(video_no)
    # One header line, then one line per row; the name column starts after the mark.
    y = row + 1 - round(table.scroll_offset.y)
    assert 1 <= y < table.size.height, "the row is not on screen"
    await pilot.click(type(table), offset=(6, y))
    assert table.highlighted is not None and table.highlighted.video_no == video_no


async def download(pilot, screen: LibraryScreen, video_nos: list[str] = ()) -> None:
    """Select videos by clicking and space (none: the highlighted row), press s and
    confirm the dialog with enter.

    Returns once the download jobs have been created (they may still be running).
    """
    assert pilot.app.screen is screen
    await choose_downloads(pilot, video_nos)
    await pilot.press("enter")  # focus starts in the folder field: enter downloads


async def choose_downloads(pilot, video_nos: list[str] = ()) -> None:
    """Select videos (none: the highlighted row) and open the download dialog."""
    screen = pilot.app.screen
    for video_no in video_nos:
        await click_video(pilot, screen, video_no)
        await pilot.press("space")
    await pilot.press("s")


async def downloads_finished(pilot) -> None:
    await wait_for_workers(pilot.app, "downloads")
    await pilot.pause()


def table_message(screen: LibraryScreen) -> str:
    """The line shown in place of the table when a page could not be shown."""
    widget = screen.query_one("#table-message")
    return str(widget.render()) if widget.display else ""


def pane_text(pane, width: int = 60) -> str:
    """Everything in the detail pane, scrolled into view or not, as plain text."""
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(pane.query_one("#detail-body").content)
    return console.file.getvalue()


def squeezed(text: str) -> str:
    """Text without white space, to find a value the pane folded over several lines."""
    return re.sub(r"\s+", "", text)
