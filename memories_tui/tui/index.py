"""The app's local index: the store and the sync of the namespace on screen.

The app owns one `AppIndex`. It opens the index file of the namespace the views show
(`services/index_store.index_path`: one file per server and namespace) once the first
frame is up, runs `IndexSync.run()` (resume an unfinished pass, a quick refresh, a full
pass when the index is older than `index_max_age` hours) in a worker of the app, and
switches both when the namespace changes. Quitting stops the sync: the page in flight is
read again next time, everything written stays.

What the views see goes through three of the app's reactives, all `repaint=False` (an
app-level reactive would otherwise repaint the whole screen at each change):

- `index_line`: the header's words ("Indexing 12,400 of 100,000 · about 3 min left",
  "index 5 min old"), set at most once a second (every 2 s with `low_bandwidth`), at
  once when the phase changes;
- `index_version`: goes up when what the index answers may have changed (it became
  complete, a sync ended, the app dropped deleted ids, another namespace's index was
  opened): views served from the index read it again;
- the `AppIndex` itself for queries (`ready_for`, `store`).

The index is a cache, never the authority: deletes and downloads act on ids the user
confirmed, and ids the server no longer has are dropped (`forget`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memories_tui.services.index_store import IndexStore
    from memories_tui.services.index_sync import IndexSync, SyncProgress
    from memories_tui.tui.app import MemoriesApp

log = logging.getLogger("memories_tui.tui")

#: Seconds between two updates of the header's progress (a phase change shows at once).
PROGRESS_INTERVAL = 1.0
SLOW_LINK_PROGRESS_INTERVAL = 2.0
#: Seconds between two looks at the index's age ("index 5 min old") while nothing runs.
AGE_INTERVAL = 30.0
#: Seconds a quit waits for the sync to put its state down.
STOP_WAIT = 3.0
#: Seconds between two tries to take over an index another process is syncing.
ELSEWHERE_RETRY = 30.0


def age_words(seconds: float) -> str:
    """"< 1 min", "5 min", "2 h", "3 days"."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "< 1 min"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def header_text(progress: SyncProgress, now: datetime) -> str:
    """What the header says about the index: progress while a pass runs, its age once
    complete, the sync's trouble in words."""
    from memories_tui.services.index_sync import ELSEWHERE, IDLE, REFRESHING, STOPPED

    phase = progress.phase
    age = progress.age(now)
    aged = f"index {age_words(age.total_seconds())} old" if (
        progress.complete and age is not None) else ""
    if phase == STOPPED:
        return f"Indexing stopped: {progress.error or 'the key was refused'}"
    if phase == ELSEWHERE:
        text = "another memories-tui is indexing this library"
        return f"{aged} · {text}" if aged else text
    if phase == REFRESHING:
        return f"{aged} · checking for changes" if aged else "Checking for changes"
    if phase == IDLE:
        if aged:
            text = aged
        elif progress.indexed:
            text = f"index incomplete ({progress.indexed:,} videos so far)"
        else:
            text = "index empty"
        if progress.error:
            text += f" · {progress.error}"
        return text
    if phase in ("indexing", "rechecking"):
        verb = "Indexing" if phase == "indexing" else "Rechecking (the library changed)"
        text = f"{verb} {progress.done:,}"
        if progress.expected is not None:
            text += f" of {progress.expected:,}"
        if progress.eta is not None:
            text += (" · under a minute left" if progress.eta < 60
                     else f" · about {age_words(progress.eta)} left")
        return text
    # verifying, waiting after a failure
    return progress.line(now)


