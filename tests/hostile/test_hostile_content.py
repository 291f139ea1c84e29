"""Hostile text from the server is shown literally and safely, in every view.

Markup stays text, escape sequences and control characters become visible
placeholders, long values are cut in tables and whole in the detail pane, values of
the wrong JSON type degrade one field, and nothing the server sends runs an action,
opens a link, touches the clipboard or reaches the terminal raw.
"""

from __future__ import annotations

import re

import pytest

from memories_tui.fake.hostile import (
    CONTROLS,
    ESCAPES,
    HOSTILE_HASHTAGS,
    HOSTILE_IDS,
    HOSTILE_MESSAGES,
    HOSTILE_URLS,
    LONG_NAME,
    MARKUP,
)
from memories_tui.safetext import safe_text
from memories_tui.tui.modals.confirm_delete import ConfirmDeleteModal
from memories_tui.tui.modals.download import DownloadModal
from memories_tui.tui.screens.images import ImagesScreen
from memories_tui.tui.screens.public import PublicVideoScreen
from memories_tui.tui.screens.sessions import SessionDetailScreen, SessionsScreen
from memories_tui.tui.screens.tasks import TasksScreen
from memories_tui.tui.widgets.detail_pane import DetailPane
from memories_tui.tui.widgets.session_list import SessionTable
from memories_tui.tui.widgets.task_videos import NAME_WIDTH as TASK_NAME_WIDTH
from memories_tui.tui.widgets.task_videos import TaskVideoTable
from memories_tui.tui.widgets.video_table import NAME_WIDTH, VideoTable

from .support import (
    SIZE,
    TALL,
    assert_screen_is_clean,
    assert_still_running,
    click_video,
    hostile_app,
    messages,
    notified,
    pane_text,
    paste,
    screen_text,
    settle,
    squeezed,
    started,
)


@pytest.fixture
def server(hostile_server):
    return hostile_server  # the name this module's tests use


def record(server, **fields):
    """The hostile record whose fields are these."""
    return next(rec for rec in server.library.videos()
                if all(getattr(rec, k) == v for k, v in fields.items()))


def wire_record(server, key: str, test):
    """The hostile record the server sends with `key` replaced by a value passing `test`."""
    return next(rec for rec in server.library.videos()
                if rec.wire_overrides and key in rec.wire_overrides
                and test(rec.wire_overrides[key]))


async def test_the_library_shows_every_hostile_name_and_id_literally(server):
    app = hostile_app(server.base_url, page_size=100)
    async with app.run_test(size=TALL, notifications=True) as pilot:
        screen = await started(pilot)
        table = screen.query_one(VideoTable)
        assert len(table.videos) == server.library.count()
        text = assert_screen_is_clean(app)
        # Markup is text: tags, click actions and links show as typed, unstyled.
        for name in MARKUP:
            assert safe_text(name, max_len=NAME_WIDTH) in text
        assert "<script>alert(1)</script>" in text and "../../etc/passwd" in text
        # Escapes and controls show as visible placeholders, in the same place.
        assert "␛[31mred alert␛[0m" in text
        assert "␛]52;c;aGVsbG8=␇clipboard" in text  # an OSC 52 clipboard write, inert
        assert "␛]0;pwned␇title" in text  # an OSC 0 title change, inert
        assert "ding␇ding" in text and "tab␉separated␉name" in text
        assert "⟨U+202E⟩evil⟨U+202C⟩4pm.exe" in text
        assert "8-bit CSI \ufffd31m and bell␇" in text
        # Ids are server strings too.
        assert "VI[bold red]606[/]" in text
        assert "VI␛]52;c;aGVsbG8=␇607" in text
        assert "VI../../../tmp/608" in text
        assert safe_text(HOSTILE_IDS[3], max_len=24) in text
        # Causes of FAILED videos: markup literal, a line break shown as ␤.
        assert "[bold red]Unsupported codec" in text and "line one␤line two" in text

        # Values of the wrong JSON type degrade one field; every row is still there.
        shown = {v.video_no: v for v in table.videos}
        number_name = wire_record(server, "video_name", lambda v: v == 12345)
        null_name = wire_record(server, "video_name", lambda v: v is None)
        list_name = wire_record(server, "video_name", lambda v: isinstance(v, list))
        object_cause = wire_record(server, "cause", lambda v: isinstance(v, dict))
        number_id = wire_record(server, "video_no", lambda v: isinstance(v, int))
        assert shown[number_name.video_no].name == "12345"  # a number: its digits
        assert str(number_id.wire_overrides["video_no"]) in shown
        assert shown[null_name.video_no].name == "" and shown[list_name.video_no].name == ""
        assert shown[object_cause.video_no].cause is None
        assert "(no name)" in text and "12345" in text
        assert not any("Could not" in m for m in messages(app))

        # A name that reads like a click action is only text: clicking it highlights it.
        await click_video(pilot, screen, record(server, name=MARKUP[1]).video_no)
        assert_still_running(app)


