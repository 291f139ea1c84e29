"""Running the fake: ``FakeServer`` (a uvicorn thread for tests and the demo) and
``serve_forever`` (the ``memories-tui fake-server`` command).

The listening socket is bound here, before uvicorn starts, so port 0 gives a free port
whose number is known at once, and connections made before uvicorn is ready simply
wait in the backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Sequence
from types import TracebackType

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from .app import FakeApp, FakeContext, create_app
from .content import expected_bytes
from .faults import FaultSwitch
from .library import FakeLibrary
from .recording import RecordedRequest

__all__ = ["FakeServer", "serve_forever", "expected_bytes"]


class _Uvicorn(uvicorn.Server):
    """uvicorn, telling the app first when it shuts down.

    Stalled requests and running downloads watch ``stopping``; without it a graceful
    shutdown would wait for them until its timeout.
    """

    def __init__(self, config: uvicorn.Config, stopping: threading.Event) -> None:
        super().__init__(config)
        self._stopping = stopping
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        # uvicorn's loop polls ``should_exit`` every 0.1 s; ours can also be woken, so
        # stop() (called once per test) does not wait for the next tick.
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864_000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        """Thread-safe: ask the server to shut down now."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(wake.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._stopping.set()
        await super().shutdown(sockets=sockets)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio only disables Nagle on sockets whose proto is
    # IPPROTO_TCP, and with Nagle on, every keep-alive request waits ~40 ms for an ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(app: FakeApp, *, quiet_logging: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", proxy_headers=False,
        http="h11", ws="none", loop="asyncio", timeout_graceful_shutdown=2,
        # In-process (tests, the TUI demo) uvicorn must not reconfigure logging: its
        # handlers would write over the TUI. The CLI keeps uvicorn's default format.
        log_config=None if quiet_logging else LOGGING_CONFIG,
    )


class FakeServer:
    """The fake Memories.ai server on a loopback port, in a daemon thread.

    ``with FakeServer(seed=1) as server: httpx.post(server.base_url + ...)``.
    """

    def __init__(self, *, seed: int = 1, videos: int = 300, api_key: str | None = None,
                 rate_limit: float | None = None, hostile: bool = False,
                 host: str = "127.0.0.1", port: int = 0, burst: int = 1,
                 max_page_size: int | None = None, name_match: str = "exact",
                 download_rate: float | None = None) -> None:
        self.host, self.port = host, port
        self.library = FakeLibrary(seed=seed, videos=videos, hostile=hostile,
                                   name_match=name_match)
        self.app = create_app(self.library, api_key=api_key, rate_limit=rate_limit, burst=burst)
        self.context: FakeContext = self.app.state.fake
        self.context.max_page_size = max_page_size
        self.context.download_rate = download_rate
        self.base_url = ""
        self._thread: threading.Thread | None = None
        self._uvicorn: _Uvicorn | None = None
        self._sock: socket.socket | None = None
        self._error: BaseException | None = None

    # -- what tests look at ---------------------------------------------------------------

    @property
    def faults(self) -> FaultSwitch:
        return self.context.faults

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request so far (live list; admin and media routes are not recorded)."""
        return self.context.log.requests

    def clear_requests(self) -> None:
        self.context.log.clear()

    @property
    def rate_limited_count(self) -> int:
        """How many ``0429`` answers were sent (rate limit and "429" faults)."""
        return self.context.rate_limited_count

    # -- lifecycle ---------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns ``base_url`` once the server accepts connections."""
        if self._thread is not None:
            return self.base_url
        self._sock = _bind(self.host, self.port)
        self.port = self._sock.getsockname()[1]
        self.base_url = _url(self.host, self.port)
        self._uvicorn = _Uvicorn(_config(self.app, quiet_logging=True), self.context.stopping)
        self._thread = threading.Thread(
            target=self._run, name=f"fake-memories:{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._uvicorn.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError("the fake server failed to start") from self._error
            if time.monotonic() > deadline:
                raise TimeoutError("the fake server did not start in time")
            time.sleep(0.002)
        return self.base_url

    def _run(self) -> None:
        assert self._uvicorn is not None and self._sock is not None
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._uvicorn.serve(sockets=[self._sock]))
        except BaseException as exc:  # reported by start(); a daemon thread has no one else
            self._error = exc
        finally:
            loop.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop promptly, even with stalled requests or downloads in flight."""
        if self._thread is None or self._uvicorn is None:
            return
        self.context.stopping.set()
        self._uvicorn.request_exit()
        self._thread.join(timeout / 2)
        if self._thread.is_alive():
            self._uvicorn.force_exit = True
            self._thread.join(timeout / 2)
        if self._sock is not None:
            self._sock.close()
        self._thread = None

    def __enter__(self) -> FakeServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"FakeServer({self.base_url or 'not started'}, seed={self.library.seed})"


def serve_forever(host: str = "127.0.0.1", port: int = 8765, seed: int = 1, videos: int = 300,
                  api_key: str | None = None, rate_limit: float | None = None,
                  hostile: bool = False, burst: int = 1,
                  faults: Sequence[tuple[str, int, str | None]] = (),
                  max_page_size: int | None = None, name_match: str = "exact") -> None:
    """Serve in the foreground until Ctrl+C (``memories-tui fake-server``).

    ``api_key=None`` accepts any non-empty key; ``rate_limit`` is requests per second.
    ``faults`` are (kind, count, path suffix or None), pushed before the first request;
    more can be pushed while it runs with ``POST /_fake/faults``.
    """
    library = FakeLibrary(seed=seed, videos=videos, hostile=hostile, name_match=name_match)
    app = create_app(library, api_key=api_key, rate_limit=rate_limit, burst=burst)
    for kind, count, path in faults:
        app.state.fake.faults.push(kind, count, path=path)
    app.state.fake.max_page_size = max_page_size
    sock = _bind(host, port)
    details = [f"seed {seed}", f"{library.video_count()} videos"]
    if hostile:
        details.append("hostile")
    if faults:
        details.append(f"{sum(count for _, count, _ in faults)} faults pending")
    if rate_limit:
        details.append(f"rate limit {rate_limit:g} req/s")
    if max_page_size:
        details.append(f"pages of at most {max_page_size}")
    if name_match != "exact":
        details.append(f"names match by {name_match}")
    if api_key is not None:
        details.append("API key required")
    print(f"Fake Memories.ai server on {_url(host, sock.getsockname()[1])} ({', '.join(details)})",
          flush=True)
    server = _Uvicorn(_config(app, quiet_logging=False), app.state.fake.stopping)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl+C it handled; we are done either way
    finally:
        sock.close()
