"""Copying: what the terminal is asked (OSC 52), and what the user is told about it."""

from __future__ import annotations

import base64
import subprocess

import pytest

from memories_tui.tui import clipboard
from memories_tui.tui.clipboard import MAX_CLIPBOARD_BYTES, TMUX_NOTE, prepare_copy, tmux_note
from tests.tui.helpers import make_app, wait_for_workers
from tests.tui.test_views import screen_text


def _payload(sequence: str) -> str:
    start = sequence.rindex("]52;c;") + len("]52;c;")
    return base64.b64decode(sequence[start:sequence.index("\x07", start)]).decode("utf-8")


def test_a_short_text_is_copied_whole():
    copy = prepare_copy("VI606404158946574336", {})
    assert not copy.cut and _payload(copy.sequence) == "VI606404158946574336"


def test_a_long_text_is_cut_on_a_character_boundary_and_says_so():
    text = "é" * MAX_CLIPBOARD_BYTES  # two bytes each: twice what fits
    copy = prepare_copy(text, {})
    copied = _payload(copy.sequence)
    assert copy.cut and copied == "é" * (MAX_CLIPBOARD_BYTES // 2)
    assert copy.copied_chars == len(copied)


@pytest.mark.parametrize(("value", "note"), [("on", None), ("external", None),
                                             ("off", TMUX_NOTE), (None, TMUX_NOTE)])
def test_inside_tmux_the_note_depends_on_set_clipboard(value, note):
    assert tmux_note({"TMUX": "/tmp/tmux-1/default,1,0"}, lambda: value) == note
    assert tmux_note({}, lambda: value) is None  # not in tmux: nothing to say


def test_tmux_setting_read_and_failures():
    def answer(out: str, code: int = 0):
        return lambda *a, **k: subprocess.CompletedProcess(a, code, stdout=out, stderr="")

    def broken(*a, **k):
        raise FileNotFoundError("tmux")

    assert clipboard.tmux_set_clipboard(answer("external\n")) == "external"
    assert clipboard.tmux_set_clipboard(answer("", 1)) is None
    assert clipboard.tmux_set_clipboard(broken) is None


async def test_the_copy_message_tells_once_about_tmux(fake_server, monkeypatch):
    monkeypatch.setenv("TMUX", "/tmp/tmux-1/default,1,0")
    monkeypatch.setattr(clipboard, "tmux_set_clipboard", lambda: "off")
    app = make_app(fake_server.base_url)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for_workers(app)
        await pilot.press("y")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Copied" in m and "set-clipboard" in m for m in messages)
        await pilot.press("down", "y")
        await pilot.pause()
        later = [n.message for n in app._notifications][-1]
        assert "Copied" in later and "set-clipboard" not in later
        assert app.clipboard == app.screen.table.highlighted.video_no
        assert "set-clipboard" in screen_text(app)
