"""The README's shell examples ("From the shell") run, each against `--demo`.

The block marked `<!-- shell-examples ... -->` is read line by line; every
`memories-tui` in a line becomes `memories-tui --demo` (each with a demo server of its
own), and the line runs in bash. Each must exit 0, and print something unless its
output goes to a file or it only acts (a delete, `source`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
MARK = "<!-- shell-examples"


def examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    after = text[text.index(MARK):]
    block = after[after.index("```sh\n") + len("```sh\n"):]
    block = block[: block.index("```")]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_has_examples_of_every_group() -> None:
    from memories_tui.commands import GROUPS

    used = " ".join(examples())
    assert all(f"memories-tui {group}" in used or f" {group} " in used for group in GROUPS)


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory) -> Path:
    """A `memories-tui` on PATH that is this checkout's, run by this Python."""
    folder = tmp_path_factory.mktemp("bin")
    launcher = folder / "memories-tui"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m memories_tui "$@"\n')
    launcher.chmod(0o755)
    return folder


@pytest.mark.parametrize("line", examples())
def test_readme_example_runs_against_the_demo(line: str, bin_dir: Path, tmp_path: Path) -> None:
    if "| jq" in line and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    demo = re.sub(r"(?<![\w-])memories-tui(?![\w-])", "memories-tui --demo", line)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "MEMORIES_RATE_LIMIT": "0", "HOME": str(tmp_path)}
    done = subprocess.run(["bash", "-c", f"set -o pipefail; {demo}"], env=env, cwd=tmp_path,
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    quiet = " > " in line or line.startswith("source ") or " delete " in line
    assert quiet or done.stdout.strip(), done.stderr
    if " > " in line:
        written = tmp_path / line.rsplit(" > ", 1)[1].strip()
        assert written.read_text().count("\n") > 1
