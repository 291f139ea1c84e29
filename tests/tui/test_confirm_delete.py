"""The delete confirmation: what it lists, and what it takes to confirm.

A delete is for good, so the dialog is the last thing between a stray key and a lost
library: focus starts on Cancel, `y` or the Delete button confirm up to ten videos, and
more than ten need their count typed (nothing else unlocks Delete). The first tests
drive the app against the fake and count the delete requests the server received; the
others show the dialog on its own, with as many videos as a case needs.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.cells import cell_len
from textual.app import App
from textual.widgets import Button, Input

from memories_tui.api.models import Video
from memories_tui.tui.modals.confirm_delete import ConfirmDeleteModal, delete_lines
from memories_tui.tui.screens.library import LibraryScreen
from memories_tui.tui.widgets.line_list import LineList
from tests.tui.helpers import make_app, wait_for_workers

SIZE = (120, 40)


def delete_requests(server) -> list:
    return [r for r in server.requests if r.path.endswith("/delete_videos")]


async def library(pilot) -> LibraryScreen:
    await wait_for_workers(pilot.app)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def test_fifty_videos_are_deleted_only_once_50_is_typed(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await library(pilot)
        page = [v.video_no for v in screen.table.videos]
        await pilot.press("a", "d")
        modal = app.screen
        assert isinstance(modal, ConfirmDeleteModal)
        delete = modal.query_one("#delete-button", Button)
        assert delete.disabled
        # y, then anything but the count: no delete, whatever is pressed after it.
        await pilot.press("y")
        assert app.screen is modal and app.focused is modal.query_one("#delete-count", Input)
        for typed in ("abc", "y", "5", "49", "500", "050x"):
            await pilot.press("ctrl+u", *typed, "enter")
            assert delete.disabled, typed
            assert app.screen is modal, typed
        await pilot.click("#delete-button")
        await pilot.press("y")
        assert app.screen is modal
        assert delete_requests(fake_server) == []
        # The count: Delete is enabled and enter confirms.
        await pilot.press("ctrl+u", "5", "0")
        assert not delete.disabled
        await pilot.press("enter")
        await wait_for_workers(app)
        await pilot.pause()
        assert app.screen is screen
        (request,) = delete_requests(fake_server)
        assert sorted(request.body) == sorted(page)
        assert not set(page) & set(fake_server.library.ids())


async def test_the_delete_button_confirms_once_the_count_is_typed(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        await pilot.press("a", "d")
        modal = app.screen
        assert isinstance(modal, ConfirmDeleteModal)
        field = modal.query_one("#delete-count", Input)
        field.focus()
        await pilot.press(*" 50 ")  # spaces around the number do not matter
        await pilot.click("#delete-button")
        await wait_for_workers(app)
        await pilot.pause()
        assert app.screen is screen
        assert len(delete_requests(fake_server)) == 1


async def test_ten_videos_are_confirmed_with_y_and_focus_starts_on_cancel(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        await pilot.press(*["space"] * 10)
        assert len(screen.selected) == 10
        await pilot.press("d")
        modal = app.screen
        assert isinstance(modal, ConfirmDeleteModal)
        assert not modal.query(Input)  # no count to type for ten
        assert app.focused is modal.query_one("#cancel-button", Button)
        await pilot.press("enter")  # on Cancel
        assert app.screen is screen and delete_requests(fake_server) == []
        await pilot.press("d", "n")
        assert app.screen is screen and delete_requests(fake_server) == []
        await pilot.press("d", "escape")
        assert app.screen is screen and delete_requests(fake_server) == []
        await pilot.press("d", "y")
        await wait_for_workers(app)
        assert len(delete_requests(fake_server)) == 1
        assert len(delete_requests(fake_server)[0].body) == 10


# -- the dialog on its own ---------------------------------------------------------------


def videos(count: int, *, size: int | None = 1_500_000, name: str = "clip") -> list[Video]:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    return [Video(f"VI{n:018d}", f"{name} {n}", "PARSE", 60, size, created, None)
            for n in range(count)]


class Host(App[None]):
    """An empty app that shows the dialog and keeps its answers."""

    def __init__(self, modal: ConfirmDeleteModal) -> None:
        super().__init__()
        self.modal = modal
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, callback=self.answers.append)


async def shown(pilot) -> ConfirmDeleteModal:
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, ConfirmDeleteModal)
    return modal


def texts(modal: ConfirmDeleteModal) -> list[str]:
    return [str(label.render()) for label in modal.query("Label")]


@pytest.mark.parametrize("count", [1, 2, 10])
async def test_up_to_ten_y_deletes_at_once(count):
    app = Host(ConfirmDeleteModal(videos(count), "default"))
    async with app.run_test(size=SIZE) as pilot:
        modal = await shown(pilot)
        assert not modal.needs_typed_count and not modal.query(Input)
        assert not modal.query_one("#delete-button", Button).disabled
        assert "Press y or choose Delete to confirm." in texts(modal)
        await pilot.press("y")
        await pilot.pause()
        assert app.answers == [True]


@pytest.mark.parametrize("count", [11, 12])
async def test_more_than_ten_need_the_count_and_nothing_else(count):
    app = Host(ConfirmDeleteModal(videos(count), "default"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        modal = await shown(pilot)
        delete = modal.query_one("#delete-button", Button)
        field = modal.query_one("#delete-count", Input)
        assert modal.needs_typed_count and delete.disabled
        assert f"Type {count} to confirm:" in texts(modal)
        assert field.placeholder == str(count)
        await pilot.press("y")
        await pilot.pause()
        assert app.answers == [] and app.focused is field
        assert [n.message for n in app._notifications] == [
            f"Type {count} to delete this many videos."]
        for wrong in ("", "x", str(count - 1), str(count + 1), f"{count}0", f"-{count}"):
            field.value = wrong
            await pilot.press("enter")
            assert delete.disabled and app.answers == [], wrong
        await pilot.press("y")  # in the field, y is a letter typed, not a confirmation
        assert app.answers == []
        field.value = f" {count} "
        await pilot.pause()
        assert not delete.disabled
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [True]


async def test_cancel_answers_false():
    for keys in (["enter"], ["escape"], ["n"]):
        app = Host(ConfirmDeleteModal(videos(3), "default"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await shown(pilot)
            assert app.focused is modal.query_one("#cancel-button", Button)
            await pilot.press(*keys)
            await pilot.pause()
            assert app.answers == [False], keys


async def test_the_title_counts_sizes_and_names_the_namespace():
    many = videos(1_234, size=2_000_000)
    app = Host(ConfirmDeleteModal(many, "team-[b]a\x1b"))
    async with app.run_test(size=SIZE) as pilot:
        modal = await shown(pilot)
        title = texts(modal)[0]
        assert title == "Delete 1,234 videos (2.5 GB) from namespace “team-[b]a␛”?"
        assert str(modal.query_one("#delete-button", Button).label) == "Delete 1,234"
        # The count may be typed as the title writes it.
        modal.query_one("#delete-count", Input).value = "1,234"
        await pilot.pause()
        assert not modal.query_one("#delete-button", Button).disabled
    app = Host(ConfirmDeleteModal(videos(1, size=None), "default"))
    async with app.run_test(size=SIZE) as pilot:
        modal = await shown(pilot)
        assert texts(modal)[0] == "Delete 1 video (size unknown) from namespace “default”?"
        assert str(modal.query_one("#delete-button", Button).label) == "Delete 1"
    app = Host(ConfirmDeleteModal(videos(2), "n" * 50))
    async with app.run_test(size=SIZE) as pilot:
        modal = await shown(pilot)
        assert texts(modal)[0] == f"Delete 2 videos (3.0 MB) from namespace “{'n' * 39}…”?"


async def test_every_video_is_listed_by_name_and_id():
    chosen = videos(14)
    app = Host(ConfirmDeleteModal(chosen, "default"))
    async with app.run_test(size=SIZE) as pilot:
        modal = await shown(pilot)
        lines = modal.query_one("#delete-list", LineList).shown()
        assert len(lines) == 14
        for line, video in zip(lines, chosen, strict=True):
            assert video.name in line and video.video_no in line and "1.5 MB" in line


def test_lines_are_three_aligned_columns_and_server_text_is_made_safe():
    rows = [
        Video("VI1", "short", None, None, 999, None, None),
        Video("VI22222", "a \x1b[31mred\x1b[0m name [b]x[/b]", None, None, 12_345_678, None, None),
        Video("VI333", "", None, None, None, None, None),
        Video("VI4", "x" * 100, None, None, 1, None, None),
    ]
    lines = [line.plain for line in delete_lines(rows)]  # as the dialog lists them
    assert lines[0].startswith("short ") and "VI1 " in lines[0]
    assert lines[1].startswith("a ␛[31mred␛[0m name [b]x[/b]")
    assert lines[2].startswith("(no name)")
    assert lines[3].startswith("x" * 39 + "…")  # cut to 40 cells
    # Names padded to the widest (40 cells), ids to the widest, sizes right-aligned.
    assert {cell_len(line) for line in lines} == {len(lines[0])}
    id_at = {line.index("VI") for line in lines}
    assert id_at == {42}
    assert [line.rstrip().rsplit("  ", 1)[-1].strip() for line in lines] == [
        "999 Bytes", "12.3 MB", "—", "1 Byte"]
    ends = {len(line) for line in lines}
    assert ends == {len(lines[0])}
    # The dim styles mark the id and size columns, not the name.
    styled = delete_lines(rows[:1])[0]
    assert [str(span.style) for span in styled.spans] == ["dim", "dim"]
    assert styled.spans[0].start == len("short")


def test_a_long_id_is_cut_to_thirty_cells_and_no_videos_give_no_lines():
    hostile = Video("VI" + "9" * 60, "clip", None, None, 1, None, None)
    (line,) = [line.plain for line in delete_lines([hostile])]
    assert f"  VI{'9' * 27}…  " in line and "9" * 28 not in line
    assert delete_lines([]) == []


async def test_at_80_columns_each_video_keeps_one_line_its_name_cut_its_id_and_size_whole():
    """A long name in a narrow terminal: each video stays on one line of the list (not
    its size wrapped under the name), and the name gives way, cut with "…", so the id
    and the size of what is deleted stay whole."""
    chosen = [Video("VI771523152269410304", "n" * 60, "PARSE", 60, 12_345_678, None, None),
              Video("VI770245972197507073", "clip", "PARSE", 60, 1_000, None, None)]
    app = Host(ConfirmDeleteModal(chosen, "default"))
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await shown(pilot)
        assert modal.query_one("#delete-list", LineList).virtual_size.height == 2  # a line each
        screen = [strip.text for strip in app.screen._compositor.render_strips()]
        listed = [line.split("│")[1] for line in screen if line.count("│") == 2]
        assert len(listed) == 2
        # The name gives way exactly as much as needed: the line fills the list.
        assert listed[0].endswith("  12.3 MB") and not listed[0].endswith(" ")
        first, second = (line.strip() for line in listed)
        assert first.startswith("nnnnnnnnnnnn") and "…  VI771523152269410304  " in first
        assert first.endswith("  12.3 MB")
        assert second.startswith("clip ") and "VI770245972197507073" in second
        assert second.endswith("  1.0 kB")
        # The columns stay aligned: the ids start in the same cell on both lines.
        assert first.index("VI771523152269410304") == second.index("VI770245972197507073")


async def test_a_select_all_of_100000_videos_opens_at_once_and_end_shows_the_last():
    """A select-all can delete a whole library: the list draws the lines in view only
    (a widget a line held the app for minutes and took a gigabyte)."""
    chosen = [Video(f"VI{n:018d}", f"clip {n}", "PARSE", 60, 1_000 + n, None, None)
              for n in range(100_000)]
    app = Host(ConfirmDeleteModal(chosen, "default"))
    async with app.run_test(size=SIZE) as pilot:
        modal = await shown(pilot)
        assert texts(modal)[0].startswith("Delete 100,000 videos")
        assert len(modal.query("*")) < 30  # one widget for the list, however long
        modal.query_one("#delete-list", LineList).focus()
        await pilot.press("end")
        await pilot.pause()
        screen = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "clip 99999" in screen and "VI000000000000099999" in screen
        assert "clip 0 " not in screen
