"""The benchmarks' quick mode still runs: every figure prints its numbers and a verdict.

Whether the targets are met is the benchmark's business, not the test suite's; this only
keeps `python -m benchmarks` from rotting as the app changes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Every figure and the targets it must print a verdict for.
FIGURES = {
    "first_frame": ["first_frame_ratio"],
    "page_switch": ["page_switch_revisited_50", "page_switch_uncached_200",
                    "page_switch_revisited_200"],
    "memory": ["memory_ratio"],
    "filter_typing": ["filter_requests", "filter_last_key_to_rows"],
    "download": ["download_throughput_ratio", "download_rss_growth", "download_key_max"],
    "rate_limit": ["rate_limit_0429", "rate_limit_header_shows_wait"],
    "wire": ["download_vs_progressbar", "cursor_move_vs_datatable", "page_switch_vs_datatable",
             "rate_limit_wait_vs_progressbar", "idle_bytes", "detail_pane_bytes",
             "low_bandwidth_download"],
    "index": ["index_sync_requests", "index_sync_time_ratio", "index_quick_refresh_requests",
              "index_query_p95", "index_sort_change_max", "index_rss_ratio"],
    "index_tui": ["index_tui_key_p95", "index_tui_typing_requests",
                  "index_tui_sort_change_max"] + (["index_tui_first_rows_ratio"]
                                                  if shutil.which("tmux") else []),
}
HAS_TMUX = shutil.which("tmux") is not None
HAS_CURL = shutil.which("curl") is not None
# One worker runs the whole module: its tests share one (36 s) run of the benchmarks.
pytestmark = pytest.mark.xdist_group("benchmarks_smoke")


@pytest.fixture(scope="module")
def quick_run() -> str:
    # Two figures at a time: quick figures only show that they still run.
    command = [sys.executable, "-m", "benchmarks", "--quick", "--jobs", "2"]
    for name in FIGURES:
        if name != "first_frame" or HAS_TMUX:
            command += ["--only", name]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_prints_the_machine(quick_run):
    assert re.search(r"^machine: \d+ CPUs, Python [\d.]+, textual [\d.]+", quick_run, re.M)


@pytest.mark.parametrize("figure", list(FIGURES))
def test_figure_prints_values_and_verdicts(quick_run, figure):
    if figure == "first_frame" and not HAS_TMUX:
        pytest.skip("tmux is not installed: figure 1 drives the app in tmux")
    if figure == "download" and not HAS_CURL:
        pytest.skip("curl is not installed: figure 5 compares the app with curl")
    assert "HARNESS ERROR" not in quick_run, quick_run
    for target in FIGURES[figure]:
        match = re.search(rf"^(PASS|FAIL) {target} (\S+) (<=|>=|=)(\S+)$", quick_run, re.M)
        assert match, f"no verdict for {target}:\n{quick_run}"
        assert match.group(2) != "n/a", f"{target} has no value:\n{quick_run}"
