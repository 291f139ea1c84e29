"""`MemoriesClient`: one async method per Memories.ai Utils endpoint, over one httpx client.

Every call goes through the same path: wait for its turn on the client's pacer (the
API allows about 1 request/s per account), send, read the answer into data or a
typed error, and retry with backoff when that is both useful and safe. Reads are
retried after rate limits, 5xx answers, timeouts and cut connections; a delete only
when the server certainly did nothing (a rate-limit answer, or a connection that never
opened) — after an ambiguous failure it is not resent, and the error says
`maybe_applied=True`.

JSON calls travel over httpx's own transport (httpcore: its pool, TLS, proxies).
Downloads take the fast path of `api/download_transport.py` when the connection is
direct. Neither resends anything by itself: every resend is decided here, by the
rule above.

The API key goes only to the configured host (redirects are not followed), never over
plain http to another machine, and never into a message, repr or log line.

The API facts this client is built on (envelope, codes, wire values, each endpoint's
fields, and their public sources) are in docs/api.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from memories_tui import __version__
from memories_tui.api.download import (
    DownloadStream,
    is_html_type,
    is_json_type,
    looks_like_json,
    parse_content_length,
)
from memories_tui.api.download_transport import DOWNLOAD_BODY, DownloadTransport, uses_proxy
from memories_tui.api.envelope import check_envelope, decode_json
from memories_tui.api.errors import (
    AuthError,
    BadResponseError,
    InsecureURLError,
    MemoriesError,
    RateLimitedError,
    mask_key,
    register_secret,
)
from memories_tui.api.models import (
    DeleteChunkResult,
    DeleteReport,
    VideoDetails,
    VideoPage,
    parse_video_details,
    parse_video_page,
)
from memories_tui.api.pacing import RequestPacer
from memories_tui.api.responses import (
    cut_before_answer,
    error_for_status,
    error_for_transport,
    error_for_unreadable_status,
    parse_retry_after,
    request_was_sent,
)
from memories_tui.api.retry import BackoffPolicy, is_ambiguous, is_retryable

if TYPE_CHECKING:  # imported where used: start-up needs only the video models
    from memories_tui.api.models.images import ImagePage
    from memories_tui.api.models.public import PublicVideo
    from memories_tui.api.models.sessions import SessionDetail, SessionPage
    from memories_tui.api.models.tasks import TaskStatus

__all__ = [
    "DEFAULT_BASE_URL",
    "DELETE_CHUNK_SIZE",
    "WAIT_RATE_LIMIT",
    "WAIT_RETRY",
    "DownloadStream",
    "MemoriesClient",
    "is_loopback_host",
]

log = logging.getLogger("memories_tui.api")

DEFAULT_BASE_URL = "https://api.memories.ai"
API_PREFIX = "/serve/api/v1"
DELETE_CHUNK_SIZE = 100  # the API's documented maximum per request
SESSION_PAGE_SIZE = 20  # fixed by the server; used only if an answer omits it

# A JSON answer bigger than this is not one the API sends; refuse it rather than
# buffer without bound. A download's JSON refusal is a few hundred bytes.
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_REFUSAL_BYTES = 64 * 1024

T = TypeVar("T")

# Why the client waits (`MemoriesClient.wait_reason`).
WAIT_RATE_LIMIT = "rate limit"
WAIT_RETRY = "retry"


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: traffic that never leaves this machine."""
    host = host.strip("[]").rstrip(".").lower()
    # Not "*.localhost": whether such a name stays on this machine depends on the
    # resolver, and one that asks DNS could send a plain-http key anywhere.
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


async def _read_bounded(chunks: AsyncIterator[bytes], limit: int, *, already: bytes = b"") -> bytes:
    parts = [already]
    size = len(already)
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BadResponseError(f"The server's answer was larger than {limit // 1024:,} KiB.")
        parts.append(chunk)
    return b"".join(parts)


