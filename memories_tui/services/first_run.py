"""The first run: a key pasted into the TUI is checked with the server, then saved.

Policy: the key must be one a header can carry (the config's own rule); the server must
accept it (one page of one video is asked for); only then is it written, to the config
file, readable by the user alone (mode 0600), the file replaced whole so a crash never
leaves half of it. Other settings in an existing config file are kept.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from memories_tui.api.errors import AuthError, MemoriesError
from memories_tui.config import Settings, SettingsError, check_api_key
from memories_tui.services.client import open_client

__all__ = ["KeyProblem", "check_key", "save_key"]

# A top-level `api_key = …` line (before any [table]).
_KEY_LINE = re.compile(r"^[ \t]*api_key[ \t]*=.*$", re.M)


class KeyProblem(Exception):
    """Why a pasted key was not saved, in plain words."""


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def check_key(settings: Settings, key: str) -> str:
    """The key, stripped, once the server accepted it; KeyProblem otherwise."""
    try:
        key = check_api_key(key)
    except SettingsError as error:
        raise KeyProblem(str(error)) from None
    if not key:
        raise KeyProblem("Paste a key first.")
    client = open_client(replace(settings, api_key=key))
    try:
        await client.list_videos(1, 1, unique_id=settings.unique_id)
    except AuthError as error:
        raise KeyProblem(f"The server did not accept this key: {error.message}") from None
    except MemoriesError as error:
        raise KeyProblem(f"The key could not be checked, so it was not saved: "
                         f"{error.message}") from None
    finally:
        await client.aclose()
    return key


def save_key(path: Path, key: str) -> None:
    """Write `api_key = "…"` into the config file at `path` (kept otherwise), mode 0600.
    Raises OSError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    line = f"api_key = {_toml_string(key)}"
    head, table, rest = text.partition("\n[")
    if _KEY_LINE.search(head):
        head = _KEY_LINE.sub(lambda _match: line, head, count=1)
    else:
        head = line + ("\n" + head if head else "\n")
    text = head + (table + rest if table else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".config-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text if text.endswith("\n") else text + "\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
