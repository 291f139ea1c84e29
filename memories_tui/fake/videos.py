"""Private videos: the record type, id scheme, and per-namespace "shelves".

A ``GeneratedShelf`` makes record ``i`` on demand from (seed, namespace, i), so a
100,000-video library costs nothing until something scans it; a ``ListedShelf`` holds
hand-written records (the reference's examples, the hostile profile).

Index 0 is the newest video and create times fall strictly as the index grows. The
listing order is *not* plain index order, because the real service's is not (see
docs/api.md, List Videos): a block of the oldest videos, with ``VEI`` ids, comes last
and in ascending time order. Paging slices the listing order (``Shelf.alive``).

Like a real library, a generated one holds failures spelled three ways (mostly
``FAIL``), ready videos spelled ``PARSE`` or now and then ``DONE``, repeated uploads
(the same name and size again, often one ready copy and one failed copy) and ready
videos whose size is listed as "0" (unknown).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .dice import Dice
from .names import CAUSES, video_name

#: The fake's "now" for data. Fixed, not the wall clock, so snapshots are stable.
REFERENCE_TIME = datetime(2026, 11, 1, tzinfo=UTC)
REFERENCE_MS = int(REFERENCE_TIME.timestamp()) * 1000
#: Generated videos are spread over the two years before REFERENCE_TIME.
SPAN_MS = 730 * 86_400_000
#: Video ids are snowflake-like, as the real ones appear to be: milliseconds since
#: 2021-01-01 shifted left 22 bits, then namespace code (5 bits) and index (17 bits).
SNOWFLAKE_EPOCH_MS = 1_609_459_200_000
_INDEX_BITS = 17
MAX_VIDEOS = 100_000

#: Every spelling a generated video may carry (see api/status.py for their classes).
STATUSES = ("PARSE", "DONE", "UNPARSE", "FAIL", "PARSE_ERROR", "FAILED")
#: The cause the real service gives with ``FAIL`` (trailing space included).
INDEXING_FAILED = "Indexing failed. "
#: The share of a generated namespace listed last, ascending, with ``VEI`` ids.
VEI_SHARE = 0.06

# (width, height, label): landscape and phone-portrait formats.
_FORMATS = (
    (640, 360, "360P"), (854, 480, "480P"), (1280, 720, "720P"), (1280, 720, "720P"),
    (1920, 1080, "1080P"), (1920, 1080, "1080P"), (1920, 1080, "1080P"), (3840, 2160, "4K"),
    (720, 1280, "720P"), (1080, 1920, "1080P"), (1080, 1920, "1080P"),
)
_FPS = (24.0, 25.0, 29.97, 30.0, 30.0, 50.0, 59.94, 60.0)


@dataclass(frozen=True, slots=True)
class VideoRecord:
    """One private video, with proper Python types (the wire form is in ``wire.py``)."""

    video_no: str
    name: str
    status: str
    cause: str | None
    duration: int  # seconds
    size: int  # bytes
    create_ms: int  # Unix milliseconds
    fps: float
    width: int
    height: int
    resolution_label: str
    namespace: str
    #: True when the service lists the size as "0" (unknown); ``size`` is still the
    #: number of bytes a download streams.
    size_unknown: bool = False
    #: Hostile profile only: raw wire values (possibly of the wrong JSON type) that
    #: replace the proper ones in every answer that shows this video.
    wire_overrides: Mapping[str, Any] | None = None


def snowflake(create_ms: int, ns_code: int, index: int) -> int:
    return ((create_ms - SNOWFLAKE_EPOCH_MS) << 22) | (ns_code << _INDEX_BITS) | index


class Shelf:
    """The videos of one namespace (``unique_id``), including deleted ones."""

    name: str

    def __init__(self) -> None:
        self.deleted: set[int] = set()
        self._alive_cache: list[int] | None = None
        self._scan_cache: tuple[list[str], list[str]] | None = None
        self._folded_cache: list[str] | None = None

    def __len__(self) -> int:
        raise NotImplementedError

    def record(self, i: int) -> VideoRecord:
        raise NotImplementedError

    def index_of(self, video_no: str) -> int | None:
        raise NotImplementedError

    def name_and_status(self, i: int) -> tuple[str, str]:
        rec = self.record(i)
        return rec.name, rec.status

    # -- derived views -------------------------------------------------------------

    def listing_order(self) -> Sequence[int]:
        """Every index in the order List Videos lists them (newest first by default)."""
        return range(len(self))

    def alive(self) -> Sequence[int]:
        """Indices of the videos not deleted, in listing order."""
        if not self.deleted:
            return self.listing_order()
        if self._alive_cache is None:
            self._alive_cache = [i for i in self.listing_order() if i not in self.deleted]
        return self._alive_cache

    def scan_columns(self) -> tuple[list[str], list[str]]:
        """Names (as uploaded) and base statuses of every index, built once on demand.

        Only filters need these; for 100,000 videos this takes a few tenths of a
        second the first time and then a filter is one list comprehension.
        """
        if self._scan_cache is None:
            names: list[str] = []
            statuses: list[str] = []
            for i in range(len(self)):
                name, status = self.name_and_status(i)
                names.append(name)
                statuses.append(status)
            self._scan_cache = (names, statuses)
        return self._scan_cache

    def folded_names(self) -> list[str]:
        """Case-folded names by index, for the ``contains`` name match."""
        if self._folded_cache is None:
            self._folded_cache = [name.casefold() for name in self.scan_columns()[0]]
        return self._folded_cache

    def delete(self, i: int) -> bool:
        if i in self.deleted:
            return False
        self.deleted.add(i)
        self._alive_cache = None
        return True


class GeneratedShelf(Shelf):
    #: The newest videos (upload-task members, see library.py) are never repeats.
    FIRST_REPEAT = 8

    def __init__(self, seed: int, name: str, code: int, count: int) -> None:
        super().__init__()
        if not 0 <= count <= MAX_VIDEOS:
            raise ValueError(f"a namespace holds 0..{MAX_VIDEOS} videos, not {count}")
        self.seed, self.name, self.code, self.count = seed, name, code, count
        self._step = SPAN_MS / max(count, 1)
        self._key = "/".join(map(str, (seed, "video", name, ""))).encode()
        # The oldest few are the out-of-order block (none in a library under 20).
        self.vei_from = count - (round(count * VEI_SHARE) if count >= 20 else 0)
        self._order: list[int] | None = None

    def __len__(self) -> int:
        return self.count

    def listing_order(self) -> Sequence[int]:
        if self.vei_from == self.count:
            return range(self.count)
        if self._order is None:
            self._order = [*range(self.vei_from), *range(self.vei_from, self.count)[::-1]]
        return self._order

    def _draw(self, i: int) -> tuple[Dice, int, str, str | None, str, bool]:
        """The fields filters need, drawn first so scans can stop there; the last is
        whether video ``i`` repeats the upload of video ``i + 1`` (its name and size)."""
        d = Dice.from_bytes(self._key + b"%d" % i)  # same as Dice(seed, "video", name, i)
        # Strictly decreasing with i: each video sits in its own slot of the span.
        create_ms = REFERENCE_MS - 1 - int((i + d.unit()) * self._step)
        roll = d.unit()
        repeat = i >= self.FIRST_REPEAT and i + 1 < self.count and d.chance(0.04)
        unparse_p = 0.3 if i < 8 else 0.06  # recent uploads are more often still indexing
        fail_p = 0.5 if repeat else 0.07  # a repeated upload often follows a failed one
        cause: str | None = None
        if roll < unparse_p:
            status = "UNPARSE"
        elif roll < unparse_p + fail_p:
            # Mostly the real service's spelling; the docs show the other two.
            spelling = d.below(20)
            status = "FAIL" if spelling < 14 else "PARSE_ERROR" if spelling < 17 else "FAILED"
            cause = INDEXING_FAILED if status == "FAIL" and d.chance(0.7) else d.pick(CAUSES)
        else:
            status = "DONE" if d.chance(0.08) else "PARSE"
        name = video_name(d, time.gmtime(create_ms // 1000))
        return d, create_ms, status, cause, name, repeat

    def name_and_status(self, i: int) -> tuple[str, str]:
        _, _, status, _, name, repeat = self._draw(i)
        if repeat:
            name = self._draw(i + 1)[4]
        return name, status

    def _body(self, i: int, d: Dice) -> tuple[int, int]:
        """Duration (s) and size (bytes) of video ``i``, drawn after ``_draw``'s fields."""
        band = d.below(100)
        if i % 10 == 3:
            band = 0  # every tenth video is tiny, so tests always find quick downloads
        if band < 15:  # clips: KB to a few MB
            duration, bitrate = d.between(1, 20), d.log_between(40e3, 1.2e6)
        elif band < 70:  # seconds to minutes: MB to hundreds of MB
            duration, bitrate = d.between(20, 600), d.log_between(1e6, 8e6)
        elif band < 95:  # up to an hour: up to ~2 GB
            duration, bitrate = d.between(600, 3600), d.log_between(1e6, 5e6)
        else:  # hours: several GB
            duration, bitrate = d.between(3600, 4 * 3600), d.log_between(1e6, 4e6)
        return duration, max(1024, int(duration * bitrate / 8))

    def record(self, i: int) -> VideoRecord:
        if not 0 <= i < self.count:
            raise IndexError(i)
        d, create_ms, status, cause, name, repeat = self._draw(i)
        duration, size = self._body(i, d)
        width, height, label = d.pick(_FORMATS)
        fps = d.pick(_FPS)
        size_unknown = status in ("PARSE", "DONE") and i % 10 != 3 and d.chance(0.04)
        if repeat:  # the same file uploaded again: its name and size, its own status
            d1, _, _, _, name, _ = self._draw(i + 1)
            duration, size = self._body(i + 1, d1)
        prefix = "VEI" if i >= self.vei_from else "VI"
        return VideoRecord(
            video_no=f"{prefix}{snowflake(create_ms, self.code, i)}",
            name=name, status=status, cause=cause, duration=duration, size=size,
            create_ms=create_ms, fps=fps, width=width, height=height,
            resolution_label=label, namespace=self.name, size_unknown=size_unknown,
        )

    def index_of(self, video_no: str) -> int | None:
        prefix = "VEI" if video_no.startswith("VEI") else "VI"
        digits = video_no[len(prefix):] if video_no.startswith(prefix) else ""
        if not digits.isdigit() or not digits.isascii():
            return None
        value = int(digits)
        i = value & ((1 << _INDEX_BITS) - 1)
        if (value >> _INDEX_BITS) & 0x1F != self.code or i >= self.count:
            return None
        # The low bits only name a candidate: the whole id must match, time bits too.
        return i if self.record(i).video_no == video_no else None


