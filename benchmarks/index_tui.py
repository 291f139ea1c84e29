"""Figure 9: the local index as the TUI user meets it — typing, sorting, starting.

On a library of `sizes.library` videos (the fake in a process of its own), with the
index already complete (built once by `IndexSync.full_pass` into a cache folder of the
figure's own, which the app then finds), measured:

- **keystroke to filtered rows**: words typed into the name field one key every
  `KEY_GAP` s, as a typist's keys arrive; for each key, from the key to the first frame
  whose table holds that prefix's matches (the count the index gives for it, checked
  when the frame is made). p95 of every key. None of the keys may send a request.
- **sort change**: `S` through every column and `R` on each, from the cursor at the top
  (page 1 of the new order) and from a row further down (the page that holds it): key
  to the first frame with the new order's first row. The slowest.
- **first rows at start**: process start (tmux 120x40, as figure 1) to the first page of
  rows on screen, with the complete index present in the cache folder against a fresh
  empty one (the index opens after the first frame, so it must cost nothing there).
  Medians of alternating runs; ratio.
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    API_KEY,
    REPO,
    SCREEN,
    FakeProcess,
    Sizes,
    make_app,
    terminal_env,
)
from benchmarks.frames import FrameClock, median, percentile, send_key
from benchmarks.report import Figure, Row, Target

TITLE = "The index in the TUI: keystroke to filtered rows, sort changes, start-up with an index"
KEY_GAP = 0.12  # seconds between keys: a quick typist
KEY_P95_MS = 50.0
SORT_MS = 150.0
START_RATIO = 1.05
WORDS = ("park", "sao paulo", "img_", "draft", "tokyo")
TIMEOUT = 30.0


async def settle(pilot: Any, timeout: float = TIMEOUT) -> None:
    """Until no worker runs but the index's sync (which runs as long as the app)."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [w for w in app.workers if not w.is_finished and w.group != "index"]
        if not busy:
            break
        await asyncio.wait([asyncio.ensure_future(w.wait()) for w in busy],
                           timeout=max(0.01, deadline - time.monotonic()))
    await pilot.pause()


def build_index(base_url: str, cache: Path) -> Path:
    """A complete index of the fake's default namespace where the app will look."""
    from memories_tui.api.client import MemoriesClient
    from memories_tui.services.index_store import IndexStore, index_path
    from memories_tui.services.index_sync import IndexSync

    path = index_path(base_url, "default", directory=cache / "memories-tui" / "index")
    assert path is not None

    async def run() -> None:
        async with MemoriesClient(API_KEY, base_url, rate_limit=None) as client:
            with IndexStore(path) as store:
                sync = IndexSync(client, store, max_age=None)
                await sync.full_pass()
                await sync.wait_idle()

    asyncio.run(run())
    return path


def expected_count(path: Path, part: str) -> int:
    from memories_tui.services.index_store import IndexFilters, IndexStore

    with IndexStore(path) as store:
        return store.query(IndexFilters(name_part=part), limit=0)[1]


