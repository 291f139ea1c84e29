"""Where the program keeps its files, by the XDG base directory rules.

- config: `config.default_config_path` (`$MEMORIES_TUI_CONFIG`, or
  `$XDG_CONFIG_HOME/memories-tui/config.toml`);
- state (the log file, what the TUI remembers between runs):
  `$XDG_STATE_HOME/memories-tui`, by default `~/.local/state/memories-tui`;
- cache (what can be rebuilt from the server, such as a local index of the library):
  `$XDG_CACHE_HOME/memories-tui`, by default `~/.cache/memories-tui`.

A relative `XDG_*` value is ignored, as the specification says. Nothing here creates a
folder: whoever writes there does, with the permissions it needs. Imports nothing
heavy, so `memories-tui config path` answers at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_DIR_NAME = "memories-tui"

__all__ = ["APP_DIR_NAME", "cache_dir", "state_dir"]


def _base(environ: Mapping[str, str] | None, variable: str, *fallback: str) -> Path | None:
    environ = os.environ if environ is None else environ
    value = environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    home = environ.get("HOME", "")
    if home:
        return Path(home, *fallback)
    try:
        return Path.home().joinpath(*fallback)
    except RuntimeError:  # no home folder at all
        return None


def state_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """`$XDG_STATE_HOME/memories-tui` (by default under ~/.local/state); None without a
    home folder. The log file lives here (see `memories_tui.logs.log_path`)."""
    base = _base(environ, "XDG_STATE_HOME", ".local", "state")
    return None if base is None else base / APP_DIR_NAME


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """`$XDG_CACHE_HOME/memories-tui` (by default under ~/.cache); None without a home
    folder."""
    base = _base(environ, "XDG_CACHE_HOME", ".cache")
    return None if base is None else base / APP_DIR_NAME
