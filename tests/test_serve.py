"""`memories-tui serve`: loopback only, nothing secret on a command line, the requests a
page of another site could make refused, and each tab's process started with this
command's settings. (A real browser drives it in tests/test_serve_browser.py.)"""

from __future__ import annotations

import json
import shlex
import sys

import pytest

from memories_tui import cli
from memories_tui.commands import serve

HOW = ("ssh -L 8000:127.0.0.1:8000 HOST memories-tui serve --port 8000, then open "
       "http://127.0.0.1:8000")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com", "10.0.0.1",
                                  "localhost.example.com", ""])
def test_a_host_that_is_not_loopback_is_refused_in_one_line(host, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(serve, "make_server", lambda *a, **k: started.append(a))
    assert cli.main(["serve", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("memories-tui: serve listens on loopback")
    assert HOW in err
    assert started == []


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1",
                                  "[::1]"])
def test_loopback_hosts_are_accepted(host):
    assert serve.is_loopback(host)


def test_the_refusal_names_the_port_asked_for():
    assert "ssh -L 9001:127.0.0.1:9001 HOST memories-tui serve --port 9001" in \
        serve.refusal("0.0.0.0", 9001)


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_out_of_range_is_a_usage_error(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--port", port])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(
    ("host", "path", "origin", "refused"),
    [
        ("127.0.0.1:8000", "/", None, False),
        ("127.0.0.1:8000", "/ws", "http://127.0.0.1:8000", False),
        ("localhost:9000", "/ws", "http://localhost:9000", False),  # through a tunnel
        ("[::1]:8000", "/ws", "http://[::1]:8000", False),
        ("127.0.0.1:8000", "/download/abc", None, False),
        # A page of another site drives no app, even in the same browser:
        ("127.0.0.1:8000", "/ws", "http://evil.example", True),
        ("127.0.0.1:8000", "/ws", "http://127.0.0.1:8001", True),
        ("127.0.0.1:8000", "/ws", None, True),
        ("127.0.0.1:8000", "/ws", "null", True),
        # ... nor one whose DNS name was rebound to 127.0.0.1.
        ("evil.example:8000", "/", None, True),
        ("evil.example:8000", "/ws", "http://evil.example:8000", True),
    ],
)
def test_only_pages_of_this_server_reach_the_app(host, path, origin, refused):
    assert (serve.allowed(host, path, origin) is not None) is refused


def test_the_command_of_each_tab_holds_no_setting():
    command = serve.child_command()
    assert shlex.split(command) == [sys.executable, "-m", "memories_tui.served"]


def test_each_tab_starts_with_this_commands_settings_and_drops_them(monkeypatch):
    """The flags given before `serve` reach each tab's app through the environment,
    which the tab's process then clears; its command line holds none of them."""
    args = cli.build_parser().parse_args(
        ["--api-key", "sk-secret-1234567890", "--unique-id", "team-a", "--read-only",
         "--page-size", "20", "serve", "--demo"])
    blob = serve.child_settings(args, demo=True)
    assert json.loads(blob)["api_key"] == "sk-secret-1234567890"
    monkeypatch.setenv(serve.CHILD_ENV, blob)
    opened = []
    monkeypatch.setattr(cli, "_open_library", lambda a: opened.append(a) or 0)
    from memories_tui import served

    assert served.main() == 0
    [started] = opened
    assert (started.api_key, started.unique_id, started.read_only, started.page_size,
            started.demo, started.command) == ("sk-secret-1234567890", "team-a", True, 20,
                                               True, None)
    import os

    assert serve.CHILD_ENV not in os.environ


def test_the_tab_program_alone_says_what_to_run(capsys):
    from memories_tui import served

    assert served.main() == 2
    assert "memories-tui serve" in capsys.readouterr().err


def test_serve_prepares_the_tabs_environment(monkeypatch, capsys):
    """What textual-serve's per-tab processes inherit: the settings, and none of the
    serving terminal's SSH or tmux variables (the tab's terminal is the browser)."""
    import os

    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.5 50000 198.51.100.7 22")
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    monkeypatch.setenv("MEMORIES_API_KEY", "sk-from-env-1234567890")
    seen = {}

    class FakeServer:
        def serve(self):
            seen.update(os.environ)

    made = []
    monkeypatch.setattr(serve, "make_server",
                        lambda host, port, say: made.append((host, port)) or FakeServer())
    monkeypatch.delenv(serve.CHILD_ENV, raising=False)
    try:
        assert cli.main(["serve", "--port", "8123"]) == 0
    finally:
        os.environ.pop(serve.CHILD_ENV, None)
    assert made == [("127.0.0.1", 8123)]
    assert "SSH_CONNECTION" not in seen and "TMUX" not in seen
    settings = json.loads(seen[serve.CHILD_ENV])
    assert settings["demo"] is False and settings["api_key"] is None  # the key: from env
    assert seen["MEMORIES_API_KEY"] == "sk-from-env-1234567890"
    assert capsys.readouterr().err == ""


async def test_the_page_downloads_in_itself_and_refuses_other_sites():
    """Through textual-serve's own web app: the page names the address it was asked
    for (a tunnel may use another port), shows no command, starts downloads as links,
    and another site's page or a rebound DNS name gets nothing."""
    from aiohttp.test_utils import TestClient, TestServer

    server = serve.make_server("127.0.0.1", 8000, say=lambda _line: None)
    async with TestClient(TestServer(await server._make_app(), host="127.0.0.1")) as client:
        page = await client.get("/")
        text = await page.text()
        assert page.status == 200
        assert serve.DOWNLOAD_IN_PAGE in text
        assert f'data-session-websocket-url="ws://127.0.0.1:{client.port}/ws"' in text
        assert "memories_tui.served" not in text and sys.executable not in text
        assert "<div>memories-tui</div>" in text

        rebound = await client.get("/", headers={"Host": f"evil.example:{client.port}"})
        assert rebound.status == 403
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version":
                   "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
        foreign = await client.get("/ws", headers={**upgrade, "Origin": "http://evil.example"})
        assert foreign.status == 403
        unknown = await client.get("/download/not-a-key")
        assert unknown.status == 404
