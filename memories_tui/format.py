"""The one place that turns values into text: sizes, durations, times and counts.

Every function accepts None (the API's "no value") and shows it as "—", so callers
never branch on it. Relative times take "now" from the caller, which gets it from an
injectable `Clock`: snapshot tests pass `fixed_clock(...)` and stay stable.

Server *strings* are made safe in `memories_tui.safetext`; this module only formats
numbers and dates, which cannot carry markup or control characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import humanize

MISSING = "—"

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime."""


def system_clock() -> datetime:
    """The real current time, aware, in UTC."""
    return datetime.now(UTC)


def fixed_clock(when: datetime) -> Clock:
    """A clock that always says `when` (naive means UTC), for tests and snapshots."""
    fixed = _as_utc(when)
    return lambda: fixed


def _as_utc(dt: datetime) -> datetime:
    # The models give aware UTC datetimes; a naive one is taken to be UTC rather
    # than local time, so output never depends on the machine's time zone.
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def human_size(n: int | None) -> str:
    """Bytes in familiar decimal units: "3.3 MB", "999 Bytes"."""
    if n is None:
        return MISSING
    return humanize.naturalsize(n, format="%.1f")


def total_size(sizes: Iterable[int | None]) -> str:
    """The sum of sizes of which some may be unknown (the server sends 0 for those):
    "3.3 MB", "3.3 MB + 2 of unknown size", "size unknown"/"sizes unknown" when none is
    known. Never "0 Bytes" for files whose size is simply not known."""
    known = 0
    unknown = 0
    count = 0
    for size in sizes:
        count += 1
        if size is None:
            unknown += 1
        else:
            known += size
    if count and unknown == count:
        return "size unknown" if count == 1 else "sizes unknown"
    if unknown:
        return f"{human_size(known)} + {unknown:,} of unknown size"
    return human_size(known)


def exact_bytes(n: int | None) -> str:
    """Every byte, grouped: "3,284,512 bytes"."""
    if n is None:
        return MISSING
    return "1 byte" if n == 1 else f"{n:,} bytes"


def duration_hms(seconds: int | float | None) -> str:
    """A duration as H:MM:SS ("0:00:12", "12:03:45"); hours are not wrapped at 24."""
    if seconds is None:
        return MISSING
    total = int(seconds)
    sign = "-" if total < 0 else ""
    minutes, secs = divmod(abs(total), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def relative_time(dt: datetime | None, now: datetime) -> str:
    """How long ago `dt` was, seen from `now`: "3 days ago", "in 2 hours", "just now"."""
    if dt is None:
        return MISSING
    delta = _as_utc(now) - _as_utc(dt)
    if abs(delta) < timedelta(seconds=1):
        return "just now"
    if delta < timedelta(0):
        return f"in {humanize.naturaldelta(-delta)}"
    return f"{humanize.naturaldelta(delta)} ago"


def absolute_time(dt: datetime | None) -> str:
    """An unambiguous timestamp: "2025-08-01 08:33:37 UTC"."""
    if dt is None:
        return MISSING
    return _as_utc(dt).strftime("%Y-%m-%d %H:%M:%S UTC")


_COUNT_UNITS = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))


def count_short(n: int | None) -> str:
    """A compact count for narrow columns: "999", "1.5K", "14.2K", "312K", "3.1M".

    Digits are cut, not rounded, so a count is never shown bigger than it is
    (1,999 is "1.9K"), and no value rounds up into the next unit ("1000K").
    """
    if n is None:
        return MISSING
    if n < 0:
        return "-" + count_short(-n)
    for unit, suffix in _COUNT_UNITS:
        if n >= unit:
            tenths = n * 10 // unit
            whole, tenth = divmod(tenths, 10)
            if tenth and whole < 100:
                return f"{whole}.{tenth}{suffix}"
            return f"{whole}{suffix}"
    return str(n)


def count_exact(n: int | None) -> str:
    """A count with every digit: "14,200"."""
    if n is None:
        return MISSING
    return f"{n:,}"


def thousands(n: int | None) -> str:
    """Any integer with thousands separators: "1,234"."""
    return count_exact(n)


__all__ = [
    "MISSING",
    "Clock",
    "absolute_time",
    "count_exact",
    "count_short",
    "duration_hms",
    "exact_bytes",
    "fixed_clock",
    "human_size",
    "relative_time",
    "system_clock",
    "thousands",
]
