"""Two things a new user tripped on: `o` over SSH, and the page-size limits agreeing."""

from __future__ import annotations

import pytest

from memories_tui.config import PAGE_SIZE_RANGE
from memories_tui.tui.modals.prompt import PromptModal
from tests.hostile.support import messages, notified, settle
from tests.tui.helpers import make_app, wait_for_workers

SIZE = (120, 40)


@pytest.mark.parametrize("variable", ["SSH_CONNECTION", "SSH_TTY"])
async def test_o_over_ssh_shows_and_copies_the_link_instead_of_opening_a_browser(
    fake_server, monkeypatch, variable
):
    monkeypatch.setenv(variable, "203.0.113.5 50000 198.51.100.7 22"
                       if variable == "SSH_CONNECTION" else "/dev/pts/3")
    app = make_app(fake_server.base_url)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        video = app.screen.table.highlighted
        await pilot.press("o")
        await settle(pilot)
        url = app.library.cached_details(video.video_no, "default").video_url
        assert opened == [] and url
        assert app.clipboard == url
        assert notified(app, url) and notified(app, "no browser is opened on the remote machine")
        assert not any(m.startswith("Opening") for m in messages(app))


async def test_o_on_this_machine_opens_the_browser(fake_server, monkeypatch):
    app = make_app(fake_server.base_url)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert len(opened) == 1 and notified(app, f"Opening {opened[0][:40]}")


async def test_the_page_size_prompt_takes_what_the_settings_take(fake_server):
    """The config accepts up to 1000 rows a page; the z prompt used to stop at 500."""
    low, high = PAGE_SIZE_RANGE
    app = make_app(fake_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, PromptModal)
        await pilot.press("ctrl+a", "ctrl+k", *str(high), "enter")
        await settle(pilot)
        assert not isinstance(app.screen, PromptModal)
        sizes = [r.body["size"] for r in fake_server.requests if r.path.endswith("/list_videos")]
        assert sizes[-1] == high == 1000
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *str(high + 1), "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptModal)  # refused, with a message, still open
        assert low == 1


def test_the_delete_dialog_lines_up_name_id_and_size_in_columns():
    """Short names ran into their ids ("IMG_3428.MOVVI7715…" as some renderers show
    two spaces); names, ids and sizes now stand in columns, as in the table."""
    from rich.cells import cell_len

    from memories_tui.api.models import Video
    from memories_tui.tui.modals.confirm_delete import delete_lines

    family = "👨\u200d👩\u200d👧 customer interview"
    rows = [("IMG_3428.MOV", 300_400), (family, 128_500_000), ("x" * 80, None)]
    videos = [Video(video_no=f"VI77152315226941030{n}", name=name, status="PARSE",
                    duration=1, size=size, create_time=None, cause=None)
              for n, (name, size) in enumerate(rows)]
    lines = [line.plain for line in delete_lines(videos)]
    starts = [cell_len(line[: line.index("VI7715")]) for line in lines]
    assert len(set(starts)) == 1 and starts[0] == 42  # a 40-cell name column and 2 spaces
    assert len({cell_len(line) for line in lines}) == 1  # sizes end in one column
    assert lines[0].startswith("IMG_3428.MOV ") and lines[2].rstrip().endswith("—")


async def test_at_80_columns_the_name_filter_keeps_the_room(fake_server):
    """At 80 columns the name field had 12 cells ("Filter b") while the exact-id field
    kept 28: the field people type into now keeps the room, the id field gives way."""
    from textual.widgets import Input

    app = make_app(fake_server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_workers(app)
        await pilot.pause()
        name = app.screen.query_one("#name-filter", Input).outer_size.width
        video_id = app.screen.query_one("#id-filter", Input).outer_size.width
        assert name >= 22 and name > video_id >= 14
    async with make_app(fake_server.base_url).run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert pilot.app.screen.query_one("#id-filter", Input).outer_size.width == 28


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_a_bold_video_name_keeps_its_space_before_at_in_a_conversation(fake_server, size):
    """A cited highlight reads "**name** at 02:36": the space after the bold name must
    survive the Markdown rendering ("…review 3at 02:36" was reported)."""
    import re

    from tests.tui.test_views import screen_text

    highlight = re.compile(r"^- \*\*(.+?)\*\* at `([0-9:]+)`", re.M)
    for row, session_id in enumerate(fake_server.library.session_ids()[:20]):  # noqa: B007 - used after break
        answer = fake_server.library.session_detail(session_id)["messages"][1]["content"]
        found = highlight.search(answer)
        if found and found.group(1).isascii():
            name, clock = found.groups()
            break
    else:
        raise AssertionError("no session on page 1 starts with a cited highlight")
    app = make_app(fake_server.base_url)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert f" at {clock}" in text and f"{name[-1]}at {clock}" not in text
