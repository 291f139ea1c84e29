"""An httpx transport for downloads: plain HTTP/1.1 over a blocking socket in a thread.

httpx moves a body in 64 KiB reads with Python work for each one on the event loop;
measured on loopback that holds a download to 0.5-0.7x what curl gets. This transport
sends the request with the standard library's `http.client` in a thread, and gives the
response a `BlockingBody` that a thread can copy straight into a file with large reads
(`copy_to`), so a video's bytes never pass through the event loop.

Everything before the body stays with `MemoriesClient`, which sees an ordinary
`httpx.Response`: pacing, retries, statuses, JSON refusals. Failures are raised as the
httpx exceptions the rest of the client already turns into plain words.

The blocking calls run in daemon threads (`in_thread`): a connect or read that hangs
after the caller gave up must not keep the process alive when the app quits. `abort()`
shuts the socket down, which wakes a thread blocked in a read at once.

No proxy support: the client uses this transport only for direct connections, and
httpx's own (which honours proxy settings) otherwise.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx

__all__ = ["BLOCKING_BODY", "BlockingBody", "BlockingHTTPTransport", "in_thread", "uses_proxy"]

T = TypeVar("T")

#: Key of `httpx.Response.extensions` under which this transport leaves its body.
BLOCKING_BODY = "memories_tui.blocking_body"

#: Largest single write `copy_to` makes. Loopback reads come in pieces of up to a few
#: MiB; TLS ones in 16 KiB records, which are gathered up to this before writing.
COPY_BUFFER = 1024 * 1024
#: Gathering stops after this long, so a slow link still reports progress often.
GATHER_SECONDS = 0.1
#: Chunk size when the body is read through `async for` (JSON answers, a first peek).
ASYNC_CHUNK = 256 * 1024


def uses_proxy(url: httpx.URL) -> bool:
    """Whether the environment's proxy settings (as httpx reads them) apply to `url`."""
    import urllib.request  # only asked at the first download

    proxies = urllib.request.getproxies()
    if not any(key in proxies for key in (url.scheme, "all")):
        return False
    return not urllib.request.proxy_bypass(url.host)


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a new daemon thread; awaiting it is cancellable.

    Unlike `asyncio.to_thread`, a call that is still blocked when the process exits
    does not hold the exit up. A cancelled caller leaves the call running to its end;
    its result or error is then dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        try:
            result = function(*args)
        except BaseException as exc:  # delivered to the awaiting task, not printed
            outcome = (False, exc)
        else:
            outcome = (True, result)
        try:
            loop.call_soon_threadsafe(deliver, *outcome)
        except RuntimeError:
            pass  # the loop has closed: no one is waiting any more

    threading.Thread(target=run, name="memories-blocking-io", daemon=True).start()
    return await future