async def test_details_links_and_ids_of_hostile_videos_are_whole_and_inert(server, monkeypatch):
    long_one = record(server, name=LONG_NAME)
    odd_id = record(server, video_no=HOSTILE_IDS[1])
    two_lines = record(server, cause="line one\nline two")
    links = [wire_record(server, "video_url", lambda v, url=url: v == url) for url in HOSTILE_URLS]
    opened: list[str] = []
    app = hostile_app(server.base_url, page_size=100)
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=TALL, notifications=True) as pilot:
        screen = await started(pilot)
        # Only web links are handed to the browser; "javascript:" and "file:" are not.
        for video in links:
            await click_video(pilot, screen, video.video_no)
            await pilot.press("o")
            await settle(pilot)
        assert opened == []
        assert sum("not a web link" in m for m in messages(app)) == len(HOSTILE_URLS)
        # The user asked for the id: they get it, byte for byte (OSC 52 carries it
        # base64-encoded), and the notification shows it with placeholders.
        await click_video(pilot, screen, odd_id.video_no)
        await pilot.press("y")
        assert app.clipboard == HOSTILE_IDS[1]
        assert notified(app, "Copied VI␛]52;c;aGVsbG8=␇607")

        pane = screen.query_one(DetailPane)
        await click_video(pilot, screen, long_one.video_no)
        cut = safe_text(LONG_NAME, max_len=NAME_WIDTH)
        text = screen_text(app)
        assert cut.endswith("…") and cut in text and LONG_NAME[:200] not in text
        await pilot.press("enter")
        await settle(pilot)
        assert pane.display
        # All 10,000 characters are in the pane (folded over many lines, scrollable).
        assert squeezed(LONG_NAME) in squeezed(pane_text(pane))

        await click_video(pilot, screen, odd_id.video_no)
        await settle(pilot)
        shown = pane_text(pane, width=120)
        assert "VI␛]52;c;aGVsbG8=␇607" in shown
        assert "Resolution" in shown  # the details of a hostile id were fetched
        assert "\x1b" not in shown and "\x07" not in shown

        await click_video(pilot, screen, two_lines.video_no)
        await settle(pilot)
        lines = pane_text(pane).splitlines()
        cause_at = next(i for i, line in enumerate(lines) if "line one" in line)
        assert "line two" in lines[cause_at + 1]  # a real line break in the pane
        assert_screen_is_clean(app)


async def test_dialogs_show_hostile_names_literally(server, tmp_path):
    target = record(server, name=MARKUP[0])
    escape = record(server, name=ESCAPES[1])
    app = hostile_app(server.base_url, page_size=100, download_dir=tmp_path)
    async with app.run_test(size=TALL, notifications=True) as pilot:
        screen = await started(pilot)
        for video in (target, escape):
            await click_video(pilot, screen, video.video_no)
            await pilot.press("space")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDeleteModal)
        text = assert_screen_is_clean(app)
        assert "[bold red]x[/]" in text and "␛]52;c;aGVsbG8=␇clipboard" in text
        await pilot.press("escape")
        await pilot.press("s")
        assert isinstance(app.screen, DownloadModal)
        text = assert_screen_is_clean(app)
        # The files the dialog announces carry the sanitised names.
        assert f"[bold red]x[_]-{target.video_no}.mp4" in text
        assert f"]52;c;aGVsbG8= clipboard-{escape.video_no}.mp4" in text
        await pilot.press("escape")
        assert not [r for r in server.requests if r.path.endswith(("/delete_videos", "/download"))]
        assert list(tmp_path.iterdir()) == []
        assert_still_running(app)


#: What each hostile chat message must show, literally, once the Markdown is rendered.
SHOWN_AS = dict(zip(HOSTILE_MESSAGES, (
    "Result [bold red]x[/]",  # a heading: markup as typed
    "[click](javascript",  # a link that is not one: the Markdown source
    "␛]0;pwned␇",  # an escape inside a code block: a placeholder
    "Nested HTML and <entities> and %s {0}",  # Markdown drops inline HTML tags
), strict=True))


