"""The index store without a server: search, filters, sorts, stats, duplicates, files.

Rows come from the fake's library turned into `Video`s the way the client would read
them (the fake's wire form, parsed by the api's parser), and every answer is checked
against a plain Python computation over the same videos.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from memories_tui.api.models import Video, parse_video
from memories_tui.api.status import StatusClass, status_class
from memories_tui.fake.library import FakeLibrary
from memories_tui.fake.wire import video_item
from memories_tui.paths import cache_dir
from memories_tui.services.index_store import (
    SCHEMA_VERSION,
    SORT_COLUMNS,
    IndexFilters,
    IndexStore,
    fold_name,
    index_path,
)

VIDEOS = 2000


@pytest.fixture(scope="module")
def library_videos() -> list[Video]:
    library = FakeLibrary(seed=1, videos=VIDEOS)
    return [v for rec in library.videos() if (v := parse_video(video_item(rec)))]


def fill(store: IndexStore, videos: list[Video], page: int = 500) -> None:
    for start in range(0, len(videos), page):
        store.write_page(videos[start:start + page], first_position=start, seq=1 + start)


@pytest.fixture
def store(tmp_path, library_videos):
    with IndexStore(tmp_path / "index.sqlite3") as store:
        fill(store, library_videos)
        yield store


# -- the plain Python computation the store is checked against ---------------------------


def matches(video: Video, f: IndexFilters) -> bool:
    if f.name_part and fold_name(f.name_part) not in fold_name(video.name):
        return False
    if f.status_class is not None and status_class(video.status) is not f.status_class:
        return False
    if f.size_min is not None and (video.size is None or video.size < f.size_min):
        return False
    if f.size_max is not None and (video.size is None or video.size > f.size_max):
        return False
    created = video.create_time
    if f.created_from is not None and (created is None or created < f.created_from):
        return False
    return not (f.created_to is not None and (created is None or created >= f.created_to))


RANK = {StatusClass.READY: 0, StatusClass.IN_PROGRESS: 1, StatusClass.FAILED: 2,
        StatusClass.UNKNOWN: 3}


def sort_value(video: Video, column: str):
    """What `column` sorts `video` by; None: the video has no value."""
    if column == "name":
        return fold_name(video.name)
    if column == "size":
        return video.size
    if column == "duration":
        return video.duration
    if column == "created":
        return video.create_time
    if column == "status":
        return None if video.status is None else (RANK[status_class(video.status)],
                                                  video.status)
    if column == "id":
        return video.video_no
    raise AssertionError(column)


def expected(videos, f: IndexFilters, column: str, descending: bool) -> list[str]:
    """The documented order: videos without a value last either way, ties by id."""
    chosen = [v for v in videos if matches(v, f)]
    known = sorted((v for v in chosen if sort_value(v, column) is not None),
                   key=lambda v: v.video_no)
    known.sort(key=lambda v: sort_value(v, column), reverse=descending)  # stable
    missing = sorted((v for v in chosen if sort_value(v, column) is None),
                     key=lambda v: v.video_no)
    return [v.video_no for v in known + missing]


# -- names ----------------------------------------------------------------------------------


def test_fold_name_ignores_case_accents_and_spacing():
    assert fold_name("São  Paulo") == "sao paulo"
    assert fold_name("CRÈME Brûlée") == "creme brulee"
    assert fold_name("Zürich\n walk") == "zurich walk"
    assert fold_name("ﬁle") == "file"  # compatibility forms unified
    assert fold_name("IMG_1234.MOV") == "img_1234.mov"


def test_search_finds_any_part_of_a_name_whatever_its_case_and_accents(store, library_videos):
    sao = [v.video_no for v in library_videos if "São Paulo" in v.name]
    assert sao, "the fake's library should hold São Paulo videos"
    for typed in ("sao paulo", "SÃO PAULO", "ão pau", "Sao  Paulo"):
        found, total = store.query(IndexFilters(name_part=typed), "name", limit=10_000)
        assert total == len(sao)
        assert sorted(v.video_no for v in found) == sorted(sao)


def test_a_closed_store_raises_and_leaves_its_file_alone(tmp_path, library_videos):
    path = tmp_path / "index.sqlite3"
    store = IndexStore(path)
    fill(store, library_videos[:100])
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.count()  # a late caller (a view, a thread) after the app closed it
    assert store.recovered is None
    assert not list(tmp_path.glob("*.broken-*"))
    with IndexStore(path) as again:
        assert again.count() == 100


def test_search_text_is_never_sql(store):
    for typed in ("%", "_", "' OR 1=1 --", '"; DROP TABLE videos; --', "\\"):
        found, total = store.query(IndexFilters(name_part=typed), limit=10_000)
        assert total == len(found)
        assert all(fold_name(typed) in fold_name(v.name) for v in found)
    assert store.count() == VIDEOS


# -- sorting and filtering across the whole library ------------------------------------------


FILTER_CASES = [
    IndexFilters(),
    IndexFilters(name_part="park"),
    IndexFilters(name_part="e", status_class=StatusClass.READY),
    IndexFilters(status_class=StatusClass.FAILED),
    IndexFilters(status_class=StatusClass.IN_PROGRESS, size_max=50_000_000),
    IndexFilters(size_min=10_000_000, size_max=500_000_000),
    IndexFilters(created_from=datetime(2025, 6, 1, tzinfo=UTC),
                 created_to=datetime(2026, 1, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize("column", [c for c in SORT_COLUMNS if c != "listing"])
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_and_filter_matches_a_plain_computation(store, library_videos, column,
                                                           descending):
    for f in FILTER_CASES:
        want = expected(library_videos, f, column, descending)
        # The whole result in one go, then page by page (including deep pages, read
        # from the other end).
        everything, total = store.query(f, column, descending, 0, 10_000)
        assert total == len(want)
        assert [v.video_no for v in everything] == want
        for offset in (0, 50, total // 2 - 7, total // 2 + 3, total - 50, total - 1):
            if offset < 0:
                continue
            page, page_total = store.query(f, column, descending, offset, 50)
            assert page_total == total
            assert [v.video_no for v in page] == want[offset:offset + 50], (f, offset)


def test_listing_order_is_the_order_the_pages_gave(store, library_videos):
    found, _ = store.query(sort="listing", limit=10_000)
    assert [v.video_no for v in found] == [v.video_no for v in library_videos]


def test_rows_come_back_as_the_api_gave_them(store, library_videos):
    found, _ = store.query(sort="listing", limit=10_000)
    assert found == library_videos  # name, status, size (None when "0"), dates, causes


def test_position_of_a_row_in_a_sorted_result(store, library_videos):
    for f, column, descending in ((IndexFilters(), "size", False),
                                  (IndexFilters(name_part="e"), "created", True),
                                  (IndexFilters(), "status", True),
                                  (IndexFilters(), "duration", False)):
        want = expected(library_videos, f, column, descending)
        for index in (0, 1, len(want) // 3, len(want) - 1):
            assert store.position_of(want[index], f, column, descending) == index
    unknown_size = next(v for v in library_videos if v.size is None)
    assert store.position_of(unknown_size.video_no, IndexFilters(size_min=1), "size") is None
    # Videos of unknown size come last, whichever the direction.
    for descending in (False, True):
        want = expected(library_videos, IndexFilters(), "size", descending)
        assert store.position_of(unknown_size.video_no, IndexFilters(), "size",
                                 descending) == want.index(unknown_size.video_no)
        assert store.get(want[-1]).size is None


# -- counts, selections, stats ---------------------------------------------------------------


def test_select_all_matching_gives_ids_count_and_size(store, library_videos):
    f = IndexFilters(name_part="e", status_class=StatusClass.READY)
    chosen = [v for v in library_videos if matches(v, f)]
    selection = store.matching_ids(f)
    assert set(selection.ids) == {v.video_no for v in chosen}
    assert selection.count == len(chosen)
    assert selection.total_size == sum(v.size or 0 for v in chosen)
    assert selection.unknown_sizes == sum(v.size is None for v in chosen)
    assert selection.unknown_sizes > 0  # ready videos listed with size "0"


def test_stats_per_status_class(store, library_videos):
    for f in (IndexFilters(), IndexFilters(name_part="a")):
        chosen = [v for v in library_videos if matches(v, f)]
        stats = {s.status_class: s for s in store.stats(f)}
        for cls in StatusClass:
            of_class = [v for v in chosen if status_class(v.status) is cls]
            if not of_class:
                assert cls not in stats
                continue
            assert stats[cls].count == len(of_class)
            assert stats[cls].total_size == sum(v.size or 0 for v in of_class)
            assert stats[cls].unknown_sizes == sum(v.size is None for v in of_class)


def test_drop_forgets_ids(store, library_videos):
    gone = [v.video_no for v in library_videos[:7]]
    assert store.drop([*gone, "VI-not-there"]) == 7
    assert store.count() == VIDEOS - 7
    assert all(store.get(i) is None for i in gone)


# -- duplicates ------------------------------------------------------------------------------


def expected_groups(videos, kind):
    groups: dict[tuple, list[Video]] = {}
    for v in videos:
        if v.size is None or v.size <= 0:
            continue
        if kind == "name_size":
            key = (v.name, v.size)
        elif v.duration is not None and v.duration > 0:
            key = (v.size, v.duration)
        else:
            continue
        groups.setdefault(key, []).append(v)
    return {k: {v.video_no for v in g} for k, g in groups.items() if len(g) > 1}


@pytest.mark.parametrize("kind", ["name_size", "size_duration"])
def test_duplicate_groups_match_the_repeated_uploads(store, library_videos, kind):
    want = expected_groups(library_videos, kind)
    assert len(want) > 10  # the fake repeats about 4 % of uploads
    groups = store.duplicate_groups(kind)
    got = {}
    for g in groups:
        key = (g.name, g.size) if kind == "name_size" else (g.size, g.duration)
        got[key] = {v.video_no for v in g.copies}
        stamps = [v.create_time for v in g.copies]
        assert stamps == sorted(stamps, reverse=True)  # newest first
    assert got == want
    sizes = [g.size for g in groups]
    assert sizes == sorted(sizes, reverse=True)


def test_spare_copies_keep_the_newest_ready_copy(store, library_videos):
    groups = store.duplicate_groups("name_size")
    spare = set(store.spare_copies(groups))
    for g in groups:
        kept = [v for v in g.copies if v.video_no not in spare]
        assert len(kept) == 1
        ready = [v for v in g.copies if status_class(v.status) is StatusClass.READY]
        pool = ready or list(g.copies)
        assert kept[0] == max(pool, key=lambda v: v.create_time)
    # Some group of the fake has a failed newer copy and an older ready one.
    assert any(status_class(g.copies[0].status) is not StatusClass.READY
               and any(status_class(v.status) is StatusClass.READY for v in g.copies)
               for g in groups)


def video(video_no, status, days, size=100, name="clip"):
    when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=days)
    return Video(video_no, name, status, 10, size, when, None)


def test_spare_copies_rules_on_hand_made_groups(tmp_path):
    with IndexStore(tmp_path / "i.sqlite3") as store:
        store.write_page([
            video("VI1", "PARSE", 1), video("VI2", "FAIL", 3), video("VI3", "DONE", 2),
            video("VI4", "UNPARSE", 1, size=7, name="b"),
            video("VI5", "FAILED", 2, size=7, name="b"),
        ], first_position=0, seq=1)
        groups = store.duplicate_groups("name_size")
        assert [[v.video_no for v in g.copies] for g in groups] == [
            ["VI2", "VI3", "VI1"], ["VI5", "VI4"]]
        # Newest ready copy (VI3, although VI2 is newer), then the newest when none is.
        assert store.spare_copies(groups) == ["VI2", "VI1", "VI4"]


# -- the file --------------------------------------------------------------------------------


def test_index_path_is_one_safe_file_per_server_and_namespace(tmp_path):
    base = tmp_path / "idx"
    a = index_path("https://api.memories.ai", "default", directory=base)
    assert a == index_path("https://api.memories.ai/serve/api/v1", "default", directory=base)
    others = {
        index_path("http://api.memories.ai", "default", directory=base),
        index_path("https://api.memories.ai:8443", "default", directory=base),
        index_path("https://other.example", "default", directory=base),
        index_path("https://api.memories.ai", "Default", directory=base),
        index_path("https://api.memories.ai", "a/b", directory=base),
        index_path("https://api.memories.ai", "a_b", directory=base),
        index_path("https://api.memories.ai", "../../etc/passwd", directory=base),
    }
    assert a not in others and len(others) == 7
    for path in (a, *others):
        assert path is not None and path.is_relative_to(base)
        assert path.parent.parent == base and "/" not in path.name and ".." not in path.name


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "memories-tui"
    assert cache_dir({"XDG_CACHE_HOME": "relative", "HOME": "/home/x"}) == \
        cache_dir({"HOME": "/home/x"})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = index_path("http://127.0.0.1:8000", "default")
    assert path is not None and path.is_relative_to(tmp_path / "memories-tui" / "index")


def test_new_file_is_wal_with_a_schema_version(tmp_path):
    path = tmp_path / "i.sqlite3"
    IndexStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION)
    db.close()


def test_a_corrupt_file_is_moved_aside_and_rebuilt(tmp_path, caplog, library_videos):
    path = tmp_path / "i.sqlite3"
    path.write_bytes(b"this is not a database" * 500)
    with IndexStore(path) as store:
        assert store.recovered and "moved" in store.recovered
        assert store.count() == 0
        fill(store, library_videos[:100])
        assert store.count() == 100
    assert any(p.name.startswith("i.sqlite3.broken-") for p in tmp_path.iterdir())
    assert "unusable" in caplog.text


def test_a_file_damaged_while_closed_is_rebuilt(tmp_path, library_videos):
    path = tmp_path / "i.sqlite3"
    with IndexStore(path) as store:
        fill(store, library_videos)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[4096 * 3:4096 * 40] = b"\xff" * (4096 * 37)  # pages of the table and indexes
    path.write_bytes(bytes(data))
    with IndexStore(path) as store:
        # Opening may succeed (the header is fine); the first query that meets a broken
        # page rebuilds the file and answers from the empty index, without raising.
        store.query(IndexFilters(name_part="a"), "size", limit=10)
        store.stats()
        store.duplicate_groups("name_size")
        assert store.recovered and "moved" in store.recovered
        assert store.count() == 0


def test_a_newer_schema_is_rebuilt_not_misread(tmp_path):
    path = tmp_path / "i.sqlite3"
    IndexStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with IndexStore(path) as store:
        assert store.recovered and "schema version 999" in store.recovered
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)


def test_a_folder_that_cannot_be_made_keeps_the_index_in_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with IndexStore(blocker / "sub" / "i.sqlite3") as store:
        assert store.path is None and store.recovered
        store.write_page([video("VI1", "PARSE", 1)], first_position=0, seq=1)
        assert store.count() == 1


def test_only_one_writer_per_file(tmp_path):
    path = tmp_path / "i.sqlite3"
    with IndexStore(path) as one, IndexStore(path) as two:
        assert one.acquire_writer()
        assert not two.acquire_writer()
        one.release_writer()
        assert two.acquire_writer()
