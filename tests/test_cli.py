"""The command line: a bad flag is one line and exit 2, a bad setting elsewhere a warning,
and the log file (private, rotated, never holding the key).

No test here starts the TUI: each run of `main` ends before it, at a bad flag or at the
client refusing plain http to a remote host (which comes after the log is set up).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memories_tui import __version__, cli
from memories_tui.api.errors import register_secret
from memories_tui.config import load_settings
from memories_tui.logs import log_path, setup_logging, shown_path, stop_logging

KEY = "sk-cli-test-0123456789abcdef01234567"
MASKED = "sk-…4567"
# Refused by the client after the log file is set up: how these tests get that far
# without a terminal.
REMOTE_HTTP = ["--base-url", "http://10.20.30.40"]


@pytest.fixture(autouse=True)
def _in_a_fresh_folder(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    yield
    stop_logging()


@pytest.fixture
def log_file() -> Path:
    path = log_path()
    assert path is not None and str(path).startswith(os.environ["XDG_STATE_HOME"])
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_plain_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.startswith("memories-tui: ")
    assert err.endswith("\n") and err.count("\n") == 1
    return err.strip()


def run_command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`memories-tui ARGS` as a script runs it, in the tests' own environment."""
    return subprocess.run(
        [sys.executable, "-m", "memories_tui.cli", *args],
        check=False, capture_output=True, text=True, timeout=60, cwd=cwd,
    )


# --- a bad flag: one line, exit 2 --------------------------------------------------------


def test_key_with_a_space_is_one_line_and_exit_2(capsys) -> None:
    code, out, err = run(["--api-key", "sk-abc def"], capsys)
    assert code == 2 and out == ""
    line = assert_one_plain_line(err)
    assert line == ("memories-tui: --api-key is a key that cannot be sent in a header: it holds "
                    "a space or line break (check how it was copied).")
    assert "sk-abc" not in err


def test_key_with_a_space_as_a_real_command(tmp_path: Path) -> None:
    done = run_command("--api-key", "sk-abc def", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert_one_plain_line(done.stderr)
    assert "sk-abc" not in done.stderr and "Traceback" not in done.stderr


def test_unknown_theme_is_one_line_and_exit_2(capsys) -> None:
    code, _, err = run(["--theme", "no-such-theme"], capsys)
    assert code == 2
    line = assert_one_plain_line(err)
    assert line.startswith("memories-tui: --theme is 'no-such-theme', which is not a built-in "
                           "Textual theme (one of: ansi-dark, ")
    assert "textual-dark" in line


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--page-size", "0"], "--page-size is 0, outside 1–1000."),
        (["--timeout", "0"], "--timeout is 0.0, which is not more than 0 seconds."),
        (["--rate-limit", "nan"], "--rate-limit is nan, which is not a finite number."),
        (["--base-url", "https://user:secret@api.example"], "--base-url is 'https://…@api.example'"),
        (["--base-url", "api.memories.ai"], "which is not an http:// or https:// address."),
        (["--download-dir", "a\x01b"], "which is a path with control characters."),
    ],
)
def test_other_bad_flags_are_one_line_and_exit_2(capsys, argv: list[str], words: str) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert words in assert_one_plain_line(err)
    assert "secret" not in err


def test_bad_flags_leave_no_log_behind(capsys, log_file: Path) -> None:
    assert run(["--theme", "nope"], capsys)[0] == 2
    assert not log_file.exists()


def test_key_refused_by_the_client_is_one_line_and_exit_2(capsys) -> None:
    code, _, err = run(["--api-key", KEY, *REMOTE_HTTP], capsys)
    assert code == 2
    line = assert_one_plain_line(err)
    assert "Refusing to send the API key over plain http:// to 10.20.30.40" in line
    assert KEY not in err


def test_address_from_the_environment_refused_by_the_client_is_one_line(
    capsys, monkeypatch
) -> None:
    monkeypatch.setenv("MEMORIES_API_KEY", KEY)
    monkeypatch.setenv("MEMORIES_BASE_URL", "http://10.20.30.40")
    code, _, err = run([], capsys)
    assert code == 2
    assert "Refusing to send the API key" in assert_one_plain_line(err)


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"memories-tui {__version__}\n"


