"""The download fast path: an httpx transport that only downloads.

Why it exists (measured here, see `python -m benchmarks --only download`): httpx's own
transport moves a body in 64 KiB reads with Python work for each one on the event
loop, which held a 1 GiB download on loopback to 0.2-0.7x what curl gets. Here the
response carries a `DownloadBody` that a thread copies straight into the file in
large reads (`copy_to`, used by `DownloadStream.save_to`), so a video's bytes never
pass through the event loop. With it the app keeps up with curl.

Its scope is the narrowest that buys that: `MemoriesClient` sends only the Download
request through it, and only when the connection to the API is direct. Every JSON
call, and a download through a proxy, goes through httpx's own transport (httpcore).

How it works: one new connection per download (no pool, nothing kept alive), HTTP/1.1
framing by `http.client`, the blocking calls in daemon threads (`in_thread`), so a
connect or read that hangs after the caller gave up cannot keep the process alive
when the app quits. `abort()` shuts the socket down, which wakes a blocked read at
once. Failures are raised as the httpx exceptions the client already understands:
`ConnectError`/`ConnectTimeout` only before a byte of the request was written,
`WriteError`/`WriteTimeout`/`ReadError`/`ReadTimeout`/`RemoteProtocolError` after.

Risks, and what limits them:

- **It never resends.** A request that fails is reported; whether to ask again is the
  client's decision (a download is safe to repeat; it is the only request sent here).
- **Hand-made HTTP.** Framing (Content-Length, chunked, read to close) is
  `http.client`'s, which the standard library maintains; the only reads of our own
  are the Content-Length ones in `readinto1`, which keep `http.client`'s count true
  and turn an early end into `RemoteProtocolError`. HTTP/1.1 only.
- **TLS.** The context is httpx's (`httpx.create_ssl_context()`: the same
  certificates httpx trusts, `SSL_CERT_FILE`/`SSL_CERT_DIR` honoured), and the
  host name is checked by `ssl` as for any client.
- **Connecting.** The addresses from `getaddrinfo` are tried one after another, the
  connect timeout shared between those not yet tried, so one that does not answer
  cannot use up the whole budget. Unlike httpx's transport there is no parallel
  ("happy eyeballs") attempt: an address that swallows packets costs its share.
- **No proxy.** With a proxy set for the host (`uses_proxy`) the client downloads
  through httpx's transport instead, which knows proxies.

The host is resolved and wrapped in its ASCII (IDNA-encoded) form: given as text,
both `getaddrinfo` and the TLS wrapper load Python's idna codec in the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx

__all__ = ["DOWNLOAD_BODY", "DownloadBody", "DownloadTransport", "in_thread", "uses_proxy"]

T = TypeVar("T")

#: Key of `httpx.Response.extensions` under which this transport leaves its body.
DOWNLOAD_BODY = "memories_tui.download_body"

#: Largest single write `copy_to` makes. Loopback reads come in pieces of up to a few
#: MiB; TLS ones in 16 KiB records, which are gathered up to this before writing.
COPY_BUFFER = 1024 * 1024
#: Gathering stops after this long, so a slow link still reports progress often.
GATHER_SECONDS = 0.1
#: Chunk size when the body is read through `async for` (a first peek, a JSON refusal).
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
        outcome: tuple[bool, Any]
        try:
            outcome = (True, function(*args))
        except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting task
            outcome = (False, exc)
        with contextlib.suppress(RuntimeError):  # the loop has closed: no one waits
            loop.call_soon_threadsafe(deliver, *outcome)

    threading.Thread(target=run, name="memories-download", daemon=True).start()
    return await future


class _Exchange:
    """One request and its response, on a connection of its own.

    Holds the socket so that another thread can abort a blocked read.
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
        self._lock = threading.Lock()
        self._opened = False  # open() returned: its thread no longer uses the socket
        self._sock: socket.socket | None = None
        self._http: http.client.HTTPConnection | None = None
        self.response: http.client.HTTPResponse | None = None
        self._maybe_buffered = True  # see readinto1

    # -- in the thread --------------------------------------------------------

    def open(self) -> http.client.HTTPResponse:
        """Connect, send the request once, and read the status line and headers."""
        try:
            url = self.request.url
            port = url.port or (443 if url.scheme == "https" else 80)
            sock = self._connect(url.raw_host, port)
            self._http = http.client.HTTPConnection(url.host, port)
            self._http.sock = sock  # ours: connected (and wrapped in TLS) already
            response = self._send(self._http, sock)
        except BaseException:
            self.close()
            raise
        with self._lock:
            abandoned = self.aborted
            self._opened = not abandoned
        if abandoned:  # the caller gave up meanwhile: no one else will close this
            self.close()
            raise httpx.ReadError("The request was abandoned.", request=self.request)
        return response

    def _send(self, connection: http.client.HTTPConnection,
              sock: socket.socket) -> http.client.HTTPResponse:
        request = self.request
        try:
            sock.settimeout(self.write_timeout)
            target = request.url.raw_path.decode("ascii")
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
        return response

    def _connect(self, host: bytes, port: int) -> socket.socket:
        # `host` is the ASCII (IDNA-encoded) form; see the module's last paragraph.
        request = self.request
        try:
            addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        budget = self.connect_timeout
        deadline = None if budget is None else time.monotonic() + budget
        error: OSError | None = None
        for index, (family, kind, proto, _name, address) in enumerate(addresses):
            timeout = None
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    error = TimeoutError()
                    break
                # Shared by the addresses left, so one that never answers leaves time
                # for the others (the last one gets whatever remains).
                timeout = remaining / (len(addresses) - index)
            if self.aborted:
                raise httpx.ConnectError("The request was abandoned.", request=request)
            sock = socket.socket(family, kind, proto)
            self._sock = sock
            try:
                sock.settimeout(timeout)
                sock.connect(address)
            except OSError as exc:  # refused, unreachable, or timed out (TimeoutError)
                sock.close()
                error = exc
                continue
            return self._secure(sock, host)
        if error is None or isinstance(error, TimeoutError):
            raise httpx.ConnectTimeout(f"Connecting timed out after {budget or 0:g} s.",
                                       request=request) from error
        raise httpx.ConnectError(str(error), request=request) from error

    def _secure(self, sock: socket.socket, host: bytes) -> socket.socket:
        """`sock` ready for HTTP: TLS for https, with the whole connect timeout for the
        handshake (as httpx's transport gives it)."""
        request = self.request
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.ssl_context is not None:
                sock.settimeout(self.connect_timeout)
                # bytes: `ssl` decodes them as ASCII, where text would go through the
                # idna codec.
                sock = self.ssl_context.wrap_socket(sock, server_hostname=host)
                self._sock = sock
        except TimeoutError as exc:
            sock.close()
            raise httpx.ConnectTimeout(str(exc) or "The TLS handshake timed out.",
                                       request=request) from exc
        except OSError as exc:  # a TLS failure: the same on every address
            sock.close()
            raise httpx.ConnectError(str(exc), request=request) from exc
        return sock

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
            # A cut body, a malformed status line or chunk, or a connection closed
            # before any answer (RemoteDisconnected).
            return httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request)
        if isinstance(exc, OSError):
            return httpx.ReadError(str(exc), request=request)
        return exc

    # -- from any thread -------------------------------------------------------

    def abort(self) -> None:
        """Stop: a read blocked in another thread fails at once."""
        self.aborted = True
        sock = self._sock
        if sock is not None:
            # The plain socket's shutdown, even for TLS: it only wakes the reader, and
            # must not touch TLS state another thread is using. OSError: not connected
            # yet, or already closed.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def abandon(self) -> None:
        """The caller of `open` gave up: close now if `open` is done, else let it close."""
        with self._lock:
            self.aborted = True
            opened = self._opened
        if opened:
            self.close()
        else:
            self.abort()

    def close(self) -> None:
        self.abort()
        if self._http is not None:
            self._http.close()  # closes the response and the socket
        if self._sock is not None:
            self._sock.close()


class DownloadBody(httpx.AsyncByteStream):
    """The body of a response from `DownloadTransport`; closing it closes the connection."""

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


class DownloadTransport(httpx.AsyncBaseTransport):
    """Each request on a new connection, sent once, read in threads; see the module."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context

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
        content = await request.aread()
        exchange = _Exchange(request, content, context)
        try:
            response = await in_thread(exchange.open)
        except asyncio.CancelledError:
            exchange.abandon()
            raise
        headers = [(name.encode("latin-1"), value.encode("latin-1"))
                   for name, value in response.getheaders()]
        body = DownloadBody(exchange)
        return httpx.Response(
            response.status,
            headers=headers,
            stream=body,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
                # httpx wraps the stream; this is how the client finds `copy_to` again.
                DOWNLOAD_BODY: body,
            },
        )
