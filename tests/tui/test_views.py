"""Pilot tests of the sessions, images, tasks and public video views against the fake server."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Collapsible, Input, Markdown, OptionList

from memories_tui.fake.server import FakeServer
from memories_tui.safetext import safe_text
from memories_tui.tui.modals.help import HelpModal, binding_rows
from memories_tui.tui.modals.prompt import PromptModal
from memories_tui.tui.screens.images import ImagesScreen
from memories_tui.tui.screens.library import LibraryScreen
from memories_tui.tui.screens.public import PublicVideoScreen, validate_public_id
from memories_tui.tui.screens.sessions import SessionDetailScreen, SessionsScreen
from memories_tui.tui.screens.tasks import STILL_DOWNLOADING, TasksScreen
from memories_tui.tui.widgets.image_table import ImageTable
from memories_tui.tui.widgets.session_conversation import (
    AssistantTurn,
    OtherTurn,
    SessionRefLink,
    UserTurn,
)
from memories_tui.tui.widgets.session_list import SessionPager, SessionTable
from memories_tui.tui.widgets.task_videos import TaskVideoTable
from memories_tui.tui.widgets.video_table import VideoTable
from tests.hostile.support import unsafe_characters
from tests.tui.helpers import make_app, wait_for_workers

SIZE = (120, 40)
REFERENCE_PUBLIC_ID = "PI-603068775285264430"


@pytest.fixture(autouse=True)
def _no_timed_refresh(monkeypatch):
    # Tests drive task refreshes themselves (r, or the tick); the timer never fires in time.
    monkeypatch.setattr(TasksScreen, "REFRESH_SECONDS", 10_000)


async def settle(pilot) -> None:
    await wait_for_workers(pilot.app)
    await pilot.pause()
    await wait_for_workers(pilot.app)
    await pilot.pause()


async def open_view(pilot, key: str, screen_type):
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, screen_type)
    return screen


def requests_to(server, endpoint: str):
    return [r for r in server.requests if r.path.endswith(endpoint)]


def screen_text(app) -> str:
    """What the terminal shows now, as plain text lines (notifications included)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def assert_palette_offers_bindings(app, screen) -> None:
    """Every action of the view is in the command palette (under its own description, or
    under the focused widget's binding for the same action or key, which shadows it),
    except one the view says does not apply now (check_action False)."""
    titles = {command.title for command in app.get_system_commands(screen)}
    active = [a.binding for a in screen.active_bindings.values()]
    for binding in screen.BINDINGS:
        assert binding.description and binding.id, binding
        if screen.check_action(binding.action, ()) is False:
            assert binding.description not in titles, binding.description
            continue
        offered = {binding.description} | {
            b.description for b in active if b.action == binding.action or b.key == binding.key
        }
        assert titles & offered, binding.description


# -- chat sessions -------------------------------------------------------------------------


def _session_with_first_ref(server, prefix: str) -> tuple[int, str, str]:
    """(row on page 1, session id, cited id) of a session whose first citation starts with
    prefix."""
    for row, session_id in enumerate(server.library.session_ids()[:20]):
        detail = server.library.session_detail(session_id)
        cited = [r["video"]["video_no"] for m in detail["messages"] for r in m.get("refs", [])]
        if cited and cited[0].startswith(prefix):
            return row, session_id, cited[0]
    raise AssertionError(f"no session on page 1 cites a {prefix} video first")


async def open_session(pilot, row: int) -> SessionDetailScreen:
    screen = await open_view(pilot, "2", SessionsScreen)
    screen.query_one(SessionTable).move_cursor(row=row)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    detail = pilot.app.screen
    assert isinstance(detail, SessionDetailScreen)
    return detail


async def test_sessions_error_retry_list_and_pages(fake_server):
    app = make_app(fake_server.base_url)
    summaries = fake_server.library.sessions()
    fake_server.faults.push("malformed", path="/list_sessions")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_view(pilot, "2", SessionsScreen)
        table = screen.query_one(SessionTable)
        # The first load failed: an error state that says how to retry, and no crash.
        message = screen.query_one("#sessions-message")
        assert message.display and message.has_class("error")
        assert "Press r to retry" in str(message.render())
        assert not table.sessions
        await pilot.press("r")
        await settle(pilot)
        assert not message.display
        assert [s.title for s in table.sessions] == [s["title"] for s in summaries[:20]]
        assert [s.session_id for s in table.sessions] == [s["sessionId"] for s in summaries[:20]]
        pager = str(screen.query_one(SessionPager).render())
        total = len(summaries)
        assert f"Page 1 of {-(-total // 20)} · {total} sessions" in pager
        assert summaries[0]["title"] in screen_text(app)

        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.page == 2
        assert [s.session_id for s in table.sessions] == [s["sessionId"] for s in summaries[20:40]]
        assert requests_to(fake_server, "/list_sessions")[-1].query["page"] == "2"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert [s.session_id for s in table.sessions] == [s["sessionId"] for s in summaries[:20]]
        # Page 1 was kept: going back cost no request (1 failed + page 1 + page 2).
        assert len(requests_to(fake_server, "/list_sessions")) == 3
        assert_palette_offers_bindings(app, screen)