async def typing_and_sorting(base_url: str, path: Path, words: tuple[str, ...]) -> dict[str, Any]:
    """In this process: the headless app on the complete index; key latencies (ms)."""
    counts = {word[:n]: expected_count(path, word[:n])
              for word in words for n in range(1, len(word) + 1)}
    app = make_app(base_url, page_size=50, index=True)
    clock = FrameClock(app)
    keys: list[float] = []
    sorts: list[float] = []
    requests_while_typing = 0
    async with app.run_test(size=SCREEN) as pilot:
        deadline = time.monotonic() + TIMEOUT
        while not getattr(app.screen, "index_mode", False):
            if time.monotonic() > deadline:
                raise TimeoutError("the app never served the table from the index")
            await asyncio.sleep(0.02)
        await settle(pilot)
        screen = app.screen
        field = screen.query_one("#name-filter")
        client = app.client
        calls = 0
        original = client.list_videos

        async def counting(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            return await original(*args, **kwargs)

        client.list_videos = counting  # every request the typing would send
        for word in words:
            field.value = ""
            field.focus()
            await settle(pilot)
            await asyncio.sleep(0.4)  # the counts per status of the cleared filter
            start = time.perf_counter()
            for i, char in enumerate(word):
                prefix = word[:i + 1]

                def shown(prefix: str = prefix) -> bool:
                    # The rows on screen are the ones of this prefix (the query the table
                    # shows, and the count the index gives for it).
                    result = screen.page_result
                    return (screen.query_state.name == prefix.strip() and result is not None
                            and result.total_count == counts[prefix])

                await asyncio.sleep(max(0.0, start + i * KEY_GAP - time.perf_counter()))
                future = clock.expect(state=shown)
                pressed = time.perf_counter()
                send_key(app, "space" if char == " " else char)
                frame = await asyncio.wait_for(future, TIMEOUT)
                keys.append(1000 * (frame - pressed))
        requests_while_typing = calls
        client.list_videos = original
        # Sorting: back to the table, every column and its reverse.
        field.value = ""
        screen.table.focus()
        await settle(pilot)
        await asyncio.sleep(0.4)
        store = app.index.store
        for from_top in (True, False):
            screen.table.sort_by(None)
            await settle(pilot)
            if not from_top:
                for _ in range(7):
                    send_key(app, "j")
                await settle(pilot)
            for key in ("S", "R") * 6:
                table = screen.table
                column, reverse = table.sort_column, table.sort_reverse
                if key == "S":
                    order = [None, "name", "id", "status", "duration", "size", "created"]
                    column = order[(order.index(column) + 1) % len(order)]
                    reverse = False
                else:
                    reverse = not reverse
                if column is None:
                    continue
                # The first row the new order puts on screen: of page 1 from the top, else
                # of the page that holds the row the cursor is on.
                filters = screen._index_filters()
                offset = 0
                highlighted = screen.table.highlighted
                if not from_top and highlighted is not None:
                    position = store.position_of(highlighted.video_no, filters, column,
                                                 reverse) or 0
                    offset = position // 50 * 50
                rows, _ = store.query(filters, column, reverse, offset, 1)
                want_first = rows[0].video_no if rows else None

                def sorted_shown(column: str = column, reverse: bool = reverse,
                                 want_first: str | None = want_first) -> bool:
                    videos = screen.table.videos
                    if screen.table.sort_column != column or screen.table.sort_reverse != reverse:
                        return False
                    return bool(videos and videos[0].video_no == want_first)

                future = clock.expect(state=sorted_shown)
                pressed = time.perf_counter()
                send_key(app, key)
                frame = await asyncio.wait_for(future, TIMEOUT)
                sorts.append(1000 * (frame - pressed))
                await settle(pilot)
    return {"keys": keys, "sorts": sorts, "requests": requests_while_typing}


def first_rows(base_url: str, index_file: Path, runs: int,
               warm: bool) -> tuple[list[float], list[float]]:
    """Seconds to the first rows, with the complete index present and without one."""
    from benchmarks.first_frame import Tmux, time_to_text

    workdir = tempfile.mkdtemp(prefix="memories-bench-index-start-")
    env = terminal_env()
    env.update(XDG_CONFIG_HOME=workdir, MEMORIES_API_KEY=API_KEY, PYTHONPATH=str(REPO))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    tmux = Tmux(env)
    with_index: list[float] = []
    without: list[float] = []
    try:
        import json
        import urllib.request

        # Page 1's first row, asked of the fake (it runs in a process of its own).
        body = json.dumps({"page": 1, "size": 50}).encode()
        request = urllib.request.Request(base_url + "/serve/api/v1/list_videos", data=body,
                                         headers={"Authorization": API_KEY,
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            first = json.loads(answer.read())["data"]["videos"][0]["video_no"]
        script = Path(sys.executable).with_name("memories-tui")
        entry = [str(script)] if script.exists() else ["-m", "memories_tui.cli"]

        def command(cache: str) -> list[str]:
            return ["env", f"XDG_CACHE_HOME={cache}", sys.executable, *entry,
                    "--base-url", base_url]

        present = Path(workdir) / "with-index"
        target = present / index_file.relative_to(index_file.parents[3])
        target.parent.mkdir(parents=True)

        def fresh_copy() -> None:
            # Each run starts from the same complete index (a run's sync may touch it).
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            with sqlite3.connect(str(index_file)) as source, \
                    sqlite3.connect(str(target)) as copy:
                source.backup(copy)

        if warm:
            fresh_copy()
            time_to_text(tmux, "warm", command(str(present)), first, workdir)
        for n in range(runs):
            empty = Path(workdir) / f"empty-{n}"
            empty.mkdir()
            fresh_copy()
            # Alternate, so a slow spell of the machine hits both alike.
            without.append(time_to_text(tmux, "without", command(str(empty)), first, workdir))
            with_index.append(time_to_text(tmux, "with", command(str(present)), first,
                                           workdir))
    finally:
        tmux.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return with_index, without


def measure(sizes: Sizes) -> Figure:
    figure = Figure("index_tui", TITLE)
    videos = sizes.library
    folder = Path(tempfile.mkdtemp(prefix="memories-bench-index-tui-"))
    words = WORDS[:2] if sizes.quick else WORDS
    try:
        with FakeProcess(videos=videos) as fake:
            os.environ["XDG_CACHE_HOME"] = str(folder)  # the app finds the index here
            path = build_index(fake.base_url, folder)
            result = asyncio.run(typing_and_sorting(fake.base_url, path, words))
            if shutil.which("tmux") is None:
                starts = None
            else:
                starts = first_rows(fake.base_url, path, runs=max(1, sizes.first_frame_runs),
                                    warm=not sizes.quick)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    keys, sorts = result["keys"], result["sorts"]
    figure.rows.append(Row(
        "keystroke to filtered rows, p95", percentile(keys, 95), KEY_P95_MS, "ms",
        reference_label="the target",
        detail=f"{len(keys)} keys of {', '.join(repr(w) for w in words)}, "
               f"{KEY_GAP * 1000:.0f} ms apart; median {median(keys):.1f} ms, "
               f"max {max(keys):.1f} ms"))
    figure.rows.append(Row(
        "list requests while typing", result["requests"], 0, "count",
        reference_label="none: the index answers"))
    figure.rows.append(Row(
        "sort change to new rows, slowest", max(sorts), SORT_MS, "ms",
        reference_label="the target",
        detail=f"{len(sorts)} changes (S and R, from the top and from a row below); "
               f"median {median(sorts):.1f} ms"))
    figure.targets += [
        Target("index_tui_key_p95", percentile(keys, 95), "<=", KEY_P95_MS, "ms"),
        Target("index_tui_typing_requests", result["requests"], "<=", 0, "count"),
        Target("index_tui_sort_change_max", max(sorts), "<=", SORT_MS, "ms"),
    ]
    if starts is None:
        figure.notes.append("first rows at start: skipped (tmux is not installed)")
    else:
        with_index, without = starts
        ratio = median(with_index) / median(without)
        figure.rows.append(Row(
            "first rows at start, complete index present", median(with_index) * 1000,
            median(without) * 1000, "ms", reference_label="no index yet",
            detail="runs ms: with " + " ".join(f"{x * 1000:.0f}" for x in with_index)
                   + " | without " + " ".join(f"{x * 1000:.0f}" for x in without)))
        figure.targets.append(Target("index_tui_first_rows_ratio", ratio, "<=", START_RATIO))
    figure.notes.append(f"{videos:,}-video library, 50 rows a page, the index complete "
                        f"before the app starts ({math.ceil(videos / 1000):,} pages)")
    return figure
