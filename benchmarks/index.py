"""Figure 7: the library index — its sync, its quick refresh, its queries and its memory.

The fake runs in its own process. Measured, on a library of `sizes.library` videos:

- **full sync**: requests the fake received for one full pass into an empty index
  (against ceil(N / page size), + 1 %), and its time against the same client fetching
  the same pages (1000 rows each) and throwing them away. Both run twice, interleaved,
  with the limiter off (at the real 1 request/s both would only measure the limiter);
  the medians are compared. The sync's time runs until the index is complete (every
  row written, the pass marked done); the sort indexes are then built in a worker
  thread, and that time is shown beside it.
- **quick refresh** of the unchanged library: requests the fake received.
- **query**: a name typed letter by letter (each prefix a new filter), for every sort
  column and direction, on the first page and on a page picked at random: the time
  `IndexStore.query` takes (count of matches + one page of 50 rows), p95.
- **sort change**: from each sort (column and direction) to each other, the first page
  in the new order and the position of the row the cursor was on (to keep it), with
  and without a filter: the slowest.
- **RSS**: in a process of its own, the headless app showing its first page; then, in
  the same process and event loop, a full sync of the library into a new index file and
  the query workload (every sort, deep pages, stats, duplicates, select all matching);
  resident memory after, against before.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import API_KEY, REPO, SCREEN, FakeProcess, Sizes, make_app
from benchmarks.frames import median, percentile
from benchmarks.report import Figure, Row, Target

TITLE = "The library index: full sync, quick refresh, queries, sort changes, memory"
PAGE = 1000
ROWS = 50
TIME_RATIO = 1.25
REQUEST_SLACK = 0.01
QUICK_REFRESH_MAX = 3
QUERY_P95_MS = 50.0
SORT_CHANGE_MS = 150.0
RSS_RATIO = 1.3
WORDS = ("sao paulo", "park", "img_", "draft", "tokyo")
SORTS = [(c, d) for c in ("name", "size", "duration", "created", "status") for d in (False, True)]


async def plain_fetch(client: Any, videos: int) -> float:
    started = time.perf_counter()
    for page in range(1, math.ceil(videos / PAGE) + 1):
        await client.list_videos(page, PAGE)
    return time.perf_counter() - started


async def one_sync(client: Any, path: Path) -> tuple[float, float, Any]:
    """Seconds until the index is complete, then until its sort indexes are built."""
    from memories_tui.services.index_store import IndexStore
    from memories_tui.services.index_sync import IndexSync

    started = time.perf_counter()
    store = IndexStore(path)
    sync = IndexSync(client, store, max_age=None)
    result = await sync.full_pass()
    complete = time.perf_counter() - started
    await sync.wait_idle()
    return complete, time.perf_counter() - started - complete, (store, sync, result)


def query_workload(store: Any, rng: random.Random, words: tuple[str, ...]) -> list[float]:
    """Milliseconds of each query: every prefix of each word, every sort, page 1 and a
    random page."""
    from memories_tui.services.index_store import IndexFilters

    times = []
    for word in words:
        for end in range(1, len(word) + 1):
            filters = IndexFilters(name_part=word[:end])
            for column, descending in SORTS:
                for which in ("first", "random"):
                    total = store.query(filters, column, descending, 0, 0)[1]
                    offset = 0 if which == "first" else rng.randrange(0, max(1, total))
                    started = time.perf_counter()
                    store.query(filters, column, descending, offset, ROWS)
                    times.append(1000 * (time.perf_counter() - started))
    return times


def sort_changes(store: Any, filters: Any) -> list[float]:
    times = []
    rows, _ = store.query(filters, *SORTS[0], 0, ROWS)
    cursor = rows[len(rows) // 2].video_no if rows else None
    for column, descending in SORTS[1:] + SORTS[:1]:
        started = time.perf_counter()
        rows, _ = store.query(filters, column, descending, 0, ROWS)
        if cursor is not None:
            store.position_of(cursor, filters, column, descending)
        times.append(1000 * (time.perf_counter() - started))
    return times


async def measure(sizes: Sizes) -> Figure:
    from memories_tui.api.client import MemoriesClient
    from memories_tui.services.index_store import IndexFilters

    figure = Figure("index", TITLE)
    videos = sizes.library
    rounds = 1 if sizes.quick else 2
    folder = Path(tempfile.mkdtemp(prefix="memories-bench-index-"))
    try:
        with FakeProcess(videos=videos) as fake:
            async with MemoriesClient(API_KEY, fake.base_url, rate_limit=None) as client:
                await client.list_videos(1, PAGE)  # the connection, opened once
                plain: list[float] = []
                synced: list[float] = []
                built: list[float] = []
                requests: list[int] = []
                kept: Any = None
                for n in range(rounds):
                    plain.append(await plain_fetch(client, videos))
                    if kept is not None:
                        kept[0].close()
                    before = fake.state()["requests"]
                    seconds, building, kept = await one_sync(client,
                                                             folder / f"sync-{n}.sqlite3")
                    synced.append(seconds)
                    built.append(building)
                    requests.append(fake.state()["requests"] - before)
                store, sync, result = kept
                started = time.perf_counter()
                again = await sync.full_pass()
                resync = time.perf_counter() - started
                before = fake.state()["requests"]
                refresh = await sync.quick_refresh()
                refresh_requests = fake.state()["requests"] - before
            exact = store.count() == videos and result.finished and again.removed == 0
            rng = random.Random(7)
            words = WORDS[:2] if sizes.quick else WORDS
            queries = query_workload(store, rng, words)
            changes = sort_changes(store, IndexFilters()) + sort_changes(
                store, IndexFilters(name_part="park"))
            store.close()
            disk = sum(p.stat().st_size for p in folder.glob(f"sync-{rounds - 1}.sqlite3*"))
            rss = rss_elsewhere(fake.base_url, videos)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    budget = math.ceil(videos / PAGE) * (1 + REQUEST_SLACK)
    figure.rows.append(Row(
        "full sync: requests", max(requests), math.ceil(videos / PAGE), "count",
        reference_label=f"ceil(N / {PAGE})",
        detail=f"per run: {', '.join(map(str, requests))}; the index then held "
               f"{'exactly' if exact else 'NOT exactly'} the library"))
    ratio = median(synced) / median(plain)
    figure.rows.append(Row(
        "full sync: time until complete", median(synced), median(plain), "s",
        reference_label="the same pages fetched and thrown away",
        detail=f"sync {', '.join(f'{s:.2f}' for s in synced)} s; plain "
               f"{', '.join(f'{s:.2f}' for s in plain)} s"))
    total = [s + b for s, b in zip(synced, built, strict=True)]
    figure.rows.append(Row(
        "full sync + sort indexes built", median(total), median(plain), "s",
        reference_label="the same pages fetched and thrown away",
        detail=f"the sort indexes took {', '.join(f'{b:.2f}' for b in built)} s in a worker "
               "thread after the index was complete (queries scan meanwhile)"))
    figure.rows.append(Row(
        "second full pass (index complete)", resync, median(plain), "s",
        reference_label="the same pages fetched and thrown away",
        detail=f"{again.requests} requests, {again.removed} removed, {again.new} new"))
    figure.rows.append(Row("quick refresh: requests", refresh_requests, QUICK_REFRESH_MAX,
                           "count", reference_label="the target",
                           detail=f"the sync counted {refresh.requests}; full pass due: "
                                  f"{'yes' if refresh.full_pass_due else 'no'}"))
    figure.rows.append(Row(
        "query: filter + sort + 50 rows, p95", percentile(queries, 95), QUERY_P95_MS, "ms",
        reference_label="the target",
        detail=f"{len(queries)} queries; median {median(queries):.1f} ms, "
               f"max {max(queries):.1f} ms"))
    figure.rows.append(Row(
        "sort change, slowest", max(changes), SORT_CHANGE_MS, "ms",
        reference_label="the target",
        detail=f"{len(changes)} changes (first page + cursor position); median "
               f"{median(changes):.1f} ms"))
    if rss.get("error"):
        figure.notes.append("RSS: " + rss["error"])
    rss_ratio = rss["with"] / rss["without"] if rss.get("without") else None
    if rss.get("without"):
        figure.rows.append(Row(
            "RSS with the complete index", rss["with"] / 2**20, rss["without"] / 2**20,
            "MiB", reference_label="the app on its first page, no index",
            detail=f"index file {rss['file'] / 2**20:.1f} MiB; {rss['rows']:,} rows; "
                   f"peak RSS {rss['peak'] / 2**20:.1f} MiB"))
    figure.targets += [
        Target("index_sync_requests", max(requests), "<=", budget, "count"),
        Target("index_sync_time_ratio", ratio, "<=", TIME_RATIO),
        Target("index_quick_refresh_requests", refresh_requests, "<=", QUICK_REFRESH_MAX,
               "count"),
        Target("index_query_p95", percentile(queries, 95), "<=", QUERY_P95_MS, "ms"),
        Target("index_sort_change_max", max(changes), "<=", SORT_CHANGE_MS, "ms"),
        Target("index_rss_ratio", rss_ratio, "<=", RSS_RATIO),
    ]
    figure.notes.append(f"{videos:,}-video library, pages of {PAGE}, limiter off; the index "
                        f"takes {disk / 2**20:.1f} MiB on disk")
    return figure


# -- the memory figure, in a process of its own ---------------------------------------------


def rss_elsewhere(base_url: str, videos: int) -> dict[str, Any]:
    code = ("import asyncio, json, sys; from benchmarks.index import rss_child; "
            f"print(json.dumps(asyncio.run(rss_child({base_url!r}, {videos}))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=str(REPO), timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}: {done.stderr[-1500:]}"}
    return dict(json.loads(lines[-1]))


async def rss_child(base_url: str, videos: int) -> dict[str, Any]:
    """Run in a fresh process: the app headless on its first page, then the index."""
    from benchmarks.frames import peak_rss_bytes, settle, settled_rss
    from memories_tui.api.client import MemoriesClient
    from memories_tui.api.status import StatusClass
    from memories_tui.services.index_store import IndexFilters, IndexStore
    from memories_tui.services.index_sync import IndexSync

    folder = Path(tempfile.mkdtemp(prefix="memories-bench-rss-"))
    try:
        app = make_app(base_url, page_size=ROWS)
        async with app.run_test(size=SCREEN) as pilot:
            deadline = time.monotonic() + 30
            while not app.screen.query("#videos") or \
                    not app.screen.query_one("#videos").row_count:
                if time.monotonic() > deadline:
                    raise TimeoutError("the first page never showed")
                await asyncio.sleep(0.05)
            await settle(pilot)
            without = settled_rss()
            async with MemoriesClient(API_KEY, base_url, rate_limit=None) as client:
                store = IndexStore(folder / "index.sqlite3")
                await IndexSync(client, store, max_age=None).full_pass()
            rng = random.Random(3)
            query_workload(store, rng, ("park", "sao"))
            total = store.count()
            for column, descending in SORTS:
                for offset in (0, total // 3, total - ROWS):
                    store.query(IndexFilters(), column, descending, max(0, offset), ROWS)
            store.stats()
            store.stats(IndexFilters(status_class=StatusClass.FAILED))
            store.matching_ids(IndexFilters(name_part="e"))
            store.spare_copies(store.duplicate_groups("name_size"))
            store.duplicate_groups("size_duration")
            rows, _ = store.query(IndexFilters(), "created", True, 0, ROWS)  # one page shown
            await settle(pilot)
            with_index = settled_rss()
            file_size = sum(p.stat().st_size for p in folder.glob("index.sqlite3*"))
            del rows
            store.close()
        return {"without": without, "with": with_index, "peak": peak_rss_bytes(),
                "file": file_size, "rows": total}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
