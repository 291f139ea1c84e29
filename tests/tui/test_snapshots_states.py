"""Snapshots of the states and prompts the other snapshot files leave out: the quit
question, the `z` and `l` prompts, each state of the tasks view, the error, empty and
no-key states, and the library at 80x24. Fixed seed, clock and port (masked), like the
others; each picture was looked at before it was accepted.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from memories_tui.tui.modals.confirm_quit import ConfirmQuitModal
from memories_tui.tui.modals.prompt import PromptModal
from memories_tui.tui.screens.tasks import TasksScreen
from tests.tui.helpers import make_app, until, wait_for_workers
from tests.tui.test_snapshots import SIZE, settle

NARROW = (80, 24)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _fixed_countdown(monkeypatch):
    # The tasks view counts down on a clock that does not move: always "in 5 s".
    monkeypatch.setattr(TasksScreen, "monotonic", staticmethod(Clock()))
    monkeypatch.setattr(TasksScreen, "REFRESH_SECONDS", 5)


@pytest.fixture
def server(snapshot_server):
    return snapshot_server


@pytest.fixture
def app(tmp_path, server):
    return make_app(server.base_url, download_dir=tmp_path / "downloads")


class TestPrompts:
    def test_rows_per_page_prompt(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            assert isinstance(pilot.app.screen, PromptModal)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_public_lookup_prompt(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot)
            assert isinstance(pilot.app.screen, PromptModal)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestQuit:
    def test_quit_while_a_download_runs(self, snap_compare, app, server):
        """The server takes the download request and does not answer: the download is
        still running (at 0 bytes, the same on every run) when q is pressed."""
        video_no = server.library.small_video_ids(limit=1)[0]

        async def run_before(pilot):
            await settle(pilot)
            screen = pilot.app.screen
            screen.query_one("#id-filter").value = video_no
            await pilot.click("#id-filter")
            await pilot.press("enter")
            await settle(pilot)
            screen.table.focus()
            server.faults.push("stall", path="/download")
            await pilot.press("s", "enter")
            # Not settle(): that would wait for the download, which does not end.
            await until(pilot, lambda: server.faults.fired["stall"] == 1,
                        "the download request", group="page")
            await pilot.press("q")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmQuitModal),
                        "the question", group="page")

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def open_task(pilot, task_id: str | None) -> None:
    """The tasks view (4), then the task id in its field (pasted: typing 80 characters
    key by key takes seconds) and enter."""
    await settle(pilot)
    if not isinstance(pilot.app.screen, TasksScreen):
        await pilot.press("4")
        await settle(pilot)
    if task_id is not None:
        await pilot.press("slash")
        pilot.app.screen.query_one("#task-id", Input).value = task_id
        await pilot.press("enter")
        await settle(pilot)


class TestTasks:
    def test_before_any_task(self, snap_compare, app):
        async def run_before(pilot):
            await open_task(pilot, None)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_unknown_task(self, snap_compare, app):
        async def run_before(pilot):
            await open_task(pilot, "no-such-task")

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_task_still_downloading(self, snap_compare, app, server):
        async def run_before(pilot):
            await open_task(pilot, server.library.task_ids["empty"])

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_task_in_progress(self, snap_compare, app, server):
        async def run_before(pilot):
            await open_task(pilot, server.library.task_ids["growing"])

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_recent_tasks(self, snap_compare, app, server):
        async def run_before(pilot):
            await open_task(pilot, server.library.task_ids["finished"])
            await open_task(pilot, server.library.task_ids["empty"])
            await pilot.press("h")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestStates:
    def test_library_error(self, snap_compare, app, server):
        server.faults.push("malformed", count=3, path="/list_videos")

        async def run_before(pilot):
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_empty_namespace(self, snap_compare, tmp_path, server):
        app = make_app(server.base_url, unique_id="nothing-here-yet")

        async def run_before(pilot):
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_no_key(self, snap_compare, server, monkeypatch):
        # The welcome names where the key would be saved: the same path on every run
        # (nothing is written there unless a key is entered).
        monkeypatch.setenv("XDG_CONFIG_HOME", "/home/me/.config")
        app = make_app(server.base_url, api_key="")

        async def run_before(pilot):
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_sessions_error(self, snap_compare, app, server):
        async def run_before(pilot):
            await settle(pilot)
            server.faults.push("malformed", path="/list_sessions")
            await pilot.press("2")
            await settle(pilot)
            await wait_for_workers(pilot.app)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestNarrow:
    def test_library(self, snap_compare, app):
        assert snap_compare(app, terminal_size=NARROW, run_before=settle)

    def test_detail_pane_below_the_table(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("down", "enter")
            await settle(pilot)

        assert snap_compare(app, terminal_size=NARROW, run_before=run_before)

    def test_confirm_delete(self, snap_compare, app):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("space", "space", "d")
            await settle(pilot)

        assert snap_compare(app, terminal_size=NARROW, run_before=run_before)


class TestDeleteCount:
    def test_a_wrong_count_leaves_delete_locked(self, snap_compare, app):
        """Twelve videos: the count field, a wrong count typed, Delete still disabled."""

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press(*["space"] * 12, "d", "y", "1", "1")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
