"""Keys from the config file's [keys] table, shown live in help and the key bar; the
mouse left to the terminal on request."""

from __future__ import annotations

import pytest

from memories_tui.config import load_settings
from memories_tui.tui.modals.help import HelpModal
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


def test_the_keys_table_is_read_from_the_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\ndelete = "x"\ndownload = "ctrl+s, D"\n')
    settings, warnings = load_settings({}, environ={}, cwd=tmp_path, config_path=config)
    assert warnings == []
    assert dict(settings.keys) == {"delete": "x", "download": "ctrl+s,D"}
    config.write_text('[keys]\ndelete = "a b c!"\n')
    settings, warnings = load_settings({}, environ={}, cwd=tmp_path, config_path=config)
    assert settings.keys == () and any("keys" in w for w in warnings)


async def test_remapped_keys_work_and_show_in_help_and_key_bar(fake_server):
    app = make_app(fake_server.base_url, keys=(("delete", "x"),))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        await pilot.pause()
        key_bar = screen_text(app).splitlines()[-1]
        assert " x Delete " in key_bar and " d Delete " not in key_bar
        await pilot.press("x")
        await pilot.pause()
        from memories_tui.tui.modals.confirm_delete import ConfirmDeleteModal

        assert isinstance(app.screen, ConfirmDeleteModal)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        line = next(row for row in screen_text(app).splitlines() if "Delete" in row)
        assert " x " in line and "delete" in line  # the live key, and the id to remap it


@pytest.mark.parametrize("start_with_mouse", [True, False])
async def test_the_palette_lets_the_terminal_have_the_mouse(fake_server, start_with_mouse):
    app = make_app(fake_server.base_url, mouse=start_with_mouse)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        wanted = ("Mouse: let the terminal select text" if start_with_mouse
                  else "Mouse: capture it again")
        assert wanted in titles
        titles[wanted].callback()
        await pilot.pause()
        assert app.mouse_to_app is (not start_with_mouse)