class MemoriesClient:
    """The Memories.ai Utils API. Use as `async with MemoriesClient(key) as client:`.

    `rate_limit` paces request starts (requests per second; None or 0 turns pacing
    off). `timeout` applies to each connect and each read — including every read of a
    download, with no cap on the total — so a stalled transfer fails within `timeout`.
    `on_rate_wait(True)` is called when the client starts waiting on its pacer or a
    backoff and `on_rate_wait(False)` when no call is waiting any more (see
    `rate_waiting`); `wait_reason` then says why. `backoff_base` and `sleep` exist so
    tests need not wait seconds.

    `retry_network_errors=False` reports a timeout or a failed, refused or cut
    connection at once instead of retrying it: for an interactive caller, where each
    retry of a stalled server would cost another full `timeout` (and a refused
    connection half a minute of backoff) while the user waits for words and a retry key.
    Either way, a call that is safe to repeat and finds its kept-alive connection
    closed before any answer is sent once more at once, on a new connection (the
    server may close an idle connection just as it is reused); a delete never is.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        unique_id: str = "default",
        rate_limit: float | None = 1.0,
        timeout: float | None = 30.0,
        max_retries: int = 5,
        allow_insecure_http: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        on_rate_wait: Callable[[bool], None] | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 32.0,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        retry_network_errors: bool = True,
    ) -> None:
        api_key = (api_key or "").strip()
        if any(not (0x21 <= ord(char) <= 0x7E) for char in api_key):
            # Said without the key: an httpx error about the header would quote it.
            raise ValueError(
                "The API key holds characters that cannot be sent in a header "
                "(spaces, line breaks or non-ASCII); check how it was copied."
            )
        register_secret(api_key)
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more.")
        try:
            url = httpx.URL(base_url.strip())
        except (httpx.InvalidURL, TypeError):
            raise ValueError("The base URL is not a valid URL.") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("The base URL must start with https:// and name a host.")
        if url.userinfo:
            # Credentials in the URL would be sent, and shown wherever the URL is shown.
            raise ValueError("The base URL must not hold a user name or password.")
        loopback = is_loopback_host(url.host)
        if url.scheme == "http" and not loopback and not allow_insecure_http:
            raise InsecureURLError(
                f"Refusing to send the API key over plain http:// to {url.host}; "
                "use https:// (or allow insecure http explicitly for a trusted network)."
            )

        self._api_key = api_key
        base = str(url.copy_with(query=None, fragment=None)).rstrip("/")
        # Accept a base URL given with the API's path already on it.
        self.base_url = base.removesuffix(API_PREFIX)
        self.host: str = url.host
        self.unique_id = unique_id
        self.timeout = timeout
        # How the host is named in messages: with its port, which matters for the fake.
        self._where = url.netloc.decode("ascii", "replace")
        self._pacer = RequestPacer(rate_limit)
        self._backoff = BackoffPolicy(
            max_retries=max_retries,
            base=backoff_base,
            cap=backoff_cap,
            max_retry_after=max_retry_after,
        )
        self._sleep = sleep or asyncio.sleep
        self._retry_network_errors = retry_network_errors
        # Public so the app can attach its header indicator after building the client.
        self.on_rate_wait = on_rate_wait
        self._waiting_calls = 0
        #: While `rate_waiting`: WAIT_RATE_LIMIT (pacing, or backing off after a rate
        #: limit answer) or WAIT_RETRY (backing off after a server error); else None.
        self.wait_reason: str | None = None

        headers = {"User-Agent": f"memories-tui/{__version__}", "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = api_key  # the bare key: the API wants no "Bearer"
        self._url = url
        self._loopback = loopback
        self._transport_given = transport is not None
        # One TLS context for both transports, with httpx's defaults: the environment's
        # SSL_CERT_FILE/SSL_CERT_DIR count even where proxy settings do not (loopback).
        # Plain http:// (the fake, a trusted network) skips it: loading the CA bundle
        # costs ~25 ms at start-up.
        self._tls = httpx.create_ssl_context() if url.scheme == "https" else None
        # Chosen at the first download (see `_download_sender`).
        self._downloads: httpx.AsyncClient | None = None
        # transport=None: httpx's own (httpcore), built with the options below.
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            headers=headers,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
            # Proxy settings from the environment must not capture loopback traffic.
            trust_env=not loopback,
            verify=self._tls if self._tls is not None else False,
            event_hooks={"request": [self._request_leaving]},
        )

    def use_api_key(self, api_key: str) -> None:
        """Send `api_key` from now on (the first-run screen checked it with the server)."""
        register_secret(api_key)
        self._api_key = api_key
        self._http.headers["Authorization"] = api_key
        if self._downloads is not None and self._downloads is not self._http:
            self._downloads.headers["Authorization"] = api_key

    # -- lifecycle -------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        downloads, self._downloads = self._downloads, None
        if downloads is not None and downloads is not self._http:
            await downloads.aclose()
        await self._http.aclose()

    def __repr__(self) -> str:
        return (
            f"MemoriesClient(base_url={self.base_url!r}, unique_id={self.unique_id!r}, "
            f"api_key={mask_key(self._api_key)!r})"
        )

    @property
    def rate_waiting(self) -> bool:
        """True while any call of this client waits on the pacer or a backoff."""
        return self._waiting_calls > 0

    @property
    def has_spare_budget(self) -> bool:
        """True when a request sent now would go at once: nothing waits on the limit.

        Optional work (prefetching the next page) asks this first, so it never makes a
        request the user is waiting for queue behind it.
        """
        return not self.rate_waiting and self._pacer.would_wait() == 0

    @property
    def rate_limit(self) -> float | None:
        return self._pacer.rate

    # -- endpoints ---------------------------------------------------------------

    async def list_videos(
        self,
        page: int = 1,
        size: int = 20,
        *,
        name: str | None = None,
        video_no: str | None = None,
        status: str | None = None,
        unique_id: str | None = None,
        background: bool = False,
        on_sent: Callable[[], None] | None = None,
    ) -> VideoPage:
        """One page of the private library, optionally filtered (POST list_videos).

        `background`: work nobody waits for (the index's sync). It takes only a turn
        that is free when it asks, so any other call of this client goes first, and a
        call made while it waits for its turn waits for no background request at all;
        its waits do not count as `rate_waiting`.

        `on_sent`: called when the request's last byte is written (again at each
        retry), for work meant to run while the server answers.
        """
        _check_page(page, size)
        body: dict[str, object] = {"page": page, "size": size, "unique_id": self._uid(unique_id)}
        if name:
            body["video_name"] = name
        if video_no:
            body["video_no"] = video_no
        if status:
            body["status"] = status
        data = await self._call("POST", "/list_videos", json=body, background=background,
                                on_sent=on_sent)
        return parse_video_page(data, page=page, size=size)

    async def list_sessions(self, page: int = 1, *, unique_id: str | None = None) -> SessionPage:
        """One page of chat sessions (GET list_sessions; the server fixes the page size)."""
        _check_page(page)
        params = {"page": page, "unique_id": self._uid(unique_id)}
        data = await self._call("GET", "/list_sessions", params=params)
        from memories_tui.api.models.sessions import parse_session_page

        return parse_session_page(data, page=page, size=SESSION_PAGE_SIZE)

    async def get_session_detail(
        self, session_id: str, *, unique_id: str | None = None
    ) -> SessionDetail:
        """A chat session's messages, thinkings and video references."""
        session_id = _required(session_id, "session_id")
        params = {"sessionId": session_id, "unique_id": self._uid(unique_id)}
        data = await self._call(
            "GET", "/get_session_detail", params=params, subject=f"Session {session_id}"
        )
        from memories_tui.api.models.sessions import parse_session_detail

        return parse_session_detail(data, session_id=session_id)

    async def get_public_video(self, video_no: str) -> PublicVideo:
        """Details of a public (`PI-`) video; this endpoint takes no unique_id."""
        video_no = _required(video_no, "video_no")
        data = await self._call(
            "GET",
            "/get_public_video_detail",
            params={"video_no": video_no},
            subject=f"Public video {video_no}",
        )
        from memories_tui.api.models.public import parse_public_video

        return parse_public_video(data, video_no=video_no)

    async def get_private_video(
        self, video_no: str, *, unique_id: str | None = None
    ) -> VideoDetails:
        """Details of a video in the private library (fps, resolution, playable URL)."""
        video_no = _required(video_no, "video_no")
        params = {"video_no": video_no, "unique_id": self._uid(unique_id)}
        data = await self._call(
            "GET", "/get_private_video_details", params=params, subject=f"Video {video_no}"
        )
        return parse_video_details(data, video_no=video_no)

    async def get_task_status(self, task_id: str, *, unique_id: str | None = None) -> TaskStatus:
        """The video ids an upload task has queued so far (none yet: still fetching)."""
        task_id = _required(task_id, "task_id")
        params = {"task_id": task_id, "unique_id": self._uid(unique_id)}
        data = await self._call(
            "GET", "/get_video_ids_by_task_id", params=params, subject=f"Task {task_id}"
        )
        from memories_tui.api.models.tasks import parse_task_status

        return parse_task_status(data, task_id=task_id)

    async def list_images(
        self, page: int = 1, size: int = 20, *, unique_id: str | None = None
    ) -> ImagePage:
        """One page of images (POST img_list_page)."""
        _check_page(page, size)
        body = {"page": page, "size": size, "unique_id": self._uid(unique_id)}
        data = await self._call("POST", "/img_list_page", json=body)
        from memories_tui.api.models.images import parse_image_page

        return parse_image_page(data, page=page, size=size)

    async def list_unique_ids(self) -> list[str]:
        """The account's namespaces (GET list_unique_ids; no parameters, not paged):
        exact, case-sensitive names, each once, in the server's order."""
        data = await self._call("GET", "/list_unique_ids")
        from memories_tui.api.models.namespaces import parse_unique_ids

        return parse_unique_ids(data)

    async def delete_videos(
        self,
        ids: Iterable[str],
        *,
        unique_id: str | None = None,
        on_chunk: Callable[[DeleteChunkResult], None] | None = None,
        may_resend: Callable[[], bool] | None = None,
    ) -> DeleteReport:
        """Delete videos for good, at most 100 per request, one request after another.

        Repeated ids are sent once. A failed chunk is recorded and the next one is
        tried, except after an `AuthError`: then every remaining chunk is marked failed
        with that error and nothing more is sent. `on_chunk` hears about every chunk,
        sent or not, in order. A chunk whose error has `maybe_applied` may be gone
        anyway: list those ids to find out. A chunk refused with `0429` (nothing done)
        is sent again after the wait unless `may_resend()` says no, before or after it.
        """
        if isinstance(ids, str):
            raise TypeError("delete_videos takes a list of ids, not one string.")
        unique = list(dict.fromkeys(i.strip() for i in map(str, ids) if i and i.strip()))
        uid = self._uid(unique_id)
        step = DELETE_CHUNK_SIZE
        chunks = [tuple(unique[i : i + step]) for i in range(0, len(unique), step)]
        results: list[DeleteChunkResult] = []
        auth_error: AuthError | None = None
        for chunk in chunks:
            if auth_error is not None:
                result = DeleteChunkResult(ids=chunk, ok=False, error=auth_error)
            else:
                try:
                    await self._call(
                        "POST",
                        "/delete_videos",
                        params={"unique_id": uid},
                        json=list(chunk),
                        idempotent=False,
                        may_resend=may_resend,
                    )
                except AuthError as exc:
                    auth_error = exc
                    result = DeleteChunkResult(ids=chunk, ok=False, error=exc)
                except MemoriesError as exc:
                    log.warning("Deleting %d videos failed: %s", len(chunk), exc.message)
                    result = DeleteChunkResult(ids=chunk, ok=False, error=exc)
                else:
                    result = DeleteChunkResult(ids=chunk, ok=True)
            results.append(result)
            if on_chunk is not None:
                on_chunk(result)
        return DeleteReport(chunks=tuple(results))

    @contextlib.asynccontextmanager
    async def download(
        self, video_no: str, *, unique_id: str | None = None
    ) -> AsyncIterator[DownloadStream]:
        """The file of a video, streamed: use as

            async with client.download("VI…") as stream:
                async for chunk in stream.aiter_bytes(): ...

        Entering raises the typed error when the server answers JSON instead of the
        file ("0001" → `NotFoundError`); rate limits, 5xx and failed connects before
        the body starts are retried like any read.
        """
        video_no = _required(video_no, "video_no")
        subject = f"Video {video_no}"

        async def open_stream(response: httpx.Response) -> DownloadStream:
            return await self._open_download(response, subject)

        stream = await self._with_retries(
            "POST",
            "/download",
            json={"video_no": video_no, "unique_id": self._uid(unique_id)},
            # identity: raw chunks are then the file itself, and match Content-Length.
            headers={
                "Accept": "application/octet-stream, application/json",
                "Accept-Encoding": "identity",
            },
            handle=open_stream,
            keep_open=True,
            via=self._download_sender(),
        )
        try:
            yield stream
        finally:
            await stream.aclose()

    # -- the request path --------------------------------------------------------

    def _uid(self, unique_id: str | None) -> str:
        return unique_id or self.unique_id

    def _download_sender(self) -> httpx.AsyncClient:
        """The httpx client downloads go through: the fast path when the connection to
        the API is direct, else (a proxy, or a transport given for tests) the JSON one."""
        if self._downloads is None:
            if self._transport_given or (not self._loopback and uses_proxy(self._url)):
                self._downloads = self._http
            else:
                # Requests are built by the JSON client (base URL, headers, timeout);
                # this one only sends them, one new connection each.
                self._downloads = httpx.AsyncClient(
                    transport=DownloadTransport(self._tls),
                    follow_redirects=False,
                    trust_env=False,
                    event_hooks={"request": [self._request_leaving]},
                )
        return self._downloads

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        idempotent: bool = True,
        subject: str | None = None,
        may_resend: Callable[[], bool] | None = None,
        background: bool = False,
        on_sent: Callable[[], None] | None = None,
    ) -> object:
        """Send one API call (with pacing and retries) and return the envelope's `data`."""

        async def read_data(response: httpx.Response) -> object:
            return await self._read_data(response, subject)

        return await self._with_retries(
            method, path, params=params, json=json, idempotent=idempotent, handle=read_data,
            may_resend=may_resend, background=background, on_sent=on_sent,
        )

    async def _with_retries(
        self,
        method: str,
        path: str,
        *,
        handle: Callable[[httpx.Response], Awaitable[T]],
        params: Mapping[str, Any] | None = None,
        json: object = None,
        headers: dict[str, str] | None = None,
        idempotent: bool = True,
        keep_open: bool = False,
        via: httpx.AsyncClient | None = None,
        may_resend: Callable[[], bool] | None = None,
        background: bool = False,
        on_sent: Callable[[], None] | None = None,
    ) -> T:
        """Send until `handle` turns an answer into a result, or retrying must stop.

        `handle` raises a `MemoriesError` for an answer that is a failure. With
        `keep_open` the response stays open for the result (a download) and closing it
        is the result's job. `via` is the httpx client that sends (the JSON one unless
        given); requests are always built by the JSON one.

        `idempotent` says whether the endpoint is safe to repeat. One that is not (a
        delete) is sent again only when the server certainly did not act on it: once
        its bytes may have reached the server, any failure ends the call.
        """
        if not self._api_key:
            # Nothing goes out without a key: the answer could only be a refusal, and
            # a key withheld from a host (see config) means that host gets nothing.
            raise AuthError(
                "No API key is set: nothing was sent. Set one with MEMORIES_API_KEY or "
                "--api-key, or try memories-tui --demo."
            )
        sender = via or self._http
        retry = 0
        resent_at_once = False
        at_once = False
        while True:
            if not at_once:
                await self._wait_for_turn(background)
            at_once = False
            sent = True
            attempt = _Attempt(on_sent)
            request = self._http.build_request(
                method, path, params=params, json=json, headers=headers,
                extensions={"trace": attempt.trace},
            )
            try:
                response = await sender.send(request, stream=True)
            except httpx.HTTPError as exc:
                sent = request_was_sent(exc)
                error = error_for_transport(exc, where=self._where, timeout=self.timeout)
                if (idempotent and not resent_at_once and cut_before_answer(exc)
                        and sender is self._http and not attempt.connected):
                    # A kept-alive connection the server closed just as we reused
                    # it (httpcore checks idle ones first, but this can still
                    # happen): resent once, at once, whatever the retry policy. A
                    # download on the fast path always had a connection of its own.
                    resent_at_once = at_once = True
                    log.info("%s %s: the reused connection was closed (%s); sending again.",
                             method, path, error.message)
                    continue
            else:
                try:
                    result = await handle(response)
                except MemoriesError as exc:
                    error = exc
                except httpx.HTTPError as exc:  # the body broke off or stalled while read
                    error = error_for_transport(exc, where=self._where, timeout=self.timeout)
                except BaseException:
                    await response.aclose()
                    raise
                else:
                    if not keep_open:
                        await response.aclose()
                    return result
                await response.aclose()

            if not idempotent and is_ambiguous(error, sent=sent):
                # It may have been applied: never sent again, whatever comes next.
                error.maybe_applied = True
                raise error
            delay = None
            if is_retryable(
                error, sent=sent, idempotent=idempotent, network=self._retry_network_errors
            ):
                delay = self._backoff.delay(retry, error.retry_after)
            if delay is None:
                raise error
            if may_resend is not None and not may_resend():
                raise error  # the caller is stopping: this answer is the last
            retry += 1
            log.info(
                "%s %s failed (%s); retry %d of %d in %.1f s.",
                method, path, error.message, retry, self._backoff.max_retries, delay,
            )
            reason = WAIT_RATE_LIMIT if isinstance(error, RateLimitedError) else WAIT_RETRY
            if background:
                await self._sleep(delay)  # nobody waits for it: no notice
            else:
                await self._wait(delay, reason)
            if may_resend is not None and not may_resend():
                raise error  # it stopped while we waited

    async def _read_data(self, response: httpx.Response, subject: str | None) -> object:
        """The `data` of a JSON answer, or the typed error the answer stands for."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        error = error_for_status(status, retry_after=retry_after, has_key=bool(self._api_key))
        if error is not None:
            raise error
        body = await _read_bounded(response.aiter_bytes(), MAX_JSON_BYTES)
        if not 200 <= status < 300:
            raise self._refusal(body, status, retry_after, subject)
        payload = decode_json(body)
        return check_envelope(payload, http_status=status, retry_after=retry_after, subject=subject)

    async def _open_download(self, response: httpx.Response, subject: str) -> DownloadStream:
        """A stream over the file, or the typed error for a JSON (or HTML) answer."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        error = error_for_status(status, retry_after=retry_after, has_key=bool(self._api_key))
        if error is not None:
            raise error
        content_type = response.headers.get("Content-Type")
        if not 200 <= status < 300 or is_json_type(content_type):
            # Decoded bytes: a server may compress its JSON even when asked not to.
            body = await _read_bounded(response.aiter_bytes(), MAX_REFUSAL_BYTES)
            raise self._refusal(body, status, retry_after, subject)
        if is_html_type(content_type):
            raise BadResponseError(
                "The server sent a web page instead of the video.", http_status=status
            )
        raw = response.aiter_raw()
        # Whatever the label says, look at the first bytes: the service may send its
        # JSON refusal as application/octet-stream, and no video file starts with "{".
        first = await anext(raw, b"")
        if looks_like_json(first):
            body = await _read_bounded(raw, MAX_REFUSAL_BYTES, already=first)
            raise self._refusal(body, status, retry_after, subject)
        return DownloadStream(
            raw,
            total=parse_content_length(response.headers.get("Content-Length")),
            where=self._where,
            timeout=self.timeout,
            content_type=content_type,
            prefix=first,
            on_close=response.aclose,
            body=response.extensions.get(DOWNLOAD_BODY),
            chunked="chunked" in response.headers.get("Transfer-Encoding", "").lower(),
        )

    @staticmethod
    def _refusal(
        body: bytes, status: int, retry_after: float | None, subject: str | None
    ) -> MemoriesError:
        """The error a non-success body stands for (a JSON envelope, or just a status)."""
        ok_status = 200 <= status < 300
        try:
            payload = decode_json(body)
            check_envelope(payload, http_status=status, retry_after=retry_after, subject=subject)
        except BadResponseError as exc:
            return exc if ok_status else error_for_unreadable_status(status)
        except MemoriesError as exc:
            return exc
        # The envelope says success, yet this is not what success looks like here.
        if ok_status:
            return BadResponseError(
                "The server answered JSON where the video should be.", http_status=status
            )
        return error_for_unreadable_status(status)

    # -- pacing and backoff ------------------------------------------------------

    async def _request_leaving(self, _request: httpx.Request) -> None:
        self._pacer.mark_sent()

    async def _wait_for_turn(self, background: bool = False) -> None:
        if background:
            # Claim no slot ahead: sleep until the next one is free, and take it only
            # if nobody claimed it meanwhile. Other calls' slots are claimed ahead, so
            # they always go first.
            while (delay := self._pacer.would_wait()) > 0:
                await asyncio.sleep(delay)
            self._pacer.reserve()
            return
        slot, delay = self._pacer.reserve()
        if delay <= 0:
            return
        try:
            await self._wait(delay)
        except BaseException:
            self._pacer.release(slot)  # cancelled while waiting: free the slot
            raise

    async def _wait(self, seconds: float, reason: str = WAIT_RATE_LIMIT) -> None:
        """Sleep, with `rate_waiting` on (and `wait_reason` saying why) meanwhile."""
        self._waiting_calls += 1
        if self._waiting_calls == 1 or reason != self.wait_reason:
            self.wait_reason = reason
            self._announce(True)
        try:
            await self._sleep(seconds)
        finally:
            self._waiting_calls -= 1
            if self._waiting_calls == 0:
                self.wait_reason = None
                self._announce(False)

    def _announce(self, waiting: bool) -> None:
        if self.on_rate_wait is None:
            return
        try:
            self.on_rate_wait(waiting)
        except Exception:
            # A faulty display callback must not fail the request it reports on.
            log.warning("on_rate_wait(%s) raised an exception.", waiting, exc_info=True)


class _Attempt:
    """What httpcore tells about one try of a request, through its "trace" extension."""

    __slots__ = ("connected", "_on_sent")

    def __init__(self, on_sent: Callable[[], None] | None = None) -> None:
        #: A new connection was opened for it (else it went on a kept-alive one).
        self.connected = False
        self._on_sent = on_sent

    async def trace(self, name: str, _info: dict[str, Any]) -> None:
        if name.endswith(".connect_tcp.started"):
            self.connected = True
        elif name.endswith(".send_request_body.complete") and self._on_sent is not None:
            self._on_sent()


def _check_page(page: int, size: int = 1) -> None:
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError("page must be a whole number of at least 1.")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError("size must be a whole number of at least 1.")


def _required(value: str, name: str) -> str:
    value = str(value).strip() if value is not None else ""
    if not value:
        raise ValueError(f"{name} must not be empty.")
    return value
