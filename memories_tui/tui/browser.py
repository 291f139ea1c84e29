"""The app in a web browser (`memories-tui serve`): downloads that land on the user's own
computer, and the state a test of the served app reads.

Served by textual-serve, each browser tab runs the app in a process of its own on the
server, with Textual's web driver (`App.is_web`). A download chosen "to this computer"
is an ordinary download first: the download manager streams it to `NAME.part` in a
private staging folder on the server (under the cache folder, not /tmp, which is often
in memory) with every check of a normal download (a refusal in JSON, a body shorter or
longer than announced), and only the complete, checked file is named. Then, and only
then, it is handed to the browser with Textual's file delivery (`App.deliver_binary`):
the file is opened and its name removed at once, so nothing is left on the server
however the process ends; the disk space goes back when the browser has read it or the
process ends. Textual posts `DeliveryComplete` or `DeliveryFailed`, and the downloads
panel says so (`DownloadJob.hand_off_note`). A refusal or a short body fails in the
manager and is never handed over.

`InBrowser` is a mixin of the app: Textual calls the handlers of every class of the app's
MRO, so its own run beside the app's `on_mount` and `on_unmount`.
"""

from __future__ import annotations

import io
import json
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App

from memories_tui.format import human_size
from memories_tui.paths import cache_dir
from memories_tui.services.downloads import DownloadJob, JobState

if TYPE_CHECKING:
    from memories_tui.tui.app import MemoriesApp

log = logging.getLogger("memories_tui.tui")

#: DownloadJob.hand_off of a file for the browser.
BROWSER = "browser"
#: Set (to a folder) for tests of the served app: each app process writes what it shows
#: there, as `<pid>.json`, four times a second (see `write_state`).
STATE_ENV = "MEMORIES_TUI_WEB_STATE"
#: Seconds without the browser reading a file before the user is told why that may be.
BROWSER_SILENT_AFTER = 10.0

NOTE_WAITING = "waiting for the browser"
NOTE_TAKEN = "taken by the browser"

_HEADER_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+\-]")


def browser_filename(name: str) -> str:
    """`name` as the browser is offered it: textual-serve puts it unquoted in a
    Content-Disposition header, where a ";" or "," ends it and a character outside
    ASCII is read differently by each browser. Accents are dropped, anything else
    unsafe becomes "_"; the name was made safe for a file system already."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = " ".join(_HEADER_UNSAFE.sub("_", ascii_name).split()).strip(" .")
    return cleaned or "video.mp4"


class _CountedReader(io.BufferedReader):
    """A file whose reads are counted: how much of it the browser has fetched. Read
    by Textual's input thread, looked at from the event loop (an int: no lock needed)."""

    sent = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.sent += len(data)
        return data


@dataclass(eq=False)
class _Delivery:
    job: DownloadJob
    reader: _CountedReader
    size: int
    started: float
    told_silent: bool = False


