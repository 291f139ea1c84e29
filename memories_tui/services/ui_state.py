"""What the TUI remembers between runs: theme, page size, namespace, sort, detail pane.

Kept in `$XDG_STATE_HOME/memories-tui/tui-state.json` (the demo keeps its own file, so
trying the demo changes nothing of the real setup). It only fills what the user did not
set: a flag, an environment variable, the `.env` or the config file always wins. A file
that cannot be read or holds nonsense is ignored with a warning; a value that does not
fit (an unknown theme, a page size out of range) is dropped alone. Writes replace the
file whole (written aside, then renamed), so a crash never leaves half a file.
`remember = false` (or `MEMORIES_REMEMBER=false`) turns all of this off.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from memories_tui.config import PAGE_SIZE_RANGE, THEMES, Settings
from memories_tui.paths import state_dir

__all__ = ["DEMO_STATE_FILE", "STATE_FILE", "UiState", "UiStateStore", "apply_to_settings"]

log = logging.getLogger(__name__)

STATE_FILE = "tui-state.json"
DEMO_STATE_FILE = "tui-state-demo.json"
MAX_NAMESPACE = 200


@dataclass(frozen=True, slots=True)
class UiState:
    theme: str | None = None
    page_size: int | None = None
    unique_id: str | None = None
    sort_column: str | None = None  # a column key of the video table
    sort_reverse: bool = False
    details_open: bool = False


def _checked(raw: Mapping[str, object]) -> tuple[UiState, list[str]]:
    """The values of `raw` that make sense; what was dropped, in words."""
    dropped: list[str] = []
    values: dict[str, object] = {}
    theme = raw.get("theme")
    if theme is not None:
        if isinstance(theme, str) and theme in THEMES:
            values["theme"] = theme
        else:
            dropped.append("theme")
    size = raw.get("page_size")
    if size is not None:
        low, high = PAGE_SIZE_RANGE
        if isinstance(size, int) and not isinstance(size, bool) and low <= size <= high:
            values["page_size"] = size
        else:
            dropped.append("page_size")
    for name in ("unique_id", "sort_column"):
        text = raw.get(name)
        if text is None:
            continue
        if isinstance(text, str) and text.strip() and len(text) <= MAX_NAMESPACE:
            values[name] = text
        else:
            dropped.append(name)
    for name in ("sort_reverse", "details_open"):
        flag = raw.get(name)
        if flag is None:
            continue
        if isinstance(flag, bool):
            values[name] = flag
        else:
            dropped.append(name)
    return UiState(**values), dropped  # type: ignore[arg-type]


class UiStateStore:
    """The remembered state, and the file it lives in (None: remember nothing)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.state = UiState()

    @classmethod
    def for_settings(cls, settings: Settings, *, demo: bool = False,
                     environ: Mapping[str, str] | None = None) -> UiStateStore:
        folder = state_dir(environ) if settings.remember else None
        return cls(None if folder is None else folder / (DEMO_STATE_FILE if demo
                                                         else STATE_FILE))

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def load(self) -> list[str]:
        """Read the file into `state`; warnings for the user (none when it is absent)."""
        if self.path is None:
            return []
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as error:
            return [f"Could not read what the app remembers ({self.path}): "
                    f"{getattr(error, 'strerror', None) or error}. Starting from the settings."]
        try:
            raw = json.loads(text)
        except ValueError:
            raw = None
        if not isinstance(raw, dict):
            return [f"{self.path} is not what the app wrote (not a JSON object); it is "
                    "ignored and will be replaced."]
        self.state, dropped = _checked(raw)
        if dropped:
            return [f"{self.path}: ignored {', '.join(dropped)} (not a usable value)."]
        return []

    def update(self, **changes: object) -> None:
        """Remember `changes` (UiState field names) and write the file; never raises."""
        known = {f.name for f in fields(UiState)}
        wanted = {k: v for k, v in changes.items() if k in known}
        new = replace(self.state, **wanted)  # type: ignore[arg-type]
        if new == self.state:
            return
        self.state = new
        self._write()

    def _write(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tui-state-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(asdict(self.state), out, indent=1)
                os.replace(temp, self.path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as error:
            # Remembering is a convenience: a full disk must not disturb the session.
            log.warning("Could not remember the TUI's state in %s: %s", self.path, error)


def apply_to_settings(settings: Settings, state: UiState,
                      origins: Mapping[str, str]) -> Settings:
    """`settings` with the remembered theme, page size and namespace where the user set
    none (their origin is "the default")."""
    changes: dict[str, object] = {}
    for name in ("theme", "page_size", "unique_id"):
        value = getattr(state, name)
        if value is not None and origins.get(name, "the default") == "the default":
            changes[name] = value
    return replace(settings, **changes) if changes else settings  # type: ignore[arg-type]
