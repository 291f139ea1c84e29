"""Column layout of the video table: everything fits, and columns hide in a set order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from memories_tui.tui.widgets.video_table import (
    CELL_PADDING,
    COLUMNS,
    HIDE_ORDER,
    Cell,
    layout_columns,
)

LABELS = [label for _, label in COLUMNS]
KEYS = [key for key, _ in COLUMNS]


def row(name: str, cause: str = "") -> tuple[Cell, ...]:
    return (Cell(""), Cell(name), Cell("VI770245972197507073"), Cell("UNPARSE"),
            Cell("0:04:27"), Cell("128.5 MB"), Cell("2 months ago"), Cell(cause))


def used(widths: list[int]) -> int:
    return sum(w + 2 * CELL_PADDING for w in widths if w)


def test_a_wide_table_shows_every_column():
    widths = layout_columns([row("Cooking class - final", "Unsupported codec")], LABELS, 160)
    assert all(widths[KEYS.index(k)] for k in KEYS if k != "mark")
    assert widths[KEYS.index("name")] == len("Cooking class - final")


def test_a_narrow_table_hides_whole_columns_in_order():
    widths = layout_columns([row("Cooking class - final", "Unsupported codec")], LABELS, 72)
    hidden = [k for k, w in zip(KEYS, widths, strict=True) if w == 0 and k != "mark"]
    assert set(hidden) == set(HIDE_ORDER[: len(hidden)]) and "cause" in hidden
    assert widths[KEYS.index("name")] >= 16 and widths[KEYS.index("status")] == len("UNPARSE")
    assert used(widths) <= 72


@given(
    names=st.lists(st.text(max_size=60), min_size=0, max_size=5),
    cause=st.text(max_size=40),
    width=st.integers(min_value=40, max_value=300),
)
def test_the_columns_never_overflow(names, cause, width):
    widths = layout_columns([row(n, cause) for n in names], LABELS, width)
    assert used(widths) <= width
    assert widths[KEYS.index("name")] >= 1
