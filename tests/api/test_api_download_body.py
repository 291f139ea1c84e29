"""A download is never silently short or long: properties over any body, split and framing.

Two levels. `DownloadStream` on its own, fed any sequence of chunks with any declared
length (many examples, no network): it hands out exactly the bytes sent when they match
the declared length, and raises when they do not, without ever handing out a byte past
it. Then the whole way over real sockets, through both paths a body can travel (the
download fast path's thread copy, `download_transport.py`, and httpx's transport): a
hand-written HTTP server sends a body cut into arbitrary pieces with each framing HTTP
has (a Content-Length that is true, too large or too small, chunked, ended by closing
the connection, or a chunked body cut before its end), and the file written by
`save_to` is compared byte for byte with what was sent.
"""

from __future__ import annotations

import asyncio
import io
import logging
import random
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from memories_tui.api import BadResponseError, MemoriesClient, NetworkError, RequestTimeout
from memories_tui.api import download as download_module
from memories_tui.api.download import DownloadStream

from .api_testkit import API_KEY

# -- DownloadStream on its own ----------------------------------------------------------

pieces = st.lists(st.binary(min_size=0, max_size=64), max_size=12)


@st.composite
def streams(draw):
    """(prefix, chunks, declared length or None): what a response may look like."""
    prefix = draw(st.binary(max_size=16))
    chunks = draw(pieces)
    sent = len(prefix) + sum(map(len, chunks))
    declared = draw(st.one_of(
        st.none(),
        st.just(sent),
        st.integers(0, max(0, sent - 1)),  # fewer than sent (or 0 when nothing was)
        st.integers(sent + 1, sent + 100),  # more than sent
    ))
    return prefix, chunks, declared


async def _iterate(chunks: list[bytes], fail: BaseException | None = None) -> AsyncIterator[bytes]:
    for chunk in chunks:
        await asyncio.sleep(0)
        yield chunk
    if fail is not None:
        raise fail


def _stream(prefix: bytes, chunks: list[bytes], declared: int | None,
            fail: BaseException | None = None) -> DownloadStream:
    return DownloadStream(_iterate(chunks, fail), total=declared, where="h:1", timeout=2.0,
                          prefix=prefix)


async def _read(stream: DownloadStream) -> tuple[bytes, BaseException | None]:
    out = bytearray()
    try:
        async for chunk in stream.aiter_bytes():
            out += chunk
    except Exception as exc:  # noqa: BLE001 - the property looks at it
        return bytes(out), exc
    return bytes(out), None


def _check_outcome(sent: bytes, declared: int | None, got: bytes,
                   error: BaseException | None, received: int, *, whole: bool = True) -> None:
    """The promise, for whatever was sent and declared. With `whole`, a short body's
    bytes were all handed out before the error (iterating); else (saving) the error may
    come before the last batch is written, and the caller removes the file anyway."""
    if declared is None or declared == len(sent):
        assert error is None and got == sent and received == len(sent)
    elif declared > len(sent):
        assert isinstance(error, BadResponseError)
        assert str(error) == (f"The download from h:1 ended after {len(sent):,} of "
                              f"{declared:,} bytes.")
        assert received == len(sent)
        assert got == sent if whole else sent.startswith(got)
    else:
        assert isinstance(error, BadResponseError)
        assert str(error) == (f"The download from h:1 sent more than the {declared:,} "
                              "bytes it announced.")
        assert len(got) <= declared and sent.startswith(got)  # nothing past the length


@given(streams())
def test_iterating_gives_exactly_the_bytes_or_says_why_not(shape):
    prefix, chunks, declared = shape
    stream = _stream(prefix, chunks, declared)
    got, error = asyncio.run(_read(stream))
    _check_outcome(prefix + b"".join(chunks), declared, got, error, stream.received)
    assert stream.total == declared
    assert stream.close_delimited is (declared is None)


@given(streams(), st.integers(1, 200))
def test_saving_gives_exactly_the_bytes_or_says_why_not(shape, batch):
    """`save_to` off the fast path gathers chunks into batches (of `batch` bytes here,
    4 MiB in use) and writes them in a thread: the file is what iterating would give."""
    prefix, chunks, declared = shape
    stream = _stream(prefix, chunks, declared)
    file = io.BytesIO()
    progress: list[int] = []
    original, download_module.WRITE_BATCH = download_module.WRITE_BATCH, batch
    try:
        error = asyncio.run(_save(stream, file, progress))
    finally:
        download_module.WRITE_BATCH = original
    sent = prefix + b"".join(chunks)
    _check_outcome(sent, declared, file.getvalue(), error, stream.received, whole=False)
    assert progress == sorted(progress)
    if error is None and sent:
        assert progress[-1] == len(sent) == stream.received


async def _save(stream: DownloadStream, file, progress: list[int]) -> BaseException | None:
    try:
        await stream.save_to(file, progress.append)
    except Exception as exc:  # noqa: BLE001 - the property looks at it
        return exc
    return None


