"""The body of a successful download, and how to tell a video from a JSON refusal.

The Download endpoint answers either the raw file (application/octet-stream) or a JSON
envelope saying why not ("0001" not found, "0429" rate limited) — with HTTP 200 either
way. A JSON body must never reach the caller as video bytes.

`save_to` is the fast way to keep a body: on the download fast path
(`download_transport.py`) a thread copies it into the file in large pieces, and the
event loop only hears about progress. Through any other transport (a proxy) it reads
httpx's `aiter_raw()` chunks and writes them in batches in a thread. Raw, because the
request asks for `Accept-Encoding: identity`, so raw bytes are the file and match
Content-Length.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import BinaryIO

import httpx

from memories_tui.api.download_transport import DownloadBody, in_thread
from memories_tui.api.errors import BadResponseError
from memories_tui.api.responses import error_for_transport

#: Bytes gathered from httpx's small chunks before one write in a thread.
WRITE_BATCH = 4 * 1024 * 1024
#: How often, at most, `save_to` reports progress to the event loop.
PROGRESS_EVERY = 0.05

__all__ = [
    "DownloadStream",
    "is_html_type",
    "is_json_type",
    "looks_like_json",
    "parse_content_length",
]


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_type(content_type: str | None) -> bool:
    """application/json, text/json, application/problem+json and the like."""
    media = _media_type(content_type)
    return media.endswith(("/json", "+json"))


def is_html_type(content_type: str | None) -> bool:
    """A web page (a proxy's login or error page) where the video should be."""
    return _media_type(content_type) in ("text/html", "application/xhtml+xml")


def looks_like_json(first_bytes: bytes) -> bool:
    """Whether a download's body starts like a JSON object (no video format does)."""
    return first_bytes.lstrip()[:1] == b"{"


def parse_content_length(value: str | None) -> int | None:
    """The declared size, or None when absent or not a plain non-negative number."""
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        return None
    return int(value)


async def _write_to_the_end(write: Callable[[bytes], object], data: bytes) -> None:
    """`write(data)` in a thread. Cancelled meanwhile, it still waits for the write to
    end before the cancellation goes on: `save_to` returns only once nothing writes to
    the file any more."""
    work = asyncio.ensure_future(asyncio.to_thread(write, data))
    try:
        await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait([work])
        raise


class DownloadStream:
    """The bytes of one download, as they arrive; use once, inside `client.download(...)`.

    `total` is the Content-Length when the server sent one; `received` counts what has
    been handed out so far. A body that ends early or runs long raises
    `BadResponseError`; a connection that breaks raises `NetworkError`; a stall longer
    than the client's timeout raises `RequestTimeout`.
    """

    def __init__(
        self,
        chunks: AsyncIterator[bytes],
        *,
        total: int | None,
        where: str = "the server",
        timeout: float | None = None,
        content_type: str | None = None,
        prefix: bytes = b"",
        on_close: Callable[[], Awaitable[None]] | None = None,
        body: DownloadBody | None = None,
        chunked: bool = False,
    ) -> None:
        self.total = total
        #: Neither a length nor chunked framing: the body ends where the connection does,
        #: so a connection cut early looks just like the end of the file.
        self.close_delimited = total is None and not chunked
        self.content_type = content_type
        self.received = 0
        self._chunks = chunks
        self._prefix = prefix  # bytes already read to look at the start of the body
        self._where = where
        self._timeout = timeout
        self._on_close = on_close
        self._body = body  # set when a thread can copy the body without the event loop
        self._started = False

    def __repr__(self) -> str:
        return f"DownloadStream(total={self.total}, received={self.received})"

    async def aclose(self) -> None:
        """Close the connection (the `download` context manager does this on exit)."""
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            await on_close()

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The raw chunks of the file, in order, as they come."""
        prefix = self._begin()
        if prefix:
            yield prefix
        while True:
            try:
                chunk = await anext(self._chunks)
            except StopAsyncIteration:
                break
            except httpx.HTTPError as exc:
                raise self._failure(exc) from None
            self._count(chunk)
            yield chunk
        if self.total is not None and self.received < self.total:
            raise self._short()

    async def save_to(
        self, file: BinaryIO, on_progress: Callable[[int], None] | None = None
    ) -> None:
        """Write the whole body to `file` (open for binary writing), off the event loop.

        `on_progress(received)` is called on the event loop as bytes are written.
        Raises what `aiter_bytes` raises; an `OSError` from writing propagates as is.
        Cancelling stops the copy, and returns only once nothing writes to `file` any
        more, so the caller may delete it at once.
        """
        if self._body is None:
            await self._save_in_batches(file, on_progress)
            return
        prefix = self._begin()
        if prefix:
            await _write_to_the_end(file.write, prefix)
        loop = asyncio.get_running_loop()
        reported = 0.0

        def wrote(size: int) -> None:  # in the copying thread
            nonlocal reported
            self.received += size  # only this thread changes it while the copy runs
            now = time.monotonic()
            if on_progress is not None and now - reported >= PROGRESS_EVERY:
                reported = now
                loop.call_soon_threadsafe(on_progress, self.received)

        copy = asyncio.ensure_future(in_thread(self._body.copy_to, file.write, wrote))
        # Its error is read below, or not at all once we were cancelled: never logged.
        copy.add_done_callback(lambda task: task.cancelled() or task.exception())
        try:
            await asyncio.shield(copy)
        except asyncio.CancelledError:
            self._body.abort()
            # The thread may be in the middle of a write: wait for it to notice.
            await asyncio.wait([copy])
            raise
        except httpx.HTTPError as exc:
            raise self._failure(exc) from None
        finally:
            if on_progress is not None:
                on_progress(self.received)
        if self.total is not None and self.received < self.total:
            raise self._short()

    async def _save_in_batches(
        self, file: BinaryIO, on_progress: Callable[[int], None] | None
    ) -> None:
        # httpx's chunks are small: gather them, so the thread hop is paid per batch.
        batch: list[bytes] = []
        batched = 0
        async for chunk in self.aiter_bytes():
            batch.append(chunk)
            batched += len(chunk)
            if batched >= WRITE_BATCH:
                data = b"".join(batch)
                batch.clear()
                batched = 0
                await _write_to_the_end(file.write, data)
            if on_progress is not None:
                on_progress(self.received)
        if batch:
            await _write_to_the_end(file.write, b"".join(batch))

    def _count(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.total is not None and self.received > self.total:
            raise BadResponseError(
                f"The download from {self._where} sent more than the {self.total:,} bytes "
                "it announced."
            )

    def _begin(self) -> bytes:
        """Mark the stream as being read; the bytes read ahead (counted), if any."""
        if self._started:
            raise RuntimeError("A DownloadStream can be read only once.")
        self._started = True
        prefix, self._prefix = self._prefix, b""
        if prefix:
            self._count(prefix)
        return prefix

    def _failure(self, exc: httpx.HTTPError) -> Exception:
        """The typed error for the body breaking off."""
        if (isinstance(exc, httpx.RemoteProtocolError) and self.total is not None
                and self.received < self.total):
            return self._short()  # the peer closed early: with a declared size, a short body
        return self._transport(exc)

    def _short(self) -> BadResponseError:
        return BadResponseError(
            f"The download from {self._where} ended after {self.received:,} of "
            f"{self.total:,} bytes."
        )

    def _transport(self, exc: httpx.HTTPError):
        error = error_for_transport(
            exc, where=self._where, timeout=self._timeout, during="download"
        )
        if self.received and not isinstance(error, BadResponseError):
            error.message = f"{error.message[:-1]} after {self.received:,} bytes."
        return error