async def test_session_detail_shows_turns_thinking_and_refs(fake_server):
    app = make_app(fake_server.base_url)
    row, session_id, _ = _session_with_first_ref(fake_server, "VI")
    wire = fake_server.library.session_detail(session_id)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_session(pilot, row)
        # The service may spell the role upper case (ASSISTANT).
        users = [m for m in wire["messages"] if m["role"].lower() == "user"]
        answers = [m for m in wire["messages"] if m["role"].lower() == "assistant"]
        assert len(detail.query(UserTurn)) == len(users)
        assert len(detail.query(AssistantTurn)) == len(answers)
        assert len(detail.query(Markdown)) == len(answers)
        cited = [r["video"]["video_no"] for m in answers for r in m.get("refs", [])]
        links = list(detail.query(SessionRefLink))
        assert [link.video_no for link in links] == cited
        # Moments: the start time as h:mm:ss (a range when the moment has an end), with
        # type and text (a key frame has none).
        def clock(value: object) -> str:
            seconds = int(float(str(value)))
            return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

        items = [(link, item) for link, ref in zip(links, (r for m in answers
                                                           for r in m.get("refs", [])),
                                                    strict=True)
                 for item in ref["refItems"][:1]]
        for link, item in items:
            rendered = str(link.render())
            moment = clock(item["startTime"])
            if "endTime" in item:
                moment += "–" + clock(item["endTime"])
            assert moment in rendered
            assert item["type"] in rendered and item.get("text", "") in rendered
        thinkings = list(detail.query(Collapsible))
        assert len(thinkings) == sum(1 for m in answers if m.get("thinkings"))
        assert all(box.collapsed for box in thinkings)
        if thinkings:
            await pilot.press("t")
            await pilot.pause()
            assert not any(box.collapsed for box in thinkings)
        assert_palette_offers_bindings(app, detail)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)


async def test_ref_to_private_video_jumps_to_library(fake_server):
    app = make_app(fake_server.base_url)
    row, _, video_no = _session_with_first_ref(fake_server, "VI")
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_session(pilot, row)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(detail.focused, SessionRefLink)
        assert detail.focused.video_no == video_no
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert app.current_mode == "videos"
        library = app.screen
        assert isinstance(library, LibraryScreen)
        assert library.query_one(VideoTable).highlighted.video_no == video_no
        bodies = [r.json for r in requests_to(fake_server, "/list_videos")]
        assert any(body.get("video_no") == video_no for body in bodies)


async def test_ref_to_public_video_opens_public_screen(fake_server):
    app = make_app(fake_server.base_url)
    row, _, video_no = _session_with_first_ref(fake_server, "PI-")
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_session(pilot, row)
        link = next(link for link in detail.query(SessionRefLink) if link.video_no == video_no)
        await pilot.click(link)
        await settle(pilot)
        assert isinstance(app.screen, PublicVideoScreen)
        assert app.screen.video is not None and app.screen.video.video_no == video_no
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is detail


async def test_hostile_sessions_render_as_text():
    server = FakeServer(seed=1, videos=50, hostile=True)
    server.start()
    try:
        app = make_app(server.base_url)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_view(pilot, "2", SessionsScreen)
            table = screen.query_one(SessionTable)
            assert table.sessions
            for row in range(min(3, len(table.sessions))):
                summary = table.sessions[row]
                wire = server.library.session_detail(summary.session_id)
                table.move_cursor(row=row)
                await pilot.pause()
                await pilot.press("enter")
                await settle(pilot)
                detail = app.screen
                assert isinstance(detail, SessionDetailScreen)
                # Each turn is there, and what the server wrote shows as text: no
                # control or invisible character reaches the terminal.
                turns = sum(len(detail.query(kind))
                            for kind in (UserTurn, AssistantTurn, OtherTurn))
                assert turns == len(wire["messages"])
                text = screen_text(app)
                assert unsafe_characters(text) == set(), row
                title = safe_text(wire.get("title") or "", max_len=200) or "(untitled)"
                assert title[:60] in text
                await pilot.press("escape")
                await pilot.pause()
                assert app.screen is screen
    finally:
        server.stop()


