"""Sessions, public and private video details, images, tasks."""

from __future__ import annotations

import pytest

from memories_tui.fake import FakeServer
from memories_tui.fake.library import PARSE_AFTER_READS

from .helpers import ok_data

REFERENCE_PUBLIC = {
    "duration": "13", "status": "PARSE", "video_no": "PI-603068775285264430",
    "video_name": "24 HOURS WOLVES FANS. 🐺 #nba #minnesota #timberwolves ",
    "create_time": "1753242002121",
    "video_url": "https://www.tiktok.com/player/v1/7434361641896103211",
    "like_count": "1460", "share_count": "6", "comment_count": "29", "view_count": "14200",
    "collect_count": "50", "blogger_id": "timberwolves", "text_language": "en",
    "music_name": "original sound", "hash_tag": "#nba#minnesota#timberwolves",
    "publish_time": "1730947213",
}


def test_public_video_of_the_seed_document(client):
    response = client.get("/get_public_video_detail", params={"video_no": "PI-603068775285264430"})
    assert ok_data(response) == REFERENCE_PUBLIC


SPARSE = ["duration", "status", "video_no", "video_name", "create_time", "video_url",
          "blogger_id"]


def test_public_videos_mostly_carry_the_seven_fields_of_a_real_answer(client, server: FakeServer):
    ids = server.library.public_video_ids
    assert len(ids) >= 30 and all(i.startswith("PI-") and len(i) == 21 for i in ids)
    shapes = {"full": 0, "sparse": 0}
    for video_no in ids[1:]:
        data = ok_data(client.get("/get_public_video_detail", params={"video_no": video_no}))
        assert all(isinstance(v, str) for v in data.values())
        assert len(data["create_time"]) == 13
        if list(data) == SPARSE:
            shapes["sparse"] += 1
            continue
        assert list(data) == list(REFERENCE_PUBLIC)
        shapes["full"] += 1
        assert data["hash_tag"].startswith("#")
        # publish_time is seconds, create_time milliseconds.
        assert len(data["publish_time"]) == 10
    assert shapes["sparse"] > shapes["full"] > 0
    real = ok_data(client.get("/get_public_video_detail",
                              params={"video_no": "PI-603521765934764187"}))
    assert list(real) == SPARSE and "\n\n#mikeshinoda" in real["video_name"]
    missing = client.get("/get_public_video_detail", params={"video_no": "PI-1"}).json()
    assert missing["code"] == "0001" and missing["data"] is None


def test_private_video_details_and_metadata(client):
    video = ok_data(client.post("/list_videos", json={"size": 20}))["videos"][12]
    details = ok_data(
        client.get("/get_private_video_details", params={"video_no": video["video_no"]})
    )
    for key in ("video_no", "video_name", "duration", "size", "status", "create_time"):
        assert details[key] == video[key]
    assert {"fps", "width", "height", "resolution_label", "video_url"} <= set(details)
    assert details["resolution_label"].endswith(("P", "K"))
    meta = ok_data(client.get("/get_metadata", params={"video_no": video["video_no"]}))
    assert meta["size"] == int(video["size"]) and isinstance(meta["tags"], list)
    expected = {"datetime_taken", "camera_model", "latitude", "longitude", "bucket", "blob"}
    assert expected <= set(meta)
    missing = client.get("/get_private_video_details", params={"video_no": "VI0"}).json()
    assert missing["code"] == "0001"
    # A video of another namespace is not found in the default one.
    other = ok_data(client.post("/list_videos", json={"unique_id": "team-a"}))["videos"][0]
    assert client.get("/get_private_video_details",
                      params={"video_no": other["video_no"]}).json()["code"] == "0001"
    assert ok_data(client.get("/get_private_video_details",
                              params={"video_no": other["video_no"], "unique_id": "team-a"}))


def test_missing_required_parameter(client):
    for path in ("/get_private_video_details", "/get_public_video_detail",
                 "/get_session_detail", "/get_video_ids_by_task_id"):
        envelope = client.get(path).json()
        assert envelope["code"] == "0001" and envelope["failed"] is True
        assert "is required" in envelope["msg"]


@pytest.mark.parametrize("path", ["/serve/api/v1/list_sessions", "/serve/api/video/list_sessions"])
def test_list_sessions_on_both_paths(server: FakeServer, client, path):
    url = server.base_url + path
    first = ok_data(client.get(url, params={"page": 1}))
    assert first["current_page"] == 1 and first["page_size"] == 20
    total = int(first["total_count"])
    assert total == len(server.library.session_ids()) and total > 40
    assert all(set(s) == {"sessionId", "title"} and isinstance(s["sessionId"], str)
               for s in first["sessions"])
    later = [ok_data(client.get(url, params={"page": p}))["sessions"] for p in (2, 3)]
    ids = [s["sessionId"] for page in [first["sessions"], *later] for s in page]
    assert len(ids) == total == len(set(ids))
    assert "601308802842759168" in ids
    # A page past the end, or a namespace without sessions, is `data: null`.
    assert ok_data(client.get(url, params={"page": 4})) is None
    assert ok_data(client.get(url, params={"unique_id": "archive"})) is None


