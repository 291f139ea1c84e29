"""Connections: calls share a kept-alive one, a closed one never fails a call, each
download opens its own, and an address that does not answer leaves time for the next."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from memories_tui.api import NetworkError

from .api_testkit import Reply, answer, envelope, hang_up, save_download

VIDEO = {"video_no": "VI1", "video_name": "a", "duration": "1", "size": "1",
         "status": "PARSE", "create_time": "1700000000000"}


async def test_calls_in_a_row_share_one_connection(scripted, make_client):
    scripted.push(*[Reply(json=envelope(VIDEO)) for _ in range(3)])
    async with make_client(scripted.base_url) as client:
        for _ in range(3):
            await client.get_private_video("VI1")
    ports = {request.client_port for request in scripted.requests}
    assert len(scripted.requests) == 3 and len(ports) == 1


async def test_a_server_that_says_close_gets_a_new_connection(scripted, make_client):
    scripted.push(Reply(json=envelope(VIDEO), headers={"Connection": "close"}),
                  Reply(json=envelope(VIDEO)))
    async with make_client(scripted.base_url) as client:
        await client.get_private_video("VI1")
        await client.get_private_video("VI1")
    first, second = (request.client_port for request in scripted.requests)
    assert first != second


class ClosingServer:
    """Answers one request per connection with keep-alive, then closes the connection
    anyway, as a server does when its idle timeout ends."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self.requests = 0
        self.closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests += 1
                payload = json.dumps(envelope(VIDEO)).encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
            self.closed.set()  # closed without saying so

    def stop(self) -> None:
        self.listener.close()


@pytest.fixture
def closing_server():
    server = ClosingServer()
    yield server
    server.stop()


async def test_a_connection_the_server_closed_is_not_reused(closing_server, make_client):
    async with make_client(closing_server.base_url) as client:
        await client.get_private_video("VI1")
        closing_server.closed.wait(5)
        video = await client.get_private_video("VI1")
    assert video.video_no == "VI1"
    assert closing_server.requests == 2 and closing_server.connections == 2


async def test_a_host_name_works_for_calls_and_downloads(scripted, make_client, tmp_path):
    """By name, not address: httpx's transport resolves it for the calls, the download
    fast path resolves it itself (in its ASCII form). `localhost` may name ::1 first,
    where nothing listens: the next address is tried."""
    scripted.push(Reply(json=envelope(VIDEO)), Reply(body=b"video bytes",
                                                     content_type="application/octet-stream"))
    url = scripted.base_url.replace("127.0.0.1", "localhost")
    async with make_client(url) as client:
        video = await client.get_private_video("VI1")
        await save_download(client, tmp_path / "video.mp4")
    assert video.video_no == "VI1"
    assert (tmp_path / "video.mp4").read_bytes() == b"video bytes"


# -- the download fast path: a connection of its own, never a resend ---------------------


async def test_each_download_opens_a_connection_of_its_own(scripted, make_client, tmp_path):
    octet = "application/octet-stream"
    scripted.push(Reply(json=envelope(VIDEO)), Reply(body=b"first", content_type=octet),
                  Reply(body=b"second", content_type=octet), Reply(json=envelope(VIDEO)))
    async with make_client(scripted.base_url) as client:
        await client.get_private_video("VI1")
        for name in ("a", "b"):
            await save_download(client, tmp_path / name)
        await client.get_private_video("VI1")
    call, first, second, again = (request.client_port for request in scripted.requests)
    assert (tmp_path / "a").read_bytes() == b"first" and (tmp_path / "b").read_bytes() == b"second"
    assert len({call, first, second}) == 3  # neither the calls' connection nor each other's
    assert again == call  # the calls' kept-alive connection, untouched by the downloads


@pytest.mark.parametrize("retry_network_errors", [True, False], ids=["cli", "tui"])
async def test_a_download_the_server_read_and_dropped_is_not_resent(
        raw_server, make_client, retry_network_errors):
    """The transport never sends a request twice: with retries off (max_retries=0), one
    download request arrives, even right after a call left a kept-alive connection."""
    server = raw_server(answer(envelope(VIDEO)), hang_up())
    async with make_client(server.base_url, max_retries=0,
                           retry_network_errors=retry_network_errors) as client:
        await client.get_private_video("VI1")
        with pytest.raises(NetworkError, match="cut off"):
            async with client.download("VI1"):
                pass
    (download,) = server.paths("/download")
    assert download.connection == 2  # its own, not the call's
    assert len(server.requests) == 2


# -- connecting: an address that does not answer leaves time for the next ---------------


@pytest.fixture
def unanswering_then_listening(monkeypatch, scripted, silent_port):
    """`localhost` resolves to two loopback addresses: first one where connecting times
    out, then the scripted server."""
    good_port = int(scripted.base_url.rsplit(":", 1)[1])
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in ("localhost", b"localhost"):
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                     ("127.0.0.1", port)) for port in (silent_port, good_port)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return f"http://localhost:{good_port}"


async def test_a_download_tries_the_next_address_after_a_connect_timeout(
        unanswering_then_listening, scripted, make_client, tmp_path):
    scripted.push(Reply(body=b"video bytes", content_type="application/octet-stream"))
    async with make_client(unanswering_then_listening, timeout=1.0, max_retries=0) as client:
        await save_download(client, tmp_path / "video.mp4")
    assert (tmp_path / "video.mp4").read_bytes() == b"video bytes"


async def test_a_call_tries_the_next_address_after_a_connect_timeout(
        unanswering_then_listening, scripted, make_client):
    scripted.push(Reply(json=envelope(VIDEO)))
    async with make_client(unanswering_then_listening, timeout=1.0, max_retries=0) as client:
        video = await client.get_private_video("VI1")
    assert video.video_no == "VI1"
