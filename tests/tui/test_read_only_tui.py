"""Read-only mode in the TUI: the header says so, d is off in the key bar, the help and
the palette, and nothing is ever sent (the delete service refuses it too)."""

from __future__ import annotations

from memories_tui.tui.modals.help import HelpModal, binding_rows
from memories_tui.tui.widgets.key_bar import KeyBar
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


async def test_read_only_turns_delete_off_everywhere(fake_server):
    app = make_app(fake_server.base_url, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        screen = app.screen
        assert "READ-ONLY" in screen_text(app)
        titles = {command.title for command in app.get_system_commands(screen)}
        assert "Delete" not in titles and "Download" in titles
        await pilot.pause()
        bar = screen.query_one(KeyBar)
        items = {item.description: item.enabled for item in bar._items}  # noqa: SLF001
        assert items.get("Delete") is False
        await pilot.press("space", "d")
        await pilot.pause()
        assert not [r for r in fake_server.requests if r.path.endswith("/delete_videos")]
        assert app.screen is screen  # no confirmation opened
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        rows = binding_rows(app, [("Videos", screen)])
        assert ("Delete (not available now)", "delete") in {(r[2], r[3]) for r in rows}


async def test_without_read_only_delete_is_offered(fake_server):
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE):
        await wait_for_workers(app)
        assert "READ-ONLY" not in screen_text(app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Delete" in titles
