"""List Videos: envelope, wire types, paging, filters, namespaces, auth."""

from __future__ import annotations

import httpx
import pytest

from memories_tui.fake import FakeServer

from .helpers import API, ok_data

STATUSES = ("PARSE", "DONE", "UNPARSE", "FAIL", "PARSE_ERROR", "FAILED")
FAILED = ("FAIL", "PARSE_ERROR", "FAILED")
VIDEO_KEYS = ["duration", "size", "status", "cause", "video_no", "video_name", "create_time"]


def list_videos(client: httpx.Client, **body) -> dict:
    return ok_data(client.post("/list_videos", json=body))


def test_envelope_and_string_numbers(client):
    data = list_videos(client, page=1, size=5)
    assert set(data) == {"videos", "current_page", "page_size", "total_count"}
    assert data["current_page"] == 1 and data["page_size"] == 5
    assert data["total_count"] == "300"
    assert len(data["videos"]) == 5
    for video in data["videos"]:
        assert list(video) == VIDEO_KEYS
        for key in ("duration", "size", "create_time"):
            assert isinstance(video[key], str) and video[key].isdigit()
        assert video["video_no"].startswith("VI") and len(video["video_no"]) == 20
        assert video["status"] in STATUSES
        failed = video["status"] in ("FAIL", "PARSE_ERROR", "FAILED")
        assert video["cause"] == "null" if not failed else video["cause"] != "null"


def test_defaults_page_one_size_twenty(client):
    data = list_videos(client)
    assert (data["current_page"], data["page_size"], len(data["videos"])) == (1, 20, 20)
    # No body at all is the same as an empty one.
    assert ok_data(client.post("/list_videos")) == data


def test_listing_is_not_in_time_order_and_times_in_the_fixed_two_years(client):
    # As the real capture: newest-first VI rows, then an older block of VEI rows in
    # ascending time order.
    videos = list_videos(client, size=300)["videos"]
    times = [int(v["create_time"]) for v in videos]
    vi = [t for v, t in zip(videos, times, strict=True) if v["video_no"].startswith("VI")]
    vei = [t for v, t in zip(videos, times, strict=True) if v["video_no"].startswith("VEI")]
    assert len(vei) == 18 and vi + vei == times
    assert vi == sorted(vi, reverse=True) and vei == sorted(vei)
    assert max(vei) < min(vi) and times != sorted(times, reverse=True)
    # 2024-11-01 .. 2026-11-01
    assert min(times) > 1_730_419_200_000 and max(times) < 1_793_491_200_000


def test_paging_covers_everything_once(client):
    seen = []
    for page in range(1, 5):
        data = list_videos(client, page=page, size=80)
        assert data["current_page"] == page and data["total_count"] == "300"
        seen += [v["video_no"] for v in data["videos"]]
    assert len(seen) == 300 == len(set(seen))
    assert list_videos(client, page=99, size=80)["videos"] == []


def test_mix_of_statuses_sizes_and_names(client):
    videos = list_videos(client, size=300)["videos"]
    counts = {s: sum(v["status"] == s for v in videos) for s in STATUSES}
    assert all(counts.values()), counts  # every spelling occurs
    assert counts["FAIL"] > counts["PARSE_ERROR"] + counts["FAILED"]  # mostly FAIL
    assert counts["PARSE"] > counts["DONE"]
    sizes = [int(v["size"]) for v in videos]
    assert min(s for s in sizes if s) < 1 << 20 and max(sizes) > 1 << 30
    durations = [int(v["duration"]) for v in videos]
    assert max(durations) > 3600
    assert any(not v["video_name"].isascii() for v in videos)
    causes = {v["cause"] for v in videos if v["status"] in FAILED}
    assert "null" not in causes and "Indexing failed. " in causes
    # As in real answers: FAIL and UNPARSE rows list duration 0, some ready ones size 0.
    assert all(v["duration"] == "0" for v in videos if v["status"] in ("FAIL", "UNPARSE"))
    unknown = [v for v in videos if v["size"] == "0"]
    assert unknown and not any(v["status"] in FAILED for v in unknown)


