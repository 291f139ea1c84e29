"""Pilot tests of what the real service does differently: statuses in several spellings,
names matched exactly, namespaces that exist only once used. Against the fake."""

from __future__ import annotations

from textual.widgets import Input

from memories_tui.api.status import StatusClass, status_class
from memories_tui.tui.screens.library import LibraryScreen
from memories_tui.tui.widgets.pager import Pager
from memories_tui.tui.widgets.video_table import VideoTable
from tests.tui.helpers import make_app, pending_timers, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


def list_requests(server) -> list:
    return [r for r in server.requests if r.path.endswith("/list_videos")]


def namespace_requests(server) -> list:
    return [r for r in server.requests if r.path.endswith("/list_unique_ids")]


async def started(pilot) -> LibraryScreen:
    await wait_for_workers(pilot.app)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def settle(pilot) -> None:
    await wait_for_workers(pilot.app)
    await pilot.pause()


async def type_namespace(pilot, name: str) -> None:
    """Focus the namespace field (the fourth of the filter row), replace its text."""
    await pilot.press("slash", "tab", "tab", "tab")
    assert pilot.app.focused.id == "namespace"
    await pilot.press("end", "ctrl+u", *name)


# -- statuses ------------------------------------------------------------------------------


async def test_the_failed_filter_shows_failed_videos_of_every_spelling(fake_server):
    failed = {v.video_no: v.status for v in fake_server.library.videos()
              if status_class(v.status) is StatusClass.FAILED}
    spellings = set(failed.values())
    assert len(spellings) > 1, "the fake should spell failures several ways"
    app = make_app(fake_server.base_url, page_size=100)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("slash", "tab", "left")  # from Any status back to Failed
        await settle(pilot)
        shown = screen.query_one(VideoTable).videos
        assert str(screen.query_one("#status-filter").render()).startswith("‹ Failed")
        # Every spelling the server uses for a failure is on screen, as it spelled it.
        assert {v.status for v in shown} == spellings
        assert {v.video_no for v in shown} <= set(failed)
        assert len(shown) == min(len(failed), 100)
        assert screen.query_one(Pager).total == len(failed)
        text = screen_text(app)
        assert all(spelling in text for spelling in spellings)
        assert f"{len(failed):,} videos" in str(screen.query_one(Pager).render())


# -- names -----------------------------------------------------------------------------------


async def test_the_name_field_sends_nothing_until_enter(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        name = next(v.name for v in fake_server.library.videos() if v.name.isascii())
        before = len(list_requests(fake_server))
        await pilot.press("slash", *name[:-1])
        await settle(pilot)
        # Nothing sent, and nothing left to send it: no worker runs, no timer waits.
        assert len(list_requests(fake_server)) == before
        assert pending_timers(app) == []
        assert "Exact name" in str(screen.query_one("#name-filter", Input).placeholder)
        await pilot.press(name[-1], "enter")
        await settle(pilot)
        assert [r.body.get("video_name") for r in list_requests(fake_server)[before:]] == [name]
        assert all(v.name == name for v in screen.query_one(VideoTable).videos)


# -- namespaces ------------------------------------------------------------------------------


async def test_namespaces_are_read_when_the_field_is_first_used_and_offered(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert not namespace_requests(fake_server)  # not at start-up
        await type_namespace(pilot, "tea")
        await settle(pilot)
        await pilot.press("m")  # a key after the list is in: the completion shows
        await pilot.pause()
        assert "team-a" in screen_text(app)
        await pilot.press("right")  # takes the completion
        assert app.focused.value == "team-a"
        await pilot.press("escape", "slash", "tab", "tab", "tab")  # and back: read once
        await settle(pilot)
        assert len(namespace_requests(fake_server)) == 1


async def test_a_known_namespace_switches_at_once(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await type_namespace(pilot, "team-a")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen  # no question asked
        assert screen.query_state.unique_id == "team-a" and app.unique_id == "team-a"
        assert list_requests(fake_server)[-1].body["unique_id"] == "team-a"
        shown = {v.video_no for v in screen.query_one(VideoTable).videos}
        assert shown == set(fake_server.library.ids("team-a"))


async def test_an_unknown_namespace_is_used_only_once_confirmed(fake_server):
    from memories_tui.tui.modals.confirm_namespace import ConfirmNamespaceModal

    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await type_namespace(pilot, "Team-A")  # a wrong case: another namespace
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmNamespaceModal)
        text = screen_text(app)
        assert "Namespace “Team-A” does not exist yet." in text
        assert "case-sensitive" in text and "“team-a”" in text  # the close known name
        sent = lambda: [r for r in list_requests(fake_server)  # noqa: E731
                        if r.body["unique_id"] == "Team-A"]
        assert not sent()
        # Esc goes back to the field as typed, nothing sent, the namespace unchanged.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and app.focused.id == "namespace"
        assert app.focused.value == "Team-A" and screen.query_state.unique_id == "default"
        assert not sent() and "Team-A" not in fake_server.library.namespaces
        # Enter again asks again; y uses it: the server creates it, empty.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmNamespaceModal)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen and screen.query_state.unique_id == "Team-A"
        assert sent() and app.unique_id == "Team-A"
        assert "No videos in namespace “Team-A”." in screen_text(app)
        # Now it exists: entering it again asks nothing.
        await pilot.press("slash", "tab", "tab", "tab", "enter")
        await settle(pilot)
        assert app.screen is screen


async def test_when_the_namespaces_cannot_be_read_the_question_says_why(fake_server):
    from memories_tui.tui.modals.confirm_namespace import ConfirmNamespaceModal

    # An answer of the wrong shape: the list cannot be read (no retry makes it better).
    fake_server.faults.push("data-types", count=1, path="/list_unique_ids")
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await type_namespace(pilot, "team-a")  # known to the server, but unread
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmNamespaceModal)
        text = screen_text(app)
        assert "The list of namespaces could not be read" in text
        assert "where an object belongs" in text  # the error's own words
        assert not [r for r in list_requests(fake_server) if r.body["unique_id"] == "team-a"]
        await pilot.click("#use-button")
        await settle(pilot)
        assert app.screen is screen and screen.query_state.unique_id == "team-a"
        assert len(namespace_requests(fake_server)) == 1  # not asked again and again


async def test_esc_right_after_enter_undoes_the_name_filter_still_loading(fake_server):
    """Enter sends the name; esc before the answer must clear it, not be ignored because
    the page on screen is still the unfiltered one."""
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        fake_server.faults.push("stall", count=1, path="/list_videos")  # the name's answer
        await pilot.press("slash", *"IMG_3428.MOV", "enter")
        await pilot.pause()
        assert list_requests(fake_server)[-1].body.get("video_name") == "IMG_3428.MOV"
        await pilot.press("escape")
        # Not waiting for workers (the name's answer never comes): for the app to
        # handle the key and what follows from it.
        await pilot.pause()
        await pilot.pause()
        # The request for the name was dropped: nothing loads any more.
        assert not screen.query_one(Pager).loading_text
        assert screen.query_state.name == ""
        assert len(screen.query_one(VideoTable).videos) == 50
        assert str(screen.query_one("#filter-summary").render()) == "No filter: whole library"