@given(st.binary(min_size=1, max_size=40), st.integers(0, 40),
       st.sampled_from(["closed", "reset", "stalled"]))
def test_a_body_that_breaks_off_is_short_or_a_network_error_never_complete(
        body, extra, how):
    """The connection breaks after `body`: with a length still owed that is a short
    body; without one, a cut (or a stall); never a download that seems complete."""
    fail = {
        "closed": httpx.RemoteProtocolError("peer closed connection"),
        "reset": httpx.ReadError("connection reset"),
        "stalled": httpx.ReadTimeout("timed out"),
    }[how]
    declared = len(body) + extra if extra else None
    stream = _stream(b"", [body], declared, fail)
    got, error = asyncio.run(_read(stream))
    assert got == body and stream.received == len(body)
    if how == "closed" and declared is not None:
        assert isinstance(error, BadResponseError)
        assert f"ended after {len(body):,} of {declared:,} bytes" in str(error)
    elif how == "stalled":
        assert isinstance(error, RequestTimeout)
        assert str(error) == (f"The download from h:1 stalled: no data within 2 s "
                              f"after {len(body):,} bytes.")
    else:
        assert isinstance(error, NetworkError) and not isinstance(error, RequestTimeout)
        assert str(error) == f"The download from h:1 was cut off after {len(body):,} bytes."


def test_a_stream_is_read_once():
    stream = _stream(b"ab", [b"cd"], 4)
    assert asyncio.run(_read(stream)) == (b"abcd", None)
    again, error = asyncio.run(_read(stream))
    assert again == b"" and isinstance(error, RuntimeError)
    assert str(error) == "A DownloadStream can be read only once."


@pytest.mark.parametrize("declared", [None, 3], ids=["no-length", "length"])
def test_a_body_cut_before_its_first_byte_says_so_without_a_count(declared):
    fail = httpx.ReadError("connection reset")
    got, error = asyncio.run(_read(_stream(b"", [], declared, fail)))
    assert got == b"" and isinstance(error, NetworkError)
    assert str(error) == "The download from h:1 was cut off."


def test_a_complete_body_whose_connection_then_breaks_is_a_cut_not_short():
    # Every announced byte came, then the peer closed in a way HTTP does not allow.
    fail = httpx.RemoteProtocolError("peer closed connection")
    got, error = asyncio.run(_read(_stream(b"", [b"abc"], 3, fail)))
    assert got == b"abc" and isinstance(error, NetworkError)
    assert str(error) == "The download from h:1 was cut off after 3 bytes."


def test_an_undecodable_body_says_so_without_a_count():
    fail = httpx.DecodingError("bad gzip")
    got, error = asyncio.run(_read(_stream(b"", [b"abc"], None, fail)))
    assert isinstance(error, BadResponseError)
    assert str(error) == "The answer from h:1 could not be decoded."


def test_errors_name_the_server_when_no_host_was_given():
    stream = DownloadStream(_iterate([b"ab"]), total=3)
    _, error = asyncio.run(_read(stream))
    assert str(error) == "The download from the server ended after 2 of 3 bytes."


def test_closing_closes_the_connection_once():
    closed: list[bool] = []

    async def on_close() -> None:
        closed.append(True)

    stream = DownloadStream(_iterate([]), total=0, on_close=on_close,
                            content_type="video/mp4")
    assert stream.content_type == "video/mp4"
    asyncio.run(stream.aclose())
    asyncio.run(stream.aclose())
    assert closed == [True]
    asyncio.run(DownloadStream(_iterate([]), total=0).aclose())  # nothing to close: fine


def test_the_proxy_path_writes_in_batches_of_write_batch_bytes():
    """Through a proxy, httpx hands out small chunks: they are gathered and written
    `WRITE_BATCH` bytes (or a little more) at a time, the rest at the end, so memory
    stays bounded and each thread hop carries a batch."""
    class Writes:
        def __init__(self) -> None:
            self.sizes: list[int] = []

        def write(self, data) -> int:
            self.sizes.append(len(data))
            return len(data)

    sizes = [40, 39, 1, 80, 40, 39, 1, 5]
    chunks = [bytes([n]) * size for n, size in enumerate(sizes)]
    file = Writes()
    original, download_module.WRITE_BATCH = download_module.WRITE_BATCH, 80
    try:
        asyncio.run(_stream(b"", chunks, sum(sizes)).save_to(file))
    finally:
        download_module.WRITE_BATCH = original
    assert file.sizes == [80, 80, 80, 5]


def test_content_types_that_are_json_or_a_web_page():
    from memories_tui.api.download import is_html_type, is_json_type

    assert is_json_type("application/problem+json")
    assert is_json_type("application/json; charset=utf-8; version=2")
    assert is_html_type("application/xhtml+xml")
    assert is_html_type("Text/HTML; charset=utf-8; q=1")
    assert not is_html_type("text/plain") and not is_html_type(None)


# -- the whole way, over real sockets -------------------------------------------------------