def test_repeated_uploads_share_name_and_size(client):
    videos = list_videos(client, size=300)["videos"]
    by_name: dict[str, list[dict]] = {}
    for v in videos:
        by_name.setdefault(v["video_name"], []).append(v)
    repeats = [group for group in by_name.values()
               if len(group) > 1 and len({v["size"] for v in group}) == 1]
    assert repeats
    # Somewhere a failed copy sits beside a ready one.
    assert any({v["status"] in FAILED for v in g} == {True, False} for g in repeats)


def test_name_filter_matches_exactly(client, server: FakeServer):
    everything = list_videos(client, size=300)["videos"]
    name = server.library.repeated_name()
    expected = [v["video_no"] for v in everything if v["video_name"] == name]
    data = list_videos(client, size=300, video_name=name)
    assert [v["video_no"] for v in data["videos"]] == expected and len(expected) > 1
    # Part of a name, or another case, finds nothing: the service matches exactly.
    assert list_videos(client, size=300, video_name=name[:-2])["total_count"] == "0"
    assert list_videos(client, size=300, video_name=name.upper())["total_count"] == "0"


def test_name_filter_contains_when_asked():
    from .helpers import make_client

    with FakeServer(name_match="contains") as srv, make_client(srv) as client:
        everything = list_videos(client, size=300)["videos"]
        word = "img_"
        expected = [v["video_no"] for v in everything if word in v["video_name"].casefold()]
        data = list_videos(client, size=300, video_name=word.upper())
        assert [v["video_no"] for v in data["videos"]] == expected
        assert data["total_count"] == str(len(expected)) and expected


def test_video_no_and_status_filters(client):
    everything = list_videos(client, size=300)["videos"]
    target = everything[10]
    data = list_videos(client, video_no=target["video_no"])
    assert data["videos"] == [target] and data["total_count"] == "1"
    assert list_videos(client, video_no="VI000000000000000000")["videos"] == []
    for spelling in FAILED:  # the filter matches the spelling exactly
        failed = list_videos(client, status=spelling, size=300)
        assert failed["videos"] and all(v["status"] == spelling for v in failed["videos"])
        assert failed["total_count"] == str(sum(v["status"] == spelling for v in everything))


def test_namespaces(client, server: FakeServer):
    team = list_videos(client, unique_id="team-a", size=100)
    assert team["total_count"] == "24"
    default_ids = {v["video_no"] for v in list_videos(client, size=300)["videos"]}
    assert not default_ids & {v["video_no"] for v in team["videos"]}
    assert list_videos(client, unique_id="archive")["total_count"] == "9"
    assert "nobody-here" not in server.library.namespaces
    assert list_videos(client, unique_id="nobody-here") == {
        "videos": [], "current_page": 1, "page_size": 20, "total_count": "0"}
    # Naming it created it, as the service creates a folder for an unknown unique_id.
    assert "nobody-here" in server.library.created_namespaces
    listed = ok_data(client.get("/list_unique_ids"))["unique_ids"]
    assert listed[:5] == ["default", "team-a", "archive", "docs", "test"]
    assert "nobody-here" in listed and len(listed) == len(set(listed))
    # unique_id belongs in the body; a query parameter is ignored, as the reference says.
    as_query = ok_data(client.post("/list_videos", params={"unique_id": "team-a"}, json={}))
    assert as_query["total_count"] == "300"
    assert server.library.namespaces[:3] == ("default", "team-a", "archive")


