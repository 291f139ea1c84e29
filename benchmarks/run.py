"""Run the benchmarks of issue 6 and print each figure beside its reference, then PASS/FAIL.

    python -m benchmarks            # the full run (a few minutes on 2 cores)
    python -m benchmarks --quick    # tiny sizes: does every figure still run?
    python -m benchmarks --quick --jobs 2   # the same, two at a time (the smoke test)
    python -m benchmarks --only page_switch --only memory

Each figure runs in a fresh child process: memory figures then start from a clean
heap, one figure's leftovers (threads, caches, a stuck worker) cannot skew the next,
and a figure that crashes or hangs is reported while the others still run. The exit
status is 0 when every figure produced its numbers, whether or not targets are met,
and 1 when the harness itself broke.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):
    # Run as `python benchmarks/run.py`: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, Sizes  # noqa: E402
from benchmarks.report import Figure, render_figure, summary_lines  # noqa: E402

# (name, module, seconds allowed for the full run, for the quick run)
FIGURES: tuple[tuple[str, str, float, float], ...] = (
    ("first_frame", "benchmarks.first_frame", 120, 60),
    ("page_switch", "benchmarks.page_switch", 150, 60),
    ("memory", "benchmarks.memory", 150, 60),
    ("filter_typing", "benchmarks.filter_typing", 60, 60),
    ("download", "benchmarks.download", 120, 60),
    ("rate_limit", "benchmarks.rate_limit", 180, 60),
    ("wire", "benchmarks.wire", 150, 90),
    ("index", "benchmarks.index", 300, 60),
    ("index_tui", "benchmarks.index_tui", 240, 90),
)
NAMES = tuple(name for name, *_ in FIGURES)


def machine_line() -> str:
    from benchmarks.common import textual_version

    return (f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"textual {textual_version()}, {platform.system()} {platform.release()}")


def run_child(name: str, quick: bool) -> Figure:
    """Measure one figure in this process and write it as JSON to the given file."""
    module = next(m for n, m, *_ in FIGURES if n == name)
    import importlib

    sizes = Sizes.for_mode(quick)
    started = time.perf_counter()
    try:
        figure = importlib.import_module(module).measure(sizes)
        if hasattr(figure, "__await__"):
            import asyncio

            figure = asyncio.run(figure)
    except Exception:
        figure = Figure(name, name, error=traceback.format_exc(limit=8).strip())
    figure.seconds = time.perf_counter() - started
    return figure


def _kill_tmux_server_of(pid: int) -> None:
    """A tmux server outlives the child that started it (it leaves the process group)."""
    from benchmarks.first_frame import remove_socket, tmux_socket

    if shutil.which("tmux"):
        subprocess.run(["tmux", "-L", tmux_socket(pid), "kill-server"], capture_output=True,
                       check=False)
        remove_socket(tmux_socket(pid))


def spawn(name: str, quick: bool, timeout: float) -> Figure:
    with tempfile.TemporaryDirectory(prefix="memories-bench-") as tmp:
        result = Path(tmp) / "figure.json"
        command = [sys.executable, "-m", "benchmarks", "--child", name, "--result", str(result)]
        if quick:
            command.append("--quick")
        env = dict(os.environ, PYTHONPATH=str(REPO))
        started = time.perf_counter()
        # A session of its own: on a timeout, the child's helpers (a fake server, curl)
        # go with it.
        child = subprocess.Popen(command, cwd=str(REPO), env=env, start_new_session=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            output, _ = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            output, _ = child.communicate()
            return Figure(name, name, seconds=time.perf_counter() - started,
                          error=f"did not finish within {timeout:.0f} s\n{output[-2000:]}")
        finally:
            _kill_tmux_server_of(child.pid)
        if child.returncode != 0 or not result.exists():
            return Figure(name, name, error=f"exit status {child.returncode}\n{output[-3000:]}",
                          seconds=time.perf_counter() - started)
        figure = Figure.from_json(json.loads(result.read_text()))
        if output.strip() and figure.error:
            figure.error += "\n" + output[-2000:]
        return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (1,000 videos, a few pages, a 128 MiB download)")
    parser.add_argument("--only", action="append", choices=NAMES, metavar="NAME",
                        help=f"run only this figure (repeatable): {', '.join(NAMES)}")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="run N figures at a time (for --quick, whose figures only "
                             "show that they still run: side by side they would disturb "
                             "each other's timings)")
    parser.add_argument("--child", choices=NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        figure = run_child(args.child, args.quick)
        Path(args.result).write_text(json.dumps(figure.to_json()))
        return 0

    names = args.only or list(NAMES)
    mode = "quick (tiny sizes; not comparable with targets)" if args.quick else "full"
    print(f"memories-tui benchmarks, {mode}", flush=True)
    print(machine_line(), flush=True)
    print(flush=True)
    if args.jobs > 1 and not args.quick:
        parser.error("--jobs is for --quick runs: figures side by side disturb each "
                     "other's timings")
    figures: list[Figure] = []
    started = time.perf_counter()
    chosen = [(number, name, quick_timeout if args.quick else full_timeout)
              for number, (name, _module, full_timeout, quick_timeout)
              in enumerate(FIGURES, 1) if name in names]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        running = [(number, pool.submit(spawn, name, args.quick, timeout))
                   for number, name, timeout in chosen]
        for number, future in running:  # printed in order, as each is done
            figure = future.result()
            figures.append(figure)
            print(render_figure(number, figure), flush=True)
            print(flush=True)
    print(f"Summary ({time.perf_counter() - started:.0f} s)")
    for line in summary_lines(figures):
        print(line)
    sys.stdout.flush()
    return 1 if any(f.error for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
