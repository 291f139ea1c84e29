"""Downloads over real HTTP: bytes as sent, JSON refusals as typed errors, broken streams."""

from __future__ import annotations

import os
import time

import pytest

from memories_tui.api import (
    BadResponseError,
    DownloadStream,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
)
from memories_tui.api.download import is_json_type, looks_like_json, parse_content_length

from .api_testkit import Reply, envelope

# Random, but never starting like JSON ("{", maybe after blanks): a body that does is
# taken for the server's refusal, as it should be (about one run in 250 would fail).
BLOB = b"\x00" + os.urandom(299_999)
OCTET = "application/octet-stream"


async def read_all(client, video_no="VI1", **kwargs) -> tuple[DownloadStream, bytes]:
    async with client.download(video_no, **kwargs) as stream:
        data = b"".join([chunk async for chunk in stream.aiter_bytes()])
    return stream, data


async def test_download_yields_the_bytes_and_total(scripted, make_client):
    scripted.push(Reply(body=BLOB, content_type=OCTET))
    async with make_client(scripted.base_url) as client:
        stream, data = await read_all(client, "VI7", unique_id="u")
    assert data == BLOB
    assert stream.total == len(BLOB) == stream.received
    request = scripted.requests[0]
    assert (request.method, request.path) == ("POST", "/serve/api/v1/download")
    assert request.json() == {"video_no": "VI7", "unique_id": "u"}
    assert request.headers["accept-encoding"] == "identity"


async def test_chunked_download_has_no_total(scripted, make_client):
    scripted.push(Reply(chunks=[BLOB[:1000], BLOB[1000:]], content_type=OCTET))
    async with make_client(scripted.base_url) as client:
        stream, data = await read_all(client)
    assert data == BLOB and stream.total is None


async def test_not_found_json_raises_and_yields_nothing(scripted, make_client):
    scripted.push(Reply(json={"code": "0001", "msg": "video not found", "data": None,
                              "failed": True, "success": False}))
    yielded = []
    async with make_client(scripted.base_url) as client:
        with pytest.raises(NotFoundError, match="Video VI404 was not found"):
            async with client.download("VI404") as stream:
                yielded.append(stream)
    assert yielded == []


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "text/json",
                     "application/problem+json", None],
)
async def test_json_refusal_is_recognised_by_type_or_by_its_first_byte(
        scripted, make_client, content_type):
    scripted.push(Reply(body=b'  {"code": "0001", "msg": "video not found", "data": null}',
                        content_type=content_type))
    async with make_client(scripted.base_url) as client:
        with pytest.raises(NotFoundError):
            await read_all(client)


async def test_unlabelled_video_bytes_are_still_a_video(scripted, make_client):
    scripted.push(Reply(chunks=[b"\x00\x00\x00\x18ftypmp42", BLOB], content_type=None))
    async with make_client(scripted.base_url) as client:
        _, data = await read_all(client)
    assert data == b"\x00\x00\x00\x18ftypmp42" + BLOB


async def test_success_json_where_the_video_should_be_is_refused(scripted, make_client):
    scripted.push(Reply(json=envelope({"url": "x"})))
    async with make_client(scripted.base_url) as client:
        with pytest.raises(BadResponseError):
            await read_all(client)


async def test_an_html_page_is_not_saved_as_a_video(scripted, make_client):
    scripted.push(Reply(body=b"<html>login</html>", content_type="text/html; charset=utf-8"))
    async with make_client(scripted.base_url) as client:
        with pytest.raises(BadResponseError, match="web page"):
            await read_all(client)


async def test_rate_limit_and_5xx_before_the_body_are_retried(scripted, make_client):
    scripted.push(
        Reply(json=envelope(code="0429", msg="rate limit")),
        Reply(status=503, body=b"<html>busy</html>", content_type="text/html"),
        Reply(body=BLOB, content_type=OCTET),
    )
    waiting: list[bool] = []
    async with make_client(scripted.base_url, on_rate_wait=waiting.append) as client:
        _, data = await read_all(client)
    assert data == BLOB
    assert len(scripted.requests) == 3
    # Each wait is shown as such (the status bar's "waiting"), and over when it is done.
    assert waiting == [True, False, True, False]


