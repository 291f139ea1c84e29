"""Snapshots of every screen and modal at 120x40, fixed seed and clock, against the fake."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.helpers import make_app, wait_for_workers

SIZE = (120, 40)


async def settle(pilot) -> None:
    """Let workers finish and stop cursor blinking so the picture is stable."""
    await wait_for_workers(pilot.app)
    await pilot.pause()
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    await pilot.pause()


# Video URLs name the server's port (masked in the SVGs: see snapshot_server), and free
# space differs per machine (fixed here), so the pictures are the same on every run.
@pytest.fixture
def app(tmp_path, monkeypatch, snapshot_server):
    monkeypatch.setattr("memories_tui.tui.modals.download.free_space", lambda _: 85_700_000_000)
    return make_app(snapshot_server.base_url, download_dir=tmp_path / "downloads")


class TestLibrary:
    def test_library_screen(self, snap_compare, app):
        assert snap_compare(app, terminal_size=SIZE, run_before=settle)

    def test_detail_pane(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("down", "enter")
            await settle(pilot)  # the details come from a worker, once the cursor rests

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_selection_and_sort(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("space", "space", "S", "S", "S", "S", "S")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_help_screen(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestModals:
    def test_confirm_delete(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("space", "space", "space", "d")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_confirm_delete_many_needs_count(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("a", "d")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_download_modal(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            # The folder is a temporary path that differs per run: show a fixed one.
            await pilot.press("space", "space", "s")
            await settle(pilot)
            pilot.app.screen.query_one("#download-folder", Input).value = "/tmp/memories-demo"
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_go_to_page_prompt(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestDownloads:
    def test_downloads_panel(self, snap_compare, app, tmp_path):
        async def run_before(pilot):
            await settle(pilot)
            # Two small videos: each finishes at once, so the panel shows final states.
            await pilot.press("down", "down", "down", "space", "space", "s")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
