"""Determinism, the 100,000-video library, the hostile profile, and library properties."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from memories_tui.fake import FakeServer
from memories_tui.fake.hostile import HOSTILE_CAUSES, HOSTILE_NAMES, LONG_NAME
from memories_tui.fake.library import FakeLibrary

from .helpers import make_client, ok_data


def snapshot(srv: FakeServer) -> list:
    """A sample of answers from every read-only endpoint."""
    lib = srv.library
    with make_client(srv) as c:
        return [
            c.post("/list_videos", json={"page": 2, "size": 50}).json(),
            c.post("/list_videos", json={"unique_id": "team-a"}).json(),
            c.get("/list_sessions", params={"page": 2}).json(),
            c.get("/get_session_detail", params={"sessionId": lib.session_ids()[3]}).json(),
            c.get("/get_public_video_detail", params={"video_no": lib.public_video_ids[4]}).json(),
            c.post("/img_list_page", json={}).json(),
            lib.task_ids,
            c.post("/download", json={"video_no": lib.small_video_ids(limit=1)[0]}).content,
        ]


def test_same_seed_same_answers_other_seed_other_answers():
    with FakeServer(seed=7) as a, FakeServer(seed=7) as b, FakeServer(seed=8) as c:
        first, second, other = snapshot(a), snapshot(b), snapshot(c)
    assert first == second
    assert all(x != y for x, y in zip(first, other, strict=True))


def test_data_does_not_depend_on_the_wall_clock():
    # Two libraries built at different moments agree, and times stay before 2026-11-01.
    a, b = FakeLibrary(seed=1), FakeLibrary(seed=1)
    assert list(a.videos()) == list(b.videos())
    assert max(v.create_ms for v in a.videos()) < 1_793_491_200_000


def test_library_of_100000_videos():
    with FakeServer(videos=100_000) as srv, make_client(srv) as c:
        first = ok_data(c.post("/list_videos", json={"page": 1, "size": 20}))
        assert first["total_count"] == "100000" and len(first["videos"]) == 20
        last = ok_data(c.post("/list_videos", json={"page": 5000, "size": 20}))
        assert len(last["videos"]) == 20
        assert int(last["videos"][-1]["create_time"]) < int(first["videos"][0]["create_time"])
        name = srv.library.repeated_name()
        found = ok_data(c.post("/list_videos", json={"video_name": name, "size": 1000}))
        assert int(found["total_count"]) > 1
        assert all(v["video_name"] == name for v in found["videos"])
        target = last["videos"][5]
        by_id = ok_data(c.post("/list_videos", json={"video_no": target["video_no"]}))
        assert by_id["videos"] == [target]
        failed = ok_data(c.post("/list_videos", json={"status": "FAIL", "page": 3}))
        assert int(failed["total_count"]) > 1000


def test_hostile_profile():
    with FakeServer(hostile=True) as srv, make_client(srv) as c:
        raw = c.post("/list_videos", json={"size": 100})
        videos = ok_data(raw)["videos"]
        assert 30 <= len(videos) <= 60
        names = [v["video_name"] for v in videos]
        for name in HOSTILE_NAMES:
            assert name in names, repr(name[:40])
        assert LONG_NAME in names and len(LONG_NAME) == 10_000
        # Some records carry values of the wrong JSON type.
        assert any(not isinstance(v["video_name"], str) for v in videos)
        assert any(v["video_name"] is None for v in videos)
        assert any(isinstance(v["video_no"], int) for v in videos)
        assert any(isinstance(v.get("cause"), dict) for v in videos)
        causes = {v["cause"] for v in videos if isinstance(v["cause"], str)}
        assert causes & set(HOSTILE_CAUSES)
        # Control characters travel JSON-escaped: the raw body holds no raw ESC.
        assert b"\x1b" not in raw.content and any("\x1b" in n for n in names if isinstance(n, str))

        sessions = ok_data(c.get("/list_sessions"))["sessions"]
        assert any(s["title"] is None or "[" in str(s["title"]) for s in sessions)
        details = [c.get("/get_session_detail", params={"sessionId": str(s["sessionId"])}).json()
                   for s in sessions]
        messages = [m for d in details if d["code"] == "0000" for m in d["data"]["messages"]]
        assert any(isinstance(m.get("thinkings"), dict) for m in messages)
        assert any(isinstance(m.get("refs"), dict) for m in messages)
        public = [srv.library.public_video(i) for i in srv.library.public_video_ids]
        assert any(isinstance(p.get("hash_tag"), list) for p in public)
        assert any("\x1b" in str(p["video_name"]) for p in public)
        images = ok_data(c.post("/img_list_page", json={"size": 100}))["item"]
        assert any(i["name"] in HOSTILE_NAMES for i in images)
        # Hostile videos still download, so file-name sanitising can be tested.
        target = next(v for v in videos if v["video_name"] == "../../etc/passwd")
        response = c.post("/download", json={"video_no": target["video_no"]})
        assert response.headers["content-type"] == "application/octet-stream"


_LIB = FakeLibrary(seed=5, videos=137)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 60), name=st.sampled_from([None, "", "a", "IMG", "é", "🎬", "zzz"]),
       status=st.sampled_from([None, "PARSE", "UNPARSE", "FAILED"]))
def test_pages_partition_the_filtered_listing(size, name, status):
    everything, total = _LIB.query_videos(page=1, size=1000, name=name, status=status)
    assert total == len(everything)
    pages = []
    for page in range(1, total // size + 3):
        chunk, page_total = _LIB.query_videos(page=page, size=size, name=name, status=status)
        assert page_total == total and len(chunk) <= size
        pages += chunk
    assert pages == everything
    for video in everything:
        assert not name or name.casefold() in video.name.casefold()
        assert not status or video.status == status


@settings(max_examples=40, deadline=None)
@given(doomed=st.lists(st.integers(0, 49), max_size=30))
def test_deletes_remove_exactly_the_named_videos(doomed):
    lib = FakeLibrary(seed=2, videos=50)
    ids = [v.video_no for v in lib.videos()]
    deleted = lib.delete_videos([ids[i] for i in doomed] + ["VI1", "bogus"])
    assert set(deleted) == {ids[i] for i in doomed}
    remaining = [v.video_no for v in lib.videos()]
    assert remaining == [i for i in ids if i not in set(deleted)]
    assert lib.query_videos(size=100)[1] == lib.video_count() == 50 - len(set(doomed))


def test_small_videos_exist_in_every_generated_namespace():
    lib = FakeLibrary()
    for ns in ("default", "team-a", "archive"):
        ids = lib.small_video_ids(ns, limit=1)
        assert len(ids) == 1 and all(lib.get_video(i, ns).size <= 1 << 20 for i in ids)


def test_admin_state_is_json_for_scripts():
    with FakeServer() as srv:
        state = httpx.get(srv.base_url + "/_fake/state").json()
    assert set(state["videos"]) == {"default", "team-a", "archive", "docs", "test"}


def test_serve_forever_prints_its_address_and_stops_on_ctrl_c():
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", "from memories_tui.fake.server import serve_forever;"
         "serve_forever(port=0, seed=2, videos=50, rate_limit=5)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Fake Memories.ai server on http://127.0.0.1:")
        assert "(seed 2, 50 videos, rate limit 5 req/s)" in line
        base = line.split(" on ", 1)[1].split(" ", 1)[0]
        response = httpx.post(base + "/serve/api/v1/list_videos", json={"size": 2},
                              headers={"Authorization": "sk-test"})
        assert response.json()["data"]["total_count"] == "50"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
