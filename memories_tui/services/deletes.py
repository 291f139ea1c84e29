"""Deleting videos for good: in chunks, one delete at a time, and the truth afterwards.

A delete is the one change the app makes on the server, and the one that can leave the
user unsure: a timeout or a dropped connection after the request went out says nothing
about whether the server acted. The rules, decided here and nowhere else:

- one delete runs at a time; asking for a second one while it runs sends nothing;
- at most 100 ids a request (the API's limit), one request after another;
- a request is sent once. After a failure that leaves it unclear what the server did
  (`maybe_applied`: a timeout, a cut, a 5xx; or a refusal of its own, such as a
  duplicate request) it is never sent again: the server is asked which of those videos
  still exist, and the outcome says deleted, not deleted, or unknown (when even that
  check failed) for every id. Only a `0429` (the server did nothing) is waited out and
  sent again;
- after a rejected key nothing more is sent;
- in read-only mode (`--read-only`, `MEMORIES_READ_ONLY`, `read_only = true`) nothing is
  sent at all: `delete` raises `ReadOnlyError`, whoever calls it;
- `request_stop()` (the user quits) lets the request in flight finish and sends no more:
  no further chunk, no resend after a `0429`, no further check (what was not checked is
  reported unknown), so quitting is quick.

Nothing here knows Textual: the TUI shows a `DeleteOutcome`, and so can any other caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from memories_tui.api.client import DELETE_CHUNK_SIZE
from memories_tui.api.errors import AuthError, MemoriesError, RateLimitedError
from memories_tui.safetext import safe_text
from memories_tui.services.library import LibraryService

log = logging.getLogger(__name__)

__all__ = [
    "READ_ONLY_MESSAGE",
    "DeleteBusyError",
    "DeleteOutcome",
    "DeleteProgress",
    "DeleteService",
    "ReadOnlyError",
]

READ_ONLY_MESSAGE = (
    "Read-only mode: nothing is deleted (turned on by --read-only, MEMORIES_READ_ONLY "
    "or read_only in the config file)."
)


class DeleteBusyError(RuntimeError):
    """A delete was asked for while another one runs (nothing was sent)."""


class ReadOnlyError(RuntimeError):
    """A delete was asked for in read-only mode (nothing was sent)."""


@dataclass(frozen=True, slots=True)
class DeleteProgress:
    """Where a running delete is: `done` of `total` ids answered, or `checking`."""

    done: int
    total: int
    checking: bool = False

    def describe(self) -> str:
        if self.checking:
            return "Checking which videos remain…"
        return f"Deleting… {self.done:,} of {self.total:,}"


@dataclass(frozen=True)
class DeleteOutcome:
    """What became of every id of one delete. Each id is in exactly one of the lists.

    - `deleted`: the server said so, or a check after an ambiguous failure found it gone;
    - `failed`: certainly still there (the server refused, or the check found it);
    - `unknown`: the request failed ambiguously and the check failed (or was skipped);
    - `not_sent`: never sent (the user quit first, or the key was rejected before).
    """

    deleted: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    not_sent: tuple[str, ...] = ()
    #: The first error of a chunk that did not go through, in the server's words.
    reason: str | None = None
    #: Whether the server was asked which videos remain after an ambiguous failure.
    checked: bool = False
    #: Whether it stopped early because the user asked it to.
    stopped: bool = False
    #: Whether the server rejected the key on the way (nothing more was sent then).
    key_rejected: bool = False
    #: Video names by id, as the caller knew them, for the sentences.
    names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def total(self) -> int:
        return len(self.deleted) + len(self.failed) + len(self.unknown) + len(self.not_sent)

    @property
    def settled(self) -> frozenset[str]:
        """Ids whose fate is known: gone, or certainly still there."""
        return frozenset(self.deleted) | frozenset(self.failed)

    def sentences(
        self, names: dict[str, str] | None = None, *,
        look_again: str = "Press r to see which remain.",
    ) -> list[tuple[str, str]]:
        """The outcome in plain words, as (kind, sentence) pairs; kind is "deleted",
        "failed", "unknown" or "not-sent". `names` maps ids to video names for the
        lists (by default the ones given to the delete); server text in them is made
        safe here. `look_again` says how to see which videos remain after an unclear
        outcome (the TUI's key by default; the command line names a command)."""
        names = self.names if names is None else names
        said: list[tuple[str, str]] = []
        if self.deleted:
            count = len(self.deleted)
            said.append(("deleted", f"Deleted {count:,} {'video' if count == 1 else 'videos'}."))
        if self.failed:
            reason = f" ({self.reason.rstrip('.')})" if self.reason else ""
            failed = f"{len(self.failed):,} not deleted{reason}: {listed(self.failed, names)}."
            said.append(("failed", failed))
        if self.unknown:
            if self.stopped:
                why, then = ("the request failed as you quit, before the app could check",
                             "Look again to see which remain.")
            else:
                why, then = "the request failed, then so did the check", look_again
            unknown = (f"{len(self.unknown):,} may or may not have been deleted ({why}): "
                       f"{listed(self.unknown, names)}. {then}")
            said.append(("unknown", unknown))
        if self.not_sent:
            not_sent = f"{len(self.not_sent):,} not sent, so not deleted: "
            said.append(("not-sent", not_sent + f"{listed(self.not_sent, names)}."))
        return said


def listed(video_nos: Sequence[str], names: dict[str, str], shown: int = 5) -> str:
    """ "name (id), name (id) and 3 more": which videos a sentence is about."""
    parts = [
        f"{safe_text(names[v], max_len=30)} ({safe_text(v)})" if names.get(v) else safe_text(v)
        for v in video_nos[:shown]
    ]
    more = f" and {len(video_nos) - shown:,} more" if len(video_nos) > shown else ""
    return ", ".join(parts) + more


@dataclass
class _Tally:
    """What one delete knows so far, as it goes."""

    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)  # to be checked
    sent: list[str] = field(default_factory=list)  # ids whose request went out
    reason: str | None = None
    checked: bool = False
    stopped: bool = False
    key_rejected: bool = False

    def outcome(self, names: dict[str, str] | None, *, stopped: bool) -> DeleteOutcome:
        return DeleteOutcome(
            deleted=tuple(self.deleted),
            failed=tuple(self.failed),
            unknown=tuple(self.unknown),
            not_sent=tuple(self.not_sent),
            reason=self.reason,
            checked=self.checked,
            stopped=stopped,
            key_rejected=self.key_rejected,
            names=dict(names or {}),
        )


