"""Snapshots of what the local index gives: the library served from the complete index
(a name typed in part, sorted by size across the whole library, the counts per status)
and the duplicates view with the spare copies selected. Fixed seed, clock and port
(masked), like the others; each picture was looked at before it was accepted.
"""

from __future__ import annotations

import pytest

from tests.tui.helpers import make_app, until
from tests.tui.test_index_tui import index_ready, type_text
from tests.tui.test_snapshots import SIZE, settle


@pytest.fixture
def app(tmp_path, snapshot_server):
    return make_app(snapshot_server.base_url, download_dir=tmp_path / "downloads",
                    index=True)


async def stats_shown(pilot) -> None:
    """Until the counts are those of the filters as they now are: on a busy machine the
    counts of a name half typed ("cit") can be shown first, and the rows move on."""
    screen = pilot.app.screen
    await until(pilot, lambda: screen._stats_timer is None
                and screen._stats_for == screen._index_filters(),
                "the counts per status of the filters on screen")


class TestIndex:
    def test_library_served_from_the_index(self, snap_compare, app):
        async def run_before(pilot):
            await index_ready(pilot)
            await pilot.press("slash")
            await type_text(pilot, "city")
            await pilot.press("enter")
            await pilot.press("S", "S", "S", "S", "S", "R")  # by size, largest first
            await stats_shown(pilot)
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_duplicates_view(self, snap_compare, app):
        async def run_before(pilot):
            await index_ready(pilot)
            await pilot.press("5")
            await until(pilot, lambda: bool(getattr(pilot.app.screen, "groups", None)),
                        "the duplicate groups")
            await pilot.press("a")
            pilot.app.clear_notifications()  # the toast would cover the last groups
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
