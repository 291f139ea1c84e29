"""Fault switches, the rate limit, and shutting down with requests in flight."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from memories_tui.fake import FakeServer, expected_bytes
from memories_tui.fake.faults import FAULT_KINDS, LONG_EXTRA

from .helpers import API, API_KEY, make_client, ok_data


@pytest.fixture(scope="module")
def fault_server():
    with FakeServer(seed=3, api_key=API_KEY) as srv:
        yield srv


@pytest.fixture
def fc(fault_server: FakeServer):
    fault_server.faults.clear()
    with make_client(fault_server, timeout=5.0) as c:
        yield c
    fault_server.faults.clear()


def small_video(srv: FakeServer) -> tuple[str, int]:
    video_no = srv.library.small_video_ids(limit=1, max_size=1 << 20)[0]
    return video_no, srv.library.get_video(video_no).size


def test_unknown_kind_is_refused(fault_server):
    with pytest.raises(ValueError):
        fault_server.faults.push("teapot")


def test_429_fault(fault_server, fc):
    before = fault_server.rate_limited_count
    fault_server.faults.push("429", count=2)
    for _ in range(2):
        response = fc.post("/list_videos", json={})
        assert response.status_code == 200 and response.headers["retry-after"] == "1"
        # The v1.2 Rate Limits page's answer: no data, success or failed.
        assert response.json() == {"code": "0429", "msg": "Request has exceeded the limit."}
    assert ok_data(fc.post("/list_videos", json={}))
    assert fault_server.rate_limited_count == before + 2


def test_http_error_faults(fault_server, fc):
    fault_server.faults.push("500")
    fault_server.faults.push("502")
    fault_server.faults.push("503-html")
    r500, r502, r503 = (fc.get("/list_sessions") for _ in range(3))
    assert r500.status_code == 500 and "code" not in r500.json()
    assert r502.status_code == 502 and r502.headers["content-type"].startswith("text/html")
    assert r503.status_code == 503 and "<html>" in r503.text
    assert ok_data(fc.get("/list_sessions"))


def test_malformed_and_envelope_missing(fault_server, fc):
    fault_server.faults.push("malformed")
    fault_server.faults.push("envelope-missing")
    malformed = fc.post("/list_videos", json={})
    assert malformed.status_code == 200 and malformed.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.content)
    missing = fc.post("/list_videos", json={})
    assert missing.status_code == 200 and "code" not in missing.json()


def test_faults_can_target_a_path(fault_server, fc):
    fault_server.faults.push("500", path="/download")
    assert ok_data(fc.post("/list_videos", json={"size": 1}))
    video_no, _ = small_video(fault_server)
    assert fc.post("/download", json={"video_no": video_no}).status_code == 500
    assert fault_server.faults.pending == []


def read_partial_download(client: httpx.Client, video_no: str) -> tuple[int, bytes]:
    got = b""
    with client.stream("POST", "/download", json={"video_no": video_no}) as response:
        declared = int(response.headers["content-length"])
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                got += chunk
    return declared, got


@pytest.mark.parametrize("kind", ["cut", "short"])
def test_truncated_downloads(fault_server, fc, kind):
    video_no, size = small_video(fault_server)
    fault_server.faults.push(kind)
    declared, got = read_partial_download(fc, video_no)
    assert declared == size
    expected_len = size // 2 if kind == "cut" else size - max(1, size // 10)
    assert len(got) == expected_len
    assert got == expected_bytes(video_no, size, 0, expected_len)
    # The next download is whole again.
    whole = fc.post("/download", json={"video_no": video_no}).content
    assert whole == expected_bytes(video_no, size)


def test_cut_json_answer(fault_server, fc):
    fault_server.faults.push("cut")
    with pytest.raises(httpx.RemoteProtocolError):
        fc.post("/list_videos", json={"size": 50})
    assert ok_data(fc.post("/list_videos", json={"size": 50}))


def raw_http(srv: FakeServer, request: bytes) -> bytes:
    with socket.create_connection((srv.host, srv.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def test_long_download_sends_more_than_content_length(fault_server, fc):
    video_no, size = small_video(fault_server)
    fault_server.faults.push("long")
    body = json.dumps({"video_no": video_no}).encode()
    raw = raw_http(fault_server, b"POST " + API.encode() + b"/download HTTP/1.1\r\nHost: x\r\n"
                   b"Authorization: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert b"content-length: " + str(size).encode() in head.lower()
    assert len(payload) == size + LONG_EXTRA
    assert payload[:size] == expected_bytes(video_no, size)
    # A client that trusts Content-Length gets exactly the video.
    fault_server.faults.push("long")
    whole = fc.post("/download", json={"video_no": video_no}).content
    assert whole == expected_bytes(video_no, size)


def test_stall_blocks_only_the_stalled_request(fault_server, fc):
    fault_server.faults.push("stall")
    with pytest.raises(httpx.ReadTimeout):
        fc.post("/list_videos", json={}, timeout=0.5)
    assert ok_data(fc.post("/list_videos", json={}))


def test_stop_is_prompt_with_stalled_request_and_running_download():
    srv = FakeServer(api_key=API_KEY)
    srv.start()
    errors: list[BaseException] = []

    def stalled():
        try:
            with make_client(srv, timeout=30.0) as c:
                c.get("/list_sessions")
        except httpx.HTTPError as exc:
            errors.append(exc)

    def downloading():
        big = next(v for v in srv.library.videos() if v.size > 1 << 30)
        try:
            with make_client(srv, timeout=30.0) as c, c.stream(
                    "POST", "/download", json={"video_no": big.video_no}) as response:
                for _ in response.iter_raw():
                    time.sleep(0.01)  # a slow reader: the server must not wait for it
        except httpx.HTTPError as exc:
            errors.append(exc)

    srv.faults.push("stall", path="/list_sessions")
    threads = [threading.Thread(target=stalled), threading.Thread(target=downloading)]
    for t in threads:
        t.start()
    # A client that asks for a big download and then never reads: back-pressure.
    big = next(v for v in srv.library.videos() if v.size > 1 << 30)
    body = json.dumps({"video_no": big.video_no}).encode()
    stuck = socket.create_connection((srv.host, srv.port))
    stuck.sendall(b"POST " + API.encode() + b"/download HTTP/1.1\r\nHost: x\r\n"
                  b"Authorization: " + API_KEY.encode() + b"\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    assert stuck.recv(12) == b"HTTP/1.1 200"
    time.sleep(0.5)
    srv.stop()
    # Stopping did not wait for the stuck client: its connection is closed by now.
    stuck.settimeout(5)
    try:
        while stuck.recv(1 << 20):
            pass
    except ConnectionResetError:
        pass
    stuck.close()
    for t in threads:
        t.join(5)
        assert not t.is_alive()
    assert len(errors) == 2 and all(isinstance(e, httpx.HTTPError) for e in errors)


def test_rate_limit_over_all_endpoints():
    with FakeServer(api_key=API_KEY, rate_limit=2.0) as srv, make_client(srv) as c:
        answers = [c.post("/list_videos", json={}).json()["code"],
                   c.get("/list_sessions").json()["code"],
                   c.post("/img_list_page", json={}).json()["code"],
                   c.get("/get_public_video_detail",
                         params={"video_no": "PI-603068775285264430"}).json()["code"]]
        assert answers[0] == "0000" and answers.count("0429") >= 2
        assert srv.rate_limited_count == answers.count("0429")
        limited = c.get("/list_sessions")
        if limited.json()["code"] == "0429":  # as the service often answers: no Retry-After
            assert "retry-after" not in limited.headers
        time.sleep(0.6)
        assert c.get("/list_sessions").json()["code"] == "0000"
        # The admin routes are never limited.
        for _ in range(5):
            assert httpx.get(srv.base_url + "/_fake/state").status_code == 200


def test_admin_routes(fault_server):
    base = fault_server.base_url
    state = httpx.get(base + "/_fake/state").json()
    assert state["task_ids"] == fault_server.library.task_ids and state["videos"]["default"] == 300
    pending = httpx.post(base + "/_fake/faults", json={"kind": "502", "count": 2}).json()["pending"]
    assert pending == [{"kind": "502", "count": 2, "path": None}]
    assert httpx.post(base + "/_fake/faults", json={"kind": "nope"}).status_code == 400
    assert httpx.delete(base + "/_fake/faults").json()["pending"] == []
    fault_server.clear_requests()
    httpx.get(base + API + "/list_sessions", headers={"Authorization": API_KEY})
    recorded = httpx.get(base + "/_fake/requests").json()["requests"]
    assert [r["path"] for r in recorded] == [API + "/list_sessions"]
    assert recorded[0]["has_auth"] and API_KEY not in json.dumps(recorded)


def test_401_fault_is_a_revoked_key(fault_server, fc):
    fault_server.faults.push("401")
    response = fc.get("/list_sessions")
    assert response.status_code == 401
    assert response.json()["code"] == "0401" and response.json()["failed"] is True
    assert ok_data(fc.get("/list_sessions"))


def test_envelope_of_the_wrong_types(fault_server, fc):
    fault_server.faults.push("envelope-types")
    fault_server.faults.push("data-types")
    wrong = fc.post("/list_videos", json={})
    assert wrong.status_code == 200
    body = wrong.json()
    assert isinstance(body["code"], dict) and isinstance(body["msg"], list)
    assert isinstance(body["data"], str) and isinstance(body["success"], str)
    data_wrong = fc.post("/list_videos", json={}).json()
    assert data_wrong["code"] == "0000" and isinstance(data_wrong["data"], list)
    assert ok_data(fc.post("/list_videos", json={}))


def test_code_number_keeps_the_answer_but_sends_code_as_a_number(fault_server, fc):
    expected = ok_data(fc.post("/list_videos", json={"size": 3}))
    fault_server.faults.push("code-number", count=2)
    body = fc.post("/list_videos", json={"size": 3}).json()
    assert body["code"] == 0 and type(body["code"]) is int
    assert body["data"] == expected and body["msg"] == "success"
    missing = fc.get("/get_private_video_details", params={"video_no": "VI1"}).json()
    assert missing["code"] == 1 and missing["data"] is None
    # A download is not JSON: it passes through whole.
    video_no, size = small_video(fault_server)
    fault_server.faults.push("code-number", path="/download")
    whole = fc.post("/download", json={"video_no": video_no}).content
    assert whole == expected_bytes(video_no, size)


def test_redirect_points_at_this_server_under_another_host_name(fault_server, fc):
    fault_server.faults.push("redirect")
    response = fc.post("/list_videos", json={"size": 1})
    assert response.status_code == 307
    location = httpx.URL(response.headers["location"])
    assert location.host != httpx.URL(fault_server.base_url).host
    assert location.port == fault_server.port and location.path == API + "/list_videos"
    # Whoever follows it reaches this same fake, which records the request it carried.
    fault_server.clear_requests()
    followed = httpx.post(str(location), json={"size": 1}, headers={"Authorization": API_KEY})
    assert ok_data(followed)
    assert [(r.path, r.has_auth) for r in fault_server.requests] == [(API + "/list_videos", True)]


def test_echo_key_quotes_the_authorization_header(fault_server, fc):
    fault_server.faults.push("echo-key")
    body = fc.get("/list_sessions").json()
    assert body["code"] == "0003" and API_KEY in body["msg"]
    assert ok_data(fc.get("/list_sessions"))


def test_stall_body_sends_half_then_keeps_the_connection_open(fault_server, fc):
    video_no, size = small_video(fault_server)
    fault_server.faults.push("stall-body", path="/download")
    got = b""
    with fc.stream("POST", "/download", json={"video_no": video_no}, timeout=0.5) as response:
        assert int(response.headers["content-length"]) == size
        # Silence, not a closed connection: the client's read timeout is what ends it.
        with pytest.raises(httpx.ReadTimeout):
            for chunk in response.iter_raw():
                got += chunk
    assert got == expected_bytes(video_no, size, 0, size // 2)
    whole = fc.post("/download", json={"video_no": video_no}).content
    assert whole == expected_bytes(video_no, size)


def test_stall_body_ends_when_the_server_stops():
    srv = FakeServer(api_key=API_KEY)
    srv.start()
    video_no, _ = small_video(srv)
    srv.faults.push("stall-body", path="/download")
    errors: list[BaseException] = []
    reading = threading.Event()

    def download() -> None:
        try:
            with make_client(srv, timeout=30.0) as c, c.stream(
                    "POST", "/download", json={"video_no": video_no}) as response:
                reading.set()
                for _ in response.iter_raw():
                    pass
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=download)
    thread.start()
    assert reading.wait(5)
    srv.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], httpx.RemoteProtocolError)


def test_every_documented_kind_is_exercised():
    assert set(FAULT_KINDS) == {"429", "401", "500", "502", "503-html", "malformed",
                                "envelope-missing", "envelope-types", "data-types", "redirect",
                                "echo-key", "stall", "code-number", "cut", "short", "long",
                                "stall-body", "drop", "429-bare", "refusal-octet", "no-length",
                                "no-length-cut"}


def test_drop_applies_the_delete_then_closes_without_a_byte_of_answer():
    """The fault another client's bug hid: the server acted, and said nothing at all."""
    with FakeServer(seed=5, videos=20, api_key=API_KEY) as srv, make_client(srv) as c:
        doomed, kept = srv.library.ids()[:2]
        srv.faults.push("drop", path="/delete_videos")
        assert ok_data(c.post("/list_videos", json={"size": 1}))  # other paths: untouched
        body = json.dumps([doomed]).encode()
        raw = raw_http(srv, b"POST " + API.encode() + b"/delete_videos HTTP/1.1\r\nHost: x\r\n"
                       b"Authorization: " + API_KEY.encode() + b"\r\n"
                       b"Content-Type: application/json\r\n"
                       b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        assert raw == b""  # not even a status line
        assert srv.library.count() == 19 and doomed not in srv.library.ids()
        assert srv.faults.fired["drop"] == 1 and srv.faults.pending == []
        # An httpx client sees the connection closed before any answer.
        srv.faults.push("drop", path="/delete_videos")
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            c.post("/delete_videos", json=[kept])
        assert kept not in srv.library.ids()
        # The next request is answered as usual.
        assert ok_data(c.post("/list_videos", json={"size": 1}))


def test_drop_is_a_fault_spec_on_the_command_line():
    from memories_tui.cli import _fault_spec

    assert _fault_spec("drop:1:/delete_videos") == ("drop", 1, "/delete_videos")
    assert "drop" in FAULT_KINDS


def download_raw(srv: FakeServer, video_no: str) -> tuple[bytes, bytes]:
    body = json.dumps({"video_no": video_no}).encode()
    raw = raw_http(srv, b"POST " + API.encode() + b"/download HTTP/1.1\r\nHost: x\r\n"
                   b"Authorization: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    head, _, payload = raw.partition(b"\r\n\r\n")
    return head.lower(), payload


@pytest.mark.parametrize("kind", ["no-length", "no-length-cut"])
def test_a_download_without_content_length_ends_with_the_connection(fault_server, fc, kind):
    """Close-delimited, as the service may send a file: nothing in the framing says
    whether all of it came, so a cut (no-length-cut) looks like a normal end."""
    video_no, size = small_video(fault_server)
    fault_server.faults.push(kind)
    head, payload = download_raw(fault_server, video_no)
    assert head.startswith(b"http/1.1 200") and b"content-length" not in head
    assert b"transfer-encoding" not in head and b"connection: close" in head
    sent = size if kind == "no-length" else size // 3
    assert payload == expected_bytes(video_no, size, 0, sent)
    # An httpx client reads it to the end without an error, short or not.
    fault_server.faults.push(kind)
    assert len(fc.post("/download", json={"video_no": video_no}).content) == sent


def test_a_refusal_labelled_as_a_video_and_a_rate_limit_without_retry_after(fault_server, fc):
    video_no, _ = small_video(fault_server)
    fault_server.faults.push("refusal-octet")
    refusal = fc.post("/download", json={"video_no": video_no})
    assert refusal.headers["content-type"] == "application/octet-stream"
    assert refusal.json()["code"] == "0001" and refusal.json()["msg"] == "video not found"
    fault_server.faults.push("429-bare")
    limited = fc.post("/list_videos", json={})
    assert limited.json()["code"] == "0429" and "retry-after" not in limited.headers
