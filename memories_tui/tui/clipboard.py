"""Copy text to the user's clipboard through the terminal (OSC 52), SSH and tmux included."""

from __future__ import annotations

import base64
import os

# Terminals and tmux drop very long OSC 52 payloads; ids and URLs are far below this.
MAX_CLIPBOARD_BYTES = 74_994


def osc52_sequence(text: str, environ: dict[str, str] | None = None) -> str:
    """The escape sequence that asks the terminal to put `text` on the clipboard.

    Inside tmux the bare sequence is swallowed unless tmux's `set-clipboard` is on, so it
    is wrapped in tmux's passthrough (DCS tmux; ... ST) as well as sent bare.
    """
    env = os.environ if environ is None else environ
    payload = base64.b64encode(text.encode("utf-8")[:MAX_CLIPBOARD_BYTES]).decode("ascii")
    bare = f"\x1b]52;c;{payload}\x07"
    if env.get("TMUX"):
        wrapped = "\x1bPtmux;" + bare.replace("\x1b", "\x1b\x1b") + "\x1b\\"
        return wrapped + bare
    return bare
