"""The fake server's HTTP surface: the Utils API routes and the ``/_fake`` admin routes.

Every API request goes through ``_api``: it is recorded, may be broken by a pending
fault, is authenticated (bare key in ``Authorization``, HTTP 401 otherwise), is rate
limited if asked, and only then reaches its handler. Parameter locations follow the
reference strictly (List Videos reads its JSON body, Delete Videos its query string for
``unique_id``), so a client that sends them elsewhere is caught by tests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import wire
from .content import iter_range
from .faults import BODY_FAULTS, FaultSwitch, break_response, fault_response
from .library import DEFAULT_NAMESPACE, FakeLibrary
from .ratelimit import TokenBucket
from .recording import RequestLog
from .sessions import SESSION_PAGE_SIZE
from .streaming import RAW_SEND_KEY, ByteStreamResponse

API = "/serve/api/v1"
MAX_PAGE_SIZE = 1000
MAX_DELETE = 100


@dataclass
class FakeContext:
    """Everything one fake server instance holds; ``app.state.fake``."""

    library: FakeLibrary
    api_key: str | None = None
    bucket: TokenBucket | None = None
    faults: FaultSwitch = field(default_factory=FaultSwitch)
    log: RequestLog = field(default_factory=RequestLog)
    #: Set when the server stops: stalled and streaming responses end at once.
    stopping: threading.Event = field(default_factory=threading.Event)
    #: Every 0429 answer sent (from the bucket or from a "429" fault).
    rate_limited_count: int = 0
    #: The largest page the listings serve; a larger `size` is cut to it, and the
    #: answer's `page_size` says which size was used (as the service echoes it).
    max_page_size: int | None = None
    #: Downloads and media at most this many bytes per second (a slow link), or None.
    download_rate: float | None = None


class FakeApp(Starlette):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Keep the server's own ``send``: faults that break HTTP framing reach the
        # transport through it (see streaming.py). Starlette wraps it further in.
        if scope["type"] == "http":
            scope[RAW_SEND_KEY] = send
        await super().__call__(scope, receive, send)


class BadParameter(Exception):
    """A parameter of the wrong type or out of range: ``0003``."""

    code = wire.BAD_PARAMETER


class MissingParameter(BadParameter):
    """A required parameter is absent: ``0001``."""

    code = wire.MISSING_PARAMETER


@dataclass
class Call:
    """One authenticated API request, parsed."""

    request: Request
    ctx: FakeContext
    body: Any  # parsed JSON, or None when there is no body
    body_is_json: bool

    @property
    def library(self) -> FakeLibrary:
        return self.ctx.library

    def query(self, name: str) -> str | None:
        value = self.request.query_params.get(name)
        return value if value else None

    def required_query(self, name: str) -> str:
        value = self.query(name)
        if value is None:
            raise MissingParameter(f"{name} is required")
        return value

    def capped(self, size: int) -> int:
        """A page size as the server uses it: at most its `max_page_size`."""
        limit = self.ctx.max_page_size
        return size if limit is None else min(size, limit)

    def query_namespace(self) -> str:
        namespace = self.query("unique_id") or DEFAULT_NAMESPACE
        self.library.touch(namespace)
        return namespace

    def json_object(self) -> dict[str, Any]:
        if self.body is None and self.body_is_json:
            return {}
        if not self.body_is_json or not isinstance(self.body, dict):
            raise BadParameter("the body must be a JSON object")
        return self.body

    def ok(self, data: Any) -> Response:
        return JSONResponse(wire.envelope(data))


def _fail(code: str, msg: str) -> Response:
    return JSONResponse(wire.failure(code, msg))


def _int_param(source: dict[str, Any], name: str, default: int, hi: int) -> int:
    value = source.get(name)
    if value is None:
        return default
    # Java servers coerce "2" to 2; so do we. Booleans and floats are refused.
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= hi:
        raise BadParameter(f"{name} must be an integer from 1 to {hi}")
    return value


def _str_param(source: dict[str, Any], name: str) -> str | None:
    value = source.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadParameter(f"{name} must be a string")
    return value


def _namespace(call: Call, source: dict[str, Any]) -> str:
    """The body's ``unique_id``; an unknown one is created, as the service does."""
    namespace = _str_param(source, "unique_id") or DEFAULT_NAMESPACE
    call.library.touch(namespace)
    return namespace


# -- the Utils API ------------------------------------------------------------------------


async def list_videos(call: Call) -> Response:
    body = call.json_object()
    page = _int_param(body, "page", 1, 10**9)
    size = call.capped(_int_param(body, "size", 20, MAX_PAGE_SIZE))
    records, total = call.library.query_videos(
        _namespace(call, body), page=page, size=size, name=_str_param(body, "video_name"),
        video_no=_str_param(body, "video_no"), status=_str_param(body, "status"),
    )
    return call.ok(wire.page("videos", [wire.video_item(r) for r in records], page, size, total))