# -- images --------------------------------------------------------------------------------


async def test_images_error_retry_table_and_detail(fake_server):
    app = make_app(fake_server.base_url)
    wire = fake_server.library.images()
    fake_server.faults.push("malformed", path="/img_list_page")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_view(pilot, "3", ImagesScreen)
        table = screen.query_one(ImageTable)
        message = screen.query_one("#images-message")
        assert message.has_class("error") and "Press r to retry" in str(message.render())
        await pilot.press("r")
        await settle(pilot)
        assert not message.display
        # Images come under `item` with numeric ids above 2^53: every digit is kept.
        assert [i.image_no for i in table.images] == [str(i["id"]) for i in wire[:50]]
        text = screen_text(app)
        assert wire[0]["name"] in text
        # Only the columns the images fill: no column of dashes for size or status.
        assert table.shown_columns == ("name", "id", "taken", "camera", "place")
        camera = next(i for i in wire[:20] if i["camera_model"])
        assert camera["camera_model"] in text
        assert f"Page 1 of 2 · {len(wire)} images" in text
        detail_line = re.compile(r"Image +(\d+) · ")  # under the table
        assert detail_line.search(text).group(1) == str(wire[0]["id"])
        await pilot.press("j")
        await pilot.pause()
        assert detail_line.search(screen_text(app)).group(1) == str(wire[1]["id"])
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [i.image_no for i in table.images] == [str(i["id"]) for i in wire[50:]]
        await pilot.press("y")
        assert app.clipboard == table.highlighted.image_no == str(wire[50 + table.cursor_row]["id"])
        assert_palette_offers_bindings(app, screen)


