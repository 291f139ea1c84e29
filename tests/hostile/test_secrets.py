"""The API key: never shown whole, sent only to the configured host, guarded on disk.

The key must not appear in notifications, on the screen, in a screenshot, on the help
screen, in log output, in error text or in a repr, even when the server is wrong about
it, echoes it back, or tries to redirect it elsewhere.
"""

from __future__ import annotations

import logging
import os

from memories_tui import cli
from memories_tui.api.errors import InsecureURLError, mask_key
from memories_tui.config import load_settings
from memories_tui.fake.server import FakeServer
from memories_tui.format import fixed_clock
from memories_tui.tui.app import MemoriesApp
from memories_tui.tui.modals.help import HelpModal
from tests.conftest import FIXED_NOW

from .support import (
    SIZE,
    TEST_KEY,
    assert_screen_is_clean,
    assert_still_running,
    download,
    downloads_finished,
    messages,
    notified,
    screen_text,
    settle,
    started,
    table_message,
    with_instant_backoff,
)

MASKED = mask_key(TEST_KEY)  # "sk-…mnop"


def world_readable_env(folder, **values: str):
    """A `.env` as people write one, readable by everyone (mode 644)."""
    dotenv = folder / ".env"
    dotenv.write_text("".join(f"MEMORIES_{k.upper()}={v}\n" for k, v in values.items()))
    dotenv.chmod(0o644)
    return dotenv


def list_requests(server: FakeServer) -> list:
    return [r for r in server.requests if r.path.endswith("/list_videos")]


async def test_the_key_never_shows_whatever_the_server_does(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)  # httpx and httpcore too, down to their traces
    server = FakeServer(seed=1, api_key="sk-the-key-the-server-wants-0000")
    server.start()
    # The local index off: its sync's requests would take the faults pushed below for
    # the user's own (what it shows of an error is the client's masked message too).
    world_readable_env(tmp_path, api_key=TEST_KEY, base_url=server.base_url, rate_limit="0",
                       prefetch="0", download_dir=str(tmp_path / "videos"), index="0")
    settings, warnings = load_settings(cwd=tmp_path, environ={})
    app = with_instant_backoff(MemoriesApp(settings, clock=fixed_clock(FIXED_NOW),
                                           warnings=warnings))
    seen: list[str] = []
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await started(pilot)
            # A world-readable .env holding the key earns a warning (without the key).
            assert notified(app, "holds an API key and is readable by other users; run chmod 600")
            # A key the server refuses: the message says how to set one.
            assert ("The Memories.ai API key was rejected (401 Unauthorized). Set a valid key "
                    "with MEMORIES_API_KEY or --api-key." in table_message(screen))
            seen.append(screen_text(app))

            server.context.api_key = None  # the key is accepted now
            await pilot.press("r")
            await settle(pilot)
            assert len(screen.table.videos) == 50

            # A server that quotes the key back in its error message.
            server.faults.push("echo-key", path="/list_videos")
            await pilot.press("r")
            await settle(pilot)
            assert notified(app, f"Parameter error: key {MASKED} is not allowed here")
            server.faults.push("echo-key", path="/download")
            await download(pilot, screen)
            await downloads_finished(pilot)
            assert MASKED in app.downloads.jobs[-1].error

            # A key revoked mid-session: the same advice, and the page stays.
            server.faults.push("401")
            await pilot.press("r")
            await settle(pilot)
            assert notified(app, "Set a valid key with MEMORIES_API_KEY or --api-key")
            assert len(screen.table.videos) == 50

            # A redirect to another host name is not followed, so the key stays home.
            before = len(list_requests(server))
            server.faults.push("redirect", path="/list_videos")
            await pilot.press("r")
            await settle(pilot)
            assert notified(app, "The server answered 307 Temporary Redirect (a redirect, "
                                 "not followed).")
            assert len(list_requests(server)) == before + 1
            assert all(r.has_auth for r in server.requests)

            seen.append(assert_screen_is_clean(app))
            seen.append(app.export_screenshot())
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpModal)
            seen.append(screen_text(app))
            seen.append(app.export_screenshot())
            await pilot.press("escape")
            assert_still_running(app)
    finally:
        server.stop()
    seen += messages(app)
    seen += [job.error or "" for job in app.downloads.jobs]
    seen += [repr(app.settings), repr(app.client), str(app.settings)]
    seen += [record.getMessage() for record in caplog.records]
    seen.append(caplog.text)  # formatted, with any exception text
    assert any(MASKED in text for text in seen)
    leaks = [text[:200] for text in seen if TEST_KEY in text]
    assert leaks == []


def test_plain_http_to_another_host_needs_the_explicit_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    remote = "http://10.20.30.40:8080"
    code = cli.main(["--base-url", remote, "--api-key", TEST_KEY])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Refusing to send the API key over plain http:// to 10.20.30.40" in err
    assert TEST_KEY not in out + err
    # With the flag the app is built, and talks to that host only.
    settings, _ = load_settings({"base_url": remote, "api_key": TEST_KEY,
                                 "allow_insecure_http": True}, environ={}, cwd=tmp_path)
    app = MemoriesApp(settings)
    assert app.client.host == "10.20.30.40" and app.client.base_url == remote
    # Loopback needs no flag: the key never leaves the machine.
    settings, _ = load_settings({"base_url": "http://127.0.0.1:9", "api_key": TEST_KEY},
                                environ={}, cwd=tmp_path)
    assert MemoriesApp(settings).client.host == "127.0.0.1"
    settings, _ = load_settings({"base_url": remote, "api_key": TEST_KEY}, environ={},
                                cwd=tmp_path)
    try:
        MemoriesApp(settings)
    except InsecureURLError as refused:
        assert TEST_KEY not in str(refused) and TEST_KEY not in repr(refused)
    else:
        raise AssertionError("plain http to a remote host was allowed without the flag")
    assert os.environ.get("MEMORIES_API_KEY") is None  # a .env is never exported
