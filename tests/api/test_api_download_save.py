"""`DownloadStream.save_to`: the whole body into a file, off the event loop.

Each test runs both ways a body can travel: the download fast path (a thread copies it
into the file) and httpx's own transport (what a proxied connection uses), given to the
client explicitly.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from memories_tui.api import BadResponseError, NetworkError, RequestTimeout
from memories_tui.api.download_transport import uses_proxy

from .api_testkit import Reply, save_download

# Random, but never starting like JSON ("{", maybe after blanks): a body that does is
# taken for the server's refusal, as it should be (about one run in 250 would fail).
BLOB = b"\x00" + os.urandom(2_999_999)
OCTET = "application/octet-stream"


@pytest.fixture(params=["fast-path", "httpx"])
def via(request, make_client):
    """A client builder whose downloads take the path named by the test's id."""
    def build(base_url: str, **kwargs):
        if request.param == "httpx":
            kwargs["transport"] = httpx.AsyncHTTPTransport()
        return make_client(base_url, **kwargs)

    return build


async def save(client, path: Path, progress: list[int] | None = None) -> None:
    await save_download(client, path, progress=None if progress is None else progress.append)


@pytest.mark.parametrize("sized", [True, False], ids=["content-length", "chunked"])
async def test_the_file_holds_exactly_the_bytes_sent(scripted, via, tmp_path, sized):
    pieces = [BLOB[i : i + 200_000] for i in range(0, len(BLOB), 200_000)]
    scripted.push(Reply(chunks=pieces, content_type=OCTET,
                        content_length=len(BLOB) if sized else None))
    target = tmp_path / "video.mp4"
    progress: list[int] = []
    async with via(scripted.base_url) as client:
        await save(client, target, progress)
    assert target.read_bytes() == BLOB
    # Progress only grows, and ends on the whole size.
    assert progress == sorted(progress) and progress[-1] == len(BLOB)


async def test_a_short_body_says_how_far_it_got(scripted, via, tmp_path):
    scripted.push(Reply(chunks=[BLOB[:100_000]], content_length=len(BLOB), content_type=OCTET))
    async with via(scripted.base_url) as client:
        with pytest.raises(BadResponseError, match="ended after 100,000 of 3,000,000 bytes"):
            await save(client, tmp_path / "video.mp4")


async def test_a_cut_connection_is_a_network_error(scripted, via, tmp_path):
    scripted.push(Reply(chunks=[BLOB[:5000]], cut=True, content_type=OCTET))
    async with via(scripted.base_url) as client:
        with pytest.raises(NetworkError, match="cut off after 5,000 bytes"):
            await save(client, tmp_path / "video.mp4")


async def test_a_stall_fails_within_the_timeout_and_names_the_bytes(scripted, via, tmp_path):
    scripted.push(Reply(chunks=[BLOB[:1000]], stall_after=5, content_length=len(BLOB),
                        content_type=OCTET))
    async with via(scripted.base_url, timeout=0.4) as client:
        with pytest.raises(RequestTimeout, match="stalled: no data within 0.4 s after 1,000"):
            await save(client, tmp_path / "video.mp4")


