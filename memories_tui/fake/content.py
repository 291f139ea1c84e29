"""Deterministic video bytes: what the fake streams for a download, and what tests expect.

A video's content is a pure function of its ``video_no`` and the byte offset, so a
1 GiB download costs neither memory nor disk, and a test can recompute any range.

Layout: the stream is cut into 64 KiB segments. Every video has its own 128 KiB
pseudo-random "tape" (SHAKE-256 of the id). Segment ``k`` is the segment number as 8
big-endian bytes followed by 65,528 bytes of the tape read from a position that moves
with ``k``. The stamp makes every segment of a video unique (a dropped, repeated or
reordered chunk changes the bytes), the tape makes videos differ from one another,
and producing a segment is only slicing, so the server can emit hundreds of MiB/s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache

SEGMENT = 64 * 1024
#: Size of the chunks the download route sends (a whole number of segments).
CHUNK = 16 * SEGMENT
_STAMP = 8
# An odd stride spreads the tape offsets of consecutive segments over the whole tape.
_STRIDE = 40_503


@lru_cache(maxsize=64)
def _tape(video_no: str) -> memoryview:
    # Two copies back to back, so any 64 KiB window is one contiguous slice.
    seed = b"memories-fake/" + video_no.encode("utf-8", "surrogatepass")
    once = hashlib.shake_256(seed).digest(SEGMENT)
    return memoryview(once + once)


def _segment_parts(tape: memoryview, k: int, lo: int, hi: int) -> list:
    """Pieces of bytes [lo, hi) of segment k (0 <= lo < hi <= SEGMENT)."""
    stamp = k.to_bytes(_STAMP, "big")
    at = (k * _STRIDE) % SEGMENT
    parts: list = []
    if lo < _STAMP:
        parts.append(stamp[lo:min(hi, _STAMP)])
        lo = _STAMP
    if hi > lo:
        parts.append(tape[at + lo : at + hi])
    return parts


def iter_range(video_no: str, start: int, end: int, chunk: int = CHUNK) -> Iterator[bytes]:
    """Yield the bytes [start, end) of a video in pieces of at most ``chunk`` bytes.

    Pieces end on ``chunk`` boundaries of the file, so a stream starting at 0 yields
    whole chunks. ``chunk`` must be a multiple of 64 KiB.
    """
    if chunk % SEGMENT:
        raise ValueError("chunk must be a multiple of 64 KiB")
    tape = _tape(video_no)
    pos = start
    while pos < end:
        stop = min(end, (pos // chunk + 1) * chunk)
        parts: list = []
        while pos < stop:
            k, lo = divmod(pos, SEGMENT)
            hi = min(SEGMENT, lo + (stop - pos))
            parts.extend(_segment_parts(tape, k, lo, hi))
            pos += hi - lo
        yield b"".join(parts)


def expected_bytes(video_no: str, size: int, start: int = 0, end: int | None = None) -> bytes:
    """The bytes [start, end) of the video ``video_no`` whose size is ``size``.

    ``end`` defaults to ``size`` and is clamped to it, as Python slicing would.
    """
    end = size if end is None else min(end, size)
    start = max(0, start)
    if start >= end:
        return b""
    return b"".join(iter_range(video_no, start, end))