async def test_views_follow_the_namespace_chosen_in_the_library(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        sessions = await open_view(pilot, "2", SessionsScreen)
        images = await open_view(pilot, "3", ImagesScreen)
        await open_view(pilot, "1", LibraryScreen)
        app.unique_id = "team-a"  # what the library's namespace field does
        await open_view(pilot, "2", SessionsScreen)
        assert sessions.unique_id == "team-a"
        assert [s.session_id for s in sessions.query_one(SessionTable).sessions] == \
            fake_server.library.session_ids("team-a")
        await open_view(pilot, "3", ImagesScreen)
        assert [i.image_no for i in images.query_one(ImageTable).images] == \
            [str(i["id"]) for i in fake_server.library.images("team-a")]
        assert requests_to(fake_server, "/img_list_page")[-1].json["unique_id"] == "team-a"


# -- upload tasks --------------------------------------------------------------------------


async def open_task(pilot, task_id: str, *, type_it: bool = False) -> TasksScreen:
    """Enter a task id in the field (typed key by key, or pasted) and press enter."""
    screen = pilot.app.screen
    if not isinstance(screen, TasksScreen):
        screen = await open_view(pilot, "4", TasksScreen)
    field = screen.query_one("#task-id", Input)
    field.focus()
    field.value = ""
    if type_it:
        await pilot.press(*task_id)
    else:
        field.value = task_id  # 70 key presses cost seconds; one test types it
    await pilot.press("enter")
    await settle(pilot)
    return screen


def summary(screen: TasksScreen) -> str:
    return str(screen.query_one("#task-summary").render())


class Clock:
    """Monotonic seconds for the tasks view's poller, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_growing_task_reveals_ids_until_all_parsed(fake_server):
    app = make_app(fake_server.base_url)
    task_id = fake_server.library.task_ids["growing"]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(pilot, task_id, type_it=True)
        assert isinstance(app.focused, TaskVideoTable)  # enter left the field: keys work
        poller = screen.poller
        counts = [len(poller.videos)]
        statuses = [[s.status for s in poller.videos.values()]]
        assert counts[0] == 1 and statuses[0] == ["UNPARSE"]
        assert "refreshing in" in summary(screen)
        for _ in range(8):
            if poller.done:
                break
            await pilot.press("r")
            await settle(pilot)
            counts.append(len(poller.videos))
            statuses.append([s.status for s in poller.videos.values()])
        assert counts == sorted(counts) and counts[-1] == 4 > counts[0]
        assert statuses[-1] == ["PARSE"] * 4
        assert poller.done and "all done" in summary(screen)
        assert screen._timer is None  # nothing polls a finished task
        table = screen.query_one(TaskVideoTable)
        assert table.video_ids == list(poller.videos) and table.row_count == 4
        assert "4 PARSE" in summary(screen)
        assert_palette_offers_bindings(app, screen)


async def test_countdown_ticks_and_refreshes(fake_server, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(TasksScreen, "REFRESH_SECONDS", 5)
    monkeypatch.setattr(TasksScreen, "monotonic", staticmethod(clock))
    app = make_app(fake_server.base_url)
    task_id = fake_server.library.task_ids["growing"]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(pilot, task_id)
        assert len(screen.poller.videos) == 1
        assert "refreshing in 5 s" in summary(screen)
        # The screen's timer ticks each second; the clock says how many have passed.
        clock.now += 3
        screen._tick()
        assert "refreshing in 2 s" in summary(screen)
        assert len(requests_to(fake_server, "/get_video_ids_by_task_id")) == 1
        clock.now += 2  # due: the tick checks again
        screen._tick()
        await settle(pilot)
        assert len(screen.poller.videos) == 2
        assert len(requests_to(fake_server, "/get_video_ids_by_task_id")) == 2
        assert "refreshing in 5 s" in summary(screen)


async def test_unknown_then_empty_then_finished_task(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(pilot, "no-such-task")
        message = screen.query_one("#task-message")
        assert message.has_class("error")
        assert "No upload task “no-such-task”" in str(message.render())
        assert screen._timer is None
        assert app.is_running
        assert not screen.recent  # a failed id is not offered again

        screen = await open_task(pilot, fake_server.library.task_ids["empty"])
        assert message.display and not message.has_class("error")
        assert str(message.render()) == STILL_DOWNLOADING
        assert not screen.poller.videos and not screen.poller.done
        assert "refreshing in" in summary(screen)

        screen = await open_task(pilot, fake_server.library.task_ids["finished"])
        assert not message.display
        poller = screen.poller
        assert poller.done and len(poller.videos) == 3 and "all done" in summary(screen)
        assert all(state.status == "PARSE" for state in poller.videos.values())


async def test_recent_tasks_and_jump_to_a_video(fake_server):
    app = make_app(fake_server.base_url)
    finished = fake_server.library.task_ids["finished"]
    empty = fake_server.library.task_ids["empty"]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(pilot, finished)
        screen = await open_task(pilot, empty)
        assert screen.recent == [empty, finished]
        # The field completes a recent id from its first characters.
        field = screen.query_one("#task-id", Input)
        field.focus()
        field.value = ""
        await pilot.press(*finished[:6])
        await pilot.pause()
        await pilot.pause()
        assert field._suggestion == finished
        # The recent list opens one with enter.
        await pilot.press("escape", "h")
        options = screen.query_one("#task-recent", OptionList)
        assert app.focused is options and options.option_count == 2
        options.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        assert screen.task_id == finished and screen.poller.done
        # Enter on a video shows it in the library.
        assert app.focused is screen.query_one(TaskVideoTable)
        video_no = screen.query_one(TaskVideoTable).highlighted
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one(VideoTable).highlighted.video_no == video_no


async def test_task_of_public_videos_reads_their_public_status(fake_server):
    # The reference's Get Task Status example answers PI- ids; the fake's seeded tasks
    # only VI ones, so the test gives the fake a task of its own.
    task_id = "4b2d85ea-8b61-4689-96c3-75d907140242_84f9d9b4"
    fake_server.library.put_task(task_id, [REFERENCE_PUBLIC_ID])
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(pilot, task_id)
        state = screen.poller.videos[REFERENCE_PUBLIC_ID]
        assert state.status == "PARSE" and screen.poller.done
        assert "all done" in summary(screen)
        public_reads = requests_to(fake_server, "/get_public_video_detail")
        assert [r.query for r in public_reads] == [{"video_no": REFERENCE_PUBLIC_ID}]
        assert not requests_to(fake_server, "/get_private_video_details")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PublicVideoScreen)


# -- public videos -------------------------------------------------------------------------


async def lookup(pilot, text: str) -> None:
    await settle(pilot)
    await pilot.press("l")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PromptModal)
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_public_lookup_shows_dates_counts_and_tags(fake_server, monkeypatch):
    app = make_app(fake_server.base_url)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await lookup(pilot, REFERENCE_PUBLIC_ID)
        screen = app.screen
        assert isinstance(screen, PublicVideoScreen)
        text = screen_text(app)
        assert "24 HOURS WOLVES FANS." in text
        assert "@timberwolves" in text
        assert "0:00:13" in text
        # publish_time is seconds, create_time milliseconds.
        assert "Published    2024-11-07 02:40:13 UTC" in text
        assert "Indexed      2025-07-23 03:40:02 UTC" in text
        assert "original sound" in text and "Language     en" in text
        assert screen.video.hashtags == ("nba", "minnesota", "timberwolves")
        assert " #nba    #minnesota    #timberwolves " in text
        assert "Views        14.2K" in text and "Likes        1.4K" in text
        await pilot.press("e")
        await pilot.pause()
        text = screen_text(app)
        assert "Views        14,200" in text and "Likes        1,460" in text
        await pilot.press("e")
        await pilot.pause()
        assert "Views        14.2K" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == REFERENCE_PUBLIC_ID
        assert any("Copied PI-603068775285264430" in n.message for n in app._notifications)
        await pilot.press("o")
        await pilot.pause()
        assert opened == ["https://www.tiktok.com/player/v1/7434361641896103211"]
        assert_palette_offers_bindings(app, screen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_public_video_with_only_the_seven_fields_of_a_real_answer(fake_server):
    """A real answer carries 7 fields: what is missing says so, once, in words."""
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await lookup(pilot, "PI-603521765934764187")
        assert isinstance(app.screen, PublicVideoScreen)
        text = screen_text(app)
        assert "Mike Shinoda talks about" in text and "@complex" in text
        assert "Counts (none sent)" in text
        assert "The server sent no counts for this video." in text
        assert "Views" not in text
        # No hash_tag field: the title's own hashtags, said to come from the title.
        assert " #mikeshinoda " in text and "(from the title)" in text


async def test_public_lookup_of_bad_and_unknown_ids(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await lookup(pilot, "VI606404158946574336")
        assert isinstance(app.screen, PromptModal)
        assert "private video id" in str(app.screen.query_one("#prompt-error").render())
        assert not requests_to(fake_server, "/get_public_video_detail")
        await pilot.press("escape")
        await pilot.pause()

        await lookup(pilot, "PI-1")
        screen = app.screen
        assert isinstance(screen, PublicVideoScreen)
        message = screen.query_one("#public-message")
        assert message.has_class("error") and "Press r to retry" in str(message.render())
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


def test_validate_public_id():
    assert validate_public_id("PI-603068775285264430") is None
    assert validate_public_id("  PI-1  ") is None
    for bad in ("", "PI-", "PI-12a", "pi-123", "PI-١٢٣", "VI606404158946574336", "PI-1 2"):
        assert validate_public_id(bad), bad


# -- help ----------------------------------------------------------------------------------


async def test_help_lists_every_binding_of_each_view(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        for key, screen_type in (("2", SessionsScreen), ("3", ImagesScreen), ("4", TasksScreen)):
            screen = await open_view(pilot, key, screen_type)
            rows = binding_rows(app, [(screen.VIEW_NAME, screen)])
            assert {b.description for b in screen.BINDINGS} <= {row[2] for row in rows}
            app.set_focus(None)  # the tasks view starts in its text field
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpModal)
            text = screen_text(app)
            assert all(b.description in text for b in screen.BINDINGS if b.show)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen


async def test_a_theme_chosen_while_running_styles_every_view(fake_server):
    """Views open in the theme chosen meanwhile, new ones and ones already built."""
    from textual.color import Color

    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
        nord = Color.parse(app.current_theme.background)
        await pilot.press("2")  # a view built after the change
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        assert app.screen.styles.background == nord
        await pilot.press("1")  # the library, built before it
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.styles.background == nord


async def test_tasks_view_says_how_to_leave_the_task_id_field(fake_server):
    """The field takes digits, so 1-4 type there; the key bar offers esc, which leaves
    it, and then 1 switches views again."""
    from memories_tui.tui.widgets.key_bar import KeyBar

    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, TasksScreen)
        bar = app.screen.query_one(KeyBar)
        # The view opens on its list, so 1 would switch views at once; / goes to the field.
        assert not isinstance(app.focused, Input)
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        assert "esc Leave the field" in bar.shown_keys()
        await pilot.press("1")  # typed: a task id may hold digits
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen) and app.focused.value == "1"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.focused, Input)
        assert "esc Leave the field" not in bar.shown_keys()
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_4_then_1_goes_back_to_the_videos_with_nothing_typed(fake_server):
    """Every view opens with focus on its list: 4 then 1 used to type a "1" into the
    tasks view's id field instead of going back to the videos."""
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        tasks = app.screen
        assert isinstance(tasks, TasksScreen)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert tasks.query_one("#task-id", Input).value == ""
