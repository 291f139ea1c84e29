"""The client over real loopback HTTP against scripted answers: requests and error mapping."""

from __future__ import annotations

import logging
import time

import pytest

from memories_tui.api import (
    AuthError,
    BadResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    RequestTimeout,
    ServerError,
)

from .api_testkit import API_KEY, Reply, closed_port, envelope

V1 = "/serve/api/v1"


# -- every endpoint sends what the reference says --------------------------------------


async def test_list_videos_request_and_answer(scripted, make_client):
    scripted.push(Reply(json=envelope({
        "videos": [{"video_no": "VI1", "video_name": "a", "duration": "12", "size": "3",
                    "status": "PARSE", "cause": "null", "create_time": "1754037217992"}],
        "current_page": 2, "page_size": 50, "total_count": "51",
    })))
    async with make_client(scripted.base_url) as client:
        page = await client.list_videos(2, 50, name="a", status="PARSE")
    assert page.total_count == 51 and page.videos[0].duration == 12
    request = scripted.requests[0]
    assert (request.method, request.path) == ("POST", f"{V1}/list_videos")
    assert request.json() == {"page": 2, "size": 50, "unique_id": "default",
                              "video_name": "a", "status": "PARSE"}
    assert request.headers["authorization"] == API_KEY  # bare, no "Bearer"


async def test_list_videos_by_id_and_unique_id(scripted, make_client):
    scripted.push(Reply(json=envelope({"videos": [], "current_page": 1, "page_size": 1,
                                       "total_count": "0"})))
    async with make_client(scripted.base_url, unique_id="tenant") as client:
        await client.list_videos(1, 1, video_no="VI9")
    assert scripted.requests[0].json() == {"page": 1, "size": 1, "unique_id": "tenant",
                                           "video_no": "VI9"}


async def test_list_sessions_request(scripted, make_client):
    scripted.push(Reply(json=envelope({"sessions": [{"sessionId": "601", "title": "t"}],
                                       "current_page": 1, "page_size": 20, "total_count": "1"})))
    async with make_client(scripted.base_url) as client:
        page = await client.list_sessions(3, unique_id="u")
    assert page.sessions[0].session_id == "601"
    request = scripted.requests[0]
    assert (request.method, request.path) == ("GET", f"{V1}/list_sessions")
    assert request.query == {"page": "3", "unique_id": "u"}


async def test_session_detail_request(scripted, make_client):
    detail = {"title": "t", "messages": [{"role": "user", "content": "hi"}]}
    scripted.push(Reply(json=envelope(detail)))
    async with make_client(scripted.base_url) as client:
        detail = await client.get_session_detail("601308802842759168")
    assert detail.session_id == "601308802842759168" and detail.messages[0].content == "hi"
    request = scripted.requests[0]
    assert (request.method, request.path) == ("GET", f"{V1}/get_session_detail")
    assert request.query == {"sessionId": "601308802842759168", "unique_id": "default"}


async def test_public_video_request(scripted, make_client):
    scripted.push(Reply(json=envelope({"video_no": "PI-1", "publish_time": "1730947213"})))
    async with make_client(scripted.base_url) as client:
        video = await client.get_public_video("PI-1")
    assert video.publish_time.year == 2024
    request = scripted.requests[0]
    assert (request.method, request.path) == ("GET", f"{V1}/get_public_video_detail")
    assert request.query == {"video_no": "PI-1"}


async def test_private_video_request(scripted, make_client):
    scripted.push(Reply(json=envelope({"video_no": "VI1", "fps": 30, "width": "1280"})))
    async with make_client(scripted.base_url) as client:
        details = await client.get_private_video("VI1", unique_id="u")
    assert details.fps == 30.0 and details.width == 1280
    request = scripted.requests[0]
    assert (request.method, request.path) == ("GET", f"{V1}/get_private_video_details")
    assert request.query == {"video_no": "VI1", "unique_id": "u"}


async def test_task_status_request(scripted, make_client):
    scripted.push(Reply(json=envelope({"taskId": "t-1", "video_ids": ["VI1"]})))
    async with make_client(scripted.base_url) as client:
        task = await client.get_task_status("t-1")
    assert task.video_ids == ("VI1",)
    request = scripted.requests[0]
    assert (request.method, request.path) == ("GET", f"{V1}/get_video_ids_by_task_id")
    assert request.query == {"task_id": "t-1", "unique_id": "default"}


