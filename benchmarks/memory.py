"""Figure 3: resident memory after paging through hundreds of pages, against after the first.

The app runs headless in this process; the fake runs in its own process, so its memory
is not counted. The ids that tell each page apart on screen are computed in a helper
process too: the seeded library takes tens of MB that would otherwise pad the
baseline and flatter the ratio.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from benchmarks.common import REPO, SCREEN, FakeProcess, Sizes, make_app
from benchmarks.frames import FrameClock, settle, settled_rss
from benchmarks.report import Figure, Row, Target

TITLE = "Memory: RSS after paging through many pages vs after the first page"
TARGET_RATIO = 1.3
MiB = 1024 * 1024


def first_ids_elsewhere(videos: int, size: int, pages: int) -> dict[int, str]:
    code = ("import json, sys; from benchmarks.common import expected_first_ids; "
            f"print(json.dumps(expected_first_ids({videos}, {size}, range(1, {pages + 1}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(REPO), check=True).stdout
    return {int(k): v for k, v in json.loads(out).items()}


async def measure(sizes: Sizes) -> Figure:
    figure = Figure("memory", TITLE)
    size = sizes.memory_page_size
    available = -(-sizes.library // size)
    pages = min(sizes.memory_pages, available - 1)
    ids = first_ids_elsewhere(sizes.library, size, pages + 1)
    trend: list[tuple[int, int]] = []
    with FakeProcess(videos=sizes.library) as fake:
        app = make_app(fake.base_url, page_size=size)
        clock = FrameClock(app)
        first_page = clock.expect(ids[1])
        async with app.run_test(size=SCREEN) as pilot:
            await asyncio.wait_for(first_page, 30)
            await settle(pilot)
            first = settled_rss()
            switch_ms: list[float] = []
            every = max(1, pages // 5)
            for page in range(2, pages + 2):
                # As fast as the pages come: someone holding `]` down.
                switch_ms.append(1000 * await clock.key_to_frame("right_square_bracket",
                                                                 text=ids[page]))
                if (page - 1) % every == 0:
                    trend.append((page, settled_rss()))
            await settle(pilot)
            after = settled_rss()
    figure.rows.append(Row(
        f"RSS after {pages + 1} pages", after / MiB, first / MiB, "MiB",
        reference_label="RSS after the first page",
        detail="trend (page: MiB): " + ", ".join(f"{p}: {r / MiB:.1f}" for p, r in trend)))
    figure.targets.append(Target("memory_ratio", after / first, "<=", TARGET_RATIO))
    mean = sum(switch_ms) / len(switch_ms)
    figure.notes.append(f"{sizes.library:,}-video library, {size} rows a page, limiter off; "
                        f"switches took {mean:.0f} ms on average (uncached, back to back)")
    return figure
