"""Read-only mode: `--read-only`, MEMORIES_READ_ONLY or `read_only = true` in the config
file. Enforced in the services: DeleteService refuses, whoever calls it, before anything
is sent (tests/test_deletes_service.py); the command line says so and exits 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from memories_tui import cli
from memories_tui.config import load_settings
from memories_tui.services.deletes import READ_ONLY_MESSAGE

KEY = "sk-read-only-test-0123456789abcdef"


def test_read_only_from_every_source(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert load_settings({"read_only": True}, environ={}, cwd=tmp_path,
                         config_path=config).settings.read_only
    assert load_settings(environ={"MEMORIES_READ_ONLY": "1"}, cwd=tmp_path,
                         config_path=config).settings.read_only
    config.write_text("read_only = true\n")
    assert load_settings(environ={}, cwd=tmp_path, config_path=config).settings.read_only
    nothing = load_settings(environ={}, cwd=tmp_path, config_path=tmp_path / "none")
    assert not nothing.settings.read_only


@pytest.mark.parametrize("source", ["flag", "environment", "config"])
def test_the_command_line_refuses_with_exit_2(fake_server, capsys, monkeypatch, tmp_path,
                                              source) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    video_no = next(iter(fake_server.library.videos())).video_no
    argv = ["--base-url", fake_server.base_url, "--api-key", KEY, "--rate-limit", "0"]
    if source == "flag":
        argv.append("--read-only")
    elif source == "environment":
        monkeypatch.setenv("MEMORIES_READ_ONLY", "true")
    else:
        config = tmp_path / "config.toml"
        config.write_text("read_only = true\n")
        argv += ["--config", str(config)]
    code = cli.main([*argv, "videos", "delete", video_no, "--yes"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"memories-tui: {READ_ONLY_MESSAGE}\n"
    assert fake_server.requests == []
    assert fake_server.library.get_video(video_no) is not None


def test_reading_still_works_in_read_only_mode(fake_server, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["--base-url", fake_server.base_url, "--api-key", KEY, "--rate-limit", "0",
                     "--read-only", "videos", "list", "--limit", "2", "--format", "ids"])
    assert code == 0 and len(capsys.readouterr().out.splitlines()) == 2
