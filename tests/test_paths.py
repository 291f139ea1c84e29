"""Where the program keeps its files (memories_tui/paths.py), by the XDG rules."""

from __future__ import annotations

from pathlib import Path

from memories_tui.paths import cache_dir, state_dir


def test_xdg_folders_win_and_relative_ones_are_ignored() -> None:
    environ = {"XDG_STATE_HOME": "/s", "XDG_CACHE_HOME": "/c", "HOME": "/home/u"}
    assert state_dir(environ) == Path("/s/memories-tui")
    assert cache_dir(environ) == Path("/c/memories-tui")
    relative = {"XDG_STATE_HOME": "s", "XDG_CACHE_HOME": "c", "HOME": "/home/u"}
    assert state_dir(relative) == Path("/home/u/.local/state/memories-tui")
    assert cache_dir(relative) == Path("/home/u/.cache/memories-tui")
