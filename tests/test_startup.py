"""Start-up as a user sees it: the command in a pseudo-terminal, against the fake."""

from __future__ import annotations

import sys

import pytest

from tests.terminal import app_in_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")


def test_page_one_is_asked_for_before_the_interface_is_loaded(fake_server, tmp_path):
    """The request for page 1 leaves before Textual is even imported, so its answer is
    there when the first frame is drawn; the screen joins it rather than asking again."""
    first_id = fake_server.library.query_videos(page=1, size=50)[0][0].video_no
    with app_in_terminal(fake_server.base_url, tmp_path) as terminal:
        first_output = terminal.read_until(first_id.encode())
        lists = [r for r in fake_server.requests if r.path.endswith("/list_videos")]
        assert [r.body["page"] for r in lists] == [1]
        # The app writes nothing to the terminal until Textual runs.
        assert lists[0].at < first_output
        terminal.press(b"q")
        assert terminal.process.wait(timeout=15) == 0


def test_a_server_that_refuses_is_reported_and_the_app_stays(tmp_path):
    """Page 1's early request fails before the interface exists: the screen still shows
    that error in plain words, and the app keeps running until q."""
    from tests.api.api_testkit import closed_port

    with app_in_terminal(f"http://127.0.0.1:{closed_port()}", tmp_path) as terminal:
        terminal.read_until(b"press r to try again")
        assert terminal.process.poll() is None
        terminal.press(b"q")
        assert terminal.process.wait(timeout=15) == 0


class _Imported(Exception):
    """Raised instead of finishing the interface's import: the test has seen enough."""


async def test_page_one_travels_while_the_interface_is_imported(monkeypatch):
    """The request moves only while the event loop runs (httpx's transport lives on
    it), so the interface is imported in a thread: page 1's request reaches the server
    during that import, and over a distant link its round trips overlap it. Here the
    import of the app module waits, in its thread, for the request to arrive."""
    import importlib.abc
    import importlib.util
    import socket

    from memories_tui import startup
    from memories_tui.config import Settings
    from memories_tui.services.client import open_client
    from memories_tui.services.library import LibraryService

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)  # bounded: a request that never comes fails the test
    arrived: list[bytes] = []

    class WaitForTheRequest(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        # The wait is in exec_module, as a module's own code runs: find_spec runs under
        # the interpreter's global import lock, which the request's imports need too.
        def find_spec(self, name, path, target=None):
            if name != "memories_tui.tui.app":
                return None
            return importlib.util.spec_from_loader(name, self)

        def exec_module(self, module):
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(10)
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    head += chunk
            arrived.append(head.split(b"\r\n", 1)[0])
            raise _Imported

    monkeypatch.delitem(sys.modules, "memories_tui.tui.app", raising=False)
    monkeypatch.setattr(sys, "meta_path", [WaitForTheRequest(), *sys.meta_path])
    settings = Settings(api_key="sk-test-0123456789abcdef",
                        base_url=f"http://127.0.0.1:{listener.getsockname()[1]}", rate_limit=0)
    library = LibraryService(open_client(settings))
    try:
        with pytest.raises(_Imported):
            await startup._run(settings, library, [])
    finally:
        await library.close()
        listener.close()
    assert arrived == [b"POST /serve/api/v1/list_videos HTTP/1.1"]


def test_start_up_loads_no_command_line_tool_of_httpx():
    """httpx imports its own command-line tool (click, pygments) unless told not to; at
    start-up that cost up to 60 ms. The settings parse a base URL with httpx before the
    client exists, so the guard must hold whichever module imports httpx first."""
    import subprocess

    script = (
        "import sys\n"
        "from memories_tui.config import load_settings\n"
        "load_settings({'base_url': 'https://api.example.test', 'api_key': 'sk-test-x'},"
        " environ={}, config_path=None)\n"
        "import memories_tui.logs, memories_tui.tui.app\n"
        "print(sorted(m for m in ('click', 'pygments') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout.strip() == "[]", done.stderr