async def test_list_images_request(scripted, make_client):
    scripted.push(Reply(json=envelope({"images": [{"img_no": "IM1", "img_name": "a.png"}],
                                       "current_page": 1, "page_size": 20, "total_count": 1})))
    async with make_client(scripted.base_url) as client:
        page = await client.list_images(1, 20)
    assert page.images[0].image_no == "IM1"
    request = scripted.requests[0]
    assert (request.method, request.path) == ("POST", f"{V1}/img_list_page")
    assert request.json() == {"page": 1, "size": 20, "unique_id": "default"}


async def test_arguments_are_checked_before_sending(scripted, make_client):
    async with make_client(scripted.base_url) as client:
        with pytest.raises(ValueError):
            await client.list_videos(0)
        with pytest.raises(ValueError):
            await client.get_public_video("  ")
    assert scripted.requests == []


# -- answers become typed errors ----------------------------------------------------------


async def call(client):
    return await client.list_videos()


@pytest.mark.parametrize(
    ("reply", "error_type", "code", "status"),
    [
        (Reply(json=envelope(code="0001", msg="bad page")), RejectedError, "0001", 200),
        (Reply(json=envelope(code="0429", msg="rate limit")), RateLimitedError, "0429", 200),
        (Reply(json={"code": 429, "msg": "Rate limit exceeded", "data": None}),
         RateLimitedError, "429", 200),
        (Reply(status=429, json={"detail": "slow down"}), RateLimitedError, None, 429),
        (Reply(status=401, json={"detail": "no"}), AuthError, None, 401),
        (Reply(status=403, body=b"Forbidden", content_type="text/plain"), AuthError, None, 403),
        (Reply(json=envelope(code="0500", msg="internal")), ServerError, "0500", 200),
        (Reply(status=500, json=envelope(code="0000")), ServerError, None, 500),
        (Reply(body=b"<html>oops</html>", content_type="text/html"), BadResponseError, None, None),
        (Reply(json={"msg": "success", "data": {}}), BadResponseError, None, 200),
        (Reply(json=envelope(data=[1, 2])), BadResponseError, None, None),
        (Reply(status=404, body=b"Not Found", content_type="text/plain"), NotFoundError, None, 404),
        (Reply(status=400, body=b"<html>bad</html>", content_type="text/html"),
         ServerError, None, 400),
        (Reply(status=302, headers={"location": "https://elsewhere.example/"}),
         BadResponseError, None, 302),
    ],
)
async def test_answers_map_to_typed_errors(scripted, make_client, reply, error_type, code, status):
    scripted.push(reply)
    async with make_client(scripted.base_url, max_retries=0) as client:
        with pytest.raises(error_type) as info:
            await call(client)
    error = info.value
    assert error.code == code
    if status is not None:
        assert error.http_status == status
    assert error.maybe_applied is False
    assert "<html" not in error.message
    assert len(scripted.requests) == 1  # no redirect followed, no retry


async def test_data_null_is_an_empty_list_but_never_a_video(scripted, make_client):
    """The service answers `data: null` when there is nothing to list (an empty page of
    sessions, a task still downloading): that is an empty list. Where one object belongs
    (a video's details), it is still an answer that makes no sense."""
    scripted.push(*[Reply(json=envelope(data=None)) for _ in range(4)])
    async with make_client(scripted.base_url, max_retries=0) as client:
        videos = await client.list_videos()
        sessions = await client.list_sessions()
        task = await client.get_task_status("t-1")
        with pytest.raises(BadResponseError, match="held nothing"):
            await client.get_private_video("VI1")
    assert videos.videos == () and videos.total_count == 0
    assert sessions.sessions == () and task.video_ids == ()


async def test_numeric_zero_code_is_success(scripted, make_client):
    scripted.push(Reply(json={"code": 0, "data": {"videos": [], "total_count": 0}}))
    async with make_client(scripted.base_url) as client:
        page = await client.list_videos()
    assert page.videos == ()


async def test_html_5xx_is_summarised_not_dumped(scripted, make_client):
    page = (b"<!DOCTYPE html><html><head><title>502</title></head><body>" + b"x" * 5000
            + b"</body></html>")
    scripted.push(Reply(status=502, body=page, content_type="text/html"))
    async with make_client(scripted.base_url, max_retries=0) as client:
        with pytest.raises(ServerError) as info:
            await client.list_sessions()
    assert info.value.message == "The server answered 502 Bad Gateway."
    assert info.value.http_status == 502


