"""Figure 4: typing an exact name filter (up to 30 characters), 20 ms a key, then enter.

The server matches names exactly, so the name field applies on enter: typing must send
nothing, and enter one request. Counted: the list requests the fake received from the
first key on. Timed: from the last key (enter) to the first frame that shows the
filter's first row and comes after the fake received the request (the fake's log and
the frame clock read the same monotonic clock), so an earlier frame cannot stop the
clock early. The reference is one request for the same filter, timed from here; the
target allows 300 ms on top of that.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.common import API_KEY, LIST_PATH, SCREEN, SEED, Sizes, make_app
from benchmarks.frames import FrameClock, median, send_key, settle
from benchmarks.report import Figure, Row, Target

TITLE = "Typing an exact name (up to 30 characters) 20 ms apart, then enter"
KEY_GAP = 0.020
PAGE_SIZE = 50
ALLOWANCE_MS = 300.0  # drawing the rows, on top of the request
MAX_REQUESTS = 1  # enter; none while typing


def choose_filter(library, length: int) -> tuple[str, str]:
    """A whole video name of at most `length` characters (the longest found in the
    second half of the library) that a keyboard types and whose first match is not on
    page 1 already."""
    page_one = {r.video_no for r in library.query_videos(page=1, size=PAGE_SIZE)[0]}
    count = library.count()
    best: tuple[str, str] | None = None
    for i in range(count // 2, count):
        text = library.query_videos(page=i + 1, size=1)[0][0].name
        if len(text) > length or not text.isascii() or not text.isprintable():
            continue
        if text != text.strip() or (best is not None and len(text) <= len(best[0])):
            continue
        records, _ = library.query_videos(page=1, size=PAGE_SIZE, name=text)
        if records and records[0].video_no not in page_one:
            best = text, records[0].video_no
            if len(text) == length:
                break
    if best is None:
        raise RuntimeError(f"no name of {length} characters or fewer to filter by")
    return best


def one_request_ms(base_url: str, text: str, runs: int = 5) -> float:
    import httpx

    times = []
    with httpx.Client(base_url=base_url, headers={"Authorization": API_KEY}) as http:
        for _ in range(runs + 1):
            start = time.perf_counter()
            body = {"page": 1, "size": PAGE_SIZE, "video_name": text}
            http.post(LIST_PATH, json=body).raise_for_status()
            times.append(time.perf_counter() - start)
    return 1000 * median(times[1:])  # the first also opens the connection


async def measure(sizes: Sizes) -> Figure:
    from memories_tui.fake.server import FakeServer

    figure = Figure("filter_typing", TITLE)
    server = FakeServer(seed=SEED, videos=sizes.library)
    server.start()
    try:
        text, final_first = choose_filter(server.library, sizes.filter_chars)
        request_ms = one_request_ms(server.base_url, text)
        page_one = server.library.query_videos(page=1, size=PAGE_SIZE)[0][0].video_no
        app = make_app(server.base_url, page_size=PAGE_SIZE)
        clock = FrameClock(app)
        first_page = clock.expect(page_one)
        async with app.run_test(size=SCREEN) as pilot:
            await asyncio.wait_for(first_page, 30)
            await settle(pilot)
            await pilot.press("slash")
            await settle(pilot)
            seen = len(server.requests)
            shown = clock.log(final_first)
            start = time.perf_counter()
            for i, char in enumerate(text):
                # On a fixed schedule, as a typist's keys arrive, however long each takes.
                await asyncio.sleep(max(0.0, start + i * KEY_GAP - time.perf_counter()))
                send_key(app, char)
            await asyncio.sleep(max(0.0, start + len(text) * KEY_GAP - time.perf_counter()))
            send_key(app, "enter")
            last_key = time.perf_counter()
            deadline = last_key + 10
            while not shown.times and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            # Anything the app would still send (a second request).
            await asyncio.sleep(0.6)
            await settle(pilot)
            clock.stop_log(shown)
            sent = [r for r in server.requests[seen:] if r.path.endswith("/list_videos")]
    finally:
        server.stop()
    final = [r for r in sent if (r.json or {}).get("video_name") == text]
    figure.rows.append(Row("list requests sent", len(sent), MAX_REQUESTS, "count",
                           reference_label="the target",
                           detail="names asked for: " + ", ".join(
                               repr((r.json or {}).get("video_name")) for r in sent)))
    if final:
        after = [t for t in shown.times if t >= final[-1].at]
        latency = 1000 * (after[0] - last_key) if after else None
    else:
        latency = None
    limit = ALLOWANCE_MS + request_ms
    detail = ""
    if final and latency is not None:
        asked = 1000 * (final[-1].at - last_key)
        detail = (f"the final request reached the fake {asked:.0f} ms after the last key, "
                  f"its rows were on screen {latency - asked:.0f} ms later")
    figure.rows.append(Row("last key to final rows", latency, limit, "ms",
                           reference_label=f"300 ms + one request ({request_ms:.1f} ms)",
                           detail=detail))
    figure.targets.append(Target("filter_requests", len(sent), "<=", MAX_REQUESTS, "count"))
    figure.targets.append(Target("filter_last_key_to_rows", latency, "<=", round(limit, 1), "ms"))
    figure.notes.append(f"name {text!r} ({len(text)} characters) typed into the name "
                        f"filter of a {sizes.library:,}-video library and entered, "
                        f"{PAGE_SIZE} rows a page")
    if not final:
        figure.notes.append("the app never asked for the whole filter")
    return figure
