"""The library's actions that ask first: delete, download, export, go to a page, page
size. LibraryScreen's part for them.

Each opens its dialog (imported when first opened: start-up needs none) and turns the
answer into a call to a service: deletes and downloads act only on the ids the user
confirmed (the selection, or else the highlighted row), and the delete service says what
it found. Nothing here decides policy: that lives in services/.

`LibraryActionsMixin` is a plain mixin of `LibraryScreen` (library.py), which holds the
bindings, the selection and the page loading these actions use.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from memories_tui.api.models import Video
from memories_tui.config import PAGE_SIZE_RANGE
from memories_tui.filenames import filename_part
from memories_tui.services.deletes import DeleteBusyError, DeleteOutcome, DeleteProgress
from memories_tui.services.downloads import JobState
from memories_tui.tui.widgets.downloads_panel import DownloadsPanel

if TYPE_CHECKING:
    from memories_tui.services.library import VideoQuery
    from memories_tui.tui.modals.download import DownloadRequest
    from memories_tui.tui.screens.base import ViewScreen
    from memories_tui.tui.widgets.video_table import VideoTable

    _ScreenBase = ViewScreen
else:
    _ScreenBase = object


class LibraryActionsMixin(_ScreenBase):
    """Go to page, page size, export, delete, download (and the downloads panel)."""

    if TYPE_CHECKING:  # what this part uses of LibraryScreen
        query_state: VideoQuery

        @property
        def table(self) -> VideoTable: ...
        @property
        def selected(self) -> dict[str, Video]: ...
        @property
        def page_count(self) -> int: ...
        def _targets(self) -> list[Video]: ...
        def _go_to_page(self, page: int) -> None: ...
        def _set_loading(self, message: str) -> None: ...
        def load_page(self, query: VideoQuery, *, keep_cursor_on: str | None = None,
                      use_cache: bool = True) -> None: ...

    # -- paging prompts -------------------------------------------------------------------

    def action_goto_page(self) -> None:
        from memories_tui.tui.modals.prompt import PromptModal, int_validator

        pages = self.page_count

        def go(answer: str | None) -> None:
            if answer:
                self._go_to_page(int(answer.replace(",", "")))

        self.app.push_screen(
            PromptModal(
                f"Go to page (1 – {pages:,})",
                placeholder=str(self.query_state.page),
                validate=int_validator(1, pages, "page"),
            ),
            go,
        )

    def action_page_size(self) -> None:
        from memories_tui.tui.modals.prompt import PromptModal, int_validator

        def apply(answer: str | None) -> None:
            if answer:
                size = int(answer.replace(",", ""))
                self.app.remembered.update(page_size=size)
                self.load_page(self.query_state.resized(size))

        self.app.push_screen(
            PromptModal(
                "Rows per page",
                value=str(self.query_state.size),
                validate=int_validator(*PAGE_SIZE_RANGE, "page size"),
                note="Large pages take longer to draw; 50 – 200 work well.",
            ),
            apply,
        )

    # -- export --------------------------------------------------------------------------

    def action_export(self) -> None:
        """Write the selection (or the page on screen) to a .csv or .json file."""
        from memories_tui.tui.modals.prompt import PromptModal

        videos = list(self.selected.values()) or list(self.table.videos)
        if not videos:
            self.notify("Nothing to export: the page is empty and nothing is selected.",
                        timeout=3)
            return
        what = "selected" if self.selected else "on this page"
        folder = self.app.settings.download_dir or Path.cwd()
        stamp = self.app.clock().strftime("%Y%m%d-%H%M")
        namespace = filename_part(self.query_state.unique_id)
        default = folder / f"memories-{namespace}-{stamp}.csv"

        def check(text: str) -> str | None:
            if Path(text.strip()).suffix.lower() not in (".csv", ".json"):
                return "Name a .csv or .json file."
            return None

        def chosen(answer: str | None) -> None:
            if answer:
                self._export(videos, Path(answer.strip()).expanduser())

        self.app.push_screen(PromptModal(
            f"Export {len(videos):,} {'video' if len(videos) == 1 else 'videos'} ({what})",
            value=str(default), validate=check,
            note="A .csv file for spreadsheets, .json for scripts; the API's field names."),
            chosen)

    @work(group="export", exit_on_error=False)
    async def _export(self, videos: list[Video], path: Path) -> None:
        from memories_tui.services.export import write_videos

        try:
            count = await asyncio.to_thread(write_videos, path, videos)
        except ValueError as error:
            self.notify(f"Not exported: {error}.", title="Export", severity="error",
                        timeout=8, markup=False)
            return
        except OSError as error:
            self.show_error(error, f"export to {path}", title="Export")
            return
        self.notify(f"Exported {count:,} {'video' if count == 1 else 'videos'} to {path}.",
                    title="Export", timeout=8, markup=False)

    # -- delete -----------------------------------------------------------------------

    def action_delete(self) -> None:
        self.ask_to_delete(self._targets(), self.query_state.unique_id, "video",
                           self.delete_videos)

    @work(group="delete", exit_on_error=False)
    async def delete_videos(self, videos: list[Video], unique_id: str) -> None:
        """Hand the confirmed ids to the delete service, then say what it found."""

        def progress(step: DeleteProgress) -> None:
            self._set_loading(step.describe())

        try:
            outcome = await self.app.deletes.delete(
                [v.video_no for v in videos], unique_id, on_progress=progress,
                names={v.video_no: v.name for v in videos},
            )
        except DeleteBusyError as exc:
            self.notify(str(exc), timeout=4)
            return
        finally:
            self._set_loading("")
        # The server confirmed these gone: the local index drops them at once.
        self.app.index.forget(outcome.deleted, unique_id)
        self._show_delete_outcome(outcome)
        if self.app.quitting:
            return  # the app is leaving: no more requests
        highlighted = self.table.highlighted
        self.load_page(self.query_state, use_cache=False,
                       keep_cursor_on=highlighted.video_no if highlighted else None)

    def _show_delete_outcome(self, outcome: DeleteOutcome) -> None:
        self.table.unmark(outcome.deleted)
        still_selected = bool(outcome.failed) and all(v in self.selected for v in outcome.failed)
        for kind, sentence in outcome.sentences():
            if kind == "deleted":
                self.notify(sentence, title="Delete", timeout=5)
                continue
            if kind == "failed" and still_selected:
                sentence += " They are still selected."
            title = "Delete uncertain" if kind == "unknown" else "Delete incomplete"
            self.notify(sentence, title=title, severity="error", timeout=12, markup=False)

    # -- download ----------------------------------------------------------------------

    def action_download(self) -> None:
        videos = self._targets()
        if not videos:
            self.notify("Nothing to download: no video is highlighted or selected.", timeout=3)
            return
        folder = self.app.settings.download_dir or Path.cwd()
        unique_id = self.query_state.unique_id

        def decided(request: DownloadRequest | None) -> None:
            if request is None:
                return
            self.query_one(DownloadsPanel).add_class("open")
            jobs = self.app.downloads.start(request.planned, unique_id, request.conflict)
            skipped = sum(1 for j in jobs if j.state is JobState.SKIPPED)
            if skipped:
                self.notify(f"{skipped:,} skipped: the file exists already.", timeout=5)

        from memories_tui.tui.modals.download import DownloadModal

        self.app.push_screen(DownloadModal(videos, folder), decided)

    def action_toggle_downloads(self) -> None:
        """Show and focus the panel; when it is already focused, hide it."""
        panel = self.query_one(DownloadsPanel)
        if panel.has_class("open") and panel.has_focus:
            panel.remove_class("open")
            self.table.focus()
        else:
            panel.add_class("open")
            panel.focus()
