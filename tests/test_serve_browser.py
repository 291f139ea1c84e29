"""`memories-tui serve` in a real headless Chromium: the library renders in the page,
a download "to this computer" lands in the browser's download folder whole, `o` opens a
second tab, `y` copies to the browser's clipboard, the key never reaches the browser,
and closing the tab ends its app process and leaves no `.part` file on the server.

The app runs against the fake server with a key from the environment (not the demo:
the key must be one the test can look for). The tests share one server, browser and
tab, in this order; the last closes the tab. Skipped, saying why, where playwright or
Chromium is missing (`.ci/run` installs Chromium when it can).
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import pytest

from memories_tui.fake.server import FakeServer, expected_bytes
from memories_tui.filenames import video_filename
from memories_tui.tui.browser import browser_filename
from tests.browser import Served, find_chromium, process_gone, why_no_browser

pytestmark = [
    pytest.mark.skipif(why_no_browser() is not None, reason=f"browser test: {why_no_browser()}"),
    # One tab, in this order: one worker runs the whole module.
    pytest.mark.xdist_group("browser"),
]

KEY = "sk-served-secret-5f1e2d3c4b5a6978"
PAGE_SIZE = 50


class Tab:
    """The fake server, `memories-tui serve` on it, and one Chromium tab of it."""

    def __init__(self, home: Path) -> None:
        from playwright.sync_api import sync_playwright

        self.fake = FakeServer(seed=1, videos=300)
        self.fake.start()
        self.served = Served(home, flags=["--base-url", self.fake.base_url, "--page-size",
                                          str(PAGE_SIZE)], env={"MEMORIES_API_KEY": KEY})
        self.downloads_dir = home / "browser-downloads"
        self.playwright = sync_playwright().start()
        # With the pop-up blocker on, as in a browser of one's own (playwright turns it
        # off): a file handed over long after its key must still arrive.
        self.browser = self.playwright.chromium.launch(
            executable_path=find_chromium(), headless=True,
            downloads_path=str(self.downloads_dir),
            ignore_default_args=["--disable-popup-blocking"])
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 800},
                                                accept_downloads=True)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                       origin=self.served.url.rstrip("/"))
        self.downloads: list = []
        # Downloads are caught on whichever page starts them (the served page starts them
        # itself). Playwright takes functions as handlers, not built-ins such as append.
        self.context.on("page", lambda page: page.on("download", self._downloaded))
        self.page = self.context.new_page()
        self.row = 0  # the table's cursor
        self.frames: list[bytes] = []  # what the server sent the page, and the page sent
        self.page.on("websocket", self._watch)
        self.page.goto(self.served.url)
        self.state = self.served.wait_for(lambda s: "Page 1 of" in s["text"],
                                          "the library's first page")
        self.pid = self.state["pid"]
        self.page.focus("textarea.xterm-helper-textarea")  # keys go to the terminal

    def _downloaded(self, download) -> None:
        self.downloads.append(download)

    def _watch(self, socket) -> None:
        def keep(payload) -> None:
            self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

        socket.on("framereceived", keep)
        socket.on("framesent", keep)

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def wait(self, condition, what: str, timeout: float = 20.0) -> dict:
        self.state = self.served.wait_for(condition, what, timeout=timeout, pid=self.pid,
                                          pause=lambda: self.page.wait_for_timeout(50))
        return self.state

    def close(self) -> str:
        try:
            self.context.close()
            self.browser.close()
            self.playwright.stop()
        finally:
            output = self.served.stop()
            self.fake.stop()
        return output


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    tab = Tab(tmp_path_factory.mktemp("served"))
    try:
        yield tab
    finally:
        output = tab.close()
        assert KEY not in output


def first_page(tab: Tab) -> list:
    """The videos of page 1 as the fake lists them (the table's order)."""
    return list(itertools.islice(tab.fake.library.videos("default"), PAGE_SIZE))


def test_the_library_renders_in_the_browser(tab):
    state = tab.state
    assert state["is_web"] and state["screen"] == "LibraryScreen"
    videos = first_page(tab)
    assert "Page 1 of 6 · 300 videos" in state["text"]
    assert videos[0].video_no in state["text"]
    # ... and the page received it: the terminal's bytes came over its web socket.
    sent = b"".join(tab.frames)
    assert b"Page 1 of 6" in sent and videos[0].video_no.encode() in sent
    assert "-first-byte" in tab.page.evaluate("document.body.className")


def test_a_download_to_this_computer_lands_in_the_browsers_download_folder(tab):
    # A name with spaces, and a file that takes longer on the server than a browser
    # lets a page open a window after a key (5 s in Chromium): a pop-up would be blocked.
    row, video = next((i, v) for i, v in enumerate(first_page(tab))
                      if " " in v.name and v.size and v.size < 200_000 and v.name.isascii())
    tab.fake.context.download_rate = video.size / 6.5
    tab.press(*["ArrowDown"] * row, "s")
    tab.row = row
    filename = video_filename(video.name, video.video_no)
    tab.wait(lambda s: s["screen"] == "DownloadModal" and filename in s["text"],
             "the download dialog")
    assert "To this computer (through the browser)" in tab.state["text"]
    tab.press("Enter")  # the Download button has the focus; "this computer" is chosen
    state = tab.wait(lambda s: s["downloads"] and s["downloads"][0]["note"]
                     == "taken by the browser", "the browser taking the file", timeout=30)
    tab.fake.context.download_rate = None
    for _ in range(200):  # playwright hears of the download in its own time
        if tab.downloads:
            break
        tab.page.wait_for_timeout(50)
    [download] = tab.downloads
    download_path = Path(download.path())
    assert download_path.parent == tab.downloads_dir
    assert download_path.stat().st_size == video.size
    assert download_path.read_bytes() == expected_bytes(video.video_no, video.size)
    assert download.suggested_filename == browser_filename(filename) == filename
    # Nothing stays on the server: the staging folder is empty.
    assert os.listdir(state["staging"]) == []
    # The downloads panel says so.
    tab.wait(lambda s: "taken by the browser" in s["text"], "the panel saying it")


def test_y_copies_to_the_browsers_clipboard(tab):
    tab.wait(lambda s: s["screen"] == "LibraryScreen", "the library again")
    highlighted = tab.state["downloads"][0]["video_no"]
    tab.press("y")
    for _ in range(100):
        if tab.page.evaluate("navigator.clipboard.readText()") == highlighted:
            break
        tab.page.wait_for_timeout(50)
    assert tab.page.evaluate("navigator.clipboard.readText()") == highlighted


def test_o_opens_the_video_in_a_second_tab(tab):
    highlighted = tab.state["downloads"][0]["video_no"]
    media = f"/_fake/media/{highlighted}.mp4"
    with tab.context.expect_page() as opened, tab.context.expect_event(
            "request", lambda request: media in request.url) as asked:
        tab.press("o")
    second = opened.value
    assert second is not tab.page
    # The fake's media is served as a file, so the new tab turns into a download and
    # closes itself: it is known by the request it made.
    assert asked.value.frame.page is second


def test_the_key_never_reaches_the_browser(tab):
    assert KEY.encode() not in b"".join(tab.frames)
    assert KEY not in tab.page.content()
    # Nor a command line, which every user of the server can read.
    for pid in (tab.pid, tab.served.process.pid):
        assert KEY.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_closing_the_tab_ends_its_app_and_leaves_no_part_file(tab):
    tab.fake.context.download_rate = 200_000  # bytes a second: still running when closed
    row, video = next((i, v) for i, v in enumerate(first_page(tab)) if (v.size or 0) > 20_000_000)
    tab.page.bring_to_front()
    tab.page.focus("textarea.xterm-helper-textarea")
    tab.press(*["ArrowDown"] * (row - tab.row), *["ArrowUp"] * (tab.row - row), "s")
    tab.wait(lambda s: s["screen"] == "DownloadModal" and video.video_no in s["text"],
             "the download dialog")
    tab.press("Enter")
    state = tab.wait(lambda s: any(d["video_no"] == video.video_no and d["received"] > 0
                                   for d in s["downloads"]), "the download under way")
    staging = Path(state["staging"])
    assert [p.suffix for p in staging.iterdir()] == [".part"]

    tab.page.close()
    for _ in range(200):
        if process_gone(tab.pid):
            break
        time.sleep(0.05)
    assert process_gone(tab.pid)
    assert not staging.exists()
    assert list(tab.served.cache.rglob("*.part")) == []
