"""Shared pieces of the api tests: the scripted HTTP server and its `Reply` script.

The scripted server is a tiny Starlette app served by uvicorn on loopback (real HTTP,
no mock transport) that answers each request with the next scripted `Reply`. It
exists for precise protocol faults — a given status, body, header, a stall, a cut —
that are easiest to state directly in a test.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

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
