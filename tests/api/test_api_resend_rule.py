"""Nothing is sent twice once the server may have read it, unless it is safe to repeat.

Against `RawServer` (HTTP by hand on loopback): it reads a request on a kept-alive or
a new connection, whole or in part, and hangs up without a byte of answer, which is
what a server that acted and then died looks like. A delete must then arrive once, be
reported as possibly applied, and cost no backoff wait; a read may be resent.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from memories_tui.api import NetworkError, RequestTimeout

from .api_testkit import RawServer, answer, closed_port, envelope, hang_up

VIDEO = {"video_no": "VI1", "video_name": "a", "duration": "1", "size": "1",
         "status": "PARSE", "create_time": "1700000000000"}
RATE_LIMITED = envelope(code="0429", msg="Request has exceeded the limit.")
IDS = [f"VI{n:018d}" for n in range(100)]  # one full chunk: ~2.4 KB of body


class SleepRecorder:
    """An injected sleep: records each backoff the client wanted, and returns."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.mark.parametrize("retry_network_errors", [True, False], ids=["cli", "tui"])
@pytest.mark.parametrize("repeat", ["ok", "0429"], ids=["repeat-ok", "repeat-0429"])
@pytest.mark.parametrize("read", ["whole", "part"], ids=["read-whole", "read-part"])
@pytest.mark.parametrize("reused", [True, False], ids=["reused", "fresh"])
async def test_a_delete_the_server_read_and_never_answered_is_sent_once(
        raw_server, make_client, reused, read, repeat, retry_network_errors):
    # Two reads first (on one kept-alive connection), or none: the delete then goes on
    # that reused connection, or on a new one.
    reads = [answer(envelope(VIDEO)), answer(envelope(VIDEO))] if reused else []
    server: RawServer = raw_server(
        *reads,
        hang_up(read=None if read == "whole" else 1000),
        # What a quick repeat would get: success, or a rate limit (which the old
        # transport's repeat earned, and then retried until it gave up).
        answer(envelope() if repeat == "ok" else RATE_LIMITED),
    )
    sleep = SleepRecorder()
    async with make_client(server.base_url, sleep=sleep,
                           retry_network_errors=retry_network_errors) as client:
        for _ in reads:
            await client.get_private_video("VI1")
        report = await client.delete_videos(IDS)

    deletes = server.paths("/delete_videos")
    assert len(deletes) == 1
    if read == "whole":
        assert deletes[0].body.count(b'"VI') == 100
    assert deletes[0].connection == 1  # the GETs' connection when reused, else the first
    assert server.connections == 1
    (chunk,) = report.chunks
    assert not chunk.ok and isinstance(chunk.error, NetworkError)
    assert chunk.error.maybe_applied is True
    assert report.maybe_deleted == tuple(IDS)
    assert "cut off" in chunk.error.message and "rate limit" not in chunk.error.message
    assert sleep.waits == []


async def test_a_delete_that_could_not_connect_is_sent_when_the_server_is_back(make_client):
    """Refused: nothing reached the server, so sending it again is safe. The server
    comes up during the backoff; the delete then arrives once and succeeds."""
    port = closed_port()
    servers: list[RawServer] = []

    async def sleep(_seconds: float) -> None:
        if not servers:  # during the first backoff, the server comes up on that port
            servers.append(RawServer(port=port))

    try:
        async with make_client(f"http://127.0.0.1:{port}", sleep=sleep) as client:
            report = await client.delete_videos(["VI1", "VI2"])
        assert report.ok and report.deleted == ("VI1", "VI2")
        (server,) = servers
        assert [r.body for r in server.paths("/delete_videos")] == [b'["VI1","VI2"]']
    finally:
        for server in servers:
            server.stop()


@pytest.mark.parametrize("retry_network_errors", [True, False], ids=["cli", "tui"])
async def test_a_delete_whose_connection_timed_out_was_never_sent(
        silent_port, make_client, retry_network_errors):
    """A connect timeout comes before a byte of the request: the delete may be tried
    again (where the caller wants retries), and it is never "maybe deleted"."""
    sleep = SleepRecorder()
    async with make_client(f"http://127.0.0.1:{silent_port}", timeout=0.3, max_retries=1,
                           sleep=sleep, retry_network_errors=retry_network_errors) as client:
        report = await client.delete_videos(["VI1"])
    error = report.chunks[0].error
    assert isinstance(error, RequestTimeout) and error.maybe_applied is False
    assert report.maybe_deleted == () and report.failed == ("VI1",)
    assert len(sleep.waits) == (1 if retry_network_errors else 0)


