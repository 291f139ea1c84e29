"""First run: no key, no request; a short dialog says where keys come from and takes one,
checked with the server before it is saved (mode 0600) and used."""

from __future__ import annotations

import os
import stat

from memories_tui.config import default_config_path
from memories_tui.fake import FakeServer
from memories_tui.tui.modals.first_run import FirstRunModal
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)
GOOD = "sk-first-run-0000000000000000"


async def test_no_key_guides_checks_and_saves(tmp_path):
    config = default_config_path()
    assert config is not None and not config.exists()
    with FakeServer(api_key=GOOD) as server:
        app = make_app(server.base_url, api_key=None)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_workers(app)
            await pilot.pause()
            assert isinstance(app.screen, FirstRunModal)
            text = screen_text(app)
            assert "API key" in text and "MEMORIES_API_KEY" in text and "--demo" in text
            assert server.requests == []  # no request leaves without a key

            await pilot.press(*"sk-wrong-key-000000")
            await pilot.press("enter")
            await wait_for_workers(app)
            await pilot.pause()
            assert isinstance(app.screen, FirstRunModal)
            assert "did not accept this key" in screen_text(app)
            assert not config.exists()
            assert "sk-wrong-key" not in screen_text(app)  # the field hides what is typed

            field = app.screen.query_one("#first-run-key")
            field.value = f"  {GOOD}\n"  # pasted with the blanks around it
            await pilot.press("enter")
            await wait_for_workers(app)
            await pilot.pause()
            assert not isinstance(app.screen, FirstRunModal)
            assert f'api_key = "{GOOD}"' in config.read_text()
            assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
            await wait_for_workers(app)
            await pilot.pause()
            assert app.screen.table.videos  # the library, with the key now
            listed = [r for r in server.requests if r.path.endswith("/list_videos")]
            assert listed and listed[-1].has_auth


async def test_a_saved_key_keeps_the_rest_of_the_config(tmp_path):
    from memories_tui.services.first_run import save_key

    path = tmp_path / "config.toml"
    path.write_text('api_key = "old"\ntheme = "nord"\n\n[keys]\ndelete = "x"\n')
    save_key(path, 'sk-"odd"\\key')
    import tomllib

    data = tomllib.loads(path.read_text())
    assert data == {"api_key": 'sk-"odd"\\key', "theme": "nord", "keys": {"delete": "x"}}
    fresh = tmp_path / "new" / "config.toml"
    save_key(fresh, "sk-abc")
    assert tomllib.loads(fresh.read_text()) == {"api_key": "sk-abc"}
