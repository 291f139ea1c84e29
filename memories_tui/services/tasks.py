"""Following an upload task: what to read, what a failure means, when to look again.

An upload task reports the ids of the videos it has queued so far; each video then
moves from in progress to a final status. `TaskPoller` follows one task in one
namespace. Each `check()` reads the task's ids, then the status of every video that
is not final yet, one read at a time: every read spends the account's shared rate
budget (1 request/s by default), so nothing final is read again and nothing is read
in parallel.

The poller never checks by itself. Its owner calls `check()` when `due()` says the
next check is due, and only while someone looks at the task: the Upload tasks view
does not call it while another view is shown. Progress is reported as small frozen
events (`Checking`, `TaskRead`, `VideoRead`, `TaskUnreadable`, `CheckEnded`) for the
view to draw; the poller's properties hold the same state for anyone who asks later.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from memories_tui.api.errors import (
    AuthError,
    BadResponseError,
    MemoriesError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
)
from memories_tui.api.status import SPELLINGS, is_final

if TYPE_CHECKING:  # the models load with the view that uses them
    from memories_tui.api.models import VideoDetails
    from memories_tui.api.models.public import PublicVideo
    from memories_tui.services.library import LibraryService

__all__ = [
    "FINAL_STATUSES",
    "NOT_LISTED_YET",
    "REFRESH_SECONDS",
    "CheckEnded",
    "Checking",
    "TaskEvent",
    "TaskPoller",
    "TaskRead",
    "TaskUnreadable",
    "TaskVideoState",
    "VideoRead",
    "is_final_status",
    "is_public_id",
]

#: Seconds from the end of one check to the start of the next.
REFRESH_SECONDS = 5

#: The spellings after which a video's status no longer changes: every spelling of
#: ready and of failed, from the one table of status classes (api/status.py).
FINAL_STATUSES = frozenset(s for s in SPELLINGS if is_final(s))

#: What a video's row says when the server does not know the id (yet): a task may
#: report an id before the video can be read, so this is not an error.
NOT_LISTED_YET = "not listed yet"

#: A timer that fires a little early (Textual's wake half a millisecond early) still
#: counts as on time: without this, a check would slip by a whole tick.
_TIMER_SLACK = 0.05


def is_final_status(status: str | None) -> bool:
    """Whether a video with this status is finished (ready or failed): no more reads."""
    return is_final(status)


def is_public_id(video_no: str) -> bool:
    """Tasks that index public videos report `PI-` ids (see the API reference); those are
    read through the public endpoint, which takes no namespace."""
    return video_no.startswith("PI-")


@dataclass(frozen=True, slots=True)
class TaskVideoState:
    """What is known of one video of the task: its latest details, and why the last
    read failed (if it did). Details read earlier stay when a later read fails."""

    video_no: str
    details: VideoDetails | PublicVideo | None = None  # PublicVideo for PI- ids
    problem: str | None = None  # a short reason when the last read failed

    @property
    def status(self) -> str | None:
        return self.details.status if self.details is not None else None

    @property
    def final(self) -> bool:
        return is_final_status(self.status)


# -- what a check reports, in order ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checking:
    """A read is about to be sent: the task's ids (`video_no` None), or the status of
    video `number` of the `total` this check reads."""

    video_no: str | None = None
    number: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class TaskRead:
    """The task answered. `added`: videos seen for the first time (in the task's order);
    `videos`: all of them. `first_answer`: the task's first answer to this poller."""

    videos: tuple[TaskVideoState, ...]
    added: tuple[TaskVideoState, ...]
    first_answer: bool


@dataclass(frozen=True, slots=True)
class VideoRead:
    """A video's new state, after a read that worked or failed."""

    state: TaskVideoState


@dataclass(frozen=True, slots=True)
class TaskUnreadable:
    """The task's ids could not be read. `not_found`: the server does not know the task
    (in this namespace). When it is the `first_answer`, there is nothing to follow and
    no check is scheduled; while following, what was shown stays and the next check
    is scheduled as usual."""

    error: MemoriesError
    not_found: bool
    first_answer: bool


@dataclass(frozen=True, slots=True)
class CheckEnded:
    """The check is over. `done`: every video of the task is final."""

    done: bool


TaskEvent = Checking | TaskRead | VideoRead | TaskUnreadable | CheckEnded


def _ignore(_event: TaskEvent) -> None:
    pass


class TaskPoller:
    """Follows one upload task in one namespace; see the module's docstring.

    `clock` (monotonic seconds) and `refresh_seconds` are there for tests.
    """

    def __init__(
        self,
        library: LibraryService,
        task_id: str,
        unique_id: str,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.library = library
        self.task_id = task_id
        self.unique_id = unique_id
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._videos: dict[str, TaskVideoState] = {}  # in the order the task reported them
        self._loaded = False
        self._gave_up = False
        self._checking = False
        self._next_at: float | None = None

    # -- state ------------------------------------------------------------------------

    @property
    def videos(self) -> Mapping[str, TaskVideoState]:
        """Every video seen so far, by id, in the order the task reported them."""
        return MappingProxyType(self._videos)

    @property
    def loaded(self) -> bool:
        """The task has answered at least once."""
        return self._loaded

    @property
    def checking(self) -> bool:
        return self._checking

    @property
    def done(self) -> bool:
        """Every video the task reported is final (a task with no video yet is not)."""
        return bool(self._videos) and all(state.final for state in self._videos.values())

    @property
    def finished(self) -> bool:
        """Nothing more to check unless someone asks: all done, or the task's first read
        failed (an unknown id, or an error the user may retry)."""
        return self.done or self._gave_up

    # -- when to check ----------------------------------------------------------------

    def seconds_until_next(self) -> float | None:
        """Seconds until the next check is due (0 when overdue); None when none is
        scheduled: before the first check, during one, or when finished."""
        if self._next_at is None or self._checking:
            return None
        return max(0.0, self._next_at - self._clock())

    def countdown(self) -> int | None:
        """The whole seconds to show before the next check (5, 4, … 1, then 0: due)."""
        left = self.seconds_until_next()
        return None if left is None else max(0, math.ceil(left - _TIMER_SLACK))

    def due(self) -> bool:
        """Whether the owner should call `check()` now."""
        return self.countdown() == 0

    # -- checking -----------------------------------------------------------------------

    async def check(self, report: Callable[[TaskEvent], None] | None = None) -> None:
        """Read the task's ids, then each unfinished video's status, one at a time,
        calling `report` with each event. API errors are reported, never raised;
        cancellation propagates (what was read so far is kept)."""
        if self._checking:
            raise RuntimeError("This task is already being checked.")
        report = report or _ignore
        self._checking = True
        self._next_at = None
        self._gave_up = False
        try:
            await self._check(report)
        finally:
            self._checking = False
            # Counted from the end of this check, however it ended.
            self._next_at = None if self.finished else self._clock() + self.refresh_seconds

    async def _check(self, report: Callable[[TaskEvent], None]) -> None:
        report(Checking())
        try:
            status = await self.library.task_status(self.task_id, self.unique_id)
        except MemoriesError as exc:
            first_answer = not self._loaded
            self._gave_up = first_answer
            report(TaskUnreadable(exc, isinstance(exc, NotFoundError), first_answer))
            report(CheckEnded(done=self.done))
            return
        first_answer = not self._loaded
        self._loaded = True
        added = []
        for video_no in status.video_ids:
            if video_no not in self._videos:
                self._videos[video_no] = TaskVideoState(video_no)
                added.append(self._videos[video_no])
        report(TaskRead(tuple(self._videos.values()), tuple(added), first_answer))

        pending = [video_no for video_no, state in self._videos.items() if not state.final]
        for number, video_no in enumerate(pending, start=1):
            report(Checking(video_no, number, len(pending)))
            state = await self._read_video(self._videos[video_no])
            self._videos[video_no] = state
            report(VideoRead(state))
        report(CheckEnded(done=self.done))

    async def _read_video(self, state: TaskVideoState) -> TaskVideoState:
        details: VideoDetails | PublicVideo
        try:
            if is_public_id(state.video_no):
                details = await self.library.refresh_public(state.video_no)
            else:
                details = await self.library.video_status(state.video_no, self.unique_id)
        except NotFoundError:
            return replace(state, problem=NOT_LISTED_YET)
        except MemoriesError as exc:
            return replace(state, problem=f"unknown ({_in_short(exc)})")
        return TaskVideoState(state.video_no, details)


def _in_short(exc: MemoriesError) -> str:
    """Why a status could not be read, in a few plain words for a table cell."""
    for kind, words in ((AuthError, "key refused"), (RateLimitedError, "rate limited"),
                        (RequestTimeout, "no answer in time"), (NetworkError, "no connection"),
                        (ServerError, "server error"), (BadResponseError, "unreadable answer")):
        if isinstance(exc, kind):
            return words
    return "refused"
