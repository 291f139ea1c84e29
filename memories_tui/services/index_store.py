"""The local index of a namespace's videos: one SQLite file per server and namespace.

The index is a cache of what List Videos said, never the authority: the sync
(`services/index_sync.py`) fills and corrects it, and the app drops ids the server no
longer has. What it offers the views is what the API cannot do: search by any part of
a name (case- and accent-insensitive), filters by status class, size and date, sorting
by any column across the whole library, counts and sizes of everything that matches,
and groups of duplicates.

Rows stay on disk: a query reads one page of rows, so memory does not grow with the
library. The file lives under `$XDG_CACHE_HOME/memories-tui/index/` (by default
`~/.cache`), named after the server (scheme, host, port) and the namespace. A file
that cannot be read (corrupt, another program's, a newer schema) is moved aside and
rebuilt, with a log line; the app never stops for it.

Nothing here is async and nothing here knows Textual. Every SQL statement takes user
text as a parameter; names are matched with `instr()` on a folded copy, never LIKE.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from memories_tui.api.models import Video
from memories_tui.api.status import StatusClass, status_class
from memories_tui.paths import cache_dir

__all__ = [
    "DUPLICATE_KINDS",
    "SCHEMA_VERSION",
    "SORT_COLUMNS",
    "ClassStats",
    "DuplicateGroup",
    "IndexFilters",
    "IndexMeta",
    "IndexStore",
    "Selection",
    "fold_name",
    "index_path",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

#: Status classes as stored (a small integer), in the order a status sort puts them.
_CLASS_RANK: dict[StatusClass, int] = {
    StatusClass.READY: 0,
    StatusClass.IN_PROGRESS: 1,
    StatusClass.FAILED: 2,
    StatusClass.UNKNOWN: 3,
}
_RANK_CLASS = {rank: cls for cls, rank in _CLASS_RANK.items()}
#: Bytes the write-ahead log is cut back to after a checkpoint.
_WAL_LIMIT = 4 << 20
#: The listing position of a row that did not come from a page of the listing.
_END = 1 << 40


@dataclass(frozen=True, slots=True)
class _Sort:
    """How one sort orders rows: `missing` (an SQL test, true for a row without a
    value) puts those last in either direction; then `terms` in the chosen direction;
    ties by id, ascending either way (as `services/listing.py`'s `sort_videos`)."""

    terms: tuple[str, ...]
    missing: str | None = None
    indexed: bool = True

    def order(self, descending: bool, *, reverse: bool = False,
              scan: bool = False) -> list[tuple[str, bool]]:
        """(expression, descending) for each ORDER BY term; `reverse` flips them all
        (to read from the other end); `scan` keeps SQLite off the indexes."""
        terms = [(t, descending) for t in self.terms]
        if self.missing is not None:
            terms.insert(0, (self.missing, False))
        terms.append(("video_no", False))
        plus = "+" if scan else ""
        return [(plus + t, d != reverse) for t, d in terms]

    def columns(self) -> list[str]:
        return [t for t, _ in self.order(False)]


def _sql_order(terms: Sequence[tuple[str, bool]]) -> str:
    return ", ".join(f"{t} DESC" if d else t for t, d in terms)


#: The columns a query can sort by. Videos without a value (an unknown size, no date,
#: no status) come last whichever the direction; ties by id.
SORT_COLUMNS: dict[str, _Sort] = {
    "name": _Sort(("folded",)),  # the folded name: case and accents do not split it
    "size": _Sort(("size",), "size IS NULL"),
    "duration": _Sort(("duration",), "duration IS NULL"),
    "created": _Sort(("created",), "created IS NULL"),
    # Ready, in progress, failed, unknown; within a class by spelling.
    "status": _Sort(("klass", "status"), "status IS NULL"),
    # The order List Videos gave. Indexed although a shift of the listing (one new
    # upload) moves every row's position: a full pass then rewrites both indexes' entries
    # (+0.1 s for 100,000 rows), but a name typed in the listing's order reads a page's
    # matches off the index instead of testing every row (10 ms at 100,000 videos).
    "listing": _Sort(("position",)),
    # By video id (the primary key's own index serves it).
    "id": _Sort(("video_no",), indexed=False),
}

#: `duplicate_groups` kinds: the same name and size, or the same size and duration.
DUPLICATE_KINDS = ("name_size", "size_duration")

_COLUMNS = "video_no, name, status, duration, size, created, cause"

_SCHEMA = (
    """CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)""",
    # One row per video id. `folded` is the name for search and name sorting; `klass`
    # the status class (see _CLASS_RANK); `size` NULL when unknown (the server's "0");
    # `created` Unix ms; `position` where the listing had it; `seen` the number of the
    # sync request that last listed it (see index_sync.py).
    """CREATE TABLE videos (
        video_no TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        folded TEXT NOT NULL,
        status TEXT,
        klass INTEGER NOT NULL,
        size INTEGER,
        duration INTEGER,
        created INTEGER,
        cause TEXT,
        position INTEGER NOT NULL,
        seen INTEGER NOT NULL
    )""",
)

#: The indexes behind sorting, one per sort and direction, each in the exact order of
#: its ORDER BY (so a page is read straight off it). A first pass into an empty index
#: writes without them and builds them after: 100,000 rows go in ten times faster.
_SORT_INDEXES = {
    f"videos_by_{name}_{'desc' if descending else 'asc'}":
        f"videos ({_sql_order(spec.order(descending))})"
    for name, spec in SORT_COLUMNS.items() if spec.indexed
    for descending in (False, True)
}

_INSERT = """
INSERT INTO videos (video_no, name, folded, status, klass, size, duration, created, cause,
                    position, seen)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
# A row whose listing changed (a status, a name...): every column. An unchanged one only
# gets its position and request number, which no index holds: no index is rewritten.
_UPDATE = """
UPDATE videos SET name = ?, folded = ?, status = ?, klass = ?, size = ?, duration = ?,
    created = ?, cause = ?, position = ?, seen = ?
WHERE video_no = ?
"""
_TOUCH = "UPDATE videos SET position = ?, seen = ? WHERE video_no = ?"
# Filling an empty index (no sort index yet): insert, or overwrite a row read twice.
_UPSERT = _INSERT + """ON CONFLICT (video_no) DO UPDATE SET
    name = excluded.name, folded = excluded.folded, status = excluded.status,
    klass = excluded.klass, size = excluded.size, duration = excluded.duration,
    created = excluded.created, cause = excluded.cause, position = excluded.position,
    seen = excluded.seen
"""
_CONTENT = "video_no, name, status, size, duration, created, cause, position"

# -- names -----------------------------------------------------------------------------

def fold_name(text: str) -> str:
    """`text` for matching: case folded, accents and other combining marks removed,
    compatibility forms unified (NFKD), runs of white space as one space."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    combining = unicodedata.combining
    return " ".join("".join(c for c in decomposed if not combining(c)).split())


# -- where the file lives ----------------------------------------------------------------


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_part(text: str, limit: int = 40) -> str:
    return _UNSAFE.sub("_", text).strip("._")[:limit] or "_"


def index_path(base_url: str, unique_id: str, *, directory: Path | None = None) -> Path | None:
    """The index file of `unique_id` on the server at `base_url`: one per scheme, host,
    port and namespace, under `directory` (by default `cache_dir()/index`).

    Namespaces are arbitrary, case-sensitive strings: the file name keeps a readable,
    file-system-safe part of the name and adds a hash of the exact name, so "A/b",
    "A_b" and "a_b" get three files. None when there is no cache folder
    (`memories_tui.paths.cache_dir`)."""
    import httpx

    url = httpx.URL(base_url.strip())
    scheme = url.scheme or "https"
    port = url.port or (443 if scheme == "https" else 80)
    host = (url.host or "localhost").lower()
    server = f"{scheme}-{_safe_part(host, 80)}-{port}"
    digest = hashlib.sha256(f"{scheme}://{host}:{port}\0{unique_id}".encode()).hexdigest()[:16]
    name = f"{_safe_part(unique_id)}-{digest}.sqlite3"
    if directory is None:
        base = cache_dir()
        if base is None:
            return None
        directory = base / "index"
    return directory / server / name


# -- what queries take and give -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexFilters:
    """Which videos a query covers; every field left at None (or "") means "any".

    `name_part` matches any part of the name, ignoring case, accents and repeated
    spaces. `size_min`/`size_max` are bytes, inclusive, and leave out videos of unknown
    size. `created_from <= create time < created_to` (aware datetimes; naive ones are
    taken as UTC) leaves out videos without a date.
    """

    name_part: str = ""
    status_class: StatusClass | None = None
    size_min: int | None = None
    size_max: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self == _NO_FILTERS


_NO_FILTERS = IndexFilters()


@dataclass(frozen=True, slots=True)
class Selection:
    """Every video that matches some filters: what "select all matching" selects."""

    ids: tuple[str, ...]
    count: int
    total_size: int  # bytes, of the videos whose size is known
    unknown_sizes: int  # how many have no known size


@dataclass(frozen=True, slots=True)
class ClassStats:
    """Count and size of the videos of one status class (for the stats line)."""

    status_class: StatusClass
    count: int
    total_size: int  # bytes, of the videos whose size is known
    unknown_sizes: int


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Copies of what looks like one video; `copies` newest first."""

    kind: str  # one of DUPLICATE_KINDS
    name: str | None  # the shared name (kind "name_size"), else None
    size: int
    duration: int | None  # the shared duration (kind "size_duration"), else None
    copies: tuple[Video, ...]


@dataclass(frozen=True, slots=True)
class IndexMeta:
    """What the index knows about itself."""

    rows: int
    complete: bool  # a full pass ended and nothing since said the index is off
    last_full_pass: datetime | None  # when the last full pass ended
    last_refresh: datetime | None  # when the last quick refresh (or pass) ended
    pass_running: bool  # a full pass started and has not ended (it resumes)
    server_total: int | None  # total_count of the server's last answer
    stale_reason: str | None  # why a full pass is due although one ended, or None


@dataclass(slots=True)
class PassState:
    """A full pass in progress, saved after every page so that a quit resumes it.

    `read` holds the pages read since the listing last changed (see index_sync.py)."""

    pass_id: int
    page_size: int
    change_seq: int  # rows seen before this request number may be gone
    last_total: int | None = None
    read: list[int] = field(default_factory=list)
    started: float = 0.0  # Unix time
    rounds: int = 1
    requests: int = 0
    #: The pass began on an empty index (and without its sort indexes): pages are
    #: written the fast way (`IndexStore.write_page(filling=True)`).
    filling: bool = False

    def to_json(self) -> str:
        return json.dumps({
            "pass_id": self.pass_id, "page_size": self.page_size,
            "change_seq": self.change_seq, "last_total": self.last_total,
            "read": _ranges(self.read), "started": self.started, "rounds": self.rounds,
            "requests": self.requests, "filling": self.filling,
        })

    @classmethod
    def from_json(cls, text: str) -> PassState:
        data = json.loads(text)
        return cls(
            pass_id=int(data["pass_id"]), page_size=int(data["page_size"]),
            change_seq=int(data["change_seq"]),
            last_total=None if data.get("last_total") is None else int(data["last_total"]),
            read=_unranges(data.get("read", [])), started=float(data.get("started", 0.0)),
            rounds=int(data.get("rounds", 1)), requests=int(data.get("requests", 0)),
            filling=bool(data.get("filling", False)),
        )


def _ranges(pages: Iterable[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for page in sorted(set(pages)):
        if out and out[-1][1] == page - 1:
            out[-1][1] = page
        else:
            out.append([page, page])
    return out


def _unranges(ranges: Iterable[Sequence[int]]) -> list[int]:
    return [p for lo, hi in ranges for p in range(int(lo), int(hi) + 1)]


# -- the store -------------------------------------------------------------------------------


T = TypeVar("T")


def _ms(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def _int64(value: int | None) -> int | None:
    """`value` if SQLite can hold it; a number beyond 64 bits (only a broken answer
    sends one) is kept as unknown."""
    if value is None or -(1 << 63) <= value < (1 << 63):
        return value
    return None


def _time(ms: int | None) -> datetime | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC)


def _video(row: Sequence[Any]) -> Video:
    return Video(video_no=row[0], name=row[1], status=row[2], duration=row[3], size=row[4],
                 create_time=_time(row[5]), cause=row[6])


def _where(filters: IndexFilters) -> tuple[str, list[object]]:
    """The WHERE clause of `filters` (with its leading keyword, or "") and its parameters."""
    terms: list[str] = []
    params: list[object] = []
    part = fold_name(filters.name_part) if filters.name_part else ""
    if part:
        terms.append("instr(folded, ?) > 0")
        params.append(part)
    if filters.status_class is not None:
        terms.append("klass = ?")
        params.append(_CLASS_RANK[filters.status_class])
    if filters.size_min is not None:
        terms.append("size >= ?")
        params.append(int(filters.size_min))
    if filters.size_max is not None:
        terms.append("size <= ?")
        params.append(int(filters.size_max))
    if filters.created_from is not None:
        terms.append("created >= ?")
        params.append(_ms(filters.created_from))
    if filters.created_to is not None:
        terms.append("created < ?")
        params.append(_ms(filters.created_to))
    if not terms:
        return "", params
    return "WHERE " + " AND ".join(terms), params


def _spec(sort: str) -> _Sort:
    try:
        return SORT_COLUMNS[sort]
    except KeyError:
        raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORT_COLUMNS)}") from None


def _order(sort: str, descending: bool) -> str:
    return _sql_order(_spec(sort).order(descending))


class IndexStore:
    """The index file of one namespace on one server (see the module's docstring).

    `IndexStore(path)` opens or creates it; `path=None` keeps the index in memory (no
    cache folder, or a file that cannot be written). Close with `close()`. Every method
    is synchronous and quick (a page of rows, a count); calls from several threads are
    taken one at a time, so the sync may write from a worker thread while the views
    read from the event loop.
    """

    def __init__(self, path: Path | str | None, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else None
        self._clock = clock
        #: Set when the file could not be used and was moved aside (or memory was used):
        #: plain words for the log and, if wanted, the screen.
        self.recovered: str | None = None
        self._lock_file: Any = None
        #: Goes up each time the file is rebuilt while open: a sync that sees it change
        #: knows that what it wrote is gone.
        self.generation = 0
        # One connection, used by one thread at a time: the event loop's, or the worker
        # thread the sync writes pages from (so the loop goes on meanwhile).
        self._lock = threading.RLock()
        self._db = self._open()

    # -- opening, checking, recovering ------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._connect(":memory:")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            self._note(f"The index folder {self.path.parent} cannot be created ({exc}); "
                       "the index is kept in memory this time.")
            self.path = None
            return self._connect(":memory:")
        try:
            return self._connect(str(self.path))
        except sqlite3.Error as exc:
            self._move_aside(f"it could not be read ({exc})")
        try:
            return self._connect(str(self.path))
        except sqlite3.Error as exc:
            self._note(f"The index file {self.path} cannot be used ({exc}); "
                       "the index is kept in memory this time.")
            self.path = None
            return self._connect(":memory:")

    def _connect(self, where: str) -> sqlite3.Connection:
        """Open, check the schema (creating it in an empty file) and return the connection;
        raises sqlite3.Error for a file that is not a usable index."""
        db = sqlite3.connect(where, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 2000")
            if where != ":memory:":
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.info("The index file does not take WAL mode (%s).", mode)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA cache_size = -1024")  # KiB: rows stay on disk
            # After a big write (the sort indexes) the write-ahead log is cut back.
            db.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT}")
            tables = {r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                with _transaction(db):
                    for statement in _SCHEMA:
                        db.execute(statement)
                    for name, target in _SORT_INDEXES.items():
                        db.execute(f"CREATE INDEX {name} ON {target}")
                    db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                               (str(SCHEMA_VERSION),))
            else:
                row = db.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if row is None or row[0] != str(SCHEMA_VERSION):
                    found = "none" if row is None else row[0]
                    raise sqlite3.DatabaseError(
                        f"schema version {found}, this program uses {SCHEMA_VERSION}")
                db.execute("SELECT count(*) FROM videos").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self, why: str) -> None:
        """Move the unusable file (and its WAL side files) out of the way."""
        assert self.path is not None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            with contextlib.suppress(FileNotFoundError):
                try:
                    source.replace(Path(str(aside) + suffix))
                except OSError:
                    source.unlink()
        self._note(f"The index file {self.path} was unusable: {why}. It was moved to "
                   f"{aside.name} and the index is rebuilt.")

    def _note(self, message: str) -> None:
        log.warning("%s", message)
        self.recovered = message

    def _rebuild(self, exc: sqlite3.DatabaseError) -> None:
        """The file broke while in use: start over with an empty one."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if self.path is None:
            self._note(f"The in-memory index failed ({exc}); it is rebuilt.")
            self._db = self._connect(":memory:")
            self.generation += 1
            return
        self._move_aside(f"it failed while in use ({exc})")
        self._db = self._open()
        self.generation += 1

    def _guarded(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run `action`; if the file turns out to be corrupt, rebuild it and run it again
        on the empty index. "Busy" and "locked" are not corruption: they are raised; nor
        is a call on a closed store (a ProgrammingError), which must not move the file."""
        with self._lock:
            try:
                return action(self._db)
            except (sqlite3.OperationalError, sqlite3.ProgrammingError):
                raise
            except sqlite3.DatabaseError as exc:
                self._rebuild(exc)
                return action(self._db)

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()
        self.release_writer()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one writer per file --------------------------------------------------------------

    def acquire_writer(self) -> bool:
        """Claim the right to sync this file (False: another process syncs it now).

        Two programs syncing one file would interleave their passes; the second one
        only reads. The claim ends with `release_writer()` or the process."""
        if self._lock_file is not None:
            return True
        if self.path is None:
            return True
        try:
            import fcntl
        except ImportError:  # not POSIX: no claim, as before this existed
            return True
        try:
            handle = open(str(self.path) + ".lock", "a")  # noqa: SIM115 (kept open)
        except OSError:
            return True
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def release_writer(self) -> None:
        handle, self._lock_file = self._lock_file, None
        if handle is not None:
            handle.close()

    # -- meta -------------------------------------------------------------------------------

    def _get(self, db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set(self, db: sqlite3.Connection, key: str, value: object | None) -> None:
        if value is None:
            db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                       "DO UPDATE SET value = excluded.value", (key, str(value)))

    def get_meta(self, key: str) -> str | None:
        return self._guarded(lambda db: self._get(db, key))

    def set_meta(self, values: Mapping[str, object | None]) -> None:
        def run(db: sqlite3.Connection) -> None:
            with _transaction(db):
                for key, value in values.items():
                    self._set(db, key, value)
        self._guarded(run)

    def meta(self) -> IndexMeta:
        def run(db: sqlite3.Connection) -> IndexMeta:
            values = dict(db.execute("SELECT key, value FROM meta").fetchall())
            rows = db.execute("SELECT count(*) FROM videos").fetchone()[0]
            return IndexMeta(
                rows=int(rows),
                complete=values.get("complete") == "1",
                last_full_pass=_stamp(values.get("last_full_pass")),
                last_refresh=_stamp(values.get("last_refresh")),
                pass_running="pass_state" in values,
                server_total=_int_or_none(values.get("server_total")),
                stale_reason=values.get("stale_reason") or None,
            )
        return self._guarded(run)

    def count(self) -> int:
        return int(self._guarded(lambda db: db.execute("SELECT count(*) FROM videos")
                                 .fetchone()[0]))

    def age(self, now: float | None = None) -> float | None:
        """Seconds since the last full pass ended (None: never)."""
        stamp = _float_or_none(self.get_meta("last_full_pass"))
        if stamp is None:
            return None
        return max(0.0, (self._clock() if now is None else now) - stamp)

    def pass_state(self) -> PassState | None:
        text = self.get_meta("pass_state")
        if text is None:
            return None
        try:
            return PassState.from_json(text)
        except (ValueError, KeyError, TypeError):
            log.warning("The saved state of the index's full pass is unreadable; it starts over.")
            return None

    # -- writing (the sync) --------------------------------------------------------------------

    def write_page(self, videos: Sequence[Video], *, first_position: int | None, seq: int,
                   meta: Mapping[str, object | None] | None = None,
                   filling: bool = False) -> tuple[int, int]:
        """Record `videos` (one page of the listing, which put its first row at
        `first_position`; None: not from the listing, keep their positions) as seen by
        request `seq`, and set `meta`, in one transaction.
        Returns (new ids, ids whose listing changed).

        `filling`: the first pass into an empty index, without sort indexes. Rows are
        written without first reading what the index holds (the fastest way in), and
        the counts are not known: (0, 0)."""
        if filling and first_position is not None:
            return self._fill_page(videos, first_position, seq, meta or {})
        fresh = {
            v.video_no: (v.name, v.status, _int64(v.size), _int64(v.duration),
                         None if v.create_time is None else _ms(v.create_time), v.cause)
            for v in videos
        }
        ids = list(fresh)
        positions = {
            video_no: (_END if first_position is None else first_position + i)
            for i, video_no in enumerate(ids)
        }

        def run(db: sqlite3.Connection) -> tuple[int, int]:
            with _transaction(db):
                held: dict[str, tuple[Any, ...]] = {}
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    for row in db.execute(
                            f"SELECT {_CONTENT} FROM videos WHERE video_no IN ({marks})", chunk):
                        held[row[0]] = tuple(row[1:])
                inserts, updates, touches = [], [], []
                for video_no, content in fresh.items():
                    old = held.get(video_no)
                    position = positions[video_no]
                    if old is not None:
                        if first_position is None:
                            position = old[-1]
                        old = old[:-1]
                    if old == content:
                        touches.append((position, seq, video_no))
                        continue
                    name, status = content[0], content[1]
                    row = (name, fold_name(name), status, _CLASS_RANK[status_class(status)],
                           *content[2:], position, seq)
                    if old is None:
                        inserts.append((video_no, *row))
                    else:
                        updates.append((*row, video_no))
                if inserts:
                    db.executemany(_INSERT, inserts)
                if updates:
                    db.executemany(_UPDATE, updates)
                if touches:
                    db.executemany(_TOUCH, touches)
                for key, value in (meta or {}).items():
                    self._set(db, key, value)
            return len(inserts), len(updates)
        return self._guarded(run)

    def _fill_page(self, videos: Sequence[Video], first_position: int, seq: int,
                   meta: Mapping[str, object | None]) -> tuple[int, int]:
        rows = [
            (v.video_no, v.name, fold_name(v.name), v.status,
             _CLASS_RANK[status_class(v.status)], _int64(v.size), _int64(v.duration),
             None if v.create_time is None else _ms(v.create_time), v.cause,
             first_position + i, seq)
            for i, v in enumerate(videos)
        ]

        def run(db: sqlite3.Connection) -> tuple[int, int]:
            with _transaction(db):
                db.executemany(_UPSERT, rows)
                for key, value in meta.items():
                    self._set(db, key, value)
            return 0, 0
        return self._guarded(run)

    # -- the sort indexes ------------------------------------------------------------------

    def has_sort_indexes(self) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            names = {r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
            return all(name in names for name in _SORT_INDEXES)
        return self._guarded(run)

    def drop_sort_indexes(self) -> None:
        """Before filling an empty index: rows go in without them (see `_SORT_INDEXES`)."""
        def run(db: sqlite3.Connection) -> None:
            with _transaction(db):
                for name in _SORT_INDEXES:
                    db.execute(f"DROP INDEX IF EXISTS {name}")
        self._guarded(run)

    def build_sort_indexes(self, *, own_connection: bool = False) -> None:
        """Create the sort indexes that are missing (about 0.5 s for 100,000 rows).

        `own_connection`: on a connection of its own, so that it can run in a worker
        thread (`asyncio.to_thread`) while the views keep reading through this one."""
        def build(db: sqlite3.Connection) -> None:
            for name, target in _SORT_INDEXES.items():
                db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

        if own_connection and self.path is not None:
            db = sqlite3.connect(str(self.path), isolation_level=None)
            try:
                db.execute("PRAGMA busy_timeout = 10000")
                # Sorting 100,000 keys in a small buffer and temporary files: memory
                # given back to a worker thread's heap stays with the process.
                db.execute("PRAGMA cache_size = -512")
                db.execute("PRAGMA temp_store = FILE")
                db.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT}")
                build(db)
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
            return
        self._guarded(build)

    def unseen_since(self, seq: int, *, limit: int | None = None) -> list[str]:
        """Ids no sync request numbered `seq` or later has listed."""
        def run(db: sqlite3.Connection) -> list[str]:
            sql = "SELECT video_no FROM videos WHERE seen < ? ORDER BY video_no"
            params: list[object] = [seq]
            if limit is not None:
                sql += " LIMIT ?"
                params.append(limit)
            return [r[0] for r in db.execute(sql, params)]
        return self._guarded(run)

    def remove_unseen_since(self, seq: int, meta: Mapping[str, object | None]) -> int:
        """Delete the rows not listed since request `seq` and set `meta`, in one
        transaction (the end of a full pass). Returns how many went."""
        def run(db: sqlite3.Connection) -> int:
            with _transaction(db):
                gone = db.execute("DELETE FROM videos WHERE seen < ?", (seq,)).rowcount
                for key, value in meta.items():
                    self._set(db, key, value)
            return int(gone)
        return self._guarded(run)

    def drop(self, ids: Iterable[str]) -> int:
        """Forget `ids` (deleted, or found gone on the server). Returns how many were held.

        The index stays complete: it still holds every other video of the last pass."""
        wanted = list(dict.fromkeys(ids))

        def run(db: sqlite3.Connection) -> int:
            gone = 0
            with _transaction(db):
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    gone += db.execute(f"DELETE FROM videos WHERE video_no IN ({marks})",
                                       chunk).rowcount
            return gone
        return self._guarded(run)

    def clear(self) -> None:
        """Forget every row and all state (the sync starts from nothing)."""
        def run(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute("DELETE FROM videos")
                db.execute("DELETE FROM meta WHERE key != 'schema_version'")
        self._guarded(run)

    # -- reading (the views) ------------------------------------------------------------------

    def query(self, filters: IndexFilters = _NO_FILTERS, sort: str = "listing",
              descending: bool = False, offset: int = 0,
              limit: int = 50) -> tuple[list[Video], int]:
        """One page of the videos matching `filters`, sorted by `sort` (a key of
        SORT_COLUMNS; ties by id), and how many match in all."""
        where, params = _where(filters)
        spec = _spec(sort)
        order = _sql_order(spec.order(descending))
        offset, limit = max(0, int(offset)), max(0, int(limit))
        part = bool(filters.name_part and fold_name(filters.name_part))

        def run(db: sqlite3.Connection) -> tuple[list[Video], int]:
            total = int(db.execute(f"SELECT count(*) FROM videos {where}", params)
                        .fetchone()[0])
            if offset >= total or limit == 0:
                return [], total
            # Past the middle, read from the other end: an index is walked (or a sort
            # kept) for at most half the rows.
            backwards = offset > total // 2
            if backwards:
                count = min(limit, total - offset)
                skip = total - offset - count
            else:
                count, skip = limit, offset
            # The ids first, then their rows: walking an index past skipped rows then
            # reads no row it skips. Searching by name, though, walking a sort index
            # reads rows all over the file to test them, (skip + count) / share of
            # them; scanning the rows in file order and sorting the matches costs about
            # the same whatever the page. Whichever reads less is taken (the costs per
            # row measured with SQLite 3.40 on 100,000 videos); a unary + keeps SQLite
            # off the index. The name index holds the folded name itself: walking it
            # reads no row, so name sorts always walk.
            scan = False
            if part and sort != "name" and spec.indexed:
                rows_held = int(db.execute("SELECT count(*) FROM videos").fetchone()[0])
                walk_cost = 1.5 * (skip + count) * rows_held / total
                scan = walk_cost > 0.17 * rows_held + 0.5 * total
            way = _sql_order(spec.order(descending, reverse=backwards, scan=scan))
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM videos WHERE rowid IN (SELECT rowid FROM videos "
                f"{where} ORDER BY {way} LIMIT ? OFFSET ?) ORDER BY {order}",
                [*params, count, skip],
            ).fetchall()
            return [_video(r) for r in rows], total
        return self._guarded(run)

    def get(self, video_no: str) -> Video | None:
        def run(db: sqlite3.Connection) -> Video | None:
            row = db.execute(f"SELECT {_COLUMNS} FROM videos WHERE video_no = ?",
                             (video_no,)).fetchone()
            return None if row is None else _video(row)
        return self._guarded(run)

    def position_of(self, video_no: str, filters: IndexFilters = _NO_FILTERS,
                    sort: str = "listing", descending: bool = False) -> int | None:
        """Where `video_no` sits (0-based) among the videos matching `filters` in this
        order, or None if it does not match: to keep the cursor on a row after a re-sort."""
        where, params = _where(filters)
        spec = _spec(sort)
        columns = spec.columns()
        part = bool(filters.name_part and fold_name(filters.name_part))

        def run(db: sqlite3.Connection) -> int | None:
            row = db.execute(f"SELECT {', '.join(columns)} FROM videos {where}"
                             f"{' AND' if where else 'WHERE'} video_no = ?",
                             [*params, video_no]).fetchone()
            if row is None:
                return None
            # Rows before it in the sort order. Searching by name, every row is read
            # anyway: a + keeps SQLite from reading them in index order, all over the
            # file.
            before, before_params = _before(spec.order(descending, scan=part), row)
            extra = f"{where} AND ({before})" if where else f"WHERE {before}"
            n = db.execute(f"SELECT count(*) FROM videos {extra}",
                           [*params, *before_params]).fetchone()[0]
            return int(n)
        return self._guarded(run)

    def stats(self, filters: IndexFilters = _NO_FILTERS) -> list[ClassStats]:
        """Count and size per status class of the videos matching `filters`, in class
        order (ready, in progress, failed, unknown); classes with no video left out."""
        where, params = _where(filters)

        def run(db: sqlite3.Connection) -> list[ClassStats]:
            rows = db.execute(
                f"SELECT klass, count(*), coalesce(sum(size), 0), count(*) - count(size) "
                f"FROM videos {where} GROUP BY klass ORDER BY klass", params).fetchall()
            return [ClassStats(_RANK_CLASS[k], int(n), int(total), int(unknown))
                    for k, n, total, unknown in rows]
        return self._guarded(run)

    def matching_ids(self, filters: IndexFilters = _NO_FILTERS, sort: str = "listing",
                     descending: bool = False) -> Selection:
        """Every id matching `filters` (in the given order), their count and total size."""
        where, params = _where(filters)
        order = _order(sort, descending)

        def run(db: sqlite3.Connection) -> Selection:
            ids: list[str] = []
            total = unknown = 0
            for video_no, size in db.execute(
                    f"SELECT video_no, size FROM videos {where} ORDER BY {order}", params):
                ids.append(video_no)
                if size is None:
                    unknown += 1
                else:
                    total += size
            return Selection(ids=tuple(ids), count=len(ids), total_size=total,
                             unknown_sizes=unknown)
        return self._guarded(run)

    def duplicate_groups(self, kind: str = "name_size") -> list[DuplicateGroup]:
        """Groups of two or more videos that look like one upload repeated.

        "name_size": the same name (exactly) and the same known size. "size_duration":
        the same size and duration, both known and above 0, whatever the names. Copies
        come newest first; groups by size, largest first (what deleting frees)."""
        if kind not in DUPLICATE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(DUPLICATE_KINDS)}")

        def run(db: sqlite3.Connection) -> list[DuplicateGroup]:
            # Both kinds share a size: the sizes held more than once come from the size
            # index alone, and only their rows are read.
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM videos WHERE size IN (SELECT size FROM videos "
                f"WHERE size > 0 GROUP BY size HAVING count(*) > 1) "
                f"ORDER BY size DESC").fetchall()
            buckets: dict[tuple[object, ...], list[Video]] = {}
            for row in rows:
                video = _video(row)
                if kind == "name_size":
                    key: tuple[object, ...] = (video.size, video.name)
                elif video.duration is not None and video.duration > 0:
                    key = (video.size, video.duration)
                else:
                    continue
                buckets.setdefault(key, []).append(video)
            groups = [_group(kind, copies) for copies in buckets.values() if len(copies) > 1]
            # Largest first (what deleting the spare copies frees), then by name or
            # duration, so the order does not depend on the file.
            groups.sort(key=lambda g: (-g.size, g.name or "", g.duration or 0))
            return groups
        return self._guarded(run)

    @staticmethod
    def spare_copies(groups: Iterable[DuplicateGroup]) -> list[str]:
        """The ids to select so that one copy of each group stays: the newest ready copy,
        or, when none is ready, the newest copy. In group order, newest first within."""
        spare: list[str] = []
        for group in groups:
            keep = _keeper(group.copies)
            spare.extend(v.video_no for v in group.copies if v.video_no != keep)
        return spare


def _group(kind: str, copies: list[Video]) -> DuplicateGroup:
    first = copies[0]
    assert first.size is not None
    return DuplicateGroup(
        kind=kind, name=first.name if kind == "name_size" else None, size=first.size,
        duration=first.duration if kind == "size_duration" else None,
        copies=tuple(_newest_first(copies)),
    )


def _newest_first(copies: Iterable[Video]) -> list[Video]:
    """Newest first; no date counts as the oldest; ties by id, highest first."""
    by_id = sorted(copies, key=lambda v: v.video_no, reverse=True)
    return sorted(by_id, key=lambda v: (v.create_time is None,
                                        -v.create_time.timestamp() if v.create_time else 0.0))


def _keeper(copies: Sequence[Video]) -> str:
    ordered = _newest_first(copies)
    ready = [v for v in ordered if status_class(v.status) is StatusClass.READY]
    return (ready or ordered)[0].video_no


def _before(terms: Sequence[tuple[str, bool]],
            row: Sequence[Any]) -> tuple[str, list[object]]:
    """SQL for "comes before `row`" in the order of `terms` ((expression, descending)
    pairs, the values of `row` in the same order), and its parameters. A NULL value is
    only ever equal to NULL: the sorts put rows without a value in a group of their own
    (`_Sort.missing`) before comparing values."""
    ors: list[str] = []
    params: list[object] = []
    for i, (term, descending) in enumerate(terms):
        value = row[i]
        if value is None:
            continue  # nothing in this NULL group is strictly before it on this term
        ands: list[str] = []
        for (prev, _), prev_value in zip(terms[:i], row[:i], strict=True):
            if prev_value is None:
                ands.append(f"({prev}) IS NULL")
            else:
                ands.append(f"({prev}) = ?")
                params.append(prev_value)
        ands.append(f"({term}) {'>' if descending else '<'} ?")
        params.append(value)
        ors.append("(" + " AND ".join(ands) + ")")
    if not ors:
        return "0", params
    return " OR ".join(ors), params


def _stamp(text: str | None) -> datetime | None:
    value = _float_or_none(text)
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _float_or_none(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