async def test_a_read_cut_on_a_reused_connection_is_resent_once_and_succeeds(
        raw_server, make_client, caplog):
    caplog.set_level(logging.INFO, logger="memories_tui.api")
    server = raw_server(answer(envelope(VIDEO)), hang_up(), answer(envelope(VIDEO)))
    sleep = SleepRecorder()
    async with make_client(server.base_url, sleep=sleep, retry_network_errors=False) as client:
        await client.get_private_video("VI1")
        video = await client.get_private_video("VI1")
    assert video.video_no == "VI1"
    assert [r.connection for r in server.requests] == [1, 1, 2]
    assert sleep.waits == []  # at once: no backoff, no "retrying" in the header
    assert [r.getMessage() for r in caplog.records if r.name == "memories_tui.api"] == [
        f"GET /get_private_video_details: the reused connection was closed (The connection "
        f"to 127.0.0.1:{server.port} was cut off.); sending again."]


async def test_the_resend_on_a_new_connection_does_not_wait_for_a_turn(raw_server,
                                                                      make_client):
    """Paced at 1 request/s: the second call waits for its turn once; its resend, on a
    new connection right after the cut, is the same turn."""
    from memories_tui.api.pacing import RequestPacer

    server = raw_server(answer(envelope(VIDEO)), hang_up(), answer(envelope(VIDEO)))
    sleep = SleepRecorder()
    async with make_client(server.base_url, sleep=sleep, rate_limit=1.0,
                           retry_network_errors=False) as client:
        client._pacer = RequestPacer(1.0, clock=lambda: 100.0)  # a clock that stands still
        await client.get_private_video("VI1")
        await client.get_private_video("VI1")
    assert [r.connection for r in server.requests] == [1, 1, 2]
    assert sleep.waits == [pytest.approx(1.1)]


async def test_a_resend_cut_again_on_another_kept_connection_is_reported(raw_server,
                                                                        make_client):
    """Two kept-alive connections, both closed by the server as they are reused: the
    read is resent once (on the other one), then reported, never a third time."""
    server = raw_server(answer(envelope(VIDEO)), answer(envelope(VIDEO)), hang_up(),
                        hang_up(), answer(envelope(VIDEO)))
    async with make_client(server.base_url, retry_network_errors=False) as client:
        await asyncio.gather(client.get_private_video("VI1"), client.get_private_video("VI1"))
        assert server.connections == 2
        with pytest.raises(NetworkError, match="cut off"):
            await client.get_private_video("VI1")
    assert len(server.requests) == 4 and server.connections == 2


async def test_a_read_cut_again_after_its_resend_is_reported(raw_server, make_client):
    server = raw_server(answer(envelope(VIDEO)), hang_up(), hang_up(), answer(envelope(VIDEO)))
    async with make_client(server.base_url, retry_network_errors=False) as client:
        await client.get_private_video("VI1")
        with pytest.raises(NetworkError, match="cut off"):
            await client.get_private_video("VI1")
    assert [r.connection for r in server.requests] == [1, 1, 2]  # resent once, not more


async def test_a_read_cut_on_a_new_connection_is_reported_at_once(raw_server, make_client):
    """Not the race of a kept-alive connection: the server itself is in trouble, and
    an interactive caller hears about it at once."""
    server = raw_server(hang_up(), answer(envelope(VIDEO)))
    sleep = SleepRecorder()
    async with make_client(server.base_url, sleep=sleep, retry_network_errors=False) as client:
        with pytest.raises(NetworkError, match="cut off"):
            await client.get_private_video("VI1")
    assert len(server.requests) == 1 and sleep.waits == []



@pytest.mark.parametrize("retry_network_errors", [True, False], ids=["cli", "tui"])
async def test_a_delete_the_fake_applied_then_dropped_on_a_reused_connection_is_sent_once(
        fake_factory, make_client, retry_network_errors):
    """The same against the fake (uvicorn, h11): a first call leaves a kept-alive
    connection, the delete goes on it, and the fake applies the delete and closes that
    connection without a byte of answer ("drop"). A second delete request would find a
    0429 waiting for it; the server must have received exactly one."""
    fake = fake_factory()
    doomed = fake.library.ids()[:3]
    fake.faults.push("drop", path="/delete_videos")
    fake.faults.push("429", count=6, path="/delete_videos")
    sleep = SleepRecorder()
    async with make_client(fake.base_url, sleep=sleep,
                           retry_network_errors=retry_network_errors) as client:
        await client.list_videos(1, 5)
        report = await client.delete_videos(doomed)
    deletes = [r for r in fake.requests if r.path.endswith("/delete_videos")]
    assert [r.json for r in deletes] == [doomed]
    assert fake.faults.fired["drop"] == 1 and fake.faults.fired["429"] == 0
    assert not set(doomed) & set(fake.library.ids())  # it did act
    (chunk,) = report.chunks
    assert not chunk.ok and chunk.error.maybe_applied is True
    assert report.maybe_deleted == tuple(doomed) and report.deleted == ()
    assert sleep.waits == []
