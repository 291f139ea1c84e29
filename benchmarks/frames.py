"""Timing what the user sees in a headless Textual app: frames, key presses, settling.

`FrameClock` wraps the app's `_display`, the one place every composed frame passes
through (in a real terminal it is turned into escape codes and written there). The
headless driver skips that conversion, so the clock does it itself before taking the
time: a frame counts as shown only once the work a terminal frame costs has been done.
Polling the screen instead (`export_screenshot`, reading `app.screen` strips) would
cost milliseconds per poll and land between frames; hooking the frame is exact and
free when nothing waits.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.keys import _character_to_key


def frame_text(update: Any) -> str:
    """The plain text of one compositor update (every line it repaints)."""
    parts: list[str] = []
    chops = getattr(update, "chops", None)
    if chops is not None:
        for line in chops:
            for strip in line.values():
                if strip is not None:
                    parts.append(strip.text)
            parts.append("\n")
        return "".join(parts)
    for line in getattr(update, "strips", ()) or ():
        strips = [line] if hasattr(line, "text") else line
        for strip in strips:
            parts.append(strip.text)
        parts.append("\n")
    return "".join(parts)


@dataclass
class _Waiter:
    text: str | None
    state: Callable[[], bool] | None
    future: asyncio.Future


@dataclass
class FrameLog:
    """Every frame's time whose text held `needle`, for checks made after the fact."""

    needle: str
    times: list[float] = field(default_factory=list)


class FrameClock:
    """Resolves waits at the first frame that shows a text and/or follows a state."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames = 0
        self._waiters: list[_Waiter] = []
        self._logs: list[FrameLog] = []
        self.on_frame: Callable[[str, float], None] | None = None
        original = app._display

        def display(screen: Any, update: Any) -> None:
            original(screen, update)
            if update is None:
                return
            self.frames += 1
            if not (self._waiters or self._logs or self.on_frame):
                return
            # What a terminal driver would do with the frame before writing it.
            update.render_segments(app.console)
            now = time.perf_counter()
            text = frame_text(update)
            self._check(text, now)

        app._display = display

    def _check(self, text: str, now: float) -> None:
        for log in self._logs:
            if log.needle in text:
                log.times.append(now)
        if self.on_frame is not None:
            self.on_frame(text, now)
        for waiter in list(self._waiters):
            if waiter.future.done():
                self._waiters.remove(waiter)
                continue
            if waiter.text is not None and waiter.text not in text:
                continue
            if waiter.state is not None and not waiter.state():
                continue
            waiter.future.set_result(now)
            self._waiters.remove(waiter)

    def expect(self, text: str | None = None,
               state: Callable[[], bool] | None = None) -> asyncio.Future:
        """A future set to the time of the first frame showing `text` while `state()`."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(_Waiter(text, state, future))
        return future

    def log(self, needle: str) -> FrameLog:
        entry = FrameLog(needle)
        self._logs.append(entry)
        return entry

    def stop_log(self, entry: FrameLog) -> None:
        if entry in self._logs:
            self._logs.remove(entry)

    async def wait_text(self, text: str, timeout: float = 30.0) -> float:
        return await asyncio.wait_for(self.expect(text), timeout)

    async def key_to_frame(self, key: str, *, text: str | None = None,
                           state: Callable[[], bool] | None = None,
                           timeout: float = 30.0) -> float:
        """Seconds from a key press to the first frame showing its effect."""
        future = self.expect(text, state)
        start = time.perf_counter()
        send_key(self.app, key)
        try:
            shown = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(f"no frame showed {text!r} within {timeout} s of {key!r}") from None
        return shown - start


def send_key(app: Any, key: str) -> None:
    """Deliver one key as the terminal driver does, without Pilot's wait for idle.

    `key` is a single character or a Textual key name ("right_square_bracket").
    """
    if len(key) == 1:
        char = key
        name = _character_to_key(key) if not key.isalnum() else key
    else:
        name = key
        from textual.keys import key_to_character

        char = key_to_character(key)
    event = events.Key(name, char)
    event.set_sender(app)
    app.post_message(event)


async def settle(pilot: Any, *, timeout: float = 30.0) -> None:
    """Until no worker runs and the app has gone idle: a quiet start for the next timing."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [w for w in app.workers if not w.is_finished]
        if not busy:
            break
        waits = [asyncio.ensure_future(w.wait()) for w in busy]
        done, pending = await asyncio.wait(waits, timeout=max(0.01, deadline - time.monotonic()))
        for task in pending:
            task.cancel()
        for task in done:
            # A cancelled or failed worker is the app's business here, not a harness error.
            if not task.cancelled():
                task.exception()
    await pilot.pause()


def rss_bytes() -> int:
    """This process's resident set size now."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def reset_peak_rss() -> bool:
    """Start a new peak (VmHWM) from the current RSS; False where Linux refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def settled_rss() -> int:
    gc.collect()
    return rss_bytes()


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return float("nan")
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); plain and reproducible for small samples."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]