async def list_sessions(call: Call) -> Response:
    page = _int_param(dict(call.request.query_params), "page", 1, 10**9)
    sessions = call.library.sessions(call.query_namespace())
    start = (page - 1) * SESSION_PAGE_SIZE
    found = sessions[start:start + SESSION_PAGE_SIZE]
    if not found:
        return call.ok(None)  # an empty page is `data: null`, as the service sends it
    return call.ok(wire.page("sessions", found, page, SESSION_PAGE_SIZE, len(sessions)))


async def get_session_detail(call: Call) -> Response:
    detail = call.library.session_detail(call.required_query("sessionId"), call.query_namespace())
    if detail is None:
        return _fail(wire.NOT_FOUND, "session not found")
    return call.ok(detail)


async def get_public_video_detail(call: Call) -> Response:
    video = call.library.public_video(call.required_query("video_no"))
    if video is None:
        return _fail(wire.NOT_FOUND, "video not found")
    return call.ok(video)


async def get_video_ids_by_task_id(call: Call) -> Response:
    task_id = call.required_query("task_id")
    ids = call.library.task_video_ids(task_id, call.query_namespace())
    if ids is None:
        return _fail(wire.NOT_FOUND, "task not found")
    return call.ok({"taskId": task_id, "video_ids": ids})


async def img_list_page(call: Call) -> Response:
    body = call.json_object()
    page = _int_param(body, "page", 1, 10**9)
    size = call.capped(_int_param(body, "size", 20, MAX_PAGE_SIZE))
    found = call.library.images(_namespace(call, body))
    start = (page - 1) * size
    # Under `item`, the one list key the public evidence shows for images.
    return call.ok(wire.page("item", found[start:start + size], page, size, len(found)))


async def list_unique_ids(call: Call) -> Response:
    return call.ok({"unique_ids": list(call.library.namespaces)})


def _media_url(call: Call, video_no: str, namespace: str) -> str:
    # A playable URL served by the fake itself (no key needed, like a signed URL).
    base = str(call.request.base_url).rstrip("/")
    return f"{base}/_fake/media/{video_no}.mp4?unique_id={namespace}"


async def get_private_video_details(call: Call, *, metadata: bool = False) -> Response:
    video_no, namespace = call.required_query("video_no"), call.query_namespace()
    rec = call.library.get_video(video_no, namespace, count_read=True)
    if rec is None:
        return _fail(wire.NOT_FOUND, "video not found")
    render = wire.video_metadata if metadata else wire.video_details
    return call.ok(render(rec, _media_url(call, rec.video_no, namespace)))


