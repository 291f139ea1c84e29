"""Videos whose size the server does not know (it sends "0"): every place that shows a
size says so, and no total pretends they weigh nothing."""

from __future__ import annotations

import pytest

from memories_tui.format import total_size
from memories_tui.tui.widgets.video_table import VideoTable
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


@pytest.mark.parametrize(
    ("sizes", "shown"),
    [
        ([1_500_000, 2_000_000], "3.5 MB"),
        ([None], "size unknown"),
        ([None, None], "sizes unknown"),
        ([1_500_000, None, None], "1.5 MB + 2 of unknown size"),
        ([], "0 Bytes"),
    ],
)
def test_total_size(sizes, shown):
    assert total_size(sizes) == shown


async def settle(pilot) -> None:
    await wait_for_workers(pilot.app)
    await pilot.pause()


async def test_a_video_of_unknown_size_is_shown_as_unknown_everywhere(fake_server, tmp_path):
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(VideoTable)
        unknown = [i for i, v in enumerate(table.videos) if v.size is None]
        assert unknown, "the fake should send size 0 for some videos on page 1"
        row = unknown[0]
        known = next(v for v in table.videos if v.size is not None)
        video = table.videos[row]
        # The table: a dash, never "0 Bytes".
        line = next(line for line in screen_text(app).splitlines() if video.video_no in line)
        assert "—" in line and "0 Bytes" not in line
        # The detail pane says the size is unknown.
        await pilot.press(*["down"] * row, "enter")
        await settle(pilot)  # the details are fetched by a worker once the cursor rests
        assert table.highlighted is video
        assert "— (unknown)" in screen_text(app)
        # The selection's total.
        await pilot.press("space")
        await settle(pilot)
        assert "1 selected (size unknown)" in screen_text(app)
        table.toggle_mark(known)
        await settle(pilot)
        both = f"2 selected ({total_size([known.size])} + 1 of unknown size)"
        assert both in screen_text(app)
        # The delete dialog.
        await pilot.press("d")
        await settle(pilot)
        text = screen_text(app)
        assert f"Delete 2 videos ({total_size([known.size])} + 1 of unknown size)" in text
        assert "0 Bytes" not in text
        await pilot.press("escape")
        await settle(pilot)
        # The download dialog: its title and what the files need.
        await pilot.press("s")
        await settle(pilot)
        text = screen_text(app)
        assert f"Download 2 videos ({total_size([known.size])} + 1 of unknown size)" in text
        assert f"Needs {total_size([known.size])} + 1 of unknown size" in text
        assert "0 Bytes" not in text
