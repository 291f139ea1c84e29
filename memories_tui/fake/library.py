"""The fake's data: a seeded, deterministic library behind one ``FakeLibrary`` object.

It answers in Python terms (records, lists of dicts); ``app.py`` turns answers into HTTP.
Tests use it to compute what the server should say: namespaces, counts, sample small
videos for quick downloads, task ids, session ids, public ids.

Namespaces (``unique_id``):

- ``default``: ``videos`` generated videos (default 300, up to 100,000), or the ~50
  videos of the hostile profile (``videos`` is then ignored); 42 chat sessions plus the
  reference's example; 57 images.
- ``team-a``: 24 videos, 5 sessions, 8 images. ``archive``: 9 videos, 3 images.
- ``docs``: exactly the three videos of the reference's List Videos example.
- ``test``: the video of the reference's Download example, ``VI625239098370850816``.
- any other name: created, empty, the first time a request names it (as the service
  creates a folder for an unknown ``unique_id``); ``created_namespaces`` lists those.

Names match exactly (``name_match="exact"``, as the newest docs say the service does);
``name_match="contains"`` matches a case-insensitive substring instead.

Tasks live in ``default`` (see ``TASK_KINDS``); their videos are the newest videos of
that namespace, so index 0..3 belong to the "growing" task and 4..6 to "finished".
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from . import hostile as H
from .dice import Dice
from .images import images as make_images
from .public import REFERENCE_PUBLIC_ID, public_videos
from .sessions import SessionBook
from .videos import (
    MAX_VIDEOS,
    REFERENCE_MS,
    GeneratedShelf,
    ListedShelf,
    Shelf,
    VideoRecord,
    download_example_record,
    reference_records,
    snowflake,
)
from .wire import video_item

DEFAULT_NAMESPACE = "default"
NAMESPACES = ("default", "team-a", "archive", "docs", "test")
NAME_MATCHES = ("exact", "contains")
_GENERATED_SIZES = {"team-a": 24, "archive": 9}
_NAMESPACE_CODES = {"default": 1, "team-a": 2, "archive": 3}
_SESSION_COUNTS = {"default": 42, "team-a": 5}
_IMAGE_COUNTS = {"default": 57, "team-a": 8, "archive": 3}

#: "finished": every id present, videos PARSE. "growing": each Get Task Status reveals
#: one more id (up to 4). "empty": never any id (still downloading). Tests may add tasks
#: of their own with ``FakeLibrary.put_task`` (kind "given").
TASK_KINDS = ("finished", "growing", "empty")
GROWING_TASK_SIZE = 4
FINISHED_TASK_SIZE = 3
#: A revealed video of the growing task answers UNPARSE to its first this-many status
#: reads (Get Private Video Details, Get Metadata, List Videos filtered by its video_no)
#: and PARSE from then on: deterministic by request count, not by the wall clock.
PARSE_AFTER_READS = 2


@dataclass(slots=True)
class Task:
    task_id: str
    kind: str
    video_ids: tuple[str, ...]  # every id the task will ever report
    revealed: int = 0  # how many of them Get Task Status shows now
    namespace: str = DEFAULT_NAMESPACE


def _task_id(seed: int, kind: str) -> str:
    d = Dice(seed, "task", kind)

    def hx(n: int) -> str:
        return format(d.below(16**n), f"0{n}x")

    return (f"{hx(8)}-{hx(4)}-4{hx(3)}-{'89ab'[d.below(4)]}{hx(3)}-{hx(12)}_{hx(32)}")


# Wrong JSON types (and URLs that are not web links) for some hostile records
# (``video_no`` is filled in per record).
_WRONG_TYPES: tuple[dict[str, Any], ...] = (
    {"video_name": 12345},
    {"video_name": None},
    {"duration": None, "size": 12.5},
    {"create_time": "yesterday", "status": 7},
    {"cause": {"detail": "an object where a string belongs"}},
    {"video_no": "<as a number>"},
    {"duration": "-5", "size": "-1"},
    {"status": "QUEUED"},
    {"duration": "NaN", "size": "99999999999999999999999", "extra": ["unknown", "field"]},
    {"cause": ["a", "list"], "create_time": None},
    {"video_url": H.HOSTILE_URLS[0]},
    {"video_url": H.HOSTILE_URLS[1], "video_name": ["an", "array"]},
)


def _hostile_shelf(seed: int) -> ListedShelf:
    """~55 videos: every hostile name and id once, records with wrong JSON types, ordinary ones."""
    normal = GeneratedShelf(seed, "hostile-normal", 30, 10)
    # The first 7 are the task videos, which stay ordinary.
    plan: list[int | str | dict[str, Any] | tuple[str, str]] = list(range(7))
    names, wrongs, extra = list(H.HOSTILE_NAMES), list(_WRONG_TYPES), list(range(7, normal.count))
    ids = [("id", video_no) for video_no in H.HOSTILE_IDS]
    while names or wrongs or extra or ids:
        for queue, take in ((names, 2), (wrongs, 1), (extra, 1), (ids, 1)):
            plan.extend(queue[:take])
            del queue[:take]
    records: list[VideoRecord] = []
    for pos, item in enumerate(plan):
        d = Dice(seed, "hostile", pos)
        create_ms = REFERENCE_MS - 1 - pos * 14 * 86_400_000 - d.below(86_400_000)
        video_no = f"VI{snowflake(create_ms, 1, pos)}"
        if isinstance(item, int):
            rec = normal.record(item)
            records.append(replace(rec, video_no=video_no, create_ms=create_ms,
                                   namespace=DEFAULT_NAMESPACE, size=min(rec.size, 1 << 20)))
            continue
        overrides = None
        if isinstance(item, tuple):
            video_no, name = item[1], f"hostile id {pos}.mp4"
        elif isinstance(item, dict):
            overrides = dict(item)
            if "video_no" in overrides:
                overrides["video_no"] = int(video_no[2:])
            name = f"wrong types {pos}.mp4"
            if isinstance(overrides.get("video_name"), (str, int)):
                name = str(overrides["video_name"])
            elif "video_name" in overrides:
                name = ""  # null, a list or an object: no usable name
        else:
            name = item
        failed = d.chance(0.25)
        records.append(VideoRecord(
            video_no=video_no, name=name,
            status=d.pick(("FAIL", "FAIL", "PARSE_ERROR", "FAILED")) if failed else "PARSE",
            cause=d.pick(H.HOSTILE_CAUSES) if failed else None, duration=d.between(1, 900),
            size=int(d.log_between(2_000, 3_000_000)), create_ms=create_ms, fps=30.0,
            width=1280, height=720, resolution_label="720P", namespace=DEFAULT_NAMESPACE,
            wire_overrides=overrides,
        ))
    return ListedShelf(DEFAULT_NAMESPACE, records)


class FakeLibrary:
    """All the fake's data for one server instance. Deletes live here, in memory."""

    def __init__(self, seed: int = 1, videos: int = 300, hostile: bool = False,
                 name_match: str = "exact") -> None:
        if not 0 <= videos <= MAX_VIDEOS:
            raise ValueError(f"videos must be within 0..{MAX_VIDEOS}")
        if name_match not in NAME_MATCHES:
            raise ValueError(f"name_match must be one of {', '.join(NAME_MATCHES)}")
        self.seed, self.hostile, self.name_match = seed, hostile, name_match
        self._lock = threading.RLock()
        self._shelves: dict[str, Shelf] = {
            DEFAULT_NAMESPACE: (_hostile_shelf(seed) if hostile
                                else GeneratedShelf(seed, DEFAULT_NAMESPACE, 1, videos)),
        }
        for ns, count in _GENERATED_SIZES.items():
            self._shelves[ns] = GeneratedShelf(seed, ns, _NAMESPACE_CODES[ns], count)
        self._shelves["docs"] = ListedShelf("docs", reference_records("docs"))
        self._shelves["test"] = ListedShelf("test", [download_example_record("test")])
        #: Namespaces a request created by naming them (in order), see ``touch``.
        self.created_namespaces: list[str] = []
        # Filters scan every name; building the columns now (~6 µs a video) keeps the
        # first filtered request of a 100,000-video library as fast as the others.
        for shelf in self._shelves.values():
            shelf.scan_columns()

        default = self._shelves[DEFAULT_NAMESPACE]
        n = len(default)
        self._growing = list(range(min(GROWING_TASK_SIZE, n)))
        finished_end = min(n, GROWING_TASK_SIZE + FINISHED_TASK_SIZE)
        self._finished = list(range(len(self._growing), finished_end))
        self._status_reads: dict[int, int] = {}
        self._revealed: set[int] = set()
        ids = lambda idx: tuple(default.record(i).video_no for i in idx)  # noqa: E731
        self.tasks: dict[str, Task] = {}
        for kind, members in (("finished", ids(self._finished)), ("growing", ids(self._growing)),
                              ("empty", ())):
            task = Task(_task_id(seed, kind), kind, members,
                        revealed=len(members) if kind == "finished" else 0)
            self.tasks[task.task_id] = task
        #: Task ids by kind: "finished", "growing", "empty".
        self.task_ids: dict[str, str] = {t.kind: t.task_id for t in self.tasks.values()}

        self.public: dict[str, dict[str, Any]] = public_videos(seed, hostile=hostile)
        self.public_video_ids: tuple[str, ...] = tuple(self.public)
        self.reference_public_video_id = REFERENCE_PUBLIC_ID
        self._sessions = {
            ns: SessionBook(seed, ns, count, pick_video=self._citable_video,
                            public=list(self.public.values())[:12], hostile=hostile,
                            include_reference=(ns == DEFAULT_NAMESPACE))
            for ns, count in _SESSION_COUNTS.items()
        }
        self._images = {
            ns: make_images(seed, ns, count, hostile=hostile and ns == DEFAULT_NAMESPACE)
            for ns, count in _IMAGE_COUNTS.items()
        }

    # -- namespaces -------------------------------------------------------------------

    @property
    def namespaces(self) -> tuple[str, ...]:
        """Every namespace that exists: the built-in ones, then those created by use."""
        return (*NAMESPACES, *self.created_namespaces)

    def touch(self, namespace: str) -> None:
        """A request named ``namespace``: create it, empty, if it does not exist."""
        with self._lock:
            if namespace not in self._shelves:
                self._shelves[namespace] = ListedShelf(namespace, [])
                self.created_namespaces.append(namespace)

    # -- videos -----------------------------------------------------------------------

    def _effective(self, shelf: Shelf, i: int) -> VideoRecord:
        """Record ``i`` with its current status (task videos change as they are read)."""
        rec = shelf.record(i)
        if shelf is not self._shelves[DEFAULT_NAMESPACE]:
            return rec
        if i in self._growing:
            ready = self._status_reads.get(i, 0) > PARSE_AFTER_READS
            return replace(rec, status="PARSE" if ready else "UNPARSE", cause=None)
        if i in self._finished:
            return replace(rec, status="PARSE", cause=None)
        return rec

    def _note_status_read(self, shelf: Shelf, i: int) -> None:
        if shelf is self._shelves[DEFAULT_NAMESPACE] and i in self._revealed:
            self._status_reads[i] = self._status_reads.get(i, 0) + 1

    def _statuses(self, shelf: Shelf) -> list[str]:
        statuses = shelf.scan_columns()[1]
        if shelf is not self._shelves[DEFAULT_NAMESPACE]:
            return statuses
        statuses = list(statuses)
        for i in self._growing + self._finished:
            statuses[i] = self._effective(shelf, i).status
        return statuses

    def query_videos(self, namespace: str = DEFAULT_NAMESPACE, *, page: int = 1, size: int = 20,
                     name: str | None = None, video_no: str | None = None,
                     status: str | None = None) -> tuple[list[VideoRecord], int]:
        """One page of List Videos and the total matching, in listing order.

        ``name`` matches exactly, or as a case-insensitive substring when the library's
        ``name_match`` is "contains"; ``video_no`` and ``status`` are exact.
        Filtering by ``video_no`` counts as a status read of that video.
        """
        with self._lock:
            shelf = self._shelves.get(namespace)
            if shelf is None:
                return [], 0
            candidates: Any
            if video_no is not None:
                i = shelf.index_of(video_no)
                candidates = [] if i is None or i in shelf.deleted else [i]
                for i in candidates:
                    self._note_status_read(shelf, i)
            else:
                candidates = shelf.alive()
            if name and self.name_match == "contains":
                folded, query = shelf.folded_names(), name.casefold()
                candidates = [i for i in candidates if query in folded[i]]
            elif name:
                names = shelf.scan_columns()[0]
                candidates = [i for i in candidates if names[i] == name]
            if status:
                statuses = self._statuses(shelf)
                candidates = [i for i in candidates if statuses[i] == status]
            start = (page - 1) * size
            found = [self._effective(shelf, i) for i in candidates[start:start + size]]
            return found, len(candidates)

    def get_video(self, video_no: str, namespace: str = DEFAULT_NAMESPACE, *,
                  count_read: bool = False) -> VideoRecord | None:
        """A live (not deleted) video, or None. ``count_read`` marks a status read."""
        with self._lock:
            shelf = self._shelves.get(namespace)
            i = None
            if shelf is not None and isinstance(video_no, str):
                i = shelf.index_of(video_no)
            if shelf is None or i is None or i in shelf.deleted:
                return None
            if count_read:
                self._note_status_read(shelf, i)
            return self._effective(shelf, i)

    def delete_videos(self, video_nos: list[str], namespace: str = DEFAULT_NAMESPACE) -> list[str]:
        """Delete what exists; unknown ids are ignored. Returns the ids deleted."""
        with self._lock:
            shelf = self._shelves.get(namespace)
            if shelf is None:
                return []
            done = []
            for video_no in video_nos:
                i = shelf.index_of(video_no) if isinstance(video_no, str) else None
                if i is not None and shelf.delete(i):
                    done.append(video_no)
            return done

    def video_count(self, namespace: str = DEFAULT_NAMESPACE) -> int:
        shelf = self._shelves.get(namespace)
        return 0 if shelf is None else len(shelf.alive())

    def videos(self, namespace: str = DEFAULT_NAMESPACE) -> Iterator[VideoRecord]:
        """Every live video of a namespace in listing order, generated as you iterate."""
        shelf = self._shelves.get(namespace)
        if shelf is None:
            return
        for i in list(shelf.alive()):
            yield self._effective(shelf, i)

    def small_video_ids(self, namespace: str = DEFAULT_NAMESPACE, *, max_size: int = 1 << 20,
                        limit: int = 5) -> list[str]:
        """Ids of live videos no bigger than ``max_size``: quick downloads for tests."""
        found = []
        for rec in self.videos(namespace):
            if rec.size <= max_size and not rec.wire_overrides:
                found.append(rec.video_no)
                if len(found) >= limit:
                    break
        return found

    # Short names some tests use.

    def count(self, namespace: str = DEFAULT_NAMESPACE) -> int:
        """Same as ``video_count``."""
        return self.video_count(namespace)

    def ids(self, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
        """The ids of every live video of a namespace, in listing order."""
        return [rec.video_no for rec in self.videos(namespace)]

    def delete(self, namespace: str, video_nos: list[str]) -> list[str]:
        """Same as ``delete_videos`` (namespace first), e.g. to delete behind a client's back."""
        return self.delete_videos(list(video_nos), namespace)

    def sample_word(self, namespace: str = DEFAULT_NAMESPACE) -> str:
        """A lower-case ASCII word found in some but not all video names: a filter to type."""
        shelf = self._shelves.get(namespace)
        if shelf is None:
            return ""
        counts: dict[str, int] = {}
        names = [shelf.folded_names()[i] for i in shelf.alive()]
        for name in names:
            for word in set(re.findall(r"[a-z]{4,10}", name)):
                counts[word] = counts.get(word, 0) + 1
        usable = [(n, w) for w, n in counts.items() if 1 < n < len(names)]
        return max(usable)[1] if usable else ""

    def repeated_name(self, namespace: str = DEFAULT_NAMESPACE) -> str:
        """A name that more than one live video carries (a repeated upload), or ""."""
        shelf = self._shelves.get(namespace)
        if shelf is None:
            return ""
        seen: set[str] = set()
        names = shelf.scan_columns()[0]
        for i in shelf.alive():
            if names[i] in seen:
                return names[i]
            seen.add(names[i])
        return ""

    def _citable_video(self, rng: random.Random) -> tuple[str, Any, str] | None:
        """A default-namespace video for a chat ref (never one of the task videos)."""
        shelf = self._shelves[DEFAULT_NAMESPACE]
        first = len(self._growing) + len(self._finished)
        if len(shelf) <= first:
            return None
        item = video_item(shelf.record(rng.randrange(first, len(shelf))))
        return item["video_no"], item["video_name"], item["duration"]

    # -- tasks --------------------------------------------------------------------------

    def task_video_ids(self, task_id: str, namespace: str = DEFAULT_NAMESPACE) -> list[str] | None:
        """What Get Task Status answers now, or None for an unknown task.

        Each call on the "growing" task reveals one more id.
        """
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None or namespace != task.namespace:
                return None
            if task.kind == "growing":
                task.revealed = min(len(task.video_ids), task.revealed + 1)
                self._revealed.update(self._growing[:task.revealed])
            return list(task.video_ids[:task.revealed])

    def put_task(self, task_id: str, video_ids: list[str] | tuple[str, ...], *,
                 namespace: str = DEFAULT_NAMESPACE) -> None:
        """A test hook: from now on Get Task Status answers exactly ``video_ids`` for
        ``task_id`` in ``namespace``. The ids are taken as given: public ``PI-`` ids, ids
        of failed videos or of no video at all. Calling it again for the same task
        changes its answer, so a test decides when ids appear. Not in ``task_ids``.
        """
        with self._lock:
            ids = tuple(video_ids)
            self.tasks[task_id] = Task(task_id, "given", ids, revealed=len(ids),
                                       namespace=namespace)

    # -- sessions, public videos, images ------------------------------------------------

    def sessions(self, namespace: str = DEFAULT_NAMESPACE) -> list[dict[str, Any]]:
        book = self._sessions.get(namespace)
        return [] if book is None else book.summaries

    def session_ids(self, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
        book = self._sessions.get(namespace)
        return [] if book is None else book.ids

    def session_detail(
        self, session_id: str, namespace: str = DEFAULT_NAMESPACE
    ) -> dict[str, Any] | None:
        with self._lock:
            book = self._sessions.get(namespace)
            return None if book is None else book.detail(session_id)

    def public_video(self, video_no: str) -> dict[str, Any] | None:
        return self.public.get(video_no)

    def images(self, namespace: str = DEFAULT_NAMESPACE) -> list[dict[str, Any]]:
        return self._images.get(namespace, [])