class BrowserHandOff:
    """Hands complete downloads marked for the browser to it, and follows each one."""

    def __init__(self, app: MemoriesApp) -> None:
        self.app = app
        self._folder: Path | None = None
        self._deliveries: dict[str, _Delivery] = {}  # by Textual's delivery key
        self._handled: set[int] = set()  # job ids handed over (or that failed to be)
        self._unsubscribe = app.downloads.subscribe(self._job_changed)
        self._ticking = False

    # -- the staging folder ---------------------------------------------------------------

    def folder(self) -> Path:
        """The private folder (mode 0700) where files for the browser are downloaded
        first: made once, at the first need, removed when the app ends."""
        if self._folder is not None and self._folder.is_dir():
            return self._folder
        base = cache_dir()
        parents = [base / "browser"] if base is not None else []
        parents.append(Path(tempfile.gettempdir()))
        for parent in parents:
            try:
                parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=parent))
                return self._folder
            except OSError as exc:
                log.warning("No staging folder for the browser in %s: %s", parent, exc)
        # Nowhere to write: a download there fails, saying which folder it could not use.
        return parents[0] / f"{os.getpid()}-unavailable"

    def free_space(self) -> int | None:
        try:
            return shutil.disk_usage(self.folder()).free
        except OSError:
            return None

    # -- handing over -----------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._deliveries)

    def _job_changed(self, job: DownloadJob) -> None:
        if (job.hand_off != BROWSER or job.state is not JobState.DONE
                or job.job_id in self._handled):
            return
        self._handled.add(job.job_id)
        self._deliver(job)

    def _deliver(self, job: DownloadJob) -> None:
        try:
            reader = _CountedReader(io.FileIO(job.path, "rb"))
        except OSError as exc:
            self._fail(job, f"could not read the file on the server ({exc.strerror or exc})")
            return
        # Open, the file is ours until closed: its name goes now, so that nothing is left
        # on the server whether the browser reads it, the tab closes or the process dies.
        try:
            size = os.fstat(reader.fileno()).st_size
            job.path.unlink()
        except OSError:
            size = job.received
        mime_type = mimetypes.guess_type(job.path.name)[0] or "application/octet-stream"
        why = "this app is not running in a browser"
        key = None
        if self.app.is_web:
            try:
                key = self.app.deliver_binary(
                    reader, save_filename=browser_filename(job.path.name),
                    mime_type=mime_type, name=f"memories-tui-{job.job_id}")
            except Exception as exc:  # the driver could not even start the delivery
                log.exception("Could not start handing %s to the browser.", job.video_no)
                why = f"{type(exc).__name__}: {exc}"
        if key is None:
            reader.close()
            self._fail(job, why)
            return
        self._deliveries[key] = _Delivery(job, reader, size, time.monotonic())
        log.info("Handing %s (%d bytes) to the browser.", job.video_no, size)
        self._note(job, NOTE_WAITING)
        if not self._ticking:
            self._ticking = True
            self.app.set_interval(1.0, self._tick, name="browser-hand-off")

    def _tick(self) -> None:
        """Show how much of each file the browser has read, and say (once) when it has
        read nothing for a while: a browser may hold back downloads a page starts by
        itself (the page `serve` sends starts each as a link, not a pop-up)."""
        now = time.monotonic()
        for delivery in list(self._deliveries.values()):
            sent = delivery.reader.sent
            if sent and delivery.size:
                self._note(delivery.job, f"browser {min(100, sent * 100 // delivery.size)}%")
            elif (not delivery.told_silent
                  and now - delivery.started >= BROWSER_SILENT_AFTER):
                delivery.told_silent = True
                self.app.notify(
                    f"Your browser has not fetched {delivery.job.path.name} yet. If it "
                    "asked whether this page may download files, allow it, then download "
                    "the video again.", title="Download", severity="warning", timeout=15,
                    markup=False)

    def delivered(self, event: events.DeliveryComplete) -> None:
        delivery = self._deliveries.pop(event.key, None)
        if delivery is None:
            return
        job = delivery.job
        self._note(job, NOTE_TAKEN)
        self.app.notify(f"Your browser has {job.path.name} ({human_size(delivery.size)}).",
                        title="Download", timeout=6, markup=False)

    def not_delivered(self, event: events.DeliveryFailed) -> None:
        delivery = self._deliveries.pop(event.key, None)
        if delivery is None:
            return
        delivery.reader.close()
        self._fail(delivery.job, f"{type(event.exception).__name__}: {event.exception}")

    def _fail(self, job: DownloadJob, why: str) -> None:
        log.warning("Could not hand %s to the browser: %s", job.video_no, why)
        self._note(job, "not delivered to the browser")
        self.app.notify(f"{job.path.name} was not delivered to your browser: {why}. "
                        "Nothing was kept on the server.", title="Download failed",
                        severity="error", timeout=10, markup=False)

    def _note(self, job: DownloadJob, note: str) -> None:
        if job.hand_off_note != note:
            job.hand_off_note = note
            self.app.downloads.changed(job)

    def close(self) -> None:
        """The app ends: files not yet read are closed (their space is freed), and the
        staging folder goes (the download manager has removed its `.part` files)."""
        self._unsubscribe()
        for delivery in self._deliveries.values():
            delivery.reader.close()
        self._deliveries.clear()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def hand_off(app: App[Any]) -> BrowserHandOff:
    """The app's hand-off to the browser (made at mount; see InBrowser)."""
    return cast(InBrowser, app).browser_hand_off


class InBrowser:
    """MemoriesApp's part for a browser. A mixin: Textual dispatches each handler of
    every class in the app's MRO, after the app's own."""

    _browser_hand_off: BrowserHandOff | None = None

    @property
    def browser_hand_off(self) -> BrowserHandOff:
        if self._browser_hand_off is None:
            self._browser_hand_off = BrowserHandOff(cast("MemoriesApp", self))
        return self._browser_hand_off

    # _on_mount and _on_unmount: Textual looks for these names too, and the app's own
    # on_mount and on_unmount keep theirs.
    def _on_mount(self) -> None:
        app = cast("MemoriesApp", self)
        _ = self.browser_hand_off  # listens to the download manager from now on
        folder = os.environ.get(STATE_ENV)
        if folder and app.is_web:
            path = Path(folder) / f"{os.getpid()}.json"
            app.set_interval(0.25, lambda: write_state(app, path), name="web-state")

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        self.browser_hand_off.delivered(event)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        self.browser_hand_off.not_delivered(event)

    def _on_unmount(self) -> None:
        if self._browser_hand_off is not None:
            self._browser_hand_off.close()


def screen_text(app: MemoriesApp) -> str:
    """The screen as plain text, as Textual composes it for the terminal."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def write_state(app: MemoriesApp, path: Path) -> None:
    """What the app shows, for a test that drives it through a browser (STATE_ENV): the
    screen's text, the downloads, the staging folder. Written aside, then renamed."""
    try:
        staging = app.browser_hand_off._folder
        state = {
            "pid": os.getpid(),
            "is_web": app.is_web,
            "screen": type(app.screen).__name__,
            "text": screen_text(app),
            "staging": str(staging) if staging is not None else None,
            "downloads": [
                {"video_no": job.video_no, "name": job.path.name, "state": job.state.value,
                 "received": job.received, "hand_off": job.hand_off,
                 "note": job.hand_off_note}
                for job in app.downloads.jobs
            ],
        }
        aside = path.with_suffix(".tmp")
        aside.write_text(json.dumps(state))
        aside.replace(path)
    except Exception:  # a test aid must never break the app
        log.exception("Could not write the web state file.")
