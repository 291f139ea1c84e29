"""Snapshots of the sessions, images, tasks and public video views at 120x40 (fixed seed and
clock)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from memories_tui.tui.screens.tasks import TasksScreen
from tests.tui.helpers import make_app, wait_for_workers

SIZE = (120, 40)
REFERENCE_PUBLIC_ID = "PI-603068775285264430"


@pytest.fixture(autouse=True)
def _no_timed_refresh(monkeypatch):
    monkeypatch.setattr(TasksScreen, "REFRESH_SECONDS", 10_000)


async def settle(pilot) -> None:
    """Let workers finish and stop cursor blinking so the picture is stable."""
    await wait_for_workers(pilot.app)
    await pilot.pause()
    await wait_for_workers(pilot.app)
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    await pilot.pause()


@pytest.fixture
def app(fake_server, tmp_path):
    return make_app(fake_server.base_url, download_dir=tmp_path / "downloads")


class TestSessions:
    def test_sessions_list(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_session_detail(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestImages:
    def test_images(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestTasks:
    def test_finished_task(self, snap_compare, app, fake_server):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            task_id = fake_server.library.task_ids["finished"]
            await pilot.press("slash")
            pilot.app.screen.query_one("#task-id", Input).value = task_id
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestPublic:
    def test_public_video(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot)
            await pilot.press(*REFERENCE_PUBLIC_ID, "enter")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
