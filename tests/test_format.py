"""format: the words and numbers people see, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memories_tui.format import (
    MISSING,
    absolute_time,
    count_exact,
    count_short,
    duration_hms,
    exact_bytes,
    fixed_clock,
    human_size,
    relative_time,
    system_clock,
    thousands,
)

NOW = datetime(2025, 8, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "function",
    [human_size, exact_bytes, duration_hms, absolute_time, count_short, count_exact, thousands],
)
def test_none_is_a_dash(function) -> None:
    assert function(None) == MISSING == "—"


def test_relative_time_of_none_is_a_dash() -> None:
    assert relative_time(None, NOW) == "—"


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0 Bytes"), (1, "1 Byte"), (999, "999 Bytes"), (1000, "1.0 kB"),
        (3_284_512, "3.3 MB"), (5 * 10**9, "5.0 GB"),
    ],
)
def test_human_size(n: int, shown: str) -> None:
    assert human_size(n) == shown


@pytest.mark.parametrize(
    ("n", "shown"), [(0, "0 bytes"), (1, "1 byte"), (3_284_512, "3,284,512 bytes")]
)
def test_exact_bytes(n: int, shown: str) -> None:
    assert exact_bytes(n) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00:00"), (12, "0:00:12"), (75, "0:01:15"), (43_425, "12:03:45"),
        (100 * 3600, "100:00:00"), (12.9, "0:00:12"), (-5, "-0:00:05"),
    ],
)
def test_duration_hms(seconds: float, shown: str) -> None:
    assert duration_hms(seconds) == shown


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(0), "just now"),
        (timedelta(milliseconds=400), "just now"),
        (timedelta(seconds=30), "30 seconds ago"),
        (timedelta(minutes=5), "5 minutes ago"),
        (timedelta(hours=2), "2 hours ago"),
        (timedelta(days=3), "3 days ago"),
        (timedelta(hours=-2), "in 2 hours"),
        (timedelta(days=-1), "in a day"),
    ],
)
def test_relative_time(delta: timedelta, shown: str) -> None:
    assert relative_time(NOW - delta, NOW) == shown


def test_relative_time_mixes_time_zones_and_naive_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert relative_time(datetime(2025, 8, 1, 14, 0, tzinfo=plus_two), NOW) == "3 days ago"
    assert relative_time(datetime(2025, 8, 1, 12, 0), NOW) == "3 days ago"  # naive = UTC


def test_absolute_time_is_utc() -> None:
    assert absolute_time(datetime(2025, 8, 1, 8, 33, 37, tzinfo=UTC)) == "2025-08-01 08:33:37 UTC"
    plus_two = timezone(timedelta(hours=2))
    local_plus_two = datetime(2025, 8, 1, 10, 33, 37, tzinfo=plus_two)
    assert absolute_time(local_plus_two) == "2025-08-01 08:33:37 UTC"
    assert absolute_time(datetime(2025, 8, 1, 8, 33, 37)) == "2025-08-01 08:33:37 UTC"


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1K"),
        (1500, "1.5K"),
        (1999, "1.9K"),  # cut, never rounded up
        (14_200, "14.2K"),
        (312_456, "312K"),
        (999_999, "999K"),
        (3_100_000, "3.1M"),
        (2_000_000_000, "2B"),
        (-1500, "-1.5K"),
    ],
)
def test_count_short(n: int, shown: str) -> None:
    assert count_short(n) == shown


@given(st.integers(min_value=0, max_value=10**15))
def test_count_short_is_compact(n: int) -> None:
    assert len(count_short(n)) <= 5


def test_count_exact_and_thousands() -> None:
    assert count_exact(14_200) == "14,200"
    assert thousands(1234) == "1,234"
    assert thousands(0) == "0"


def test_fixed_clock_always_says_the_same_time() -> None:
    clock = fixed_clock(datetime(2025, 8, 4, 12, 0))
    assert clock() == clock() == NOW
    assert clock().tzinfo is not None


def test_system_clock_is_aware_utc() -> None:
    now = system_clock()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