async def delete_videos(call: Call) -> Response:
    ids = call.body
    if not (call.body_is_json and isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
        raise BadParameter("the body must be a JSON array of video ids")
    if len(ids) > MAX_DELETE:
        raise BadParameter(f"at most {MAX_DELETE} videos per request, got {len(ids)}")
    call.library.delete_videos(ids, call.query_namespace())
    return call.ok(None)


def _video_stream(rec_video_no: str, size: int, ctx: FakeContext) -> ByteStreamResponse:
    return ByteStreamResponse(length=size, chunks=partial(iter_range, rec_video_no),
                              media_type="application/octet-stream", stopping=ctx.stopping,
                              rate=ctx.download_rate)


async def download(call: Call) -> Response:
    body = call.json_object()
    video_no = _str_param(body, "video_no")
    if video_no is None:
        raise MissingParameter("video_no is required")
    rec = call.library.get_video(video_no, _namespace(call, body))
    if rec is None:
        return _fail(wire.NOT_FOUND, "video not found")
    return _video_stream(rec.video_no, rec.size, call.ctx)


# -- the pipeline every API request goes through ------------------------------------------

Handler = Callable[[Call], Awaitable[Response]]


def _unauthorized() -> Response:
    return JSONResponse(wire.failure("0401", "Unauthorized: missing or invalid API key"),
                        status_code=401)


def _authorized(ctx: FakeContext, header: str | None) -> bool:
    if header is None or not header.strip():
        return False
    return ctx.api_key is None or header == ctx.api_key


def _api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        ctx: FakeContext = request.app.state.fake
        raw = await request.body()
        parsed, is_json = None, True
        if raw.strip():
            try:
                parsed = json.loads(raw)
            except ValueError:
                is_json = False
        ctx.log.add(request.method, request.url.path, dict(request.query_params), raw, parsed,
                    dict(request.headers))

        fault = ctx.faults.take(request.url.path)
        if fault == "429":
            ctx.rate_limited_count += 1
        if fault is not None and fault not in BODY_FAULTS:
            return fault_response(fault, request, ctx.stopping)
        if not _authorized(ctx, request.headers.get("authorization")):
            return _unauthorized()
        if ctx.bucket is not None:
            wait = ctx.bucket.try_acquire()
            if wait > 0:
                ctx.rate_limited_count += 1
                # As the service often answers: no Retry-After (the client backs off).
                return JSONResponse(wire.rate_limited())
        try:
            response = await handler(Call(request, ctx, parsed, is_json))
        except BadParameter as exc:
            response = _fail(exc.code, f"Parameter error: {exc}")
        if fault is not None:
            response = break_response(fault, response, ctx.stopping)
        return response

    return endpoint


# -- admin routes only the fake has (no key, never recorded, never faulted) ---------------


async def admin_faults(request: Request) -> Response:
    ctx: FakeContext = request.app.state.fake
    if request.method == "POST":
        try:
            spec = await request.json()
            ctx.faults.push(str(spec["kind"]), int(spec.get("count", 1)), path=spec.get("path"))
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
    elif request.method == "DELETE":
        ctx.faults.clear()
    return JSONResponse({"pending": ctx.faults.pending, "fired": dict(ctx.faults.fired)})


async def admin_requests(request: Request) -> Response:
    ctx: FakeContext = request.app.state.fake
    if request.method == "DELETE":
        ctx.log.clear()
        return JSONResponse({"requests": []})
    return JSONResponse({"requests": [
        {"method": r.method, "path": r.path, "query": r.query, "json": r.json,
         "headers": r.headers, "has_auth": r.has_auth}
        for r in ctx.log.snapshot()
    ]})


async def admin_state(request: Request) -> Response:
    ctx: FakeContext = request.app.state.fake
    lib = ctx.library
    return JSONResponse({
        "seed": lib.seed, "hostile": lib.hostile,
        "videos": {ns: lib.video_count(ns) for ns in lib.namespaces},
        "task_ids": lib.task_ids,
        "small_video_ids": lib.small_video_ids(),
        "public_video_ids": list(lib.public_video_ids[:5]),
        "session_ids": lib.session_ids()[:5],
        "requests": len(ctx.log.requests),
        "rate_limited_count": ctx.rate_limited_count,
    })


async def media(request: Request) -> Response:
    ctx: FakeContext = request.app.state.fake
    video_no = request.path_params["video_no"]
    namespace = request.query_params.get("unique_id") or DEFAULT_NAMESPACE
    rec = ctx.library.get_video(video_no, namespace)
    if rec is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return _video_stream(rec.video_no, rec.size, ctx)


async def _not_found(request: Request, exc: Exception) -> Response:
    # The service answers an unknown route with HTTP 200 and a 0001 envelope (a real
    # answer); a known route with the wrong method gets a Spring-style 405 body.
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return _fail(wire.NOT_FOUND, wire.NO_ROUTE_MSG)
    return JSONResponse({"timestamp": "2026-11-01T00:00:00.000+00:00", "status": status,
                         "error": "Method Not Allowed", "path": request.url.path},
                        status_code=status)


def create_app(library: FakeLibrary | None = None, *, seed: int = 1, videos: int = 300,
               hostile: bool = False, api_key: str | None = None, rate_limit: float | None = None,
               burst: int = 1, name_match: str = "exact") -> FakeApp:
    """The fake server as an ASGI app; its state is ``app.state.fake`` (a FakeContext).

    ``api_key=None`` accepts any non-empty key. ``rate_limit`` is requests per second
    over all API routes (None or 0: unlimited), with a bucket of ``burst`` requests.
    """
    if library is None:
        library = FakeLibrary(seed=seed, videos=videos, hostile=hostile, name_match=name_match)
    ctx = FakeContext(
        library=library,
        api_key=api_key,
        bucket=TokenBucket(rate_limit, burst) if rate_limit else None,
    )
    routes = [
        Route(f"{API}/list_videos", _api(list_videos), methods=["POST"]),
        Route(f"{API}/list_sessions", _api(list_sessions), methods=["GET"]),
        # The v1.1 path of the same endpoint.
        Route("/serve/api/video/list_sessions", _api(list_sessions), methods=["GET"]),
        Route(f"{API}/get_session_detail", _api(get_session_detail), methods=["GET"]),
        Route(f"{API}/get_public_video_detail", _api(get_public_video_detail), methods=["GET"]),
        Route(f"{API}/get_video_ids_by_task_id", _api(get_video_ids_by_task_id), methods=["GET"]),
        Route(f"{API}/img_list_page", _api(img_list_page), methods=["POST"]),
        Route(f"{API}/get_private_video_details", _api(get_private_video_details), methods=["GET"]),
        Route(f"{API}/get_metadata", _api(partial(get_private_video_details, metadata=True)),
              methods=["GET"]),
        Route(f"{API}/delete_videos", _api(delete_videos), methods=["POST"]),
        Route(f"{API}/download", _api(download), methods=["POST"]),
        Route(f"{API}/list_unique_ids", _api(list_unique_ids), methods=["GET"]),
        Route("/_fake/faults", admin_faults, methods=["GET", "POST", "DELETE"]),
        Route("/_fake/requests", admin_requests, methods=["GET", "DELETE"]),
        Route("/_fake/state", admin_state, methods=["GET"]),
        Route("/_fake/media/{video_no}.mp4", media, methods=["GET"]),
    ]
    app = FakeApp(routes=routes, exception_handlers={404: _not_found, 405: _not_found})
    app.state.fake = ctx
    return app
