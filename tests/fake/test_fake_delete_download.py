"""Delete Videos and Download Video."""

from __future__ import annotations

import httpx

from memories_tui.fake import FakeServer, expected_bytes

from .helpers import ok_data

DOCUMENTED_OK = {"code": "0000", "msg": "success", "data": None, "success": True, "failed": False}
DOCUMENTED_NOT_FOUND = {"code": "0001", "msg": "video not found", "data": None,
                        "failed": True, "success": False}


def total(client, **body) -> int:
    return int(ok_data(client.post("/list_videos", json=body))["total_count"])


def test_delete_removes_videos_and_ignores_unknown_ids(fresh_client):
    videos = ok_data(fresh_client.post("/list_videos", json={"size": 5}))["videos"]
    doomed = [videos[1]["video_no"], videos[3]["video_no"]]
    response = fresh_client.post("/delete_videos", json=doomed + ["VI1234567890"])
    assert response.json() == DOCUMENTED_OK
    assert total(fresh_client) == 298
    listed = ok_data(fresh_client.post("/list_videos", json={"size": 300}))["videos"]
    remaining = [v["video_no"] for v in listed]
    assert not set(doomed) & set(remaining) and len(remaining) == 298
    assert fresh_client.get("/get_private_video_details",
                            params={"video_no": doomed[0]}).json()["code"] == "0001"
    gone = fresh_client.post("/download", json={"video_no": doomed[0]}).json()
    assert gone == DOCUMENTED_NOT_FOUND
    # Deleting again is harmless.
    assert fresh_client.post("/delete_videos", json=doomed).json()["code"] == "0000"
    assert total(fresh_client) == 298


def test_seed_document_delete_example_uses_query_unique_id(fresh_client):
    # The seed document: bare array body, unique_id as a query parameter.
    response = fresh_client.post("/delete_videos", json=["VI1234567890", "VI0987654321"],
                                 params={"unique_id": "team-a"})
    assert response.json() == DOCUMENTED_OK
    team = ok_data(fresh_client.post("/list_videos", json={"unique_id": "team-a"}))["videos"]
    fresh_client.post("/delete_videos", json=[team[0]["video_no"]], params={"unique_id": "team-a"})
    assert total(fresh_client, unique_id="team-a") == 23
    assert total(fresh_client) == 300


def test_more_than_100_ids_is_refused(fresh_client):
    listed = ok_data(fresh_client.post("/list_videos", json={"size": 101}))["videos"]
    ids = [v["video_no"] for v in listed]
    refused = fresh_client.post("/delete_videos", json=ids).json()
    assert refused["code"] not in ("0000", None) and refused["failed"] is True
    assert total(fresh_client) == 300  # nothing deleted
    assert fresh_client.post("/delete_videos", json=ids[:100]).json()["code"] == "0000"
    assert total(fresh_client) == 200


def test_delete_body_must_be_an_array(fresh_client):
    for body in ({"video_nos": ["VI1"]}, "VI1", [1, 2]):
        assert fresh_client.post("/delete_videos", json=body).json()["code"] == "0003"


def test_download_small_video(client, server: FakeServer):
    video_no = server.library.small_video_ids(limit=1)[0]
    size = server.library.get_video(video_no).size
    assert size <= 1 << 20
    with client.stream("POST", "/download", json={"video_no": video_no}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert int(response.headers["content-length"]) == size
        body = b"".join(response.iter_raw())
    assert body == expected_bytes(video_no, size)


def test_seed_document_download_example(server: FakeServer):
    # The seed document's example, verbatim: key "sk-test", unique_id "test".
    response = httpx.post(server.base_url + "/serve/api/v1/download",
                          headers={"Authorization": "sk-test"},
                          json={"unique_id": "test", "video_no": "VI625239098370850816"})
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == expected_bytes("VI625239098370850816", 1_572_864)


def test_download_unknown_video_is_a_json_envelope(client):
    response = client.post("/download", json={"video_no": "VI000000000000000001"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == DOCUMENTED_NOT_FOUND
    # Right id, wrong namespace: not found either.
    elsewhere = client.post("/download", json={"video_no": "VI625239098370850816"}).json()
    assert elsewhere == DOCUMENTED_NOT_FOUND
    assert client.post("/download", json={}).json()["code"] == "0001"


def test_large_download_streams_and_can_be_abandoned(client, server: FakeServer):
    big = next(v for v in server.library.videos() if v.size > 1 << 30)
    with client.stream("POST", "/download", json={"video_no": big.video_no}) as response:
        assert int(response.headers["content-length"]) == big.size
        got = b""
        for chunk in response.iter_raw():
            got += chunk
            if len(got) >= 3 << 20:
                break
    assert got == expected_bytes(big.video_no, big.size, 0, len(got))
    # The server is still fine after the client walked away mid-stream.
    assert ok_data(client.post("/list_videos", json={"size": 1}))


def test_expected_bytes_ranges_are_consistent():
    whole = expected_bytes("VI42", 300_000)
    assert len(whole) == 300_000
    assert expected_bytes("VI42", 300_000, 65_530, 200_001) == whole[65_530:200_001]
    assert expected_bytes("VI42", 300_000, 299_999, 10**9) == whole[-1:]
    assert expected_bytes("VI42", 300_000, 5, 5) == b""
    assert expected_bytes("VI43", 300_000) != whole
    # Every 64 KiB segment differs, so a lost or repeated chunk is detectable.
    segments = {whole[i:i + 65_536] for i in range(0, 262_144, 65_536)}
    assert len(segments) == 4


def test_download_rate_slows_the_stream_to_a_pace():
    """`download_rate` stands for a slow link: a download takes at least size / rate."""
    import time

    from .helpers import make_client

    with FakeServer(download_rate=1_000_000) as srv, make_client(srv) as client:
        rec = next(r for r in srv.library.videos() if 300_000 <= r.size <= 600_000)
        video_no, size = rec.video_no, rec.size
        started = time.monotonic()
        with client.stream("POST", "/download", json={"video_no": video_no}) as response:
            body = b"".join(response.iter_raw())
        assert body == expected_bytes(video_no, size)
        assert time.monotonic() - started >= 0.8 * size / 1_000_000
