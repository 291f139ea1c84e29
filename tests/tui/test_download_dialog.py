"""The download dialog's answer to "a file of that name exists": what lands on the disk.

Each choice is made as a user makes it (a click on its radio button, then Download),
against the fake, and the test looks at the folder afterwards: skip leaves the user's
file alone and writes nothing, keep both adds a numbered copy beside it, and only
Overwrite replaces it with the video.
"""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Input

from memories_tui.api.models import Video
from memories_tui.fake.server import expected_bytes
from memories_tui.filenames import video_filename
from memories_tui.tui.modals.download import DownloadModal
from memories_tui.tui.screens.library import LibraryScreen
from memories_tui.tui.widgets.line_list import LineList
from tests.tui.helpers import make_app, wait_for_workers

SIZE = (120, 40)
MINE = b"the user's own file"


@pytest.mark.parametrize(
    ("choice", "listed"),
    [
        (None, "exists: will be skipped"),  # the default
        ("#conflict-skip", "exists: will be skipped"),
        ("#conflict-keep", "exists: a numbered copy is added"),
        ("#conflict-overwrite", "exists: will be OVERWRITTEN"),
    ],
    ids=["default", "skip", "keep-both", "overwrite"],
)
async def test_each_choice_does_what_it_says_to_the_existing_file(fake_server, tmp_path,
                                                                  choice, listed):
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    video = fake_server.library.get_video(video_no)
    mine = tmp_path / video_filename(video.name, video_no)
    mine.write_bytes(MINE)
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        screen.query_one("#id-filter").value = video_no
        await pilot.click("#id-filter")
        await pilot.press("enter")
        await wait_for_workers(app)
        screen.table.focus()
        assert screen.table.highlighted.video_no == video_no
        await pilot.press("s")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, DownloadModal)
        if choice is not None:
            await pilot.click(choice)
        listing = "\n".join(modal.query_one("#download-files", LineList).shown())
        assert listing == f"{mine.name}  ({listed})"
        assert "1 already there" in str(modal.query_one("#download-space").render())
        await pilot.click("#download-button")
        await wait_for_workers(app, "downloads")
        await pilot.pause()
        assert app.screen is screen

    video_bytes = expected_bytes(video_no, video.size)
    copy = mine.with_name(f"{mine.stem} (1){mine.suffix}")
    on_disk = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    if choice in (None, "#conflict-skip"):
        assert on_disk == {mine.name: MINE}
        assert [job.state.value for job in app.downloads.jobs] == ["skipped"]
    elif choice == "#conflict-keep":
        assert on_disk == {mine.name: MINE, copy.name: video_bytes}
    else:
        assert on_disk == {mine.name: video_bytes}


class _DialogHost(App[None]):
    """An empty app that shows the dialog and keeps its answer."""

    def __init__(self, modal: DownloadModal) -> None:
        super().__init__()
        self.modal = modal
        self.answers: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, callback=self.answers.append)


async def test_a_large_selection_opens_at_once_and_the_folder_typed_is_the_one_used(tmp_path):
    """20,000 videos: the files are listed by one widget, drawn as they scroll into view,
    and the plan waits for the typing to pause; a folder typed and entered at once is
    still the one every file is planned in."""
    many = [Video(f"VI{n:018d}", f"clip {n}", "PARSE", 60, 1_000, None, None)
            for n in range(20_000)]
    app = _DialogHost(DownloadModal(many, tmp_path / "first", in_browser=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        modal = app.screen
        assert len(modal.query("*")) < 40
        assert modal.query_one("#download-files", LineList).virtual_size.height == 20_000
        modal.query_one("#download-folder", Input).focus()
        await pilot.press("end", "2", "enter")
        await pilot.pause()
    (request,) = app.answers
    assert request.folder == tmp_path / "first2"
    assert len(request.planned) == 20_000
    assert {item.path.parent for item in request.planned} == {(tmp_path / "first2").resolve()}


async def test_a_folder_refused_says_why_in_full_at_80_columns(tmp_path):
    """A file name that is a link out of the folder: the reason wraps in the dialog
    instead of losing its end at the dialog's edge."""
    video = Video("VI770245972197507073", "Fireworks - draft", "PARSE", 60, 1_000, None, None)
    folder = tmp_path / "dl"
    folder.mkdir()
    (folder / video_filename(video.name, video.video_no)).symlink_to(tmp_path / "elsewhere")
    app = _DialogHost(DownloadModal([video], folder, in_browser=False))
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        # Where the lines wrap depends on the folder's length: compared without spaces.
        screen = "".join("".join(strip.text.strip(" █▌▐│").split())
                         for strip in app.screen._compositor.render_strips())
        reason = f"is a link that points outside {folder.resolve()}"
        assert "Thatfoldercannotbeused:" in screen
        assert "".join(reason.split()) in screen
