"""Shared pieces of the api tests: the scripted HTTP servers and their scripts.

The scripted server is a tiny Starlette app served by uvicorn on loopback (real HTTP,
no mock transport) that answers each request with the next scripted `Reply`. It
exists for precise protocol faults — a given status, body, header, a stall, a cut —
that are easiest to state directly in a test.

`RawServer` speaks HTTP/1.1 by hand on a loopback socket, for what uvicorn will not do:
read a request (or only part of its body) on a kept-alive connection and close that
connection without a byte of answer. It counts connections, so a test can tell a
reused connection from a new one.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

API_KEY = "sk-test-test-0123456789abcdef"
OK = {"code": "0000", "msg": "success", "data": None, "success": True, "failed": False}


@dataclass
class Reply:
    """One scripted answer. `json` is sent unless `body` or `chunks` is given."""

    status: int = 200
    json: object = field(default_factory=lambda: dict(OK))
    body: bytes | None = None
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a stall, when long)
    chunks: list[bytes] | None = None  # stream these, one by one
    chunk_delay: float = 0.0
    content_length: int | None = None  # declare this length for a streamed body
    cut: bool = False  # after the chunks, drop the connection mid-body
    stall_after: float = 0.0  # after the chunks, go quiet this long


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def envelope(data: object = None, code: object = "0000", msg: str = "success") -> dict:
    ok = code == "0000"
    return {"code": code, "msg": msg, "data": data, "success": ok, "failed": not ok}


async def save_download(client: Any, path: Path, video_no: str = "VI1",
                        progress: Callable[[int], None] | None = None) -> Any:
    """`client.download(video_no)` written to `path` by `save_to`; the stream, after."""
    handle = await asyncio.to_thread(open, path, "wb")
    with handle:
        async with client.download(video_no) as stream:
            await stream.save_to(handle, progress)
    return stream


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    client_port: int | None = None  # the connection it came on

    def json(self) -> object:
        return jsonlib.loads(self.body)


class _Cut(Exception):
    """Raised inside a streamed body: uvicorn then drops the connection."""


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self._generation = 0
        self._server: uvicorn.Server | None = None
        self.base_url = ""

    # Script -------------------------------------------------------------------

    def push(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def reset(self) -> None:
        self.replies.clear()
        self.requests.clear()
        self._generation += 1  # ends stalls left over from the previous test

    # Serving ------------------------------------------------------------------

    async def _sleep(self, seconds: float, generation: int) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and generation == self._generation:
            await asyncio.sleep(0.02)

    async def _handle(self, request: Request) -> Response:
        generation = self._generation
        body = await request.body()
        self.requests.append(
            Recorded(
                method=request.method,
                path=request.url.path,
                query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
                client_port=request.client.port if request.client else None,
            )
        )
        reply = self.replies.popleft() if self.replies else Reply()
        if reply.delay:
            await self._sleep(reply.delay, generation)
        headers = dict(reply.headers)
        if reply.chunks is not None:
            if reply.content_length is not None:
                headers["content-length"] = str(reply.content_length)

            async def stream() -> AsyncIterator[bytes]:
                for chunk in reply.chunks:
                    yield chunk
                    if reply.chunk_delay:
                        await self._sleep(reply.chunk_delay, generation)
                if reply.stall_after:
                    await self._sleep(reply.stall_after, generation)
                if reply.cut:
                    raise _Cut()

            return StreamingResponse(
                stream(), status_code=reply.status, headers=headers, media_type=reply.content_type
            )
        content = reply.body if reply.body is not None else jsonlib.dumps(reply.json).encode()
        response = Response(content, status_code=reply.status, headers=headers)
        if reply.content_type is None:
            del response.headers["content-type"]
        else:
            response.headers["content-type"] = reply.content_type
        return response

    def start(self) -> str:
        methods = ["GET", "POST", "PUT", "DELETE"]
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=methods)])
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            app, log_level="critical", lifespan="off", loop="asyncio", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the scripted server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._thread = thread
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._generation += 1
            self._server.should_exit = True
            self._thread.join(timeout=5)


# -- HTTP by hand ----------------------------------------------------------------------


@dataclass
class Step:
    """What `RawServer` does with one request: answer `json`, or (None) close the
    connection without answering, after reading `read` bytes of the body (all of it
    when None)."""

    json: object | None = field(default_factory=lambda: dict(OK))
    read: int | None = None


def answer(json: object = None) -> Step:
    return Step(json=dict(OK) if json is None else json)


def hang_up(read: int | None = None) -> Step:
    return Step(json=None, read=read)


@dataclass
class RawRequest:
    connection: int  # which connection it came on, counted from 1 in accept order
    method: str
    path: str
    body: bytes  # what the server read of it


class RawServer:
    """Answers requests with the next `Step` of its script (then plain success), one
    thread per connection, keep-alive unless the script hangs up."""

    TIMEOUT = 10.0  # no read or accept waits longer: a broken test fails, never hangs

    def __init__(self, *steps: Step, port: int = 0) -> None:
        self.steps: deque[Step] = deque(steps)
        self.requests: list[RawRequest] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self, suffix: str) -> list[RawRequest]:
        return [r for r in self.requests if r.path.split("?")[0].endswith(suffix)]

    def stop(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # stopped
            with self._lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(self.TIMEOUT)
        pending = b""
        with conn:
            while True:
                try:
                    head, pending = _read_until(conn, pending, b"\r\n\r\n")
                except OSError:
                    return
                if head is None:
                    return  # the client closed the connection
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                               if line.lower().startswith("content-length:")), 0)
                with self._lock:
                    step = self.steps.popleft() if self.steps else answer()
                wanted = length if step.read is None else min(step.read, length)
                try:
                    body, pending = _read_exactly(conn, pending, wanted)
                except OSError:
                    return
                with self._lock:
                    self.requests.append(RawRequest(number, method, path, body))
                if step.json is None:
                    return  # closed (the with) without a byte of answer
                payload = jsonlib.dumps(step.json).encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))


def _read_until(conn: socket.socket, pending: bytes, marker: bytes) -> tuple[bytes | None, bytes]:
    while marker not in pending:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        pending += chunk
    head, _, rest = pending.partition(marker)
    return head, rest


def _read_exactly(conn: socket.socket, pending: bytes, size: int) -> tuple[bytes, bytes]:
    while len(pending) < size:
        chunk = conn.recv(65536)
        if not chunk:
            break
        pending += chunk
    return pending[:size], pending[size:]
