"""Retries and backoff, and when a delete must not be resent (scripted answers, real HTTP)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from memories_tui.api import (
    AuthError,
    NetworkError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
)
from memories_tui.api.errors import BadResponseError, NotFoundError
from memories_tui.api.retry import BackoffPolicy, is_ambiguous, is_retryable

from .api_testkit import Reply, closed_port, envelope

PAGE = envelope({"videos": [], "current_page": 1, "page_size": 20, "total_count": "0"})


class SleepRecorder:
    """An injected sleep that records how long the client wanted to wait, and returns."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# -- the policy --------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_with_upward_jitter_and_a_cap():
    policy = BackoffPolicy(max_retries=8, base=1.0, cap=32.0)
    low = [policy.delay(n, rng=lambda: 0.0) for n in range(8)]
    high = [policy.delay(n, rng=lambda: 1.0) for n in range(8)]
    assert low == [1, 2, 4, 8, 16, 32, 32, 32]
    assert high == [1.25, 2.5, 5, 10, 20, 32, 32, 32]
    assert policy.delay(8) is None


def test_retry_after_wins_unless_it_is_too_long():
    policy = BackoffPolicy(max_retries=3, max_retry_after=60)
    assert policy.delay(0, retry_after=7.0) == 7.0
    assert policy.delay(0, retry_after=60.0) == 60.0  # the longest wait still taken
    assert policy.delay(0, retry_after=600.0) is None


def test_what_may_be_retried():
    limited, server = RateLimitedError(), ServerError(http_status=502)
    cut, refused = NetworkError(), NetworkError()
    for idempotent in (True, False):
        assert is_retryable(limited, sent=True, idempotent=idempotent)
        assert is_retryable(refused, sent=False, idempotent=idempotent)
    assert is_retryable(server, sent=True, idempotent=True)
    assert not is_retryable(server, sent=True, idempotent=False)
    assert is_retryable(cut, sent=True, idempotent=True)
    assert not is_retryable(cut, sent=True, idempotent=False)
    assert not is_retryable(RequestTimeout(), sent=True, idempotent=False)
    assert not is_retryable(ServerError(code="0500"), sent=True, idempotent=True)
    assert not is_retryable(NotFoundError(), sent=True, idempotent=True)
    assert not is_retryable(AuthError(), sent=True, idempotent=True)
    assert is_ambiguous(server, sent=True) and is_ambiguous(cut, sent=True)
    assert is_ambiguous(BadResponseError(), sent=True)
    assert not is_ambiguous(limited, sent=True) and not is_ambiguous(refused, sent=False)
    assert not is_ambiguous(AuthError(), sent=True)


# -- retrying reads ------------------------------------------------------------------------


async def test_rate_limited_twice_then_success(scripted, make_client):
    scripted.push(Reply(json=envelope(code="0429")), Reply(status=429), Reply(json=PAGE))
    async with make_client(scripted.base_url) as client:
        page = await client.list_videos()
    assert page.total_count == 0
    assert len(scripted.requests) == 3


async def test_on_sent_is_told_each_time_the_request_leaves_and_never_when_it_cannot(
        scripted, make_client):
    # The index's sync writes a page to disk once the next request has left.
    scripted.push(Reply(status=429), Reply(json=PAGE))
    sent: list[int] = []
    async with make_client(scripted.base_url) as client:
        await client.list_videos(on_sent=lambda: sent.append(len(sent)))
    assert sent == [0, 1] and len(scripted.requests) == 2
    async with make_client(f"http://127.0.0.1:{closed_port()}", max_retries=0) as client:
        with pytest.raises(NetworkError):
            await client.list_videos(on_sent=lambda: sent.append(len(sent)))
    assert sent == [0, 1]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_retried_for_reads(scripted, make_client, status):
    scripted.push(Reply(status=status, body=b"<html/>", content_type="text/html"), Reply(json=PAGE))
    async with make_client(scripted.base_url) as client:
        await client.list_videos()
    assert len(scripted.requests) == 2


async def test_backoff_waits_grow(scripted, make_client):
    sleep = SleepRecorder()
    scripted.push(*[Reply(status=503)] * 3, Reply(json=PAGE))
    async with make_client(scripted.base_url, backoff_base=1.0, sleep=sleep) as client:
        await client.list_videos()
    assert len(sleep.waits) == 3
    for wait, base in zip(sleep.waits, [1, 2, 4], strict=True):
        assert base <= wait <= base * 1.25