def test_version_and_help_as_real_commands_load_nothing_heavy(tmp_path: Path) -> None:
    done = run_command("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"memories-tui {__version__}\n", "")
    probe = (
        "import sys\n"
        "from memories_tui import cli\n"
        "try:\n"
        "    cli.main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['textual', 'httpx', 'logging.handlers', 'memories_tui.config', 'typing']\n"
        "print([name for name in heavy if name in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert "--debug" in done.stdout and "--version" in done.stdout
    assert done.stderr.strip() == "[]"


def test_the_tui_parser_leaves_the_subcommands_out_and_a_typo_still_lists_them(capsys) -> None:
    # Starting the TUI builds no subcommand parser (start-up time); a mistyped command
    # still gets the whole parser's message, which names every command.
    tui = cli.build_parser(["--unique-id", "x"])
    assert tui.parse_args(["--unique-id", "x"]).command is None
    assert "fake-server" not in tui.format_help()
    with pytest.raises(SystemExit) as exited:
        cli.main(["vidoes"])
    assert exited.value.code == 2
    line = assert_one_plain_line(capsys.readouterr().err)
    assert "invalid choice: 'vidoes'" in line and "'videos'" in line and "'index'" in line
    # A namespace that happens to be called like a command is still a namespace.
    args = cli.build_parser(["--unique-id", "videos"]).parse_args(["--unique-id", "videos"])
    assert args.command is None and args.unique_id == "videos"
    # And a command is a command.
    argv = ["videos", "list", "--limit", "1"]
    assert cli.build_parser(argv).parse_args(argv).command == "videos"


# --- a bad value elsewhere: a warning for the TUI to show --------------------------------


def test_unknown_theme_in_the_environment_is_a_warning(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEMORIES_THEME", "no-such-theme")
    settings, warnings = load_settings()
    assert settings.theme == "textual-dark"
    assert len(warnings) == 1
    assert warnings[0].startswith("MEMORIES_THEME is 'no-such-theme', which is not a built-in "
                                  "Textual theme")
    assert warnings[0].endswith("; using 'textual-dark' (the default).")


def test_bad_config_file_value_is_a_warning_naming_the_file() -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "memories-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('theme = "nord"\npage_size = "lots"\napi_key = "sk-a b"\n')
    config.chmod(0o600)  # else the key earns a warning of its own
    settings, warnings = load_settings()
    assert (settings.theme, settings.page_size, settings.api_key) == ("nord", 50, None)
    assert warnings == [
        (f"api_key in {config} is a key that cannot be sent in a header: it holds a space or "
        "line break (check how it was copied); using no key (the default)."),
        f"page_size in {config} is 'lots', which is not a whole number; using 50 (the default).",
    ]


def test_warnings_are_written_to_the_log_too(capsys, monkeypatch, log_file: Path) -> None:
    monkeypatch.setenv("MEMORIES_THEME", "no-such-theme")
    assert run(["--api-key", KEY, *REMOTE_HTTP], capsys)[0] == 2
    text = log_file.read_text()
    assert "WARNING memories_tui: MEMORIES_THEME is 'no-such-theme'" in text
    assert "Refused to start: Refusing to send the API key over plain http://" in text


# --- the log file --------------------------------------------------------------------------


def test_log_file_is_private_under_xdg_state_home_and_never_holds_the_key(
    capsys, log_file: Path
) -> None:
    assert run(["--api-key", KEY, "--debug", *REMOTE_HTTP], capsys)[0] == 2
    assert log_file == Path(os.environ["XDG_STATE_HOME"]) / "memories-tui" / "memories-tui.log"
    assert log_file.stat().st_mode & 0o777 == 0o600
    assert log_file.parent.stat().st_mode & 0o777 == 0o700
    text = log_file.read_text()
    assert f"memories-tui {__version__} started" in text and "with debug detail" in text
    assert KEY not in text


def test_a_record_holding_the_key_is_masked_wherever_the_key_is(log_file: Path) -> None:
    assert setup_logging(debug=False) is None
    register_secret(KEY)
    log = logging.getLogger("memories_tui.tui")
    log.warning("The server said: %s is not allowed", KEY)
    logging.getLogger("somebody.else").error(f"header Authorization: {KEY}")
    try:
        raise RuntimeError(f"Illegal header value {KEY!r}")
    except RuntimeError:
        # What the app's handler for unexpected worker errors does.
        logging.getLogger("memories_tui").exception("Unexpected error in a worker")
    stop_logging()
    text = log_file.read_text()
    assert f"The server said: {MASKED} is not allowed" in text
    assert f"header Authorization: {MASKED}" in text
    assert "ERROR memories_tui: Unexpected error in a worker\nTraceback" in text
    assert f"RuntimeError: Illegal header value '{MASKED}'" in text
    assert KEY not in text


def test_debug_detail_only_with_debug(log_file: Path, monkeypatch) -> None:
    log = logging.getLogger("memories_tui.api")
    setup_logging(debug=False)
    log.debug("detail one")
    log.info("news one")
    logging.getLogger("httpx").info("library chatter")
    setup_logging(debug=True)  # replaces the handler: one file, no duplicate lines
    log.debug("detail two")
    logging.getLogger("httpx").info("library detail")
    stop_logging()
    text = log_file.read_text()
    assert "news one" in text and "detail two" in text and "library detail" in text
    assert "detail one" not in text and "library chatter" not in text
    assert text.count("detail two") == 1


def test_memories_debug_in_the_environment_turns_detail_on(
    capsys, monkeypatch, log_file: Path
) -> None:
    monkeypatch.setenv("MEMORIES_DEBUG", "1")
    assert run(["--api-key", KEY, *REMOTE_HTTP], capsys)[0] == 2
    assert "with debug detail" in log_file.read_text()


def test_log_rotates_and_old_files_stay_private(log_file: Path) -> None:
    setup_logging(debug=False)
    log = logging.getLogger("memories_tui")
    line = "x" * 1000
    for _ in range(3 * 1100):  # a little over three MiB
        log.info(line)
    stop_logging()
    rotated = sorted(log_file.parent.iterdir())
    assert [p.name for p in rotated] == [
        "memories-tui.log", "memories-tui.log.1", "memories-tui.log.2", "memories-tui.log.3"
    ]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in rotated)
    assert all(p.stat().st_size <= 1024 * 1024 for p in rotated)


def test_an_existing_log_readable_by_others_is_made_private(log_file: Path) -> None:
    log_file.parent.mkdir(parents=True)
    log_file.write_text("an old line\n")
    log_file.chmod(0o644)
    log_file.parent.chmod(0o755)
    setup_logging(debug=False)
    stop_logging()
    assert log_file.stat().st_mode & 0o777 == 0o600
    assert log_file.parent.stat().st_mode & 0o777 == 0o700
    assert log_file.read_text().startswith("an old line\n")


def test_state_folder_that_cannot_be_made_is_one_warning_and_no_log(
    capsys, monkeypatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    warning = setup_logging(debug=False)
    assert warning == (f"Could not open the log file {blocker}/memories-tui/memories-tui.log "
                       "(Not a directory); running without one.")
    # The program carries on (here to the refusal), without a traceback.
    code, _, err = run(["--api-key", KEY, *REMOTE_HTTP], capsys)
    assert code == 2
    assert_one_plain_line(err)


def test_log_path_follows_xdg_and_is_shown_with_a_tilde() -> None:
    assert log_path({"XDG_STATE_HOME": "/state"}) == Path("/state/memories-tui/memories-tui.log")
    # A relative XDG_STATE_HOME is ignored, as the XDG spec says.
    assert log_path({"XDG_STATE_HOME": "rel", "HOME": "/home/u"}) == Path(
        "/home/u/.local/state/memories-tui/memories-tui.log"
    )
    home = {"HOME": "/home/u"}
    assert shown_path(Path("/home/u/.local/state/m.log"), home) == "~/.local/state/m.log"
    assert shown_path(Path("/srv/state/m.log"), home) == "/srv/state/m.log"
    assert shown_path(Path("/home/u2/m.log"), home) == "/home/u2/m.log"


async def test_help_names_the_log_file(fake_server) -> None:
    from memories_tui.tui.modals.help import HelpModal
    from tests.tui.helpers import make_app

    app = make_app(fake_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        note = str(app.screen.query_one("#help-log").render())
    assert note == ("Log file: ~/.local/state/memories-tui/memories-tui.log "
                    "(start with --debug for more detail).")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--page-size", "abc"], "argument --page-size: invalid int value: 'abc'"),
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_a_flag_argparse_refuses_is_one_line_too(capsys, argv: list[str], words: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert assert_one_plain_line(err) == f"memories-tui: {words} (see memories-tui --help)"


def test_fake_server_on_a_taken_port_is_one_line_and_exit_2(capsys) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, _, err = run(["fake-server", "--port", str(port)], capsys)
    assert code == 2
    assert assert_one_plain_line(err) == (
        f"memories-tui: cannot serve on 127.0.0.1:{port}: Address already in use")
