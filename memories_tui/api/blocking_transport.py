"""An httpx transport of our own: HTTP/1.1 with http.client, in threads.

The client sends every request through it when the connection to the API is direct
(no proxy), for two reasons measured here:

- Downloads. httpx moves a body in 64 KiB reads with Python work for each one on the
  event loop, which held a 1 GiB download on loopback to 0.2-0.7x what curl gets. Here
  the response has a `BlockingBody` that a thread copies straight into a file with
  large reads (`copy_to`), so a video's bytes never pass through the event loop.
- Start-up. httpx's own transport imports httpcore, h11 and anyio (~50 ms, part of it
  inside the first request), all before the first page can show.

Everything else stays with `MemoriesClient`, which sees ordinary `httpx.Request` and
`httpx.Response` objects: pacing, retries, statuses, JSON refusals. Failures are raised
as the httpx exceptions the client already turns into plain words.

Connections are kept alive and reused, like httpx's: a connection goes back to the
pool once its response has been read to the end (and the server did not ask to close
it). One that the server closed while it sat idle is noticed before use, or, if the
request then finds it closed before any answer came, the request is sent once more
on a new connection (as urllib3 and httpcore do).

The blocking calls run in daemon threads (`in_thread`): a connect or read that hangs
after the caller gave up must not keep the process alive when the app quits. `abort()`
shuts the socket down, which wakes a thread blocked in a read at once.

No proxy support: with a proxy set for the API's host, the client uses httpx's own
transport, which knows proxies.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import select
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
#: A JSON answer up to this size is read in the thread that read its headers: one
#: thread hop per call instead of two, which counts while the event loop is busy (the
#: thread waits for the interpreter lock at every step).
EAGER_JSON = 1024 * 1024


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


#: Idle connections kept per host.
POOL_SIZE = 4


class _Connection:
    """A connected socket (wrapped in TLS for https) with http.client's framing on it."""

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self.sock = sock
        self.http = http.client.HTTPConnection(host, port)
        self.http.sock = sock  # ours: connected (and wrapped in TLS) already

    def dropped(self) -> bool:
        """Whether the server closed this idle connection (or it is unusable)."""
        try:
            # An idle keep-alive connection has nothing to read: readable means the
            # server's end-of-file, or bytes nobody asked for.
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def close(self) -> None:
        self.http.close()


def _small_json(response: http.client.HTTPResponse) -> bool:
    media = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
    return (media.endswith("json") and not response.chunked
            and response.length is not None and response.length <= EAGER_JSON)


class _StaleConnection(Exception):
    """A reused connection turned out closed before the server answered anything."""