async def test_rate_limit_after_the_retries_is_raised(scripted, make_client):
    scripted.push(Reply(json=envelope(code="0429")), Reply(json=envelope(code="0429")))
    async with make_client(scripted.base_url, max_retries=1) as client:
        with pytest.raises(RateLimitedError):
            await read_all(client)


async def test_short_body_is_a_bad_response(scripted, make_client):
    scripted.push(Reply(chunks=[BLOB[:1000]], content_length=len(BLOB), content_type=OCTET))
    received = []
    async with make_client(scripted.base_url) as client:
        with pytest.raises(BadResponseError, match="ended after 1,000 of 300,000 bytes"):
            async with client.download("VI1") as stream:
                async for chunk in stream.aiter_bytes():
                    received.append(chunk)
    assert b"".join(received) == BLOB[:1000]


async def test_cut_chunked_stream_is_a_network_error(scripted, make_client):
    scripted.push(Reply(chunks=[BLOB[:5000]], cut=True, content_type=OCTET))
    async with make_client(scripted.base_url) as client:
        with pytest.raises(NetworkError, match="cut off after 5,000 bytes") as info:
            await read_all(client)
    assert not isinstance(info.value, RequestTimeout)


async def test_stalled_stream_times_out_within_the_timeout(scripted, make_client):
    scripted.push(Reply(chunks=[BLOB[:1000]], stall_after=5, content_length=len(BLOB),
                        content_type=OCTET))
    started = time.monotonic()
    async with make_client(scripted.base_url, timeout=0.4) as client:
        with pytest.raises(RequestTimeout, match="stalled"):
            await read_all(client)
    assert time.monotonic() - started < 3


async def test_slow_but_steady_stream_is_not_capped_in_total(scripted, make_client):
    # Each read comes within the timeout, the whole transfer takes longer: no error.
    chunks = [BLOB[i : i + 50_000] for i in range(0, len(BLOB), 50_000)]
    scripted.push(Reply(chunks=chunks, chunk_delay=0.12, content_type=OCTET))
    async with make_client(scripted.base_url, timeout=0.5) as client:
        _, data = await read_all(client)
    assert data == BLOB


async def test_leaving_early_closes_the_stream(scripted, make_client):
    scripted.push(Reply(body=BLOB, content_type=OCTET), Reply(json=envelope({"video_no": "VI1"})))
    async with make_client(scripted.base_url) as client:
        async with client.download("VI1") as stream:
            async for _ in stream.aiter_bytes():
                break
        # The client stays usable after a download left half-read.
        assert (await client.get_private_video("VI1")).video_no == "VI1"


# -- the stream's own accounting (fed directly: more bytes than announced cannot be sent
# over HTTP/1.1 with a Content-Length, the framing cuts them off) ----------------------------


async def chunks_of(*parts: bytes):
    for part in parts:
        yield part


async def test_more_bytes_than_announced_is_a_bad_response():
    stream = DownloadStream(chunks_of(b"a" * 10, b"b" * 10), total=15)
    got = []
    with pytest.raises(BadResponseError, match="more than the 15 bytes"):
        async for chunk in stream.aiter_bytes():
            got.append(chunk)
    assert got == [b"a" * 10]


async def test_stream_reads_once_and_counts():
    stream = DownloadStream(chunks_of(b"xy", b"z"), total=3, prefix=b"")
    assert [c async for c in stream.aiter_bytes()] == [b"xy", b"z"]
    assert stream.received == 3
    with pytest.raises(RuntimeError):
        async for _ in stream.aiter_bytes():
            pass


def test_content_helpers():
    assert is_json_type("Application/JSON; charset=UTF-8")
    assert not is_json_type("application/octet-stream") and not is_json_type(None)
    assert looks_like_json(b"\n {") and not looks_like_json(b"\x00\x00")
    assert parse_content_length("123") == 123
    assert parse_content_length("-1") is None and parse_content_length("1e3") is None
    assert parse_content_length(None) is None
