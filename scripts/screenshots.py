"""Regenerate the SVG screenshots in `screenshots/` from the demo library.

Run from the repository root: `python scripts/screenshots.py [NAME...]` (no names: all).
It starts the fake server with the demo's seed, drives the app with Pilot at 120x40 and a
fixed clock, and saves one SVG per view. No key and no network are needed.

`browser` is a PNG of `memories-tui serve --demo` in headless Chromium (the playwright
package with the system's Chromium, as tests/test_serve_browser.py uses them), with the
download dialog open; skipped, saying why, where either is missing. Its relative dates
follow the real clock.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

# The help names the log file: shown from the default place (as "~/…"), the pictures
# come out the same on every machine.
os.environ.pop("XDG_STATE_HOME", None)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memories_tui.config import Settings  # noqa: E402
from memories_tui.fake.server import FakeServer  # noqa: E402
from memories_tui.format import fixed_clock  # noqa: E402
from memories_tui.tui.app import MemoriesApp  # noqa: E402

NOW = datetime(2026, 11, 2, 12, 0, 0, tzinfo=UTC)
SIZE = (120, 40)
SCREENSHOT_PORT = 48765
Script = Callable[[Pilot], Awaitable[None]]


async def settle(pilot: Pilot) -> None:
    for _ in range(100):
        # The index's sync runs for as long as the app does: not waited for.
        busy = [w for w in pilot.app.workers if not w.is_finished and w.group != "index"]
        if not busy:
            break
        await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
    await pilot.pause()
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    await pilot.pause()


async def press(pilot: Pilot, *keys: str, wait: float = 0.0) -> None:
    await pilot.press(*keys)
    if wait:
        await pilot.pause(wait)
    await settle(pilot)


SHOTS: dict[str, Script] = {
    "library": lambda p: settle(p),
    "detail-pane": lambda p: press(p, "down", "down", "enter", wait=0.4),
    "confirm-delete": lambda p: press(p, "space", "space", "d"),
    "download-modal": lambda p: press(p, "space", "s"),
    "help": lambda p: press(p, "question_mark"),
    "sessions": lambda p: press(p, "2"),
    "session-detail": lambda p: press(p, "2", "enter", wait=0.3),
    "images": lambda p: press(p, "3"),
    "public-video": lambda p: public(p),
}


async def public(pilot: Pilot) -> None:
    await press(pilot, "l")
    await pilot.press(*"PI-603068775285264430", "enter")
    await settle(pilot)


async def shoot(name: str, script: Script, out: Path, base_url: str, folder: Path) -> None:
    settings = Settings(api_key="sk-demo-0000000000000000", base_url=base_url,
                        download_dir=folder, rate_limit=0)
    app = MemoriesApp(settings, clock=fixed_clock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await script(pilot)
        svg = app.export_screenshot(title=f"memories-tui — {name}")
    (out / f"{name}.svg").write_text(svg, encoding="utf-8")
    print(f"wrote {out / (name + '.svg')}")


def browser_shot(out: Path) -> None:
    """screenshots/browser.png: the app served to a browser, its download dialog open."""
    import tempfile

    from tests.browser import Served, find_chromium, why_no_browser

    why = why_no_browser()
    if why is not None:
        print(f"skipped {out / 'browser.png'}: {why}")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        served = Served(Path(home), serve_args=["--demo"])
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=find_chromium())
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(served.url)
                served.wait_for(lambda s: "Page 1 of" in s["text"], "the library")
                page.focus("textarea.xterm-helper-textarea")
                for key in ("ArrowDown", "s"):
                    page.keyboard.press(key)
                served.wait_for(lambda s: s["screen"] == "DownloadModal", "the dialog")
                page.wait_for_timeout(500)  # the frame drawn
                page.screenshot(path=str(out / "browser.png"))
                browser.close()
        finally:
            served.stop()
    print(f"wrote {out / 'browser.png'}")


async def main() -> None:
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:]) or {*SHOTS, "browser"}
    # Nothing is downloaded; the folder only appears in the download dialog.
    folder = Path("~/Videos")
    # The dialog also shows the disk's free space: a fixed figure (the snapshot tests
    # use the same) keeps the SVGs identical from one run and one machine to the next.
    import memories_tui.tui.modals.download as download_dialog

    download_dialog.free_space = lambda _folder: 85_700_000_000
    for name, script in SHOTS.items():
        if name not in wanted:
            continue
        # A fixed port, as video URLs on screen include it (the demo picks a free one).
        server = FakeServer(seed=1, videos=300, port=SCREENSHOT_PORT)
        base_url = server.start()
        try:
            await shoot(name, script, out, base_url, folder)
        finally:
            server.stop()
    if "browser" in wanted:
        await asyncio.to_thread(browser_shot, out)  # playwright's sync API: no event loop


if __name__ == "__main__":
    asyncio.run(main())
