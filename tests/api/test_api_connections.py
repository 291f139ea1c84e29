"""Connections: kept alive and reused, and a closed one never fails a request."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from .api_testkit import Reply, envelope

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


def test_a_host_name_connects_without_loading_the_idna_codec(scripted):
    """The host goes to the resolver in its ASCII form. Given as text, the resolver
    loads Python's idna codec inside the request thread, and during start-up (when
    the event loop holds the interpreter) that alone delayed page 1 by ~40 ms."""
    import subprocess
    import sys

    scripted.push(Reply(json=envelope(VIDEO)))
    url = scripted.base_url.replace("127.0.0.1", "localhost")
    script = (
        "import asyncio, sys\n"
        "from memories_tui.api.client import MemoriesClient\n"
        "async def main():\n"
        f"    async with MemoriesClient('sk-test-key', {url!r}, rate_limit=None) as client:\n"
        "        video = await client.get_private_video('VI1')\n"
        "    print(video.video_no, 'encodings.idna' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout.split() == ["VI1", "False"], done.stderr