async def test_sessions_and_images_show_hostile_text_literally(server):
    book = [(s, server.library.session_detail(str(s["sessionId"])))
            for s in server.library.sessions()]
    # For each hostile message, the first conversation on page 1 that holds it.
    poisoned = [next(s for s, detail in book[:20]
                     if any(m.get("content") == message for m in detail["messages"]))
                for message in HOSTILE_MESSAGES]
    app = hostile_app(server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("2")
        await settle(pilot)
        sessions = app.screen
        assert isinstance(sessions, SessionsScreen)
        text = assert_screen_is_clean(app)
        assert "[@click=app.quit]Summarize[/]" in text
        assert "␛]52;c;aGVsbG8=␇What is in the video?" in text
        assert "title␤with␤newlines" in text
        assert "(untitled)" in text
        ids = [s.session_id for s in sessions.table.sessions]
        for message, summary in zip(HOSTILE_MESSAGES, poisoned, strict=True):
            row = ids.index(str(summary["sessionId"]))
            await pilot.click(SessionTable, offset=(2, row + 1))  # below the header line
            assert sessions.table.highlighted.session_id == str(summary["sessionId"])
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, SessionDetailScreen)
            text = assert_screen_is_clean(app)
            # Markdown bodies keep markup-like text literal, and neutralise escapes.
            assert SHOWN_AS[message] in text, message
            await pilot.press("escape")
        assert_still_running(app, SessionsScreen)

        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, ImagesScreen)
        text = assert_screen_is_clean(app)
        assert "[bold red]x[/]" in text and "␛[31mred alert␛[0m" in text
        for _ in range(4):  # the detail line follows the cursor over odd records
            await pilot.press("j")
            assert_screen_is_clean(app)
        assert_still_running(app, ImagesScreen)


async def test_a_hostile_public_video_is_shown_literally_and_its_link_not_opened(
        server, monkeypatch):
    opened: list[str] = []
    public = [server.library.public_video(i) for i in server.library.public_video_ids]
    hostile = next(p for p in public if p["video_name"] == MARKUP[1])
    scripted = next(p for p in public if p["video_url"] == "javascript:alert(1)")
    app = hostile_app(server.base_url)
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("l")
        await paste(pilot, hostile["video_no"])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PublicVideoScreen)
        text = assert_screen_is_clean(app)
        assert "[@click=app.quit]Click me[/]" in text  # the title
        assert "@␛]52;c;aGVsbG8=␇clipboard" in text  # the creator
        tags = [t for t in re.split(r"[#\s]+", HOSTILE_HASHTAGS[0]) if t]
        assert f"#{safe_text(tags[0])}" in text and f"#{safe_text(tags[1])}" in text
        await pilot.press("escape")
        await pilot.press("l")
        await paste(pilot, scripted["video_no"])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o")
        assert opened == [] and notified(app, "not a web link")
        assert_screen_is_clean(app)
        assert app.is_running


async def test_the_tasks_view_shows_hostile_names_and_ids_literally(server):
    """An upload task whose videos carry hostile names and ids: each row shows them as
    text, with escapes and controls as placeholders, and nothing reaches the terminal."""
    names = [*MARKUP[:3], *ESCAPES[:4], CONTROLS[0], CONTROLS[4]]
    by_name = [record(server, name=name) for name in names]
    by_id = [record(server, video_no=video_no) for video_no in HOSTILE_IDS[:3]]
    videos = by_name + by_id
    server.library.put_task("t-hostile", [v.video_no for v in videos])
    app = hostile_app(server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, TasksScreen)
        await pilot.press("slash", *"t-hostile", "enter")
        await settle(pilot)
        table = app.screen.query_one(TaskVideoTable)
        assert table.video_ids == [v.video_no for v in videos]
        text = assert_screen_is_clean(app)
        for video in videos:  # each row: its id and its name, made safe, as text
            assert safe_text(video.video_no, max_len=30) in text, video.video_no
            assert safe_text(video.name, max_len=TASK_NAME_WIDTH) in text, video.name
        # Spelled out, the ones a terminal or Rich would act on:
        assert "[bold red]x[/]" in text and "[@click=app.quit]Click me[/]" in text
        assert "␛[31mred alert␛[0m" in text and "␛]52;c;aGVsbG8=␇clipboard" in text
        assert "⟨U+202E⟩evil⟨U+202C⟩4pm.exe" in text and "ding␇ding" in text
        assert "VI[bold red]606[/]" in text and "VI␛]52;c;aGVsbG8=␇607" in text
        assert_still_running(app, TasksScreen)
