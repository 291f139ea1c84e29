"""Streaming responses that can also break HTTP on purpose.

``ByteStreamResponse`` sends a body of known length in chunks, honours back-pressure,
and stops when the client goes away or the server stops (a 1 GiB download to a client
that hung up must not keep generating bytes). The same class sends broken bodies for
the fault switches: fewer bytes than ``Content-Length`` then a dropped connection
("cut", "short"), fewer bytes then silence on an open connection ("stall-body"), or
more bytes than ``Content-Length`` ("long").

Breaking framing needs the TCP transport, which ASGI does not expose. Under uvicorn's
h11 protocol the ``send`` callable is a bound method of the request cycle, which holds
the transport; ``FakeApp`` stores that original ``send`` in the scope. Anywhere else
(another server, an in-process ASGI transport) the broken modes degrade: a truncated
body ends with ConnectionAbortedError raised into the server, and "long" sends the
declared length only.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

RAW_SEND_KEY = "memories_fake.raw_send"

ChunkSource = Callable[[int, int], Iterable[bytes]]


#: How much a raw write (see `ByteStreamResponse`) may leave unsent before it waits.
RAW_WRITE_BUFFER = 1024 * 1024
#: With a download `rate`, bytes are sent in pieces this big, so progress moves smoothly.
PACED_PIECE = 16 * 1024


def transport_of(scope: Scope) -> Any | None:
    """The connection's asyncio transport under uvicorn's h11 protocol, else None."""
    cycle = getattr(scope.get(RAW_SEND_KEY), "__self__", None)
    transport = getattr(cycle, "transport", None)
    return transport if hasattr(transport, "write") and hasattr(transport, "close") else None


class ClientWatch:
    """Watches ``receive`` for the client's disconnect while a response is sent.

    Given ``stopping``, it also hangs up when the server stops: a client that stopped
    reading leaves ``send`` blocked on back-pressure, and only closing the connection
    frees it, so shutdown is not held up until uvicorn's timeout.
    """

    def __init__(self, receive: Receive, scope: Scope | None = None,
                 stopping: threading.Event | None = None) -> None:
        self.gone = asyncio.Event()
        self._task = asyncio.ensure_future(self._watch(receive))
        self._guard = (asyncio.ensure_future(self._hang_up_on_stop(scope, stopping))
                       if scope is not None and stopping is not None else None)

    async def _hang_up_on_stop(self, scope: Scope, stopping: threading.Event) -> None:
        await self.wait(stopping)
        transport = transport_of(scope)
        if stopping.is_set() and not self.gone.is_set() and transport is not None:
            transport.abort()  # not close(): that would wait to flush to a client not reading

    async def _watch(self, receive: Receive) -> None:
        with contextlib.suppress(Exception):
            while (await receive())["type"] != "http.disconnect":
                pass
        self.gone.set()

    async def wait(self, stopping: threading.Event | None, timeout: float | None = None) -> None:
        """Until the client leaves, ``stopping`` is set, or ``timeout`` passes."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not self.gone.is_set() and not (stopping is not None and stopping.is_set()):
            if deadline is not None and loop.time() >= deadline:
                return
            # Polling the thread-safe Event is simple and costs nothing at 20 Hz.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.gone.wait(), 0.05)

    async def drop(self, scope: Scope) -> bool:
        """Close the TCP connection now; wait until the server has noticed.

        Waiting matters: uvicorn would otherwise log "returned without completing
        response" for a response we broke on purpose.
        """
        transport = transport_of(scope)
        if transport is None:
            return False
        transport.close()
        await self.wait(None, timeout=5.0)
        return True

    def close(self) -> None:
        self._task.cancel()
        if self._guard is not None:
            self._guard.cancel()


