"""Duplicates (key 5): videos uploaded more than once, found in the complete local index.

Two kinds of groups (`t` switches): the same name and size, or the same size and
duration whatever the names. Each copy shows its status, date and id. `a` selects
every copy but one per group (the newest ready copy stays: `IndexStore.spare_copies`),
`d` deletes the selection after the usual confirmation, `enter` shows a copy in the
library. While the index is not complete the view says so and `I` starts a full pass.

The index is a cache, never the authority: a delete acts on the ids the user confirmed,
and what the server confirmed gone is dropped from the index.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from memories_tui.api.models import Video
from memories_tui.format import human_size, total_size
from memories_tui.services.deletes import DeleteBusyError, DeleteOutcome, DeleteProgress
from memories_tui.tui.screens.base import ViewScreen
from memories_tui.tui.widgets.duplicate_list import DuplicateList
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from memories_tui.services.index_store import DuplicateGroup

KIND_WORDS = {
    "name_size": "the same name and size",
    "size_duration": "the same size and duration",
}


class DuplicatesScreen(ViewScreen):
    """Groups of duplicate videos from the local index, and deleting the spare copies."""

    VIEW_NAME = "Duplicates"
    MESSAGE_ID = "duplicates-message"
    CSS_PATH = "duplicates.tcss"

    BINDINGS = [
        Binding("t", "toggle_kind", "Switch kind", id="duplicates-kind",
                tooltip="Groups of the same name and size, or of the same size and "
                        "duration whatever the names"),
        Binding("a", "select_spares", "Select spares", id="duplicates-select-spares",
                tooltip="Select every copy but one per group (the newest ready copy "
                        "stays)"),
        Binding("space", "toggle_select", "Select", id="duplicates-select"),
        Binding("u", "clear_selection", "Clear selection", show=False,
                id="duplicates-clear-selection"),
        Binding("d", "delete", "Delete", id="duplicates-delete"),
        Binding("enter", "show_in_library", "Show in the library", show=False,
                id="duplicates-show"),
        Binding("r", "refresh", "Refresh", id="duplicates-refresh"),
        Binding("y", "copy_id", "Copy id", show=False, id="duplicates-copy-id"),
        Binding("j", "cursor_down", "Row down", show=False, id="duplicates-row-down"),
        Binding("k", "cursor_up", "Row up", show=False, id="duplicates-row-up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind = "name_size"
        self.groups: list[DuplicateGroup] = []
        #: The namespace and index version the groups were read from.
        self._read_for: tuple[str, int, str] | None = None

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield Static("", id="duplicates-summary")
        yield Static("", id="duplicates-message")
        yield DuplicateList(id="duplicate-list")
        yield Static("", id="duplicates-selection")
        yield KeyBar()

    @property
    def listing(self) -> DuplicateList:
        return self.query_one(DuplicateList)

    def on_mount(self) -> None:
        self.watch(self.app, "index_version", self._index_changed, init=False)
        self.watch(self.app, "unique_id", self._index_changed, init=False)
        # While the index is built, the message says how far it is (at most once a
        # second: the app throttles the line).
        self.watch(self.app, "index_line", self._progress_changed, init=False)
        self.listing.focus()
        self.reload()

    def _index_changed(self, _value: object) -> None:
        # Later: the namespace may be switching under this call.
        self.call_later(self.reload)

    def _progress_changed(self, _line: str) -> None:
        if self._read_for is None and not self.app.index.ready_for(self.app.unique_id):
            self._show_incomplete()

    def on_screen_resume(self) -> None:
        self.reload()

    def help_widgets(self) -> list[tuple[str, object]]:
        return [("Duplicate list", self.listing)]

    # -- reading the groups ---------------------------------------------------------------

    def reload(self, *, force: bool = False) -> None:
        """Read the groups again if the index (or the kind, or the namespace) changed."""
        app = self.app
        index = app.index
        unique_id = app.unique_id
        if not index.ready_for(unique_id):
            self.groups = []
            self._read_for = None
            self.listing.show_groups([], (), now=app.clock())
            self._show_incomplete()
            return
        key = (unique_id, app.index_version, self.kind)
        if key == self._read_for and not force:
            return
        self._read_for = key
        self.load_groups(self.kind)

    @work(exclusive=True, group="duplicates", exit_on_error=False)
    async def load_groups(self, kind: str) -> None:
        import sqlite3

        store = self.app.index.store
        if store is None:
            return
        self.query_one("#duplicates-summary", Static).update(
            Text(f"Looking for videos with {KIND_WORDS[kind]}…"))
        try:
            # Every row of a repeated size is read: a worker thread does it.
            groups = await asyncio.to_thread(store.duplicate_groups, kind)
        except sqlite3.Error as exc:
            self.show_message(f"The local index could not be read ({exc}).", error=True)
            return
        if kind != self.kind:
            return
        self.groups = groups
        kept = _kept(groups)
        self.listing.show_groups(groups, kept, now=self.app.clock())
        self._show_summary()
        if groups:
            self.show_message("")
        else:
            self.show_message(f"No videos with {KIND_WORDS[kind]} in namespace "
                              f"“{self.app.unique_id}”. t looks for "
                              f"{KIND_WORDS[_other(kind)]}.")
        self._show_selection()

    def _show_summary(self) -> None:
        groups = self.groups
        spare = sum(len(g.copies) - 1 for g in groups)
        frees = sum(g.size * (len(g.copies) - 1) for g in groups)
        text = (f"{len(groups):,} {'group' if len(groups) == 1 else 'groups'} of videos "
                f"with {KIND_WORDS[self.kind]} · {spare:,} spare "
                f"{'copy' if spare == 1 else 'copies'} · {human_size(frees)} to free · "
                f"t: {KIND_WORDS[_other(self.kind)]}")
        self.query_one("#duplicates-summary", Static).update(Text(text))

    def _show_incomplete(self) -> None:
        index = self.app.index
        summary = self.query_one("#duplicates-summary", Static)
        summary.update(Text("Duplicates come from the local index of the whole library."))
        if not index.enabled:
            self.show_message("The local index is off (index = false in the config file, "
                              "or MEMORIES_INDEX=false): duplicates cannot be found.")
            return
        progress = index.progress
        running = progress is not None and progress.phase in (
            "indexing", "rechecking", "verifying", "waiting")
        if running:
            self.show_message(f"The local index is not complete yet ({index.status_words()}). "
                              "This view fills in as soon as it is.")
        else:
            self.show_message("The local index is not complete yet, so duplicates cannot be "
                              "found. Press I to index the whole library now (it runs in "
                              "the background; your own requests go first).")
        self._show_selection()

    # -- selection ------------------------------------------------------------------------

    @on(DuplicateList.MarksChanged)
    def _show_selection(self) -> None:
        marked = self.listing.marked
        line = self.query_one("#duplicates-selection", Static)
        if marked:
            size = total_size(v.size for v in marked.values())
            line.update(Text(f"● {len(marked):,} selected ({size}) · d deletes them · "
                             "u clears", style="bold magenta"))
        else:
            line.update(Text("Nothing selected · a selects the spare copies (the newest "
                             "ready copy of each group stays) · space one copy", style="dim"))

    def action_toggle_select(self) -> None:
        self.listing.toggle_mark()
        self.listing.action_cursor_down()

    def action_select_spares(self) -> None:
        from memories_tui.services.index_store import IndexStore

        if not self.groups:
            self.notify("No duplicates to select.", timeout=3)
            return
        spare = IndexStore.spare_copies(self.groups)
        self.listing.mark(spare)
        size = total_size(v.size for v in self.listing.marked.values())
        self.notify(f"Selected {len(spare):,} spare {'copy' if len(spare) == 1 else 'copies'} "
                    f"({size}): the newest ready copy of each group stays. d deletes them.",
                    title="Duplicates", timeout=6)

    def action_clear_selection(self) -> None:
        self.listing.unmark()

    # -- actions ----------------------------------------------------------------------------

    def action_toggle_kind(self) -> None:
        self.kind = _other(self.kind)
        self.reload(force=True)

    def action_refresh(self) -> None:
        """A quick refresh of the index (first and last pages), then the groups again."""
        self.app.index.request_refresh()
        self.reload(force=True)

    def action_cursor_down(self) -> None:
        self.listing.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.listing.action_cursor_up()

    def action_copy_id(self) -> None:
        video = self.listing.highlighted
        if video is not None:
            self.copy_text(video.video_no)

    async def action_show_in_library(self) -> None:
        video = self.listing.highlighted
        if video is not None:
            await self.app.show_video_in_library(video.video_no, self.app.unique_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete" and self.app.settings.read_only:
            return None
        return True

    def action_delete(self) -> None:
        videos = list(self.listing.marked.values())
        if not videos and self.listing.highlighted is not None:
            videos = [self.listing.highlighted]
        self.ask_to_delete(videos, self.app.unique_id, "copy", self.delete_videos)

    @work(group="delete", exit_on_error=False)
    async def delete_videos(self, videos: list[Video], unique_id: str) -> None:
        """Hand the confirmed ids to the delete service, then say what it found."""
        selection = self.query_one("#duplicates-selection", Static)

        def progress(step: DeleteProgress) -> None:
            selection.update(Text(f"⟳ {step.describe()}", style="italic yellow"))

        try:
            outcome = await self.app.deletes.delete(
                [v.video_no for v in videos], unique_id, on_progress=progress,
                names={v.video_no: v.name for v in videos},
            )
        except DeleteBusyError as exc:
            self.notify(str(exc), timeout=4)
            self._show_selection()
            return
        self.app.index.forget(outcome.deleted, unique_id)
        self._show_outcome(outcome)
        self.listing.unmark(outcome.deleted)
        self.reload(force=True)

    def _show_outcome(self, outcome: DeleteOutcome) -> None:
        for kind, sentence in outcome.sentences(look_again="Press r to look again."):
            if kind == "deleted":
                self.notify(sentence, title="Delete", timeout=5)
                continue
            title = "Delete uncertain" if kind == "unknown" else "Delete incomplete"
            self.notify(sentence, title=title, severity="error", timeout=12, markup=False)

    def worker_failed(self, worker: Any) -> None:
        if worker.group == "duplicates":
            self.show_message("The duplicates could not be read (an unexpected error). "
                              "Press r to try again.", error=True)


def _other(kind: str) -> str:
    return "size_duration" if kind == "name_size" else "name_size"


def _kept(groups: list[DuplicateGroup]) -> set[str]:
    """The copy each group keeps when the spare copies are selected."""
    from memories_tui.services.index_store import IndexStore

    spare = set(IndexStore.spare_copies(groups))
    return {v.video_no for g in groups for v in g.copies if v.video_no not in spare}