FRAMINGS = ("length", "length-too-large", "length-too-small", "chunked", "chunked-cut",
            "close")


@dataclass
class Script:
    body: bytes
    cuts: list[int]  # where the body is split into the pieces sent one by one
    framing: str
    extra: int  # how far the declared length is off, for the lengths that are

    def pieces(self) -> list[bytes]:
        edges = [0, *sorted(set(self.cuts)), len(self.body)]
        return [self.body[a:b] for a, b in zip(edges, edges[1:], strict=False) if b > a]

    @property
    def declared(self) -> int | None:
        if self.framing == "length":
            return len(self.body)
        if self.framing == "length-too-large":
            return len(self.body) + self.extra
        if self.framing == "length-too-small":
            return max(1, len(self.body) - self.extra)
        return None

    def response(self) -> list[bytes]:
        """The bytes to send, piece by piece; the connection is closed after them."""
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        if self.declared is not None:
            head += f"Content-Length: {self.declared}\r\n"
        elif self.framing.startswith("chunked"):
            head += "Transfer-Encoding: chunked\r\n"
        head += "Connection: close\r\n\r\n"
        out = [head.encode()]
        if self.framing.startswith("chunked"):
            out += [b"%x\r\n%s\r\n" % (len(p), p) for p in self.pieces()]
            if self.framing == "chunked":
                out.append(b"0\r\n\r\n")
        else:
            out += self.pieces()
        return out


class OneShotServer:
    """Answers each connection with the current script's bytes, then closes it."""

    def __init__(self) -> None:
        self.script: Script | None = None
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def stop(self) -> None:
        self._listener.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                request = b""
                try:
                    while b"\r\n\r\n" not in request:
                        data = conn.recv(65536)
                        if not data:
                            break
                        request += data
                    head, _, body = request.partition(b"\r\n\r\n")
                    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), 0)
                    while len(body) < length:
                        body += conn.recv(65536)
                    assert self.script is not None
                    for piece in self.script.response():
                        conn.sendall(piece)
                except OSError:
                    pass


@pytest.fixture(scope="module")
def one_shot():
    server = OneShotServer()
    yield server
    server.stop()


@st.composite
def scripts(draw) -> Script:
    # Sizes around the reads' edges: http.client's 8 KiB buffer, httpx's 64 KiB reads,
    # the fast path's 1 MiB copy buffer.
    size = draw(st.one_of(st.integers(1, 20_000), st.integers(60_000, 70_000),
                          st.integers(1_040_000, 1_100_000)))
    seed = draw(st.integers(0, 2**32))
    # Never "{" first: a body that starts like JSON is read as the server's refusal.
    body = b"\0" + random.Random(seed).randbytes(size - 1)
    cuts = draw(st.lists(st.integers(1, max(1, size - 1)), max_size=6))
    framing = draw(st.sampled_from(FRAMINGS))
    extra = draw(st.integers(1, 5000))
    if framing == "length-too-small":
        extra = min(extra, size - 1) or 1
        if size == 1:
            framing = "length"
    return Script(body, cuts, framing, extra)


async def _save_over_http(base_url: str, via: str) -> tuple[bytes, object, BaseException | None]:
    kwargs = {"transport": httpx.AsyncHTTPTransport()} if via == "httpx" else {}
    file = io.BytesIO()
    stream = None
    error: BaseException | None = None
    async with MemoriesClient(API_KEY, base_url, rate_limit=None, max_retries=0,
                              timeout=5.0, **kwargs) as client:
        try:
            async with client.download("VI1") as stream:
                await stream.save_to(file)
        except Exception as exc:  # noqa: BLE001 - the property looks at it
            error = exc
    return file.getvalue(), stream, error


@pytest.mark.parametrize("via", ["fast-path", "httpx"])
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=scripts())
def test_the_file_is_the_body_sent_or_the_download_fails(one_shot, via, script, caplog):
    event(script.framing)
    one_shot.script = script
    caplog.clear()
    saved, stream, error = asyncio.run(_save_over_http(one_shot.base_url, via))
    # Nothing went wrong on the side (a callback of the event loop, a thread).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    body, declared = script.body, script.declared
    if script.framing in ("length", "chunked", "close"):
        assert error is None, error
        assert saved == body and stream.received == len(body)
        assert stream.total == declared
        assert stream.close_delimited is (script.framing == "close")
    elif script.framing == "length-too-large":
        # The server closed with bytes still owed: short, and it says how short.
        assert isinstance(error, BadResponseError), error
        assert f"ended after {len(body):,} of {declared:,} bytes" in str(error)
    elif script.framing == "length-too-small":
        # HTTP ends the body at its length: what follows is not part of the file.
        assert error is None, error
        assert saved == body[:declared] and stream.received == declared
    else:  # chunked, cut before the last chunk: the framing shows it is incomplete
        assert isinstance(error, NetworkError), error
        assert "was cut off after" in str(error)
        assert body.startswith(saved)