def test_seed_document_list_example(client):
    # The seed document's request, with the namespace that holds its three videos.
    response = client.post("/list_videos", json={"page": 1, "size": 200, "unique_id": "docs"})
    assert response.json() == {
        "code": "0000", "msg": "success",
        "data": {"videos": [
            {"duration": "12", "size": "3284512", "status": "PARSE", "cause": "null",
             "video_no": "VI606404158946574336", "video_name": "182082-867762198_tiny",
             "create_time": "1754037217992"},
            {"duration": "61", "size": "5324808", "status": "PARSE", "cause": "null",
             "video_no": "VI606402870447996928",
             "video_name": "test_video_gz_visual_understanding_s36_gun_6_special_gun_6",
             "create_time": "1754036910783"},
            {"duration": "44", "size": "3583477", "status": "PARSE", "cause": "null",
             "video_no": "VI606401846039576576",
             "video_name": "ssstik.io_@evarose.cosplay_1747479033469",
             "create_time": "1754036666561"},
        ], "current_page": 1, "page_size": 200, "total_count": "3"},
        "success": True, "failed": False,
    }
    # Every documented parameter at once; placeholders match nothing.
    data = list_videos(client, page=1, size=200, video_name="<VIDEO_NAME>", video_no="<VIDEO_ID>",
                       unique_id="<UNIQUE_ID>", status="<STATUS>")
    assert data == {"videos": [], "current_page": 1, "page_size": 200, "total_count": "0"}
    tiny = list_videos(client, unique_id="docs", video_name="182082-867762198_tiny",
                       status="PARSE")
    assert [v["video_no"] for v in tiny["videos"]] == ["VI606404158946574336"]


@pytest.mark.parametrize("body", [{"page": 0}, {"size": -1}, {"size": 5000}, {"page": "x"},
                                  {"video_name": 5}, [1, 2]])
def test_bad_parameters_get_an_error_envelope(client, body):
    response = client.post("/list_videos", json=body)
    assert response.status_code == 200
    envelope = response.json()
    assert envelope["code"] not in ("0000", None) and envelope["data"] is None
    assert envelope["success"] is False and envelope["failed"] is True


def test_body_that_is_not_json(client):
    response = client.post(
        "/list_videos", content=b"page=1", headers={"Content-Type": "text/plain"}
    )
    assert response.json()["code"] == "0003"
    assert "Parameter error" in response.json()["msg"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "sk-wrong"}, {"Authorization": "Bearer sk-test"}, {"Authorization": ""}],
)
def test_missing_or_wrong_key_is_401_with_json(server: FakeServer, headers):
    response = httpx.post(server.base_url + API + "/list_videos", json={}, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert "sk-test" not in response.text and response.json()["failed"] is True


def test_any_key_accepted_without_a_configured_key():
    with FakeServer() as srv:
        url = srv.base_url + API + "/list_videos"
        anything = httpx.post(url, json={}, headers={"Authorization": "anything"})
        assert anything.json()["code"] == "0000"
        assert httpx.post(url, json={}).status_code == 401


def test_wrong_method_and_unknown_route(client):
    assert client.get("/list_videos").status_code == 405
    # An unknown route answers HTTP 200 and 0001, as the service does.
    response = client.get("/no_such_endpoint")
    assert response.status_code == 200
    assert response.json() == {"code": "0001", "msg": "No static resource api.", "data": None,
                               "failed": True, "success": False}


def test_requests_are_recorded_without_the_key(fresh_server: FakeServer, fresh_client):
    fresh_server.clear_requests()
    fresh_client.post("/list_videos", json={"page": 2}, params={"x": "1"})
    fresh_client.get("/list_sessions", params={"page": "1"})
    first, second = fresh_server.requests
    assert (first.method, first.path, first.query, first.json) == (
        "POST", "/serve/api/v1/list_videos", {"x": "1"}, {"page": 2})
    assert first.has_auth and "authorization" not in first.headers
    assert all("sk-test" not in str(v) for v in first.headers.values())
    assert (second.method, second.json) == ("GET", None)
    fresh_server.clear_requests()
    assert fresh_server.requests == []


def test_max_page_size_caps_the_page_and_says_so():
    from .helpers import make_client

    with FakeServer(seed=2, videos=50, max_page_size=20) as srv, make_client(srv) as client:
        data = ok_data(client.post("/list_videos", json={"page": 2, "size": 30}))
        assert data["page_size"] == 20 and len(data["videos"]) == 20
        assert int(data["total_count"]) == 50
        data = ok_data(client.post("/list_videos", json={"page": 3, "size": 30}))
        assert len(data["videos"]) == 10  # rows 41-50: page 3 counted in pages of 20
