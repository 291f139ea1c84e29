"""The subcommands as a shell runs them (real processes), and the completion scripts.

- `videos list` never imports Textual (import profiling of a real run);
- `--demo videos list --status failed --format json` piped through json.loads gives every
  failed video of the demo library;
- `completion bash` completes subcommands, flags and their choices in a real bash.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from memories_tui import cli
from memories_tui.api.status import StatusClass, status_class
from memories_tui.commands import GROUPS
from memories_tui.commands.completion import script
from memories_tui.commands.videos import DEFAULT_LIMIT
from memories_tui.fake.server import FakeServer


def command(*args: str, cwd: Path, stdin: str | None = None,
            importtime: bool = False) -> subprocess.CompletedProcess:
    """`memories-tui ARGS` in a process of its own, unpaced."""
    env = {**os.environ, "MEMORIES_RATE_LIMIT": "0"}
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run(
        [sys.executable, *flags, "-m", "memories_tui", *args], input=stdin, env=env,
        check=False, capture_output=True, text=True, timeout=60, cwd=cwd,
    )


def test_videos_list_never_imports_textual(fake_server, tmp_path: Path) -> None:
    done = command("--base-url", fake_server.base_url, "--api-key", "sk-import-test-0000",
                   "videos", "list", "--format", "ids", cwd=tmp_path, importtime=True)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == DEFAULT_LIMIT
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")]
    assert "memories_tui.services.listing" in imported  # the profile is of the real work
    assert [name for name in imported if name.split(".")[0] == "textual"] == []


def test_demo_lists_every_failed_video_as_json(tmp_path: Path) -> None:
    done = command("--demo", "videos", "list", "--status", "failed", "--format", "json",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = json.loads(done.stdout)
    demo = FakeServer(seed=cli.DEMO_SEED, videos=cli.DEMO_VIDEOS).library  # not started
    expected = {v.video_no for v in demo.videos() if status_class(v.status) is StatusClass.FAILED}
    assert 0 < len(expected) <= DEFAULT_LIMIT  # else the command would need --all
    assert {row["video_no"] for row in rows} == expected
    assert len(rows) == len(expected)


def test_ids_piped_from_one_command_into_another(tmp_path: Path) -> None:
    # What the README shows: a list's ids as the next command's input, in one process
    # (each --demo run has a server of its own, so the pipe goes through a file here).
    listed = command("--demo", "videos", "list", "--status", "FAIL", "--limit", "3",
                     "--format", "ids", cwd=tmp_path)
    ids = listed.stdout.splitlines()
    assert len(ids) == 3
    done = command("--demo", "videos", "delete", "-", "--yes", stdin=listed.stdout,
                   cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "", "memories-tui: Deleted 3 videos.\n")
    refused = command("--demo", "videos", "delete", "-", stdin=listed.stdout, cwd=tmp_path)
    assert refused.returncode == 2 and "without --yes" in refused.stderr


# --- completion ----------------------------------------------------------------------------

_BASH_HARNESS = """
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
_memories_tui
printf '%s\\n' "${COMPREPLY[@]}"
"""

# zsh: compadd and _files stand in for the completion system's, printing what is offered
# (compadd keeps, as zsh's does, the words that start with what is typed: $PREFIX).
_ZSH_HARNESS = """
compdef() { : }
compadd() {
    shift; local w
    for w in "$@"; do [[ $w == ${PREFIX}* ]] && print -- $w; done
    return 0
}
_files() { print -- "<files>" }
source "$1"; shift
words=("$@"); CURRENT=$#; PREFIX="${words[CURRENT]}"
_memories_tui
"""

SHELLS = ("bash", "zsh", "fish")


def complete_in(shell: str, tmp_path: Path, *words: str) -> list[str]:
    """What `shell` offers after `memories-tui WORDS` (the last word being completed),
    sorted; "<files>" where zsh would complete file names."""
    if shutil.which(shell) is None:
        pytest.skip(f"no {shell} here")
    path = tmp_path / f"completion.{shell}"
    path.write_text(script(shell))
    if shell == "bash":
        argv = ["bash", "-c", _BASH_HARNESS, "bash", str(path), "memories-tui", *words]
    elif shell == "zsh":
        argv = ["zsh", "-f", "-c", _ZSH_HARNESS, "zsh", str(path), "memories-tui", *words]
    else:
        line = " ".join(("memories-tui", *words))
        argv = ["fish", "--no-config", "-c", f"source {path}; complete -C{line!r}"]
    done = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30,
                          cwd=tmp_path)
    return sorted(line.split("\t")[0] for line in done.stdout.splitlines() if line)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([""], ["fake-server", *GROUPS]),
        (["vi"], ["videos"]),
        (["--api-key", "sk-x", "v"], ["videos"]),  # a flag's value is not a command
        (["videos", ""], ["list", "show", "delete", "download"]),
        (["videos", "list", "--fo"], ["--format"]),
        (["--demo", "videos", "list", "--format", ""], ["table", "json", "csv", "ids"]),
        (["videos", "list", "--status", "f"], ["failed"]),
        (["videos", "download", "--on-conflict", ""], ["skip", "number", "overwrite"]),
        (["completion", ""], ["bash", "zsh", "fish"]),
        (["config", "path", ""], ["config", "state", "cache", "log"]),
        (["--re"], ["--read-only"]),
        (["videos", "delete", "VI1", "--y"], ["--yes"]),
    ],
)
def test_completes_commands_flags_and_choices(shell: str, tmp_path: Path, words,
                                              expected) -> None:
    assert complete_in(shell, tmp_path, *words) == sorted(expected)


@pytest.mark.parametrize("shell", SHELLS)
def test_paths_complete_after_dir(shell: str, tmp_path: Path) -> None:
    (tmp_path / "videos-here").mkdir()
    got = complete_in(shell, tmp_path, "videos", "download", "VI1", "--dir", "vid")
    assert got == (["<files>"] if shell == "zsh" else ["videos-here"]) or got == [
        "videos-here/"]


def test_the_completion_command_prints_the_script(capsys) -> None:
    assert cli.main(["completion", "bash"]) == 0
    out, err = capsys.readouterr()
    assert out == script("bash") and err == ""
    assert out.rstrip().endswith("complete -F _memories_tui memories-tui")


@pytest.mark.parametrize("shell", SHELLS)
def test_every_script_is_valid_syntax(shell: str, tmp_path: Path) -> None:
    runner = shutil.which(shell)
    if runner is None:
        pytest.skip(f"no {shell} here")
    path = tmp_path / f"completion.{shell}"
    path.write_text(script(shell))
    subprocess.run([runner, "-n", str(path)], check=True, timeout=30)
