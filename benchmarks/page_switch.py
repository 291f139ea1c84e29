"""Figure 2: `]` pressed to the new page's rows on screen, uncached and revisited.

The app and the reference (`PagerApp`: one httpx request and one DataTable refill per
switch) run headless at 120x40 against the same fake on loopback, limiter off.

Uncached: jump (with the app's go-to-page prompt) to a page far from any seen before,
wait until the CPU is quiet, then press `]`: the next page has never been shown or
fetched (the figure says so if the app had fetched it ahead anyway). Revisited: from
that new page press `[`, then `]` again: both pages were shown moments ago.

The clock stops at the first composed frame whose text holds the new page's first
video id (see frames.py): rows merely added to the table do not count until a frame
shows them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.common import API_KEY, SCREEN, SEED, Sizes, make_app
from benchmarks.frames import FrameClock, median, percentile, settle
from benchmarks.report import Figure, Row, Target

TITLE = "Page switch (`]` to new rows on screen), limiter off, fake on loopback"
PAGE_SIZES = (50, 200)
REVISITED_MS = 16.0
UNCACHED_200_MS = 100.0


def jump_pages(total_pages: int, samples: int) -> list[int]:
    """Pages p, spread over the library, such that p and p + 1 are both unseen so far."""
    usable = list(range(2, total_pages, 2))  # pairs (2,3), (4,5), ... never overlap
    if not usable:
        return []
    count = min(samples, len(usable))
    step = len(usable) / count
    return [usable[int(i * step)] for i in range(count)]


class Subject:
    """What a figure needs from the program measured: the app or the reference."""

    def __init__(self, app: Any, clock: FrameClock, first_id: Any) -> None:
        self.app, self.clock, self.first_id = app, clock, first_id

    async def goto(self, pilot: Any, page: int) -> None:
        raise NotImplementedError


class AppSubject(Subject):
    async def goto(self, pilot: Any, page: int) -> None:
        # The user's way: `p`, the page number, enter.
        shown = self.clock.expect(self.first_id(page))
        await pilot.press("p")
        await pilot.press(*str(page))
        await pilot.press("enter")
        await asyncio.wait_for(shown, 30)


class ReferenceSubject(Subject):
    async def goto(self, pilot: Any, page: int) -> None:
        shown = self.clock.expect(self.first_id(page))
        self.app.show(page)
        await asyncio.wait_for(shown, 30)


async def run_switches(subject: Subject, pilot: Any, first_page: asyncio.Future,
                       pages: list[int], server: Any, size: int) -> dict[str, Any]:
    clock, first_id = subject.clock, subject.first_id
    await asyncio.wait_for(first_page, 30)
    await settle(pilot)
    uncached: list[float] = []
    revisited: list[float] = []
    ahead = 0
    for page in pages:
        await subject.goto(pilot, page)
        # Quiet CPU, but no longer: an app that fetches the next page after a rest would
        # otherwise always answer from its cache, and this is the uncached case.
        await pilot.pause()
        ahead += any(r.path.endswith("/list_videos") and (r.json or {}).get("page") == page + 1
                     and (r.json or {}).get("size") == size for r in server.requests)
        uncached.append(await clock.key_to_frame("right_square_bracket", text=first_id(page + 1)))
        await pilot.pause()
        await clock.key_to_frame("left_square_bracket", text=first_id(page))
        await pilot.pause()
        revisited.append(await clock.key_to_frame("right_square_bracket", text=first_id(page + 1)))
        await pilot.pause()
    return {"uncached": uncached, "revisited": revisited, "ahead": ahead}


def _stats(values: list[float]) -> tuple[float, str]:
    ms = [v * 1000 for v in values]
    return median(ms), f"p90 {percentile(ms, 90):.1f} ms, max {max(ms):.1f} ms, n={len(ms)}"


async def measure(sizes: Sizes) -> Figure:
    from benchmarks.reference_app import PagerApp
    from memories_tui.fake.server import FakeServer

    figure = Figure("page_switch", TITLE)
    server = FakeServer(seed=SEED, videos=sizes.library)
    server.start()
    try:
        for size in PAGE_SIZES:
            total_pages = -(-server.library.count() // size)
            pages = jump_pages(total_pages, sizes.switch_samples)
            ids: dict[int, str] = {}

            def first_id(page: int, size: int = size, ids: dict[int, str] = ids) -> str:
                if page not in ids:
                    ids[page] = server.library.query_videos(page=page, size=size)[0][0].video_no
                return ids[page]

            results = {}
            for kind in ("project", "reference"):
                if kind == "project":
                    app = make_app(server.base_url, page_size=size)
                    subject: Subject = AppSubject(app, FrameClock(app), first_id)
                else:
                    app = PagerApp(server.base_url, API_KEY, size)
                    subject = ReferenceSubject(app, FrameClock(app), first_id)
                # Armed before the app starts: page 1 may be drawn before run_test returns.
                first_page = subject.clock.expect(first_id(1))
                server.clear_requests()
                async with app.run_test(size=SCREEN) as pilot:
                    results[kind] = await run_switches(subject, pilot, first_page, pages,
                                                       server, size)
            for which in ("uncached", "revisited"):
                value, detail = _stats(results["project"][which])
                ref_value, ref_detail = _stats(results["reference"][which])
                figure.rows.append(Row(
                    f"{which}, {size} rows (median)", value, ref_value, "ms",
                    reference_label="httpx + one DataTable refill" if which == "uncached"
                    else "DataTable refill from memory",
                    detail=f"project {detail} | reference {ref_detail}"))
                if which == "revisited":
                    figure.targets.append(Target(f"page_switch_revisited_{size}", value, "<=",
                                                 REVISITED_MS, "ms"))
                elif size == 200:
                    figure.targets.append(Target("page_switch_uncached_200", value, "<=",
                                                 UNCACHED_200_MS, "ms"))
            if results["project"]["ahead"]:
                figure.notes.append(
                    f"size {size}: {results['project']['ahead']} of {len(pages)} 'uncached' "
                    "pages had been fetched ahead by the app before `]`")
    finally:
        server.stop()
    figure.notes.append(f"{sizes.library:,}-video library; targets use the median; "
                        "uncached pages are jumped to with the go-to-page prompt, far apart")
    return figure
