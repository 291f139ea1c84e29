"""Copy text to the user's clipboard through the terminal (OSC 52), SSH and tmux included.

OSC 52 is a one-way request: the terminal never says whether it obeyed. What can be
known is said instead: that a long text was cut to the size terminals accept, and,
inside tmux with its `set-clipboard` option off (or unreadable), that tmux may keep the
text to itself.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Terminals and tmux drop very long OSC 52 payloads; ids and URLs are far below this.
MAX_CLIPBOARD_BYTES = 74_994

TMUX_NOTE = ("Inside tmux the copy reaches your clipboard only when tmux's set-clipboard "
             "option is on: tmux set -g set-clipboard on")


@dataclass(frozen=True, slots=True)
class Copy:
    sequence: str  # what to write to the terminal
    cut: bool  # the text was longer than terminals accept: only its start is copied
    copied_chars: int


def _fit(text: str) -> tuple[str, bool]:
    data = text.encode("utf-8")
    if len(data) <= MAX_CLIPBOARD_BYTES:
        return text, False
    # Cut on a character boundary: half a character would be garbage on the clipboard.
    return data[:MAX_CLIPBOARD_BYTES].decode("utf-8", errors="ignore"), True


def osc52_sequence(text: str, environ: Mapping[str, str] | None = None) -> str:
    """The escape sequence that asks the terminal to put `text` on the clipboard.

    Inside tmux the bare sequence is swallowed unless tmux's `set-clipboard` is on, so it
    is wrapped in tmux's passthrough (DCS tmux; ... ST) as well as sent bare.
    """
    env = os.environ if environ is None else environ
    payload = base64.b64encode(_fit(text)[0].encode("utf-8")).decode("ascii")
    bare = f"\x1b]52;c;{payload}\x07"
    if env.get("TMUX"):
        wrapped = "\x1bPtmux;" + bare.replace("\x1b", "\x1b\x1b") + "\x1b\\"
        return wrapped + bare
    return bare


def prepare_copy(text: str, environ: Mapping[str, str] | None = None) -> Copy:
    fitted, cut = _fit(text)
    return Copy(osc52_sequence(fitted, environ), cut, len(fitted))


def tmux_set_clipboard(run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
                       ) -> str | None:
    """tmux's `set-clipboard` value ("on", "external", "off"), or None if unreadable."""
    try:
        done = run(["tmux", "show-options", "-gv", "set-clipboard"], capture_output=True,
                   text=True, timeout=1.0, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


def tmux_note(environ: Mapping[str, str] | None = None,
              read_setting: Callable[[], str | None] | None = None) -> str | None:
    """What to say once about copying inside tmux, or None (not in tmux, or it is on)."""
    env = os.environ if environ is None else environ
    if not env.get("TMUX"):
        return None
    setting = (read_setting or tmux_set_clipboard)()
    return None if setting in ("on", "external") else TMUX_NOTE