class ByteStreamResponse(Response):
    """A body of ``length`` bytes from ``chunks(start, end)``, possibly broken.

    ``send_bytes`` < ``length`` sends that many then drops the connection, or with
    ``hold_open`` keeps it open and silent until the client leaves or the server stops;
    ``extra`` bytes are written after the whole declared body, past ``Content-Length``,
    and the connection is then dropped.
    """

    def __init__(self, *, length: int, chunks: ChunkSource, media_type: str,
                 stopping: threading.Event | None = None, status_code: int = 200,
                 headers: dict[str, str] | None = None, send_bytes: int | None = None,
                 extra: bytes = b"", hold_open: bool = False,
                 close_delimited: bool = False, rate: float | None = None) -> None:
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.body = b""
        self.length, self.chunks, self.stopping = length, chunks, stopping
        self.send_bytes = length if send_bytes is None else min(send_bytes, length)
        self.extra = extra
        self.hold_open = hold_open
        self.close_delimited = close_delimited
        #: Bytes per second at most (a slow link), or None for as fast as it goes.
        self.rate = rate
        self.init_headers({**(headers or {}), "content-length": str(length)})

    def broken(self, *, send_bytes: int | None = None, extra: bytes = b"",
               hold_open: bool = False, close_delimited: bool = False) -> ByteStreamResponse:
        return ByteStreamResponse(
            length=self.length, chunks=self.chunks, media_type=self.media_type or "",
            stopping=self.stopping, status_code=self.status_code,
            headers={k: v for k, v in self.headers.items() if k != "content-length"},
            send_bytes=send_bytes, extra=extra, hold_open=hold_open,
            close_delimited=close_delimited, rate=self.rate,
        )

    async def _paced(self, chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
        """The chunks as they come, or, with a `rate`, in 16 KiB pieces at that pace."""
        if not self.rate:
            for chunk in chunks:
                yield chunk
            return
        loop = asyncio.get_running_loop()
        start, sent = loop.time(), 0
        for chunk in chunks:
            for at in range(0, len(chunk), PACED_PIECE):
                piece = chunk[at:at + PACED_PIECE]
                yield piece
                sent += len(piece)
                ahead = sent / self.rate - (loop.time() - start)
                if ahead > 0:
                    await asyncio.sleep(ahead)

    async def _send_close_delimited(self, scope: Scope, watch: ClientWatch) -> None:
        """No Content-Length: the body ends where the connection does (HTTP/1.1 allows
        it with `Connection: close`). Written past h11, which would frame it as chunked;
        then the connection is closed, after all or part (`send_bytes`) of the body."""
        transport = transport_of(scope)
        if transport is None:
            raise ConnectionAbortedError("fake server: no connection to write a raw body to")
        head = [f"HTTP/1.1 {self.status_code} OK".encode()]
        head += [name + b": " + value for name, value in self.raw_headers
                 if name.lower() not in (b"content-length", b"connection")]
        transport.write(b"\r\n".join([*head, b"connection: close", b"", b""]))
        for chunk in self.chunks(0, self.send_bytes):
            if watch.gone.is_set():
                return
            transport.write(chunk)
            # Written past uvicorn's flow control: keep the buffer bounded ourselves.
            while transport.get_write_buffer_size() > RAW_WRITE_BUFFER:
                if watch.gone.is_set() or transport.is_closing():
                    return
                await asyncio.sleep(0.002)
        await watch.drop(scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = ClientWatch(receive, scope, self.stopping)
        try:
            if self.close_delimited:
                await self._send_close_delimited(scope, watch)
                return
            await send({"type": "http.response.start", "status": self.status_code,
                        "headers": self.raw_headers})
            async for chunk in self._paced(self.chunks(0, self.send_bytes)):
                if watch.gone.is_set():
                    return
                if self.stopping is not None and self.stopping.is_set():
                    await watch.drop(scope)
                    return
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if self.send_bytes < self.length:
                if self.hold_open:
                    # A stalled transfer: the client must notice by its own read timeout.
                    await watch.wait(self.stopping)
                    if watch.gone.is_set():
                        return
                if not await watch.drop(scope):
                    # No transport to cut: fail loudly rather than look complete.
                    raise ConnectionAbortedError("fake server: response body cut on purpose")
                return
            if self.extra:
                transport = transport_of(scope)
                if transport is not None:
                    # Past h11's framing: it would refuse to send more than declared.
                    transport.write(self.extra)
                    await watch.drop(scope)
                    return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watch.close()


def bytes_source(data: bytes, chunk: int = 64 * 1024) -> ChunkSource:
    def chunks(start: int, end: int) -> Iterable[bytes]:
        for at in range(start, end, chunk):
            yield data[at:min(end, at + chunk)]
    return chunks
