"""Export: `e` writes the selection (or the page) to a .csv or .json file it names."""

from __future__ import annotations

import csv
import json

import pytest

from memories_tui.services.export import write_videos
from memories_tui.tui.modals.prompt import PromptModal
from memories_tui.tui.widgets.video_table import VideoTable
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text

SIZE = (120, 40)


async def _export_to(pilot, path) -> None:
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PromptModal)
    pilot.app.screen.query_one("#prompt-input").value = str(path)
    await pilot.press("enter")
    await wait_for_workers(pilot.app)
    await pilot.pause()


async def test_the_selection_goes_to_json_and_the_page_to_csv(fake_server, tmp_path):
    app = make_app(fake_server.base_url, download_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        table = app.screen.query_one(VideoTable)
        await pilot.press("space", "space")  # the first two rows
        chosen = list(table.marked)
        await _export_to(pilot, tmp_path / "two.json")
        records = json.loads((tmp_path / "two.json").read_text())
        assert [r["video_no"] for r in records] == chosen
        first = fake_server.library.get_video(chosen[0])
        assert records[0]["video_name"] == first.name
        assert records[0]["status"] == first.status and "status_class" in records[0]
        said = [n.message for n in app._notifications]  # noqa: SLF001 - the toasts' text
        assert f"Exported 2 videos to {tmp_path / 'two.json'}." in said

        await pilot.press("u")  # nothing selected: the page on screen
        await _export_to(pilot, tmp_path / "page.csv")
        with (tmp_path / "page.csv").open(newline="") as file:
            rows = list(csv.DictReader(file))
        assert [r["video_no"] for r in rows] == [v.video_no for v in table.videos]

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(tmp_path / "notes.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert "Name a .csv or .json file." in screen_text(app)
        assert not (tmp_path / "notes.txt").exists()


def test_an_export_is_never_half_written(tmp_path, monkeypatch):
    from memories_tui.api.models import Video

    target = tmp_path / "list.csv"
    target.write_text("the previous export\n")
    video = Video(video_no="VI1", name="\x1b[31mred\x1b[0m", status="FAIL", duration=0,
                  size=None, create_time=None, cause="Indexing failed. ")

    def broken_replace(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("memories_tui.services.export.os.replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        write_videos(target, [video])
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["list.csv"]  # no temporary left
    monkeypatch.undo()
    assert write_videos(target, [video]) == 1
    text = target.read_text()
    assert "\x1b" not in text and "status_class" in text and ",failed," in text