async def test_retry_after_is_honoured(scripted, make_client):
    sleep = SleepRecorder()
    scripted.push(Reply(status=429, headers={"Retry-After": "7"}), Reply(json=PAGE))
    async with make_client(scripted.base_url, sleep=sleep) as client:
        await client.list_videos()
    assert sleep.waits == [7.0]


async def test_retry_after_is_waited_out_on_the_event_loop(scripted, make_client,
                                                           monkeypatch):
    """Without an injected sleep the client waits with asyncio's own, on the event
    loop's timer: the test asks the loop to fire that timer at once (and records it)
    instead of waiting the second for real."""
    loop = asyncio.get_running_loop()
    timers: list[float] = []
    call_later = loop.call_later

    def fire_now(delay, callback, *args, **kwargs):
        if delay == pytest.approx(1.0):  # the Retry-After; httpx's timeouts go untouched
            timers.append(delay)
            delay = 0
        return call_later(delay, callback, *args, **kwargs)

    monkeypatch.setattr(loop, "call_later", fire_now)
    scripted.push(Reply(json=envelope(code="0429"), headers={"Retry-After": "1"}), Reply(json=PAGE))
    async with make_client(scripted.base_url, backoff_base=0.01) as client:
        await client.list_videos()
    assert timers == [1.0]
    assert len(scripted.requests) == 2


async def test_a_very_long_retry_after_is_reported_at_once(scripted, make_client):
    sleep = SleepRecorder()
    scripted.push(Reply(status=429, headers={"Retry-After": "3600"}))
    async with make_client(scripted.base_url, sleep=sleep) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.list_videos()
    assert info.value.retry_after == 3600
    assert sleep.waits == [] and len(scripted.requests) == 1


async def test_retries_are_bounded(scripted, make_client):
    scripted.push(*[Reply(status=500)] * 10)
    async with make_client(scripted.base_url, max_retries=3) as client:
        with pytest.raises(ServerError):
            await client.list_videos()
    assert len(scripted.requests) == 4


async def test_read_timeout_is_retried_for_reads(scripted, make_client):
    scripted.push(Reply(delay=2), Reply(json=envelope({"video_no": "VI1"})))
    async with make_client(scripted.base_url, timeout=0.3) as client:
        details = await client.get_private_video("VI1")
    assert details.video_no == "VI1"
    assert len(scripted.requests) == 2


async def test_errors_that_retrying_cannot_fix_are_not_retried(scripted, make_client):
    scripted.push(Reply(json=envelope(code="0001")), Reply(status=401))
    async with make_client(scripted.base_url) as client:
        with pytest.raises(NotFoundError):
            await client.get_public_video("PI-1")
        with pytest.raises(AuthError):
            await client.get_public_video("PI-1")
    assert len(scripted.requests) == 2


async def test_connect_errors_are_retried(make_client):
    sleep = SleepRecorder()
    url = f"http://127.0.0.1:{closed_port()}"
    async with make_client(url, max_retries=2, sleep=sleep) as client:
        with pytest.raises(NetworkError):
            await client.list_videos()
    assert len(sleep.waits) == 2


# -- an interactive caller: network failures at once, server trouble still retried -------


async def test_refused_connection_is_reported_at_once_naming_host_and_cause(make_client):
    sleep = SleepRecorder()
    port = closed_port()
    async with make_client(f"http://127.0.0.1:{port}", sleep=sleep,
                           retry_network_errors=False) as client:
        with pytest.raises(NetworkError) as info:
            await client.list_videos()
    assert sleep.waits == []
    assert info.value.host == f"127.0.0.1:{port}"
    # The OS's words, not httpx's "All connection attempts failed".
    assert info.value.message == f"Could not connect to 127.0.0.1:{port} (Connection refused)."


async def test_unknown_host_is_reported_at_once_naming_it(make_client):
    sleep = SleepRecorder()
    async with make_client("https://nonexistent.invalid", sleep=sleep,
                           retry_network_errors=False) as client:
        with pytest.raises(NetworkError) as info:
            await client.list_videos()
    assert sleep.waits == [] and not isinstance(info.value, RequestTimeout)
    assert info.value.message.startswith("Could not connect to nonexistent.invalid (")


