"""The sync that fills the index (`services/index_store.py`) from List Videos.

Three kinds of work, one at a time, all through the app's own paced client as
*background* calls (`MemoriesClient.list_videos(background=True)`): a sync request
only takes a turn of the rate limit that nobody else has claimed, so a user's request
waits for at most the one sync request already sent.

- **Full pass** (`full_pass`): every page of the listing, in the largest page size the
  server accepts (asks for 1000, then keeps the `page_size` the server says it used).
  It ends with exactly the server's ids: videos deleted elsewhere are removed, changed
  ones (a status, a name) are updated, and nothing counts twice (rows are keyed by id).
- **Quick refresh** (`quick_refresh`): the first and the last page (two requests, one
  for a library of one page). New uploads and status changes on those pages go in; a
  total that differs from the index's count marks a full pass as due.
- **`run()`**: the policy. At start it resumes an unfinished pass, or makes the first
  one, or runs a quick refresh and then a full pass if the index is older than
  `max_age` (or the refresh found it off); then it waits for `request_refresh()`,
  `request_full_pass()`, the index growing old, or `request_stop()`.

How a full pass stays exact while the listing changes under it
----------------------------------------------------------------

The listing is paged by offset and is not in time order, so a deletion elsewhere in a
part already read shifts the rest up by one: one row slips from an unread page into a
read one and would never be seen; an upload shifts rows down and one is read twice.
Every answer carries `total_count`, and every row in the index carries the number of
the sync request that last listed it (`seen`). The pass keeps the set of pages read
*since the listing last changed* (a `total_count` different from the previous
answer's): when it changes, that set restarts with the page just read, and once the
last page is reached the pages not in the set are read again, until every page of the
current listing has been read since the last change. Then every video the server
holds was listed at or after that change, so the rows not listed since are gone and
are removed. A change that leaves the total equal (an upload and a deletion between
the same two requests) cannot be seen in the counts; as a last check, when only a few
rows are about to be removed (`verify_limit`), each is asked for by id, and one the
server still has is kept.

The pass state (page size, the pages read since the last change, the request number of
that change, the last total) is saved with every page, in the same transaction as the
page's rows: a pass stopped by a quit resumes from the first page not read, and the
only page read twice is the one whose answer had not been written yet.

Errors: the client already retries rate limits and server errors. A failure that gets
through (the network down, an unreadable answer, retries used up) is recorded in plain
words in `progress.error`; the sync waits (2 s, then longer, up to a minute) and asks
for the same page again. Nothing already written is lost. A refused key stops the work
until the next request for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from memories_tui.api.client import MemoriesClient
from memories_tui.api.errors import AuthError, MemoriesError
from memories_tui.api.models import Video, VideoPage
from memories_tui.services.index_store import IndexStore, PassState

__all__ = [
    "DEFAULT_MAX_AGE",
    "PHASES",
    "IndexSync",
    "PassResult",
    "RefreshResult",
    "SyncProgress",
]

log = logging.getLogger(__name__)

#: A full pass runs when the last one ended longer ago than this (`run()`).
DEFAULT_MAX_AGE = timedelta(days=1)
#: The page size asked for; the server's answer says what it used.
ASKED_PAGE_SIZE = 1000

#: What the sync is doing (`SyncProgress.phase`).
IDLE, REFRESHING, INDEXING, RECHECKING, VERIFYING, WAITING, STOPPED, ELSEWHERE = (
    "idle", "refreshing", "indexing", "rechecking", "verifying", "waiting", "stopped",
    "elsewhere",
)
PHASES = (IDLE, REFRESHING, INDEXING, RECHECKING, VERIFYING, WAITING, STOPPED, ELSEWHERE)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """What the sync is doing and how far it got: what a header or status line shows.

    `done` and `expected` count videos of the current full pass; `rate` is videos a
    second over the last pages and `eta` the seconds left at that rate (None until
    known). `error` is the last failure in plain words (None once a request succeeds
    again); `retry_at` when the sync tries again (Unix time).
    """

    phase: str = IDLE
    done: int = 0
    expected: int | None = None
    rate: float | None = None
    eta: float | None = None
    complete: bool = False
    indexed: int = 0
    last_full_pass: datetime | None = None
    last_refresh: datetime | None = None
    error: str | None = None
    retry_at: float | None = None
    stale_reason: str | None = None

    @property
    def running(self) -> bool:
        return self.phase in (REFRESHING, INDEXING, RECHECKING, VERIFYING, WAITING)

    def age(self, now: datetime | None = None) -> timedelta | None:
        """Time since the last full pass ended (None: none ever did)."""
        if self.last_full_pass is None:
            return None
        now = now or datetime.now(UTC)
        return max(timedelta(0), now - self.last_full_pass)

    def line(self, now: datetime | None = None) -> str:
        """One line of plain text: "Indexing 12,400 of 100,000 · about 3 min left",
        "Index of 100,000 videos · updated 2 h ago", and so on."""
        now = now or datetime.now(UTC)
        if self.phase == ELSEWHERE:
            return "Another memories-tui is updating this index"
        if self.phase == WAITING:
            wait = ""
            if self.retry_at is not None:
                seconds = max(0, round(self.retry_at - now.timestamp()))
                wait = f" · trying again in {_span(seconds)}"
            return f"Indexing paused: {self.error or 'the server did not answer'}{wait}"
        if self.phase in (INDEXING, RECHECKING):
            verb = "Indexing" if self.phase == INDEXING else "Rechecking (the library changed)"
            text = f"{verb} {self.done:,}"
            if self.expected is not None:
                text += f" of {self.expected:,}"
            if self.eta is not None:
                text += f" · about {_span(self.eta)} left"
            return text
        if self.phase == VERIFYING:
            return "Indexing: checking videos that seem to be gone"
        if self.phase == REFRESHING:
            return "Checking for changes"
        age = self.age(now)
        if age is None:
            text = f"Index of {self.indexed:,} videos (incomplete)"
        else:
            text = f"Index of {self.indexed:,} videos · updated {_span(age.total_seconds())} ago"
        if self.stale_reason:
            text += f" · {self.stale_reason}"
        if self.error:
            text += f" · {self.error}"
        return text


def _span(seconds: float) -> str:
    """"less than a minute", "3 min", "2 h 5 min", "3 days"."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "less than a minute" if seconds >= 1 else "a moment"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes and hours < 10 else f"{hours} h"
    return f"{hours // 24} days"


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What a quick refresh found."""

    requests: int
    new: int  # ids the index did not hold
    changed: int  # ids whose listing changed (status, name, size...)
    server_total: int | None
    indexed: int
    full_pass_due: bool
    reason: str | None  # why a full pass is due, in plain words
    skipped: bool = False  # a full pass was running: it covers this


@dataclass(frozen=True, slots=True)
class PassResult:
    """What a full pass did."""

    requests: int  # list requests of the whole pass (a resumed one: since it resumed)
    page_size: int
    new: int
    changed: int
    removed: int  # rows not on the server any more
    kept_after_check: int  # rows the listing missed but the server still has
    rounds: int  # 1, or more when the listing changed during the pass
    finished: bool  # False: stopped (or the key refused) before the end


Listener = Callable[[SyncProgress], None]


@dataclass(frozen=True, slots=True)
class _Unwritten:
    """A page answered during a full pass, waiting to go to disk."""

    answer: VideoPage
    first_position: int
    seq: int


class _Stopped(Exception):
    """`request_stop()` was called: leave the current work where it is."""


class IndexSync:
    """Fills `store` with the videos of `unique_id` through `client` (see module doc).

    `max_age`: a full pass is due when the last one ended longer ago (None: never by
    age). `retry_delays`: seconds to wait after each failure in a row (the last one
    repeats). `clock`/`monotonic`/`sleep` are injectable for tests.
    """

    def __init__(
        self,
        client: MemoriesClient,
        store: IndexStore,
        *,
        unique_id: str | None = None,
        max_age: timedelta | None = DEFAULT_MAX_AGE,
        page_size: int = ASKED_PAGE_SIZE,
        retry_delays: Sequence[float] = (2.0, 5.0, 15.0, 30.0, 60.0),
        verify_limit: int = 20,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.unique_id = unique_id or client.unique_id
        self.max_age = max_age
        self.asked_page_size = page_size
        self.retry_delays = tuple(retry_delays) or (0.0,)
        self.verify_limit = verify_limit
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._listeners: list[Listener] = []
        self._busy = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stop = False
        self._want_refresh = False
        self._want_full = False
        self._fetch: asyncio.Task[VideoPage] | None = None
        self._seq = int(store.get_meta("seq") or 0)
        self._generation = store.generation
        self._samples: deque[tuple[float, int]] = deque(maxlen=12)
        self._live_state: PassState | None = None  # the pass running now
        self._indexing: asyncio.Future[None] | None = None  # the sort indexes being built
        #: Ids the app deleted (see `forget`): a page the server answered before the
        #: delete still lists them, and must not bring them back.
        self._gone: set[str] = set()
        self._writing: asyncio.Future[tuple[int, int]] | None = None  # a page going to disk
        #: Requests sent by this object (answers and failures alike), for tests and
        #: benchmarks.
        self.requests = 0
        self.progress = self._idle_progress()

    # -- progress ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(progress)` on every change (in the event loop's thread);
        returns the function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)
        return unsubscribe

    def _publish(self, progress: SyncProgress) -> None:
        self.progress = progress
        for listener in list(self._listeners):
            try:
                listener(progress)
            except Exception:
                log.warning("An index progress listener failed.", exc_info=True)

    def _idle_progress(self, **changes: object) -> SyncProgress:
        meta = self.store.meta()
        base = SyncProgress(
            phase=IDLE, complete=meta.complete, indexed=meta.rows,
            last_full_pass=meta.last_full_pass, last_refresh=meta.last_refresh,
            expected=meta.server_total, stale_reason=meta.stale_reason,
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    def _update(self, **changes: object) -> None:
        self._publish(replace(self.progress, **changes))  # type: ignore[arg-type]

    # -- requests from the app ----------------------------------------------------------------

    def request_refresh(self) -> None:
        """Ask `run()` for a quick refresh (the `r` key); ignored while a pass runs."""
        self._want_refresh = True
        self._wake.set()

    def request_full_pass(self) -> None:
        """Ask `run()` for a full pass (on demand)."""
        self._want_full = True
        self._wake.set()

    def request_stop(self) -> None:
        """Stop soon: a request in flight is abandoned (its page is read again when the
        pass resumes), a wait ends, and `run()` returns."""
        self._stop = True
        self._wake.set()
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()

    def forget(self, ids: Sequence[str]) -> int:
        """The app deleted `ids` on the server: drop them from the index, and tell a
        full pass in progress, so that the smaller total is not taken for a change made
        elsewhere (which would make it read every page again). Returns how many rows
        went. Call it after the server confirmed the delete, with the confirmed ids."""
        self._gone.update(ids)
        removed = self.store.drop(ids)
        writing = self._writing
        if writing is not None and not writing.done():
            # A page read before the delete is being written right now, maybe with them.
            gone = list(ids)
            writing.add_done_callback(lambda _done: self.store.drop(gone))
        state = self._live_state or self.store.pass_state()
        if state is not None and state.last_total is not None and ids:
            # Each deletion in a part already read moves one row of the next, unread
            # page into the last read one: read the pages at the edges of what was read
            # again (as many as the deleted ids fill).
            deleted = len(set(ids))
            state.last_total = max(0, state.last_total - deleted)
            read = set(state.read)
            span = math.ceil(deleted / state.page_size)
            edges = {p for p in read if p + 1 not in read}
            again = {e - k for e in edges for k in range(span)}
            state.read = sorted(read - again)
            self.store.set_meta({"pass_state": state.to_json()})
        self._update(indexed=self.store.count())
        return removed

    def full_pass_due(self) -> str | None:
        """Why a full pass should run now, in plain words, or None."""
        meta = self.store.meta()
        if meta.pass_running:
            return "a full pass was not finished"
        if not meta.complete:
            return "the index is not complete"
        if meta.stale_reason:
            return meta.stale_reason
        age = self.store.age(self._clock())
        if self.max_age is not None and (age is None or age >= self.max_age.total_seconds()):
            return "the index is older than the set age"
        return None

    # -- the policy ------------------------------------------------------------------------

    async def run(self) -> None:
        """Keep the index up to date until `request_stop()` (see the module's doc)."""
        if not self.store.acquire_writer():
            self._publish(self._idle_progress(phase=ELSEWHERE))
            return
        try:
            meta = self.store.meta()
            if meta.complete and not meta.pass_running and not self.store.has_sort_indexes():
                self._build_sort_indexes()  # a quit interrupted the last build
            if meta.pass_running or not meta.complete:
                await self._guard(self.full_pass)
            else:
                await self._guard(self.quick_refresh)
                if not self._stop and self.full_pass_due():
                    await self._guard(self.full_pass)
            while not self._stop:
                if self._want_full:
                    self._want_full = self._want_refresh = False
                    await self._guard(self.full_pass)
                    continue
                if self._want_refresh:
                    self._want_refresh = False
                    await self._guard(self.quick_refresh)
                    if not self._stop and self.progress.phase != STOPPED and \
                            self.full_pass_due():
                        await self._guard(self.full_pass)
                    continue
                if self.full_pass_due() and self.progress.phase != STOPPED:
                    await self._guard(self.full_pass)
                    continue
                # Nothing due (or the key was refused: then only a request wakes it).
                due = None if self.progress.phase == STOPPED else self._seconds_until_due()
                await self._wait_for_wake(due)
        finally:
            self.store.release_writer()
            if self.progress.phase != STOPPED:
                self._publish(self._idle_progress(error=self.progress.error))

    async def _guard(self, work: Callable[[], Awaitable[object]]) -> None:
        """Run `work`; a failure the sync did not expect (a bug, a full disk) is logged
        and shown, and the policy goes on after a pause instead of ending."""
        failures = 0
        while not self._stop:
            try:
                await work()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("Index sync failed.")
                delay = self.retry_delays[min(failures, len(self.retry_delays) - 1)]
                failures += 1
                try:
                    await self._pause(delay, f"the index could not be updated ({exc})",
                                      resume_phase=IDLE)
                except _Stopped:
                    return

    def _seconds_until_due(self) -> float | None:
        if self.max_age is None:
            return None
        age = self.store.age(self._clock())
        if age is None:
            return 0.0
        return max(1.0, self.max_age.total_seconds() - age)

    async def _wait_for_wake(self, timeout: float | None) -> None:
        self._wake.clear()
        if self._stop or self._want_full or self._want_refresh:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # -- one request ---------------------------------------------------------------------

    async def _list(self, page: int, size: int, on_sent: Callable[[], None] | None = None,
                    **filters: str) -> tuple[VideoPage, int]:
        """One background List Videos call, retried after failures until it succeeds
        (or the sync stops, or the key is refused); returns the page and its number.
        `on_sent`: see `MemoriesClient.list_videos`."""
        failures = 0
        while True:
            if self._stop:
                raise _Stopped
            self._seq += 1
            seq = self._seq
            self.requests += 1
            self._fetch = asyncio.ensure_future(self.client.list_videos(
                page, size, unique_id=self.unique_id, background=True, on_sent=on_sent,
                **filters))
            try:
                answer = await self._fetch
            except asyncio.CancelledError:
                if self._stop and self._fetch.cancelled():
                    raise _Stopped from None
                raise
            except AuthError as exc:
                self._update(phase=STOPPED, error=exc.message, retry_at=None)
                raise _Stopped from exc
            except MemoriesError as exc:
                if on_sent is not None:
                    on_sent()  # nothing is on its way: what waits for it need not wait
                delay = self.retry_delays[min(failures, len(self.retry_delays) - 1)]
                failures += 1
                log.info("Index sync: page %d failed (%s); trying again in %.0f s.",
                         page, exc.message, delay)
                await self._pause(delay, exc.message, resume_phase=self.progress.phase)
                continue
            finally:
                self._fetch = None
            if self.progress.error is not None:
                self._update(error=None, retry_at=None)
            return answer, seq

    async def _pause(self, seconds: float, message: str, *, resume_phase: str) -> None:
        self._update(phase=WAITING, error=message, retry_at=self._clock() + seconds)
        if seconds > 0:
            if self._sleep is not None:
                await self._sleep(seconds)
            else:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    # A stop (or any request) ends the wait early.
                    await asyncio.wait_for(self._wake.wait(), seconds)
        if self._stop:
            raise _Stopped
        self._update(phase=resume_phase, retry_at=None)

    # -- quick refresh ------------------------------------------------------------------------

    async def quick_refresh(self) -> RefreshResult:
        """Read the first and the last page; see the module's doc."""
        if self._busy.locked():
            meta = self.store.meta()
            return RefreshResult(0, 0, 0, meta.server_total, meta.rows, False, None,
                                 skipped=True)
        async with self._busy:
            await self.wait_idle()
            before = self.requests
            self._update(phase=REFRESHING, error=None)
            try:
                return await self._quick_refresh(before)
            except _Stopped:
                meta = self.store.meta()
                return RefreshResult(self.requests - before, 0, 0, meta.server_total,
                                     meta.rows, False, None)
            finally:
                if self.progress.phase != STOPPED:
                    self._publish(self._idle_progress(error=self.progress.error))

    async def _quick_refresh(self, before: int) -> RefreshResult:
        size = int(self.store.get_meta("page_size") or self.asked_page_size)
        answer, seq = await self._list(1, size)
        if answer.page_size != size and answer.page_size > 0:
            size = answer.page_size
        elif len(answer.videos) < size and answer.total_count > len(answer.videos) > 0:
            size = len(answer.videos)  # capped without saying so
        new, changed = self._write(answer, 0, seq, {"page_size": size})
        total = answer.total_count
        last = math.ceil(total / size) if size else 1
        if last > 1:
            tail, seq = await self._list(last, size)
            n, c = self._write(tail, (last - 1) * size, seq, {})
            new, changed = new + n, changed + c
            total = tail.total_count
        meta = self.store.meta()
        reason = None
        if meta.complete and total != meta.rows:
            if total < meta.rows:
                gone = meta.rows - total
                reason = (f"{gone:,} video{'s' if gone != 1 else ''} deleted elsewhere "
                          "(a full pass will remove them)")
            else:
                more = total - meta.rows
                reason = f"{more:,} video{'s' if more != 1 else ''} more on the server"
        updates: dict[str, object | None] = {
            "last_refresh": self._clock(), "server_total": total,
        }
        if reason is not None:
            updates["stale_reason"] = reason
        self.store.set_meta(updates)
        meta = self.store.meta()
        return RefreshResult(
            requests=self.requests - before, new=new, changed=changed, server_total=total,
            indexed=meta.rows, full_pass_due=self.full_pass_due() is not None,
            reason=reason,
        )

    def _write(self, answer: VideoPage, first: int, seq: int,
               meta: dict[str, object | None]) -> tuple[int, int]:
        meta = {**meta, "seq": self._seq}
        return self.store.write_page(self._kept(answer.videos), first_position=first, seq=seq,
                                     meta=meta)

    def _kept(self, videos: Sequence[Video]) -> Sequence[Video]:
        """`videos` without those the app deleted since the page was answered."""
        if not self._gone:
            return videos
        return [v for v in videos if v.video_no not in self._gone]

    # -- full pass ---------------------------------------------------------------------------

    async def full_pass(self) -> PassResult:
        """Read every page (resuming a pass a quit left unfinished); see the module's doc."""
        async with self._busy:
            await self.wait_idle()
            counts = _Counts(requests_before=self.requests, indexed=self.store.count())
            try:
                return await self._full_pass(counts)
            except _Stopped:
                return counts.result(self.requests, finished=False)
            finally:
                self._live_state = None
                if self.progress.phase != STOPPED:
                    self._publish(self._idle_progress(error=self.progress.error))

    async def _full_pass(self, counts: _Counts) -> PassResult:
        state = self.store.pass_state()
        if state is None:
            state = self._new_pass()
        else:
            log.info("Index sync: resuming a full pass at %d pages read.", len(state.read))
        self._samples.clear()
        self._live_state = state
        self._update(phase=INDEXING if state.rounds == 1 else RECHECKING, error=None,
                     expected=state.last_total, done=self._done(state), rate=None, eta=None)
        # Each page is written by a worker thread while the next one is asked for: the
        # rows of page k go to disk while the server answers the request for page k + 1.
        writing: asyncio.Future[tuple[int, int]] | None = None
        unwritten: _Unwritten | None = None  # the last page answered, not yet written
        try:
            while True:
                page = self._next_page(state)
                if page is None:
                    break
                sent = asyncio.Event()
                if unwritten is not None:
                    writing = self._writing = asyncio.ensure_future(
                        self._write_once_sent(sent, state, unwritten))
                    unwritten = None
                try:
                    answer, seq = await self._list(page, state.page_size, on_sent=sent.set)
                finally:
                    sent.set()  # failed or stopped before it was sent: write at once
                if writing is not None:
                    counts.add(await writing)
                    writing = None
                if self.store.generation != self._generation:
                    # The file was rebuilt under us (it broke): what was read is gone.
                    self._generation = self.store.generation
                    state = self._live_state = self._new_pass()
                    continue
                state.requests += 1
                self._adopt_page_size(state, page, answer)
                if state.last_total is not None and answer.total_count != state.last_total:
                    log.info("Index sync: the listing changed during the pass "
                             "(%d -> %d videos).", state.last_total, answer.total_count)
                    state.change_seq = seq
                    state.read = [page]
                    state.rounds += 1
                elif page not in state.read:
                    state.read.append(page)
                state.last_total = answer.total_count
                unwritten = _Unwritten(answer, (page - 1) * state.page_size, seq)
                self._note_progress(state, counts.indexed)
            if unwritten is not None:  # the last page: no request to wait for
                writing = self._writing = asyncio.ensure_future(
                    self._write_once_sent(None, state, unwritten))
        finally:
            if writing is not None:
                # Stopped or failed while the last page was being written: it is kept.
                counts.add(await writing)
        counts.rounds = state.rounds
        counts.page_size = state.page_size
        await self._finish_pass(state, counts)
        return counts.result(self.requests, finished=True)

    async def _write_once_sent(self, sent: asyncio.Event | None, state: PassState,
                               unwritten: _Unwritten) -> tuple[int, int]:
        """Write a page in a worker thread once the next request has left. Started any
        sooner, the thread's Python (building the rows) holds the interpreter lock that
        the event loop needs to send that request, and the server waits for the write
        instead of answering meanwhile: on loopback that made a full sync 35 % slower
        than reading the pages alone. The rows and the pass's state are taken now, so
        that a video the app deleted meanwhile stays out (see `forget`). `sent`: None
        when no request follows (the pass's last page)."""
        if sent is not None:
            await sent.wait()
        answer = unwritten.answer
        meta = {"pass_state": state.to_json(), "page_size": state.page_size,
                "server_total": answer.total_count, "seq": self._seq}
        return await asyncio.to_thread(
            self.store.write_page, self._kept(answer.videos),
            first_position=unwritten.first_position, seq=unwritten.seq, meta=meta,
            filling=state.filling)

    def _new_pass(self) -> PassState:
        state = PassState(pass_id=self._seq + 1, page_size=self.asked_page_size,
                          change_seq=self._seq + 1, started=self._clock())
        if self.store.count() == 0:
            # Filling an empty index: rows go in much faster without the sort indexes,
            # which are built once at the end.
            self.store.drop_sort_indexes()
            state.filling = True
        self.store.set_meta({"pass_state": state.to_json()})
        return state

    @staticmethod
    def _next_page(state: PassState) -> int | None:
        """The first page of the current listing not read since its last change."""
        if state.last_total is None:
            return 1
        pages = math.ceil(state.last_total / state.page_size)
        read = set(state.read)
        for page in range(1, pages + 1):
            if page not in read:
                return page
        return None

    @staticmethod
    def _adopt_page_size(state: PassState, page: int, answer: VideoPage) -> None:
        """Keep the page size the server used, if not the one asked for (the server
        placed the rows by it: they are page `page` of that size)."""
        used = answer.page_size
        if used <= 0 or used == state.page_size:
            count = len(answer.videos)
            if not (page == 1 and 0 < count < state.page_size and answer.total_count > count):
                return
            used = count  # capped without saying so
        log.info("Index sync: the server lists %d videos a page (asked for %d).",
                 used, state.page_size)
        state.page_size = used
        # Pages read so far were of the other size: each is read again in this one.
        state.read = []

    def _done(self, state: PassState) -> int:
        if state.last_total is None:
            return 0
        size, total = state.page_size, state.last_total
        return sum(max(0, min(size, total - (p - 1) * size)) for p in state.read)

    def _note_progress(self, state: PassState, indexed: int) -> None:
        done = self._done(state)
        now = self._monotonic()
        self._samples.append((now, done))
        rate = eta = None
        if len(self._samples) >= 2:
            (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
            if t1 > t0 and d1 > d0:
                rate = (d1 - d0) / (t1 - t0)
                if state.last_total is not None:
                    eta = max(0.0, (state.last_total - done) / rate)
        phase = INDEXING if state.rounds == 1 else RECHECKING
        self._update(phase=phase, done=done, expected=state.last_total, rate=rate, eta=eta,
                     indexed=indexed)

    async def _finish_pass(self, state: PassState, counts: _Counts) -> None:
        """Every page of the listing was read since its last change: drop what it no
        longer lists (after asking about a few by id), and mark the index complete."""
        # Both scan every row: a worker thread does it, the loop goes on meanwhile.
        candidates = await asyncio.to_thread(self.store.unseen_since, state.change_seq,
                                             limit=self.verify_limit + 1)
        if 0 < len(candidates) <= self.verify_limit:
            self._update(phase=VERIFYING)
            for video_no in candidates:
                answer, seq = await self._list(1, 1, video_no=video_no)
                found = [v for v in answer.videos if v.video_no == video_no]
                if found:
                    log.info("Index sync: %s was missed by the listing but still exists.",
                             video_no)
                    counts.kept += 1
                    self.store.write_page(self._kept(found), first_position=None, seq=seq,
                                          meta={"seq": self._seq})
        if state.filling:
            counts.new = self.store.count()  # the pass began on an empty index
        now = self._clock()
        counts.removed = await asyncio.to_thread(self.store.remove_unseen_since,
                                                 state.change_seq, {
            "pass_state": None, "complete": 1, "last_full_pass": now, "last_refresh": now,
            "stale_reason": None, "server_total": state.last_total, "seq": self._seq,
        })
        if counts.removed:
            log.info("Index sync: %d videos are gone from the server.", counts.removed)
        if not self.store.has_sort_indexes():
            self._build_sort_indexes()

    def _build_sort_indexes(self) -> None:
        """Build the sort indexes in a worker thread, on a connection of its own (about
        0.3 s for 100,000 rows). The index is complete and answers queries meanwhile,
        by scanning; the next sync work waits for the build (`wait_idle`)."""
        if self._indexing is not None and not self._indexing.done():
            return
        started = self._monotonic()

        def done(task: asyncio.Future[None]) -> None:
            if task.cancelled():
                return
            error = task.exception()
            if error is not None:
                log.warning("Index sync: building the sort indexes failed (%s); they are "
                            "built at the end of the next full pass.", error)
            else:
                log.info("Index sync: sort indexes built in %.2f s.",
                         self._monotonic() - started)

        self._indexing = asyncio.ensure_future(
            asyncio.to_thread(self.store.build_sort_indexes, own_connection=True))
        self._indexing.add_done_callback(done)

    async def wait_idle(self) -> None:
        """Until work started in the background (building the sort indexes) is done."""
        task = self._indexing
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(task)


@dataclass
class _Counts:
    requests_before: int
    new: int = 0
    changed: int = 0
    removed: int = 0
    kept: int = 0
    rounds: int = 1
    page_size: int = 0
    indexed: int = 0  # rows in the index, as far as this pass knows

    def add(self, written: tuple[int, int]) -> None:
        self.new += written[0]
        self.changed += written[1]
        self.indexed += written[0]

    def result(self, requests: int, *, finished: bool) -> PassResult:
        return PassResult(
            requests=requests - self.requests_before, page_size=self.page_size, new=self.new,
            changed=self.changed, removed=self.removed, kept_after_check=self.kept,
            rounds=self.rounds, finished=finished,
        )