class DeleteService:
    """Runs deletes against the server through one `LibraryService` (and its caches)."""

    def __init__(
        self, library: LibraryService, *, chunk_size: int = DELETE_CHUNK_SIZE,
        read_only: bool = False,
    ) -> None:
        self.library = library
        #: Refuse every delete (`Settings.read_only`): checked here, so that no caller
        #: can forget it.
        self.read_only = read_only
        self.chunk_size = max(1, min(chunk_size, DELETE_CHUNK_SIZE))
        self._lock = asyncio.Lock()
        self._stop = False
        self._finished: asyncio.Event | None = None
        #: The outcome of the last delete, for whoever waits on `wait_idle` (quitting).
        self.last_outcome: DeleteOutcome | None = None

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def request_stop(self) -> None:
        """Send no further chunk; the one in flight still gets its answer."""
        if self.running:
            self._stop = True

    async def wait_idle(self) -> DeleteOutcome | None:
        """Wait for a running delete to end; its outcome (None if none ran)."""
        if self._finished is not None and self.running:
            await self._finished.wait()
        return self.last_outcome

    async def delete(
        self,
        ids: Iterable[str],
        unique_id: str,
        *,
        on_progress: Callable[[DeleteProgress], None] | None = None,
        names: dict[str, str] | None = None,
    ) -> DeleteOutcome:
        """Delete `ids` (repeats sent once) in `unique_id`; see the module for the rules.

        Raises `ReadOnlyError` at once in read-only mode, and `DeleteBusyError` if a
        delete is running; either way nothing is sent. Never raises for what
        the server or the network does: that is in the outcome. Should it raise for
        anything else (a bug), `last_outcome` still says what is known so far.
        """
        if self.read_only:
            raise ReadOnlyError(READ_ONLY_MESSAGE)
        if self._lock.locked():
            raise DeleteBusyError("A delete is already running; wait for it to finish.")
        unique = list(dict.fromkeys(i.strip() for i in map(str, ids) if i and i.strip()))
        async with self._lock:
            self._stop = False
            self._finished = asyncio.Event()
            self.last_outcome = None
            tally = _Tally()
            try:
                await self._run(tally, unique, unique_id, on_progress or (lambda _p: None))
            except BaseException:
                # What was sent and not answered is unknown; what was not sent, not sent.
                answered = {*tally.deleted, *tally.failed, *tally.unknown, *tally.not_sent}
                pending = [i for i in unique if i not in answered]
                sent = set(tally.sent) - answered
                tally.unknown.extend(i for i in pending if i in sent)
                tally.not_sent.extend(i for i in pending if i not in sent)
                tally.ambiguous.clear()
                self.last_outcome = tally.outcome(names, stopped=True)
                raise
            else:
                self.last_outcome = tally.outcome(names, stopped=tally.stopped)
                for kind, sentence in self.last_outcome.sentences():
                    if kind != "deleted":
                        log.warning("Delete: %s", sentence)
                return self.last_outcome
            finally:
                # Whatever happened, cached pages and details may now be wrong.
                self.library.forget_videos(unique, unique_id)
                self._finished.set()

    async def _run(
        self,
        tally: _Tally,
        ids: list[str],
        unique_id: str,
        progress: Callable[[DeleteProgress], None],
    ) -> None:
        client = self.library.client
        progress(DeleteProgress(0, len(ids)))
        chunks = [ids[i : i + self.chunk_size] for i in range(0, len(ids), self.chunk_size)]
        done = 0
        for number, chunk in enumerate(chunks):
            if self._stop:
                tally.stopped = True
                for rest in chunks[number:]:
                    tally.not_sent.extend(rest)
                break
            tally.sent.extend(chunk)
            report = await client.delete_videos(
                chunk, unique_id=unique_id, may_resend=lambda: not self._stop
            )
            result = report.chunks[0]
            done += len(chunk)
            progress(DeleteProgress(done, len(ids)))
            error = result.error
            if result.ok or error is None:
                tally.deleted.extend(chunk)
                continue
            if tally.reason is None:
                tally.reason = error.message
            if isinstance(error, RateLimitedError):
                # Refused, so nothing was done; given up, or stopped waiting to resend.
                if self._stop:
                    tally.stopped = True
                    tally.not_sent.extend(chunk)
                else:
                    tally.failed.extend(chunk)
            elif isinstance(error, AuthError):
                # The key was refused: anything more would be refused too.
                tally.key_rejected = True
                tally.failed.extend(chunk)
                for rest in chunks[number + 1 :]:
                    tally.not_sent.extend(rest)
                break
            else:
                # It may have acted (a timeout, a cut, a 5xx), or refused some ids for a
                # reason of its own (already gone, a duplicate request): only the list
                # of what remains tells. Never by sending it again.
                tally.ambiguous.extend(chunk)
        if tally.ambiguous:
            tally.checked = True
            progress(DeleteProgress(done, len(ids), checking=True))
            await self._reconcile(tally, unique_id)

    async def _reconcile(self, tally: _Tally, unique_id: str) -> None:
        """Ask which ids of ambiguous chunks still exist, one by one; stopping (the user
        quits) leaves the rest unknown. Never resends the delete."""
        for at, video_no in enumerate(tally.ambiguous):
            if self._stop:
                tally.stopped = True
                tally.unknown.extend(tally.ambiguous[at:])
                break
            try:
                present = await self.library.is_present(video_no, unique_id)
            except MemoriesError as exc:
                # Not even that could be checked: say so rather than guess either way.
                tally.key_rejected = tally.key_rejected or isinstance(exc, AuthError)
                log.warning("Checking videos after a failed delete failed: %s", exc.message)
                tally.unknown.extend(tally.ambiguous[at:])
                break
            (tally.failed if present else tally.deleted).append(video_no)
        tally.ambiguous.clear()