class AppIndex:
    """The index of the namespace the app shows, and its sync (see the module doc)."""

    def __init__(self, app: MemoriesApp, *, in_memory: bool = False) -> None:
        self.app = app
        settings = app.settings
        self.enabled = bool(settings.index)
        #: Keep the index in memory only (the demo: its server lives as long as the app).
        self.in_memory = in_memory
        hours = settings.index_max_age
        self.max_age = timedelta(hours=hours) if hours and hours > 0 else None
        self.interval = (SLOW_LINK_PROGRESS_INTERVAL if settings.low_bandwidth
                         else PROGRESS_INTERVAL)
        #: Seconds the sync waits after each failure in a row (None: IndexSync's own).
        self.retry_delays: tuple[float, ...] | None = None
        self.store: IndexStore | None = None
        self.sync: IndexSync | None = None
        self.unique_id: str | None = None
        self.progress: SyncProgress | None = None
        self._worker: Any = None
        self._unsubscribe: Any = None
        self._shown_key: tuple[object, ...] | None = None
        self._shown_at = 0.0
        self._flush_timer: Any = None
        self._age_timer: Any = None
        self._was_running = False
        self._was_complete = False

    # -- what the views ask -----------------------------------------------------------

    @property
    def started(self) -> bool:
        return self.store is not None

    def ready_for(self, unique_id: str) -> bool:
        """Whether the index of `unique_id` is open and complete: the views then serve
        searches, sorts and filters from it."""
        return (self.store is not None and self.unique_id == unique_id
                and self.progress is not None and self.progress.complete)

    def status_words(self) -> str:
        """The sync's state in words, for messages ("Indexing 1,000 of 2,000")."""
        if not self.enabled:
            return "the local index is off (index = false)"
        if self.progress is None:
            return "the local index is not open yet"
        return header_text(self.progress, self.app.clock())

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        """Open the index of the app's namespace and start syncing it (after the first
        frame: nothing here may delay the first rows)."""
        if not self.enabled or self.store is not None or not self.app.settings.api_key:
            return
        self.open(self.app.unique_id)
        if self._age_timer is None:
            self._age_timer = self.app.set_interval(AGE_INTERVAL, self._flush,
                                                    name="index-age")

    def open(self, unique_id: str) -> None:
        """Use the index of `unique_id` (the sync of the previous one stops)."""
        if not self.enabled:
            return
        if self.store is not None and self.unique_id == unique_id:
            return
        from memories_tui.services.index_store import IndexStore, index_path
        from memories_tui.services.index_sync import IndexSync

        self._stop_current()
        path = None if self.in_memory else index_path(self.app.client.base_url, unique_id)
        store = IndexStore(path)
        if store.recovered:
            self.app.notify(store.recovered, title="Local index", severity="warning",
                            timeout=10, markup=False)
        app = self.app
        options: dict[str, Any] = {}
        if self.retry_delays is not None:
            options["retry_delays"] = self.retry_delays
        sync = IndexSync(app.client, store, unique_id=unique_id, max_age=self.max_age,
                         clock=lambda: app.clock().timestamp(), **options)
        self.store, self.sync, self.unique_id = store, sync, unique_id
        self.progress = sync.progress
        self._was_complete = sync.progress.complete
        self._was_running = False
        self._unsubscribe = sync.subscribe(self._on_progress)
        self._worker = app.run_worker(self._run(sync, store), group="index",
                                      name="the library index", exit_on_error=False)
        self._publish(changed=True)

    async def _run(self, sync: IndexSync, store: IndexStore) -> None:
        from memories_tui.services.index_sync import ELSEWHERE

        try:
            while True:
                try:
                    await sync.run()
                except Exception:
                    # A bug: the app's worker-failure handler shows and logs it; the
                    # header says in words that the index is not being kept up to date.
                    if self.sync is sync:
                        self.app.index_line = ("Indexing stopped: an unexpected error "
                                               "(see the log); r or I tries again")
                    raise
                # Another memories-tui (or `index sync`) holds the file: look again now
                # and then, and read what it wrote meanwhile (it may be complete now).
                if sync.progress.phase != ELSEWHERE or self.sync is not sync:
                    break
                await asyncio.sleep(ELSEWHERE_RETRY)
                if self.sync is not sync:
                    break
        finally:
            # The sort indexes may still be building on a connection of their own.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sync.wait_idle(), STOP_WAIT)
            store.close()

    def _stop_current(self) -> None:
        if self.sync is not None:
            self.sync.request_stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.store = self.sync = None
        self.unique_id = None
        self.progress = None

    async def aclose(self) -> None:
        """Stop the sync (the app is leaving): the state is saved, the pass resumes at
        the next start."""
        worker = self._worker
        self._stop_current()
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if worker is not None and not worker.is_finished:
            task = getattr(worker, "_task", None)
            if task is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(task), STOP_WAIT)

    # -- requests ---------------------------------------------------------------------

    def request_refresh(self) -> None:
        """A quick refresh (the r key): the first and last pages of the listing."""
        if self.sync is not None:
            self.sync.request_refresh()

    def request_full_pass(self) -> bool:
        """Read the whole library now; False when the index is off or not open."""
        if self.sync is None:
            return False
        self.sync.request_full_pass()
        return True

    def forget(self, ids: list[str] | tuple[str, ...], unique_id: str) -> int:
        """The server confirmed these ids gone (a delete, a lookup that found nothing):
        drop them from the index of `unique_id`, if it is the open one."""
        if not ids or self.sync is None or self.unique_id != unique_id:
            return 0
        removed = self.sync.forget(list(ids))
        self._bump()
        return removed

    # -- progress, throttled ----------------------------------------------------------

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progress = progress
        key = (progress.phase, progress.complete, progress.error)
        if key != self._shown_key or time.monotonic() - self._shown_at >= self.interval:
            self._publish()
        elif self._flush_timer is None:
            wait = max(0.05, self.interval - (time.monotonic() - self._shown_at))
            self._flush_timer = self.app.set_timer(wait, self._flush, name="index-progress")

    def _flush(self) -> None:
        self._flush_timer = None
        self._publish()

    def _publish(self, *, changed: bool = False) -> None:
        progress = self.progress
        if self._flush_timer is not None and changed:
            self._flush_timer.stop()
            self._flush_timer = None
        if progress is None:
            line = "" if not self.enabled else "index closed"
            self.app.index_line = line
            return
        self._shown_key = (progress.phase, progress.complete, progress.error)
        self._shown_at = time.monotonic()
        self.app.index_line = header_text(progress, self.app.clock())
        # Views served from the index read it again when a sync ends (its pages may
        # have changed what they show) or when it became complete.
        running = progress.running
        if changed or progress.complete != self._was_complete or (
                self._was_running and not running):
            self._bump()
        self._was_running = running
        self._was_complete = progress.complete

    def _bump(self) -> None:
        self.app.index_version += 1