class WriteWatch:
    """A file whose writes are watched: how many are under way, and how many began
    after `stop()` (from whichever thread)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.active = 0
        self.late = 0
        self.stopped = False
        self._lock = threading.Lock()

    def stop(self) -> None:
        with self._lock:
            self.stopped = True

    def write(self, data) -> int:
        with self._lock:
            self.active += 1
            self.late += self.stopped
        try:
            return self.handle.write(data)
        finally:
            with self._lock:
                self.active -= 1


async def test_cancelling_stops_every_write_before_it_returns(scripted, via, tmp_path):
    # A slow, steady stream, cancelled mid-way: once save_to has returned, nothing may
    # write to the file any more (the caller deletes it at once).
    pieces = [BLOB[i : i + 50_000] for i in range(0, len(BLOB), 50_000)]
    scripted.push(Reply(chunks=pieces, chunk_delay=0.02, content_type=OCTET))
    far_enough = asyncio.Event()

    def progress(received: int) -> None:
        if received >= 200_000:
            far_enough.set()

    async def run(file) -> None:
        async with client.download("VI1") as stream:
            await stream.save_to(file, progress)

    handle = await asyncio.to_thread(open, tmp_path / "video.mp4", "wb")
    with handle:
        watch = WriteWatch(handle)
        async with via(scripted.base_url) as client:
            task = asyncio.create_task(run(watch))
            await asyncio.wait_for(far_enough.wait(), timeout=30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            watch.stop()
            assert watch.active == 0  # no write under way once it returned
            size = os.fstat(handle.fileno()).st_size
            # A copy still running would write again before its thread ends: wait for
            # the download threads to end (they are daemons of the fast path).
            for thread in threading.enumerate():
                if thread.name == "memories-download":
                    thread.join(timeout=10)
            assert watch.late == 0
            assert os.fstat(handle.fileno()).st_size == size < len(BLOB)


async def test_a_full_disk_is_an_os_error_not_a_network_one(scripted, via):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    scripted.push(Reply(body=BLOB, content_type=OCTET))
    async with via(scripted.base_url) as client:
        with pytest.raises(OSError) as info:
            await save(client, Path("/dev/full"))
    assert info.value.errno == 28  # ENOSPC


def test_proxy_settings_send_downloads_through_httpx(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                 "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = httpx.URL("https://api.example.com/serve")
    assert not uses_proxy(url)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert uses_proxy(url)
    assert not uses_proxy(httpx.URL("http://api.example.com"))  # only https is proxied
    monkeypatch.setenv("NO_PROXY", "api.example.com")
    assert not uses_proxy(url)
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("ALL_PROXY", "socks5://proxy.internal:1080")
    assert uses_proxy(url)


class BlockingWrite(WriteWatch):
    """A file whose next write, once `hold()` is called, blocks until `release()`."""

    def __init__(self, handle) -> None:
        super().__init__(handle)
        self.entered = threading.Event()
        self._gate = threading.Event()
        self._gate.set()

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def write(self, data) -> int:
        if not self._gate.is_set():
            self.entered.set()
            self._gate.wait(timeout=30)
        return super().write(data)


async def test_cancelling_during_a_write_returns_only_after_it(scripted, via, tmp_path,
                                                                caplog):
    """The disk is slow: a write is under way when the user cancels. `save_to` must
    not return before that write has ended (the caller then deletes the file)."""
    scripted.push(Reply(chunks=[BLOB], content_length=len(BLOB), content_type=OCTET))
    handle = await asyncio.to_thread(open, tmp_path / "video.mp4", "wb")
    with handle:
        file = BlockingWrite(handle)
        file.hold()
        async with via(scripted.base_url) as client:
            async def run() -> None:
                async with client.download("VI1") as stream:
                    await stream.save_to(file)

            task = asyncio.create_task(run())
            assert await asyncio.to_thread(file.entered.wait, 30)
            task.cancel()
            for _ in range(100):  # the event loop turns; the write still blocks
                await asyncio.sleep(0)
            assert not task.done()
            file.release()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert file.active == 0
    # The copy's own failure (stopped) was taken care of: asyncio has nothing to report
    # about a task whose exception nobody retrieved.
    del task
    gc.collect()
    await asyncio.sleep(0)
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


async def test_cancelling_while_the_copying_thread_writes_logs_nothing(
        scripted, make_client, tmp_path, caplog):
    """The fast path: the thread that copies the body is in a write when the user
    cancels. `save_to` returns after that write, and the copy's own failure (it was
    stopped) is collected: the log gets no "exception was never retrieved" about it."""
    class HoldsTheCopy(BlockingWrite):
        """The bytes read ahead are written at once; the copy's first write blocks."""

        held = False

        def write(self, data) -> int:
            written = super().write(data)
            if not self.held:
                self.held = True
                self.hold()
            return written

    scripted.push(Reply(chunks=[BLOB], content_length=len(BLOB), content_type=OCTET))
    handle = await asyncio.to_thread(open, tmp_path / "video.mp4", "wb")
    with handle:
        file = HoldsTheCopy(handle)
        async with make_client(scripted.base_url) as client:
            async def run() -> None:
                async with client.download("VI1") as stream:
                    await stream.save_to(file)

            task = asyncio.create_task(run())
            assert await asyncio.to_thread(file.entered.wait, 30)
            task.cancel()
            for _ in range(100):  # the event loop turns; the write still blocks
                await asyncio.sleep(0)
            assert not task.done()
            file.release()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert file.active == 0
    del task
    gc.collect()
    await asyncio.sleep(0)
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


async def test_the_event_loop_hears_of_progress_at_most_once_an_interval(
        scripted, make_client, tmp_path, monkeypatch):
    """However many pieces the copying thread writes, the event loop is told at most
    once every `PROGRESS_EVERY` seconds, and once more at the end. With its clock
    standing still: as the copy begins, and at the end."""
    from memories_tui.api import download as download_module

    monkeypatch.setattr(download_module, "time", SimpleNamespace(monotonic=lambda: 1000.0))
    pieces = [BLOB[i : i + 200_000] for i in range(0, len(BLOB), 200_000)]
    scripted.push(Reply(chunks=pieces, content_length=len(BLOB), content_type=OCTET))
    written: list[int] = []
    progress: list[int] = []

    class Counted:
        def write(self, data) -> int:
            written.append(len(data))
            return len(data)

    async with make_client(scripted.base_url) as client, client.download("VI1") as stream:
        await stream.save_to(Counted(), progress.append)
    assert sum(written) == len(BLOB) and len(written) >= 3  # the bytes read ahead, then copies
    assert len(progress) == 2 and progress[-1] == len(BLOB)
    assert 0 < progress[0] < len(BLOB)


async def test_the_fast_path_writes_in_pieces_of_at_most_a_mebibyte(scripted, make_client):
    """A thread copies the body into the file in pieces of up to 1 MiB (the README's
    promise: the bytes never pass through the event loop, nor pile up in memory)."""
    from memories_tui.api.download_transport import COPY_BUFFER

    scripted.push(Reply(chunks=[BLOB], content_length=len(BLOB), content_type=OCTET))
    sizes: list[int] = []
    threads: set[str] = set()

    class Pieces:
        def write(self, data) -> int:
            sizes.append(len(data))
            threads.add(threading.current_thread().name)
            return len(data)

    async with make_client(scripted.base_url) as client, client.download("VI1") as stream:
        await stream.save_to(Pieces())
    assert sum(sizes) == len(BLOB) and max(sizes) <= COPY_BUFFER and len(sizes) >= 3
    assert "memories-download" in threads