async def test_a_stall_is_one_timeout_not_a_ladder_of_them(scripted, make_client):
    sleep = SleepRecorder()
    scripted.push(Reply(delay=2), Reply(json=PAGE))
    async with make_client(scripted.base_url, timeout=0.3, sleep=sleep,
                           retry_network_errors=False) as client:
        with pytest.raises(RequestTimeout, match=r"did not answer within 0\.3 s"):
            await client.list_videos()
    # Sent once, and no backoff before a second try: one timeout, not a ladder.
    assert len(scripted.requests) == 1 and sleep.waits == []


async def test_rate_limits_and_5xx_are_still_retried_and_say_why(scripted, make_client):
    reasons: list[str | None] = []
    scripted.push(Reply(json=envelope(code="0429")), Reply(status=503), Reply(json=PAGE))
    async with make_client(scripted.base_url, sleep=SleepRecorder(),
                           retry_network_errors=False) as client:
        client.on_rate_wait = lambda waiting: reasons.append(client.wait_reason)
        await client.list_videos()
        assert client.wait_reason is None and not client.rate_waiting
    assert len(scripted.requests) == 3
    assert reasons == ["rate limit", None, "retry", None]


# -- deletes: chunked, and never resent after an ambiguous failure --------------------------


def ids(count: int, start: int = 0) -> list[str]:
    return [f"VI{n:06d}" for n in range(start, start + count)]


async def test_delete_in_chunks_of_at_most_100(scripted, make_client):
    seen = []
    async with make_client(scripted.base_url) as client:
        report = await client.delete_videos(ids(250), unique_id="u", on_chunk=seen.append)
    assert [len(r.json()) for r in scripted.requests] == [100, 100, 50]
    for request in scripted.requests:
        assert (request.method, request.path) == ("POST", "/serve/api/v1/delete_videos")
        assert request.query == {"unique_id": "u"}
    assert [r.json() for r in scripted.requests] == [ids(100), ids(100, 100), ids(50, 200)]
    assert report.deleted == tuple(ids(250)) and report.failed == () and report.ok
    assert [c.ids for c in seen] == [c.ids for c in report.chunks]


async def test_delete_dedupes_and_skips_empty_input(scripted, make_client):
    async with make_client(scripted.base_url) as client:
        empty = await client.delete_videos([])
        assert empty.chunks == () and scripted.requests == []
        report = await client.delete_videos(["VI1", "VI2", "VI1", "", " ", " VI2 ", "VI3"])
        with pytest.raises(TypeError, match="^delete_videos takes a list of ids, not one"):
            await client.delete_videos("VI1")
    assert scripted.requests[0].json() == ["VI1", "VI2", "VI3"]
    assert scripted.requests[0].query == {"unique_id": "default"}
    assert report.deleted == ("VI1", "VI2", "VI3")


async def test_delete_is_resent_after_a_rate_limit(scripted, make_client, caplog):
    caplog.set_level(logging.INFO, logger="memories_tui.api")
    scripted.push(Reply(json=envelope(code="0429")), Reply(status=429), Reply())
    async with make_client(scripted.base_url) as client:
        report = await client.delete_videos(["VI1"])
    assert report.ok
    assert len(scripted.requests) == 3
    # The log names the call each time it was sent again.
    logged = [r.getMessage() for r in caplog.records if r.name == "memories_tui.api"]
    assert [m.split(" failed (")[0] for m in logged] == ["POST /delete_videos"] * 2
    assert "; retry 1 of 5 in " in logged[0] and "; retry 2 of 5 in " in logged[1]


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (Reply(status=500), ServerError),
        (Reply(status=502, body=b"<html/>", content_type="text/html"), ServerError),
        (Reply(body=b"not json", content_type="text/plain"), BadResponseError),
        (Reply(chunks=[b'{"co'], cut=True), NetworkError),
    ],
)
async def test_delete_is_not_resent_after_an_ambiguous_failure(
        scripted, make_client, reply, error_type):
    scripted.push(reply)
    async with make_client(scripted.base_url) as client:
        report = await client.delete_videos(["VI1", "VI2"])
    assert len(scripted.requests) == 1
    (chunk,) = report.chunks
    assert not chunk.ok
    assert isinstance(chunk.error, error_type)
    assert chunk.error.maybe_applied is True
    assert report.maybe_deleted == ("VI1", "VI2")


async def test_delete_is_not_resent_after_a_timeout(scripted, make_client):
    scripted.push(Reply(delay=3))
    async with make_client(scripted.base_url, timeout=0.3) as client:
        report = await client.delete_videos(["VI1"])
    assert len(scripted.requests) == 1
    error = report.chunks[0].error
    assert isinstance(error, RequestTimeout) and error.maybe_applied


