"""The Upload tasks view (key 4), driven by the keys a person presses, against the fake.

Tasks are given to the fake with `put_task`, so each test says which ids a task reports;
the poller's schedule runs on a clock the tests move by hand (no real waiting).
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from memories_tui.services.tasks import NOT_LISTED_YET
from memories_tui.tui.screens.library import LibraryScreen
from memories_tui.tui.screens.tasks import TasksScreen
from memories_tui.tui.widgets.task_videos import TaskVideoTable
from tests.tui.helpers import make_app, wait_for_workers

SIZE = (120, 40)
TASK_READ = "/get_video_ids_by_task_id"
VIDEO_READ = "/get_private_video_details"


class Clock:
    """Monotonic seconds for the view's poller, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(TasksScreen, "monotonic", staticmethod(clock))
    monkeypatch.setattr(TasksScreen, "REFRESH_SECONDS", 5)
    return clock


async def settle(pilot) -> None:
    await wait_for_workers(pilot.app)
    await pilot.pause()
    await wait_for_workers(pilot.app)
    await pilot.pause()


async def until(pilot, condition) -> None:
    """Let the app run until `condition()` holds (it waits for the app, not a clock)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the screen never got there")


def requests_to(server, endpoint: str) -> list:
    return [r for r in server.requests if r.path.endswith(endpoint)]


def screen_text(app) -> str:
    """What the terminal shows now, as plain text (notifications included)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def summary(screen: TasksScreen) -> str:
    return str(screen.query_one("#task-summary").render())


def rows(screen: TasksScreen) -> list[list[str]]:
    table = screen.query_one(TaskVideoTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def follow(pilot, task_id: str) -> TasksScreen:
    """Show the tasks view (4), type the task id into its field and press enter."""
    await settle(pilot)
    if not isinstance(pilot.app.screen, TasksScreen):
        await pilot.press("4")
        await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TasksScreen)
    await pilot.press("slash", "end", "ctrl+u", *task_id, "enter")
    await settle(pilot)
    return screen


async def test_no_polling_while_another_view_is_shown(fake_server, clock):
    task_id = fake_server.library.task_ids["growing"]
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await pilot.press("slash")
        screen.query_one("#task-id", Input).value = task_id  # pasted: 70 keys cost seconds
        await pilot.press("enter")
        await settle(pilot)
        assert "refreshing in 5 s" in summary(screen) and len(rows(screen)) == 1
        await pilot.press("1")  # the table has focus: 1 switches to the videos
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        reads = len(fake_server.requests)
        clock.now += 60
        screen._tick()  # the countdown's timer, while hidden
        await settle(pilot)
        assert fake_server.requests[reads:] == []  # nothing spent of the rate budget
        await pilot.press("4")  # back: the check that fell due starts at once
        await settle(pilot)
        assert [r.query["task_id"] for r in requests_to(fake_server, TASK_READ)[-1:]] == [task_id]
        assert len(rows(screen)) == 2 and "refreshing in 5 s" in summary(screen)


async def test_a_failure_while_following_keeps_the_rows_and_tries_again(fake_server, clock):
    lib = fake_server.library
    # Still being indexed: the task stays followed.
    first, second = [v.video_no for v in lib.videos() if v.status == "UNPARSE"][-2:]
    lib.put_task("t-1", [first])
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await follow(pilot, "t-1")
        shown = rows(screen)
        assert [row[0] for row in shown] == [first]
        fake_server.faults.push("malformed", path=TASK_READ)  # not JSON: no retry
        await pilot.press("r")
        await settle(pilot)
        assert rows(screen) == shown  # nothing shown is lost
        assert "Could not look up task t-1" in screen_text(app)
        assert not screen.query_one("#task-message").display  # a notice, not an error page
        assert "refreshing in 5 s" in summary(screen)
        lib.put_task("t-1", [first, second])
        clock.now += 5
        screen._tick()
        await settle(pilot)
        assert [row[0] for row in rows(screen)] == [first, second]


async def test_rows_say_why_a_video_could_not_be_read_and_server_text_stays_text(fake_server):
    lib = fake_server.library
    ready = lib.ids()[20]
    hostile = "[bold red]VI1[/]"
    lib.put_task("t-2", [ready, "VI1", hostile])
    fake_server.faults.push("401", path=VIDEO_READ)  # the first video read: a key problem
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await follow(pilot, "t-2")
        shown = rows(screen)
        assert [row[0] for row in shown] == [ready, "VI1", hostile]  # as text, not markup
        assert shown[0][1] == "unknown (key refused)"
        assert shown[1][1] == NOT_LISTED_YET and shown[2][1] == NOT_LISTED_YET
        assert "3 videos · 3 unreadable" in summary(screen)
        assert app.is_running
        # y copies the highlighted row's id, whatever it holds.
        assert isinstance(app.focused, TaskVideoTable)
        await pilot.press("j", "j", "y")
        await pilot.pause()
        assert app.clipboard == hostile
        assert f"Copied {hostile} to the clipboard." in screen_text(app)


async def test_a_task_in_another_namespace(fake_server):
    fake_server.library.put_task("t-3", ["VI1"], namespace="team-a")
    app = make_app(fake_server.base_url, unique_id="team-a")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await follow(pilot, "t-3")
        assert requests_to(fake_server, TASK_READ)[-1].query["unique_id"] == "team-a"
        assert requests_to(fake_server, VIDEO_READ)[-1].query == {"video_no": "VI1",
                                                                  "unique_id": "team-a"}
        assert rows(screen)[0][1] == NOT_LISTED_YET


async def test_r_while_a_check_runs_sends_nothing_more(fake_server):
    lib = fake_server.library
    lib.put_task("t-4", [lib.ids()[20]])
    fake_server.faults.push("stall", path=VIDEO_READ)  # this check never ends by itself
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("slash", *"t-4", "enter")
        screen = app.screen
        await until(pilot, lambda: "checking video 1 of 1" in summary(screen))
        await pilot.press("r")
        await pilot.pause()
        assert "Already checking" in screen_text(app)
        assert len(requests_to(fake_server, TASK_READ)) == 1
        # Another task replaces the stalled check: its answer is never drawn.
        lib.put_task("t-5", [])
        await pilot.press("slash", "ctrl+u", *"t-5", "enter")
        await settle(pilot)
        assert screen.task_id == "t-5" and rows(screen) == []
        assert "Still downloading" in screen_text(app)


async def test_h_then_enter_opens_the_latest_task(fake_server):
    lib = fake_server.library
    lib.put_task("t-6", [lib.ids()[20]])
    lib.put_task("t-7", [])
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await follow(pilot, "t-6")
        screen = await follow(pilot, "t-7")
        def reads_of(task_id: str) -> int:
            return sum(r.query["task_id"] == task_id for r in requests_to(fake_server, TASK_READ))

        await pilot.press("h", "enter")  # the latest: opened again, from scratch
        await settle(pilot)
        assert screen.task_id == "t-7" and reads_of("t-7") == 2
        await pilot.press("h", "down", "enter")
        await settle(pilot)
        assert screen.task_id == "t-6" and len(rows(screen)) == 1
        assert requests_to(fake_server, TASK_READ)[-1].query["task_id"] == "t-6"