class _Exchange:
    """One request and its response, over a reused connection or a new one.

    Holds the socket so that another thread can abort a blocked connect or read.
    """

    def __init__(self, request: httpx.Request, content: bytes,
                 ssl_context: ssl.SSLContext | None,
                 connection: _Connection | None = None) -> None:
        self.request = request
        self.content = content
        self.ssl_context = ssl_context
        timeout = request.extensions.get("timeout", {})
        self.connect_timeout: float | None = timeout.get("connect")
        self.read_timeout: float | None = timeout.get("read")
        self.write_timeout: float | None = timeout.get("write")
        self.aborted = False
        self.connection = connection
        self._sock: socket.socket | None = connection.sock if connection else None
        self.response: http.client.HTTPResponse | None = None
        self._maybe_buffered = True  # see readinto1
        self.early_body: bytes | None = None  # see EAGER_JSON
        self.early_error: httpx.HTTPError | None = None

    # -- in the thread --------------------------------------------------------

    def open(self) -> http.client.HTTPResponse:
        """Send the request and read the status line and headers."""
        if self.connection is not None:
            try:
                return self._send(self.connection, reused=True)
            except _StaleConnection:
                self.connection.close()
                self.connection = None
        url = self.request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        self.connection = _Connection(self._connect(url.raw_host, port), url.host, port)
        return self._send(self.connection, reused=False)

    def _send(self, connection: _Connection, *, reused: bool) -> http.client.HTTPResponse:
        request = self.request
        sock = self._sock = connection.sock
        if self.aborted:
            raise httpx.ReadError("The request was abandoned.", request=request)
        try:
            sock.settimeout(self.write_timeout)
            target = request.url.raw_path.decode("ascii")
            connection.http.putrequest(request.method, target, skip_host=True,
                                       skip_accept_encoding=True)
            for name, value in request.headers.multi_items():
                connection.http.putheader(name, value)
            connection.http.endheaders(self.content or None)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(f"Sending the request timed out: {exc}",
                                     request=request) from exc
        except OSError as exc:
            if reused and isinstance(exc, (BrokenPipeError, ConnectionError)):
                raise _StaleConnection from exc
            raise httpx.WriteError(f"Sending the request failed: {exc}", request=request) from exc
        try:
            sock.settimeout(self.read_timeout)
            response = connection.http.getresponse()
        except ConnectionError as exc:  # RemoteDisconnected is one: closed, no answer
            if reused and not self.aborted:
                raise _StaleConnection from exc
            raise self._read_error(exc) from exc
        except BaseException as exc:
            raise self._read_error(exc) from exc
        self.response = response
        if self.aborted:  # the caller gave up meanwhile: no one will close this
            self.close()
            raise httpx.ReadError("The request was abandoned.", request=request)
        if _small_json(response):
            self._read_early()
        return response

    def _read_early(self) -> None:
        # A failure is kept for the body's reader, so it surfaces where it would have.
        chunks = []
        try:
            while chunk := self.read1(ASYNC_CHUNK):
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            self.early_error = exc
        self.early_body = b"".join(chunks)

    def _connect(self, host: bytes, port: int) -> socket.socket:
        # `host` is the ASCII (IDNA-encoded) form: given a str, both getaddrinfo and
        # the TLS wrapper would load the idna codec here, in this thread, which costs
        # tens of milliseconds at start-up while the event loop holds the interpreter.
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
            if not got and len(wanted):
                # The connection ended before the declared length: a cut body.
                raise http.client.IncompleteRead(b"", response.length)
            response.length -= got
            if response.length == 0:
                response.read()  # nothing left: lets http.client mark the body done
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

    def reusable(self) -> bool:
        """Whether the connection may serve another request: this one is over, cleanly."""
        response = self.response
        return (not self.aborted and self.connection is not None and response is not None
                and response.isclosed() and not response.will_close)

    def close(self) -> None:
        self.abort()
        if self.connection is not None:
            self.connection.close()
        elif self._sock is not None:
            self._sock.close()


class BlockingBody(httpx.AsyncByteStream):
    """The body of a response from `BlockingHTTPTransport`."""

    def __init__(self, exchange: _Exchange,
                 release: Callable[[_Connection], None] | None = None) -> None:
        self._exchange = exchange
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        exchange = self._exchange
        if exchange.early_body is not None:
            if exchange.early_body:
                yield exchange.early_body
            if exchange.early_error is not None:
                raise exchange.early_error
            return
        while True:
            chunk = await in_thread(self._exchange.read1, ASYNC_CHUNK)
            if not chunk:
                return
            yield chunk

    async def aclose(self) -> None:
        exchange = self._exchange
        release, self._release = self._release, None
        if release is not None and exchange.reusable():
            assert exchange.connection is not None
            release(exchange.connection)
        else:
            exchange.close()

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
    """Requests made and read in threads, over kept-alive connections; see the module."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context
        # Idle connections by (scheme, host, port). Only the event loop's thread
        # takes from or adds to it, so it needs no lock.
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._closed = False

    def _take_idle(self, key: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(key, [])
        while idle:
            connection = idle.pop()
            if not connection.dropped():
                return connection
            connection.close()
        return None

    def _put_idle(self, key: tuple[str, str, int], connection: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if self._closed or len(idle) >= POOL_SIZE:
            connection.close()
        else:
            idle.append(connection)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Unsupported URL scheme {url.scheme!r}.",
                                            request=request)
        context = None
        if url.scheme == "https":
            if self._ssl_context is None:
                # httpx's own defaults: the same certificates httpx would trust.
                self._ssl_context = httpx.create_ssl_context()
            context = self._ssl_context
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        content = await request.aread()
        exchange = _Exchange(request, content, context, self._take_idle(key))
        try:
            response = await in_thread(exchange.open)
        except asyncio.CancelledError:
            exchange.abort()
            raise
        headers = [(name.encode("latin-1"), value.encode("latin-1"))
                   for name, value in response.getheaders()]
        body = BlockingBody(exchange, lambda connection: self._put_idle(key, connection))
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

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