async def test_not_found_says_what(scripted, make_client):
    scripted.push(Reply(json=envelope(code="0001", msg="not found")))
    async with make_client(scripted.base_url) as client:
        with pytest.raises(NotFoundError, match="Public video PI-42 was not found"):
            await client.get_public_video("PI-42")


async def test_rate_limit_carries_retry_after(scripted, make_client):
    scripted.push(Reply(status=429, headers={"retry-after": "4"}))
    async with make_client(scripted.base_url, max_retries=0) as client:
        with pytest.raises(RateLimitedError) as info:
            await call(client)
    assert info.value.retry_after == 4.0


async def test_connection_refused_names_the_host(make_client):
    async with make_client(f"http://127.0.0.1:{closed_port()}", max_retries=0) as client:
        with pytest.raises(NetworkError) as info:
            await call(client)
    assert "Could not connect to 127.0.0.1:" in info.value.message
    assert info.value.host.startswith("127.0.0.1")
    assert not isinstance(info.value, RequestTimeout)


async def test_dns_failure_names_the_host(make_client):
    async with make_client("https://no-such-host.invalid", max_retries=0) as client:
        with pytest.raises(NetworkError) as info:
            await call(client)
    assert "Could not connect to no-such-host.invalid" in info.value.message


async def test_default_host_is_named_in_connect_errors(make_client, monkeypatch):
    # No network here: whatever happens to api.memories.ai, the message names it.
    async with make_client("https://api.memories.ai", max_retries=0, timeout=2) as client:
        with pytest.raises(NetworkError) as info:
            await call(client)
    assert "api.memories.ai" in info.value.message


async def test_no_answer_is_a_request_timeout(scripted, make_client):
    scripted.push(Reply(delay=3))
    started = time.monotonic()
    async with make_client(scripted.base_url, timeout=0.3, max_retries=0) as client:
        with pytest.raises(RequestTimeout) as info:
            await call(client)
    assert time.monotonic() - started < 2
    assert "did not answer within 0.3 s" in info.value.message


async def test_connection_cut_mid_answer_is_a_network_error(scripted, make_client):
    scripted.push(Reply(chunks=[b'{"code": "00'], cut=True))
    async with make_client(scripted.base_url, max_retries=0) as client:
        with pytest.raises(NetworkError) as info:
            await call(client)
    assert not isinstance(info.value, RequestTimeout)


# -- the key never shows ------------------------------------------------------------------


async def test_key_echoed_by_the_server_never_reaches_messages_or_logs(
        scripted, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    echo = {"x-echo-authorization": API_KEY, "www-authenticate": f"Key {API_KEY}"}
    scripted.push(
        Reply(status=401, json=envelope(code="0401", msg=f"bad key {API_KEY}"), headers=echo),
        Reply(json=envelope(code="0007", msg=f"key {API_KEY} is suspended")),
        Reply(json=envelope(code="0001", msg=f"nothing for {API_KEY}")),
        Reply(status=503, body=f"<html>{API_KEY}</html>".encode(), content_type="text/html"),
        Reply(status=503, body=f"<html>{API_KEY}</html>".encode(), content_type="text/html"),
    )
    errors = []
    async with make_client(scripted.base_url, max_retries=1) as client:
        for _ in range(4):
            try:
                await client.get_private_video("VI1")
            except Exception as exc:  # noqa: BLE001 - collecting every error
                errors.append(exc)
        assert API_KEY not in repr(client)
    assert [type(e) for e in errors] == [AuthError, ServerError, NotFoundError, ServerError]
    for error in errors:
        for text in (str(error), repr(error), str(error.args), str(error.code)):
            assert API_KEY not in text
        assert error.__cause__ is None
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in str(record.args)


async def test_no_key_means_nothing_is_sent(scripted, make_client):
    scripted.push(Reply(status=401))
    async with make_client(scripted.base_url, api_key="") as client:
        with pytest.raises(AuthError, match="No API key is set: nothing was sent"):
            await call(client)
        with pytest.raises(AuthError, match="MEMORIES_API_KEY"):
            async with client.download("VI1"):
                pass
    assert scripted.requests == []