def test_session_detail_refs_point_at_real_videos(client, server: FakeServer):
    lib = server.library
    seen_private = seen_public = 0
    upper_case_seen = False
    types: set[str] = set()
    for session_id in lib.session_ids()[:15]:
        detail = ok_data(client.get("/get_session_detail", params={"sessionId": session_id}))
        assert isinstance(detail["title"], str) and detail["messages"]
        assert detail["session_id"] == session_id
        roles = [m["role"] for m in detail["messages"]]
        upper_case_seen |= "ASSISTANT" in roles
        assert roles[0] == "user" and {r.lower() for r in roles} == {"user", "assistant"}
        for message in detail["messages"]:
            for thinking in message.get("thinkings", []):
                assert set(thinking) == {"title", "content"}
            for ref in message.get("refs", []):
                video = ref["video"]
                assert set(video) == {"duration", "video_no", "video_name"}
                if video["video_no"].startswith(("VI", "VEI")):
                    seen_private += 1
                    assert lib.get_video(video["video_no"]).name == video["video_name"]
                else:
                    seen_public += 1
                    assert video["video_no"] in lib.public_video_ids
                for item in ref["refItems"]:
                    assert item["videoNo"] == video["video_no"]
                    start = float(item["startTime"])
                    assert 0 <= start <= max(1, int(video["duration"]))
                    types.add(item["type"])
                    if item["type"] == "keyframe":
                        assert "text" not in item and "endTime" not in item
                    else:
                        assert item["text"]
                        assert item.get("endTime", start + 1) > start
    assert seen_private and seen_public and upper_case_seen
    assert types == {"keyframe", "visual_ts", "audio_ts"}
    missing = client.get("/get_session_detail", params={"sessionId": "1"}).json()
    assert missing["code"] == "0001"
    team_a = ok_data(client.get("/list_sessions", params={"unique_id": "team-a"}))
    assert team_a["total_count"] == "5"


def test_images(client):
    response = client.post("/img_list_page", json={"page": 1, "size": 10})
    data = ok_data(response)
    # Under `item`, as the public evidence shows, with numeric ids above 2^53.
    assert set(data) == {"item", "current_page", "page_size", "total_count"}
    assert data["total_count"] == "57" and len(data["item"]) == 10
    for image in data["item"]:
        assert set(image) == {"id", "name", "img_url", "datetime_taken", "camera_model",
                              "latitude", "longitude", "bucket", "blob"}
        assert isinstance(image["id"], int) and image["id"] > 2**53
        assert str(image["id"]).encode() in response.content  # a number on the wire
    assert any(image["camera_model"] is None for image in data["item"])
    last = ok_data(client.post("/img_list_page", json={"page": 6, "size": 10}))
    assert len(last["item"]) == 7
    team_a = ok_data(client.post("/img_list_page", json={"unique_id": "team-a"}))
    assert team_a["total_count"] == "8"


def task(client, task_id, **params) -> dict:
    return client.get("/get_video_ids_by_task_id", params={"task_id": task_id, **params}).json()


def status_of(client, video_no) -> str:
    details = client.get("/get_private_video_details", params={"video_no": video_no})
    return ok_data(details)["status"]


def test_finished_and_empty_tasks(client, server: FakeServer):
    ids = server.library.task_ids
    assert set(ids) == {"finished", "growing", "empty"}
    assert all("_" in t and t.count("-") == 4 for t in ids.values())
    finished = task(client, ids["finished"])
    assert finished["code"] == "0000" and finished["data"]["taskId"] == ids["finished"]
    assert len(finished["data"]["video_ids"]) == 3
    for video_no in finished["data"]["video_ids"]:
        assert status_of(client, video_no) == "PARSE"
    for _ in range(3):
        assert task(client, ids["empty"])["data"] == {"taskId": ids["empty"], "video_ids": []}
    unknown = task(client, "00000000-0000-4000-8000-000000000000_0")
    assert unknown["code"] == "0001" and unknown["data"] is None and unknown["failed"] is True


def test_growing_task_reveals_ids_and_videos_get_parsed(fresh_client, fresh_server: FakeServer):
    task_id = fresh_server.library.task_ids["growing"]
    seen = [task(fresh_client, task_id)["data"]["video_ids"] for _ in range(6)]
    assert [len(ids) for ids in seen] == [1, 2, 3, 4, 4, 4]
    assert all(seen[i] == seen[i + 1][: len(seen[i])] for i in range(5))
    first = seen[-1][0]
    statuses = [status_of(fresh_client, first) for _ in range(PARSE_AFTER_READS + 2)]
    assert statuses == ["UNPARSE"] * PARSE_AFTER_READS + ["PARSE", "PARSE"]
    # Listing filtered by video_no also counts as a status read.
    second = seen[-1][1]
    listed = [
        ok_data(fresh_client.post("/list_videos", json={"video_no": second}))["videos"][0]["status"]
        for _ in range(PARSE_AFTER_READS + 1)
    ]
    assert listed[-1] == "PARSE" and listed[0] == "UNPARSE"