class _Exchange:
    """One request and its response over one connection of our own.

    Holds the socket so that another thread can abort a blocked connect or read.
    """

    def __init__(self, request: httpx.Request, content: bytes,
                 ssl_context: ssl.SSLContext | None) -> None:
        self.request = request
        self.content = content
        self.ssl_context = ssl_context
        timeout = request.extensions.get("timeout", {})
        self.connect_timeout: float | None = timeout.get("connect")
        self.read_timeout: float | None = timeout.get("read")
        self.write_timeout: float | None = timeout.get("write")
        self.aborted = False
        self._sock: socket.socket | None = None
        self._connection: http.client.HTTPConnection | None = None
        self.response: http.client.HTTPResponse | None = None
        self._maybe_buffered = True  # see readinto1

    # -- in the thread --------------------------------------------------------

    def open(self) -> http.client.HTTPResponse:
        """Connect, send the request and read the status line and headers."""
        request = self.request
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        sock = self._connect(url.host, port)
        connection = http.client.HTTPConnection(url.host, port)
        connection.sock = sock  # ours: connected (and wrapped in TLS) already
        self._connection = connection
        try:
            sock.settimeout(self.write_timeout)
            target = url.raw_path.decode("ascii")
            connection.putrequest(request.method, target, skip_host=True,
                                  skip_accept_encoding=True)
            for name, value in request.headers.multi_items():
                connection.putheader(name, value)
            connection.endheaders(self.content or None)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(f"Sending the request timed out: {exc}",
                                     request=request) from exc
        except OSError as exc:
            raise httpx.WriteError(f"Sending the request failed: {exc}", request=request) from exc
        try:
            sock.settimeout(self.read_timeout)
            response = connection.getresponse()
        except BaseException as exc:
            raise self._read_error(exc) from exc
        self.response = response
        if self.aborted:  # the caller gave up meanwhile: no one will close this
            self.close()
            raise httpx.ReadError("The request was abandoned.", request=request)
        return response

    def _connect(self, host: str, port: int) -> socket.socket:
        request = self.request
        try:
            addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        error: OSError | None = None
        for family, kind, proto, _name, address in addresses:
            sock = socket.socket(family, kind, proto)
            self._sock = sock
            if self.aborted:
                sock.close()
                raise httpx.ConnectError("The request was abandoned.", request=request)
            try:
                sock.settimeout(self.connect_timeout)
                sock.connect(address)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.ssl_context is not None:
                    sock = self.ssl_context.wrap_socket(sock, server_hostname=host)
                    self._sock = sock
                return sock
            except TimeoutError as exc:
                sock.close()
                raise httpx.ConnectTimeout(str(exc) or "Connecting timed out.",
                                           request=request) from exc
            except OSError as exc:  # refused, unreachable, or a TLS failure
                sock.close()
                error = exc
        assert error is not None  # getaddrinfo never returns an empty list
        raise httpx.ConnectError(str(error), request=request) from error

    def read1(self, size: int) -> bytes:
        """Up to `size` bytes, as soon as any are there; b"" at the end of the body."""
        buffer = bytearray(size)
        return bytes(buffer[: self.readinto1(memoryview(buffer))])

    def readinto1(self, buffer: memoryview) -> int:
        """Fill the start of `buffer` with what is there (waiting for at least one byte).

        Returns how many bytes it got: 0 at the end of the body.
        """
        response = self.response
        assert response is not None
        if self.aborted:
            raise httpx.ReadError("The download was stopped.", request=self.request)
        try:
            if response.chunked or response.length is None or response.fp is None:
                # http.client undoes the chunked framing (or reads to the close).
                data = response.read1(len(buffer))
                buffer[: len(data)] = data
                return len(data)
            # A declared length. Straight from the socket into `buffer`, with no copy,
            # once the reader's own buffer is known to be empty (after the headers it
            # may hold body bytes, and readinto1 would add a socket read to them: bytes
            # lost if that read fails). read1 returns only those bytes, if any.
            # Either way http.client's own count (`length`) is kept true.
            wanted = buffer[: response.length]
            if self._maybe_buffered or len(wanted) <= io.DEFAULT_BUFFER_SIZE:
                data = response.fp.read1(len(wanted))
                got = len(data)
                buffer[:got] = data
                self._maybe_buffered = got == len(wanted)
            else:
                got = response.fp.readinto1(wanted)
            response.length -= got
            return got
        except BaseException as exc:
            raise self._read_error(exc) from exc

    def _read_error(self, exc: BaseException) -> BaseException:
        request = self.request
        if isinstance(exc, TimeoutError):
            return httpx.ReadTimeout(str(exc) or "Reading timed out.", request=request)
        if isinstance(exc, (http.client.HTTPException, ValueError)):
            # A cut body, a malformed status line or chunk, or a closed connection.
            return httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request)
        if isinstance(exc, OSError):
            return httpx.ReadError(str(exc), request=request)
        return exc

    # -- from any thread -------------------------------------------------------

    def abort(self) -> None:
        """Stop: a connect or read blocked in another thread fails at once."""
        self.aborted = True
        sock = self._sock
        if sock is not None:
            try:
                # The plain socket's shutdown, even for TLS: it only wakes the reader,
                # and must not touch TLS state another thread is using.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # not connected yet, or already closed

    def close(self) -> None:
        self.abort()
        if self._connection is not None:
            self._connection.close()
        elif self._sock is not None:
            self._sock.close()


class BlockingBody(httpx.AsyncByteStream):
    """The body of a response from `BlockingHTTPTransport`."""

    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await in_thread(self._exchange.read1, ASYNC_CHUNK)
            if not chunk:
                return
            yield chunk

    async def aclose(self) -> None:
        self._exchange.close()

    def abort(self) -> None:
        """Make a `copy_to` running in another thread stop soon (with `httpx.ReadError`)."""
        self._exchange.abort()

    def copy_to(self, write: Callable[[memoryview], object],
                wrote: Callable[[int], None]) -> None:
        """Blocking: read the rest of the body and pass it to `write`, in large pieces.

        `wrote(n)` follows each write. Reads raise httpx exceptions; whatever `write`
        raises (an OSError for a full disk) propagates unchanged.
        """
        exchange = self._exchange
        buffer = bytearray(COPY_BUFFER)
        view = memoryview(buffer)
        ended = False
        while not ended:
            filled = 0
            started = time.monotonic()
            try:
                while filled < COPY_BUFFER:
                    got = exchange.readinto1(view[filled:])
                    if not got:
                        ended = True
                        break
                    filled += got
                    if time.monotonic() - started >= GATHER_SECONDS:
                        break
            except httpx.HTTPError:
                if filled and not exchange.aborted:
                    # Keep what came before the failure, so the count says how far it got.
                    write(view[:filled])
                    wrote(filled)
                raise
            if filled:
                if exchange.aborted:
                    raise httpx.ReadError("The download was stopped.", request=exchange.request)
                write(view[:filled])
                wrote(filled)


class BlockingHTTPTransport(httpx.AsyncBaseTransport):
    """One connection per request, made and read in threads; see the module's notes."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Unsupported URL scheme {request.url.scheme!r}.",
                                            request=request)
        context = None
        if request.url.scheme == "https":
            if self._ssl_context is None:
                # httpx's own defaults: the same certificates the API calls trust.
                self._ssl_context = httpx.create_ssl_context()
            context = self._ssl_context
        content = await request.aread()
        exchange = _Exchange(request, content, context)
        try:
            response = await in_thread(exchange.open)
        except asyncio.CancelledError:
            exchange.abort()
            raise
        headers = [(name.encode("latin-1"), value.encode("latin-1"))
                   for name, value in response.getheaders()]
        body = BlockingBody(exchange)
        return httpx.Response(
            response.status,
            headers=headers,
            stream=body,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
                # httpx wraps the stream; this is how the client finds `copy_to` again.
                BLOCKING_BODY: body,
            },
        )
