"""Figure 6: a scripted session under the real rate limit (the fake allows 1 request/s).

The session is a user's: paging both ways, details opened and followed down the list,
a name filter typed and cleared, one small download and one delete confirmed in its
modal, one key every ~0.35 s without waiting for answers (as a user does not). Counted:
the fake's `0429` answers. Checked: every time the app waited on its limiter for longer
than a frame, a frame showed the header's waiting notice during that wait, and the
notice was gone once the app stopped waiting.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import SCREEN, SEED, Sizes, make_app
from benchmarks.frames import FrameClock, send_key, settle
from benchmarks.report import Figure, Row, Target

TITLE = "Under the real rate limit: a scripted session, 0429 answers and the waiting notice"
WAITING_TEXT = "waiting on rate limit"
HEADER_TEXT = "│ namespace "
SMALL_ROW = 3  # every tenth video from index 3 on is a small clip: a quick download
MIN_WAIT = 0.05  # waits shorter than this may rightly never reach the screen
SESSION_CAP = 150.0


def core_actions(word: str) -> list[Any]:
    """The session's story: keys, `("type", c)` for typing, `("row", n)` for the j/k
    presses that bring the cursor to row n, `("modal", key, screen)` for a key after
    which `screen` must come up before the session goes on."""
    return [
        "]", "]", "]", "]", "]", "[", "[", "j", "j",
        "enter", "j", "j", "j", "i",  # details, following the cursor, then closed
        # A name typed and entered (names apply on enter), cleared, back to the table.
        "slash", *[("type", c) for c in word], "enter", "escape", "escape",
        "]", "]", "]", "g",
        ("row", SMALL_ROW), ("modal", "s", "DownloadModal"), ("modal", "enter", "LibraryScreen"),
        "j", ("modal", "d", "ConfirmDeleteModal"), ("modal", "y", "LibraryScreen"),
    ]


def session(word: str, count: int) -> list[Any]:
    actions = core_actions(word)
    filler = ["]", "]", "[", "j", "k", "]"]
    i = 0
    while len([a for a in actions if not isinstance(a, tuple) or a[0] != "row"]) < count:
        actions.append(filler[i % len(filler)])
        i += 1
    return actions


def cursor_row(app: Any) -> int:
    return int(app.screen.query_one("#videos").cursor_row)


async def wait_for_screen(app: Any, name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while type(app.screen).__name__ != name:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not come up (on {type(app.screen).__name__})")
        await asyncio.sleep(0.01)


async def measure(sizes: Sizes) -> Figure:
    from memories_tui.fake.server import FakeServer

    figure = Figure("rate_limit", TITLE)
    qps = sizes.session_qps
    gap = 0.05 if sizes.quick else 0.35
    server = FakeServer(seed=SEED, videos=sizes.library, rate_limit=qps)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="memories-bench-rl-"))
    waits: list[list[float]] = []  # [start, end] of each wait on the limiter
    shown: list[float] = []  # frames showing the notice
    plain: list[float] = []  # frames showing the header without it
    try:
        word = server.library.sample_word()[:6] or "video"
        actions = session(word, sizes.session_actions)
        app = make_app(server.base_url, page_size=50, rate_limit=qps, download_dir=folder)
        clock = FrameClock(app)

        def on_frame(text: str, now: float) -> None:
            if WAITING_TEXT in text:
                shown.append(now)
            elif HEADER_TEXT in text:
                plain.append(now)

        clock.on_frame = on_frame

        def waiting_changed(waiting: bool) -> None:
            now = time.perf_counter()
            if waiting and (not waits or len(waits[-1]) == 2):
                waits.append([now])
            elif not waiting and waits and len(waits[-1]) == 1:
                waits[-1].append(now)

        first_page = clock.expect(server.library.query_videos(page=1, size=50)[0][0].video_no)
        async with app.run_test(size=SCREEN) as pilot:
            app.watch(app, "rate_waiting", waiting_changed, init=False)
            await asyncio.wait_for(first_page, 30)
            await settle(pilot)
            # The log is kept from the start: the first request of the session is spaced
            # from the app's own start-up requests too.
            first = len(server.requests)
            before_429 = server.rate_limited_count
            started = time.perf_counter()
            done = 0
            for action in actions:
                if time.perf_counter() - started > SESSION_CAP:
                    break
                if isinstance(action, tuple) and action[0] == "row":
                    while cursor_row(app) != action[1]:
                        send_key(app, "j" if cursor_row(app) < action[1] else "k")
                        done += 1
                        await asyncio.sleep(gap)
                    continue
                pause = gap
                if isinstance(action, tuple) and action[0] == "type":
                    send_key(app, action[1])
                    pause = min(gap, 0.12)  # typing is quicker than deciding where to go
                elif isinstance(action, tuple):
                    _, key, expect = action
                    send_key(app, key)
                    await wait_for_screen(app, expect)
                else:
                    send_key(app, action)
                done += 1
                await asyncio.sleep(pause)
            typed = time.perf_counter() - started
            await settle(pilot, timeout=SESSION_CAP)
            await asyncio.sleep(0.3)
            elapsed = time.perf_counter() - started
            answers_429 = server.rate_limited_count - before_429
            sent = len(server.requests) - first
            downloaded = [j for j in app.downloads.jobs if j.state.value == "done"]
            deletes = [r for r in server.requests[first:] if r.path.endswith("/delete_videos")]
            arrivals = [(r.at, r.path.rsplit("/", 1)[-1]) for r in server.requests]
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    # Where the fake would answer 0429: two requests closer than its refill interval.
    close = sorted((b[0] - a[0], a[1], b[1]) for a, b in zip(arrivals, arrivals[1:], strict=False))
    long_waits = [w for w in waits if len(w) == 2 and w[1] - w[0] >= MIN_WAIT]
    seen = [w for w in long_waits if any(w[0] <= t <= w[1] + 0.05 for t in shown)]
    cleared = not waits or (len(waits[-1]) == 2 and any(t > waits[-1][1] for t in plain))
    figure.rows.append(Row("0429 answers", answers_429, 0, "answers", reference_label="the target",
                           detail=f"{done} actions in {typed:.0f} s, all answered after "
                                  f"{elapsed:.0f} s; {sent} requests at {qps:g}/s; "
                                  f"{len(downloaded)} download(s), {len(deletes)} delete request(s)"
                                  + (f"; closest requests {close[0][0] * 1000:.0f} ms apart "
                                     f"({close[0][1]} then {close[0][2]})" if close else "")))
    figure.rows.append(Row("waits shown in the header", len(seen), len(long_waits), "count",
                           reference_label=f"waits on the limiter of {MIN_WAIT * 1000:.0f} ms+",
                           detail=f"{len(waits)} waits in all; notice on {len(shown)} frames; "
                                  f"cleared at the end: {'yes' if cleared else 'no'}"))
    figure.targets.append(Target("rate_limit_0429", answers_429, "<=", 0, "count"))
    header_ok = bool(long_waits) and len(seen) == len(long_waits) and cleared
    figure.targets.append(Target("rate_limit_header_shows_wait", 1 if header_ok else 0, "==", 1,
                                 "yes/no"))
    if not long_waits:
        figure.notes.append("the app never waited long enough on its limiter to check the header")
    if len(downloaded) != 1 or len(deletes) != 1:
        figure.notes.append("the session did not download and delete exactly once each")
    return figure