async def test_delete_goes_on_after_a_failed_chunk(scripted, make_client):
    scripted.push(Reply(json=envelope(code="0500", msg="boom")), Reply(status=500), Reply())
    async with make_client(scripted.base_url) as client:
        report = await client.delete_videos(ids(250))
    assert len(scripted.requests) == 3
    assert [c.ok for c in report.chunks] == [False, False, True]
    assert report.chunks[0].error.maybe_applied is False  # the server said no
    assert report.chunks[1].error.maybe_applied is True  # a 5xx: who knows
    assert report.deleted == tuple(ids(50, 200))
    assert report.failed == tuple(ids(200))


async def test_delete_stops_at_an_auth_error(scripted, make_client):
    seen = []
    scripted.push(Reply(), Reply(status=401))
    async with make_client(scripted.base_url) as client:
        report = await client.delete_videos(ids(350), on_chunk=seen.append)
    assert len(scripted.requests) == 2
    assert [c.ok for c in report.chunks] == [True, False, False, False]
    errors = {id(c.error) for c in report.chunks[1:]}
    assert len(errors) == 1 and isinstance(report.chunks[1].error, AuthError)
    assert report.chunks[1].error.maybe_applied is False
    assert len(seen) == 4
    assert report.deleted == tuple(ids(100)) and len(report.failed) == 250


async def test_delete_is_resent_when_the_connection_never_opened(make_client):
    sleep = SleepRecorder()
    url = f"http://127.0.0.1:{closed_port()}"
    async with make_client(url, max_retries=2, sleep=sleep) as client:
        report = await client.delete_videos(["VI1"])
    assert len(sleep.waits) == 2  # resent twice: nothing could have reached the server
    error = report.chunks[0].error
    assert isinstance(error, NetworkError) and error.maybe_applied is False


async def test_without_a_key_nothing_is_sent_and_the_error_says_what_to_do(scripted,
                                                                          make_client):
    async with make_client(scripted.base_url, api_key="") as client:
        for call in (client.list_videos(), client.delete_videos(["VI1"])):
            try:
                result = await call
            except AuthError as exc:
                error = exc
            else:
                (chunk,) = result.chunks
                error = chunk.error
            assert isinstance(error, AuthError)
            assert error.message == (
                "No API key is set: nothing was sent. Set one with MEMORIES_API_KEY or "
                "--api-key, or try memories-tui --demo.")
    assert scripted.requests == []


async def test_a_failed_delete_chunk_is_logged_with_its_size_and_reason(scripted, make_client,
                                                                       caplog):
    scripted.push(Reply(status=500))
    async with make_client(scripted.base_url, sleep=SleepRecorder()) as client:
        report = await client.delete_videos(["VI1", "VI2"])
    (chunk,) = report.chunks
    assert [r.getMessage() for r in caplog.records if r.name == "memories_tui.api"
            and r.levelname == "WARNING"] == [f"Deleting 2 videos failed: {chunk.error.message}"]


async def test_an_answer_cut_or_stalled_mid_body_names_the_server(scripted, make_client):
    scripted.push(Reply(chunks=[b'{"code": "0000", "data": {'], cut=True),
                  Reply(chunks=[b'{"code": "0000"'], content_length=500, stall_after=5))
    where = scripted.base_url.removeprefix("http://")
    async with make_client(scripted.base_url, timeout=0.3, sleep=SleepRecorder(),
                           retry_network_errors=False) as client:
        with pytest.raises(NetworkError) as cut:
            await client.list_videos()
        with pytest.raises(RequestTimeout) as stalled:
            await client.list_videos()
    assert cut.value.message == f"The connection to {where} was cut off."
    assert stalled.value.message == f"{where} did not answer within 0.3 s."


async def test_each_retry_is_logged_with_its_reason_and_wait(scripted, make_client, caplog):
    caplog.set_level(logging.INFO, logger="memories_tui.api")
    scripted.push(Reply(status=503), Reply(json=PAGE))
    async with make_client(scripted.base_url, sleep=SleepRecorder(), backoff_base=2.0) as client:
        client._backoff = BackoffPolicy(max_retries=5, base=2.0)
        await client.list_videos()
    (record,) = [r for r in caplog.records if r.name == "memories_tui.api"]
    message = record.getMessage()
    assert message.startswith("POST /list_videos failed (The server answered 503 Service "
                              "Unavailable") and "; retry 1 of 5 in 2." in message