class ListedShelf(Shelf):
    def __init__(self, name: str, records: Sequence[VideoRecord]) -> None:
        super().__init__()
        self.name = name
        self._records = list(records)
        self._index = {rec.video_no: i for i, rec in enumerate(self._records)}

    def __len__(self) -> int:
        return len(self._records)

    def record(self, i: int) -> VideoRecord:
        return self._records[i]

    def index_of(self, video_no: str) -> int | None:
        return self._index.get(video_no)


def reference_records(namespace: str) -> list[VideoRecord]:
    """The three videos of the reference's List Videos example, exactly."""
    rows = (
        ("12", "3284512", "VI606404158946574336", "182082-867762198_tiny", "1754037217992"),
        ("61", "5324808", "VI606402870447996928",
         "test_video_gz_visual_understanding_s36_gun_6_special_gun_6", "1754036910783"),
        ("44", "3583477", "VI606401846039576576", "ssstik.io_@evarose.cosplay_1747479033469",
         "1754036666561"),
    )
    return [
        VideoRecord(video_no=no, name=name, status="PARSE", cause=None, duration=int(dur),
                    size=int(size), create_ms=int(ms), fps=30.0, width=720, height=1280,
                    resolution_label="720P", namespace=namespace)
        for dur, size, no, name, ms in rows
    ]


def download_example_record(namespace: str) -> VideoRecord:
    """The video of the reference's Download example (``unique_id`` "test")."""
    return VideoRecord(
        video_no="VI625239098370850816", name="video.mp4", status="PARSE", cause=None,
        duration=9, size=1_572_864, create_ms=1_758_527_827_187, fps=30.0, width=1280,
        height=720, resolution_label="720P", namespace=namespace,
    )
