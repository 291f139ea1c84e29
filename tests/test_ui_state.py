"""What the TUI remembers between runs: read, checked, written whole, and never above
what the user set."""

from __future__ import annotations

import json
from pathlib import Path

from memories_tui.config import Settings
from memories_tui.services.ui_state import (
    DEMO_STATE_FILE,
    STATE_FILE,
    UiState,
    UiStateStore,
    apply_to_settings,
)


def test_nothing_remembered_yet_is_quiet(tmp_path: Path):
    store = UiStateStore(tmp_path / STATE_FILE)
    assert store.load() == [] and store.state == UiState()


def test_changes_are_written_whole_and_read_back(tmp_path: Path):
    path = tmp_path / "deep" / STATE_FILE
    store = UiStateStore(path)
    store.update(theme="nord", sort_column="size", sort_reverse=True, page_size=100)
    assert json.loads(path.read_text())["theme"] == "nord"
    assert [p.name for p in path.parent.iterdir()] == [STATE_FILE]  # no temp file left
    again = UiStateStore(path)
    assert again.load() == []
    assert again.state == UiState(theme="nord", page_size=100, sort_column="size",
                                  sort_reverse=True)


def test_a_broken_file_is_ignored_with_a_warning(tmp_path: Path):
    path = tmp_path / STATE_FILE
    path.write_text("{not json")
    store = UiStateStore(path)
    (warning,) = store.load()
    assert "not what the app wrote" in warning and store.state == UiState()
    path.write_bytes(b"\xff\xfe")
    assert "Could not read" in UiStateStore(path).load()[0]


def test_values_that_do_not_fit_are_dropped_alone(tmp_path: Path):
    path = tmp_path / STATE_FILE
    path.write_text(json.dumps({"theme": "no-such-theme", "page_size": 5000,
                                "unique_id": "team-a", "details_open": "yes",
                                "sort_column": "size"}))
    store = UiStateStore(path)
    (warning,) = store.load()
    assert "theme" in warning and "page_size" in warning and "details_open" in warning
    assert store.state == UiState(unique_id="team-a", sort_column="size")


def test_what_the_user_set_wins_over_what_was_remembered():
    state = UiState(theme="nord", page_size=100, unique_id="team-a")
    settings = Settings(theme="gruvbox", page_size=50)
    origins = {"theme": "--theme", "page_size": "the default", "unique_id": "the default"}
    applied = apply_to_settings(settings, state, origins)
    assert (applied.theme, applied.page_size, applied.unique_id) == ("gruvbox", 100, "team-a")


def test_remember_off_or_demo(tmp_path: Path):
    environ = {"XDG_STATE_HOME": str(tmp_path)}
    assert not UiStateStore.for_settings(Settings(remember=False), environ=environ).enabled
    real = UiStateStore.for_settings(Settings(), environ=environ)
    demo = UiStateStore.for_settings(Settings(), demo=True, environ=environ)
    assert real.path == tmp_path / "memories-tui" / STATE_FILE
    assert demo.path == tmp_path / "memories-tui" / DEMO_STATE_FILE
    off = UiStateStore(None)
    off.update(theme="nord")  # remembers in memory, writes nothing
    assert off.state.theme == "nord"
