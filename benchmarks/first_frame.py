"""Figure 1: process start to the first page of rows on screen, against a bare DataTable app.

Both programs run the same way: a new tmux session (120x40) on a private tmux server,
the screen read with `capture-pane` every few milliseconds until a known row shows.
The fake server is started first, in this process, so its own start-up is not counted.

Both start with their modules' bytecode already compiled, as for any installed program
(pip compiles a package's modules when it installs it). This matters where
PYTHONDONTWRITEBYTECODE is set and the project is an editable checkout: every start
would compile the project's ~40 modules again (~50 ms), a cost users never pay, while
Textual's own modules, installed by pip, come precompiled.
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import API_KEY, REPO, SEED, Sizes, terminal_env
from benchmarks.frames import median
from benchmarks.report import Figure, Row, Target

TITLE = "Time to first useful frame (tmux 120x40, process start to first rows on screen)"
POLL = 0.005
TIMEOUT = 30.0
# 1.4, not 1.3: JSON calls go through httpx's own transport (httpcore, h11, anyio to
# import, and a request that moves only while the event loop runs). A transport of our
# own, in threads, reached 1.3, and paid for it by resending a delete the server may
# already have applied; one HTTP stack that never does that is worth ~0.1 here.
TARGET_RATIO = 1.4


def tmux_socket(pid: int) -> str:
    """The name of the private tmux server of the benchmark process `pid`."""
    return f"memories-bench-{pid}"


def remove_socket(name: str) -> None:
    # tmux leaves the socket file behind when its server is killed.
    folder = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
    (folder / name).unlink(missing_ok=True)


class Tmux:
    """A tmux server of our own, so no one else's sessions or environment get involved."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = tmux_socket(os.getpid())
        self.env = env
        # One idle session keeps the server up: no run pays for starting tmux itself.
        self.run("new-session", "-d", "-s", "idle", "-x", "120", "-y", "40", "sleep 3600")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, env=self.env, check=False)

    def close(self) -> None:
        self.run("kill-server")
        remove_socket(self.socket)


def _pane_pid(tmux: Tmux, session: str) -> int | None:
    out = tmux.run("display-message", "-p", "-t", session, "#{pane_pid}").stdout.strip()
    return int(out) if out.isdigit() else None


def _wait_gone(pid: int | None, timeout: float = 5.0) -> None:
    if pid is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        time.sleep(0.02)


def time_to_text(tmux: Tmux, name: str, command: list[str], needle: str, cwd: str) -> float:
    """Seconds from creating the session to `needle` appearing on its screen."""
    session = f"{name}-{time.monotonic_ns()}"
    start = time.perf_counter()
    created = tmux.run("new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                       "-c", cwd, "--", *command)
    if created.returncode != 0:
        raise RuntimeError(f"tmux could not start {name}: {created.stderr.strip()}")
    try:
        while True:
            screen = tmux.run("capture-pane", "-p", "-t", session).stdout
            if needle in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > TIMEOUT:
                raise TimeoutError(f"{name}: {needle!r} not on screen after {TIMEOUT} s:\n{screen}")
            time.sleep(POLL)
    finally:
        pid = _pane_pid(tmux, session)
        tmux.run("kill-session", "-t", session)
        # The next run must not share the CPU with this one's exit.
        _wait_gone(pid)


def measure(sizes: Sizes) -> Figure:
    figure = Figure("first_frame", TITLE)
    if shutil.which("tmux") is None:
        figure.skipped = "tmux is not installed"
        return figure
    from memories_tui.fake.server import FakeServer

    server = FakeServer(seed=SEED, videos=sizes.library)
    server.start()
    workdir = tempfile.mkdtemp(prefix="memories-bench-")
    # A clean environment: no developer config, no .env, the key the app needs.
    env = terminal_env()
    # The local index (opened after the first frame) goes to the run's folder too.
    env.update(XDG_CONFIG_HOME=workdir, XDG_CACHE_HOME=workdir, MEMORIES_API_KEY=API_KEY,
               PYTHONPATH=str(REPO))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(REPO / "memories_tui"), quiet=1)
    tmux = Tmux(env)
    try:
        first_id = server.library.query_videos(page=1, size=50)[0][0].video_no
        script = Path(sys.executable).with_name("memories-tui")
        entry = [str(script)] if script.exists() else ["-m", "memories_tui.cli"]
        app_cmd = [sys.executable, *entry, "--base-url", server.base_url]
        from benchmarks.reference_app import FIRST_ID

        ref_cmd = [sys.executable, str(REPO / "benchmarks" / "reference_app.py"), "200"]
        if not sizes.quick:
            # One unrecorded run of each: the first start reads every module from disk.
            time_to_text(tmux, "ref", ref_cmd, FIRST_ID, workdir)
            time_to_text(tmux, "app", app_cmd, first_id, workdir)
        app_runs: list[float] = []
        ref_runs: list[float] = []
        for _ in range(sizes.first_frame_runs):
            # Alternate, so a slow spell of the machine hits both alike.
            ref_runs.append(time_to_text(tmux, "ref", ref_cmd, FIRST_ID, workdir))
            app_runs.append(time_to_text(tmux, "app", app_cmd, first_id, workdir))
    finally:
        tmux.close()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    app_s, ref_s = median(app_runs), median(ref_runs)

    def runs(xs: list[float]) -> str:
        return " ".join(f"{x * 1000:.0f}" for x in xs)

    figure.rows.append(Row(
        f"first rows visible (median of {len(app_runs)})", app_s * 1000, ref_s * 1000, "ms",
        reference_label="bare app with a 200x7 DataTable",
        detail=f"runs ms: project {runs(app_runs)} | reference {runs(ref_runs)}"))
    figure.targets.append(Target("first_frame_ratio", app_s / ref_s, "<=", TARGET_RATIO))
    figure.notes.append(f"polled every {POLL * 1000:.0f} ms with tmux capture-pane; the app "
                        f"waits for page 1 of a {sizes.library:,}-video fake on loopback")
    return figure
