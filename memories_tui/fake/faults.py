"""Fault switches: make the next requests fail in the ways real networks and servers do.

``server.faults.push("503-html", count=2)`` makes the next two API requests (never the
``/_fake`` admin routes) answer with an HTML 503 page. Faults are taken in the order
pushed; ``path=`` limits one to requests whose path ends with it (e.g. "/download").

Kinds:

- ``"429"``: the rate-limit envelope ``0429`` (HTTP 200, ``Retry-After: 1``).
- ``"429-bare"``: the same without ``Retry-After``, as the real service often sends it.
- ``"refusal-octet"``: a download refusal (the ``0001`` envelope, HTTP 200) labelled
  ``application/octet-stream``, as the real service may label it.
- ``"401"``: HTTP 401 with the failure envelope, as when a key is revoked mid-session.
- ``"500"``: HTTP 500 with a Spring-style JSON error body (not the envelope).
- ``"502"``, ``"503-html"``: HTTP 502 / 503 with an HTML page, as a proxy sends.
- ``"malformed"``: HTTP 200, ``application/json``, a body that is not JSON.
- ``"envelope-missing"``: HTTP 200 JSON without ``code``.
- ``"envelope-types"``: HTTP 200 JSON whose envelope fields all have the wrong JSON
  types (``code`` an object, ``msg`` a list, ``data`` a string, the flags strings).
- ``"data-types"``: a success envelope whose ``data`` is a list where an object belongs.
- ``"redirect"``: HTTP 307 to the same path on another host name of this server
  (``localhost`` for ``127.0.0.1`` and back): a client that followed it would send the
  key to a host it was not configured for, and the fake would record that request.
- ``"echo-key"``: a failure envelope whose ``msg`` quotes the request's
  ``Authorization`` header, as a careless server's error page might.
- ``"stall"``: accepts and never answers, until the client leaves or the server stops.
- ``"code-number"``: the handler's own answer with the envelope ``code`` sent as a
  JSON number (``0``, ``1``, ``429``) instead of a string of digits.
- ``"cut"``: headers with the full ``Content-Length``, half the body, connection dropped.
- ``"short"``: all but the last tenth of the body, then the connection is dropped.
- ``"long"``: the whole body, then 4 KiB more past ``Content-Length``.
- ``"stall-body"``: headers with the full ``Content-Length``, half the body, then
  nothing more on a connection kept open, until the client leaves or the server stops.
- ``"no-length"``: the handler's body with no ``Content-Length``, ended by closing the
  connection (close-delimited), whole.
- ``"no-length-cut"``: the same, closed after a third of the body: nothing in the
  framing says it is short.
- ``"drop"``: the connection is closed without a byte of the answer (no status line),
  after the handler has run: a delete is applied, and the client cannot know it.
  ``faults.push("drop", path="/delete_videos")``, or from the command line
  ``memories-tui fake-server --fault drop:1:/delete_videos``.

The last eight run the real handler first and change or break its answer, so a
download is cut (or stalls) mid-video, a listing mid-JSON, and a delete's answer is
lost after the delete.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from .streaming import ByteStreamResponse, ClientWatch, bytes_source
from .wire import failure, rate_limited

FAULT_KINDS = ("429", "401", "500", "502", "503-html", "malformed", "envelope-missing",
               "envelope-types", "data-types", "redirect", "echo-key", "stall",
               "code-number", "cut", "short", "long", "stall-body", "drop", "429-bare",
               "refusal-octet", "no-length", "no-length-cut")
#: Faults applied to the handler's answer rather than instead of it.
BODY_FAULTS = ("code-number", "cut", "short", "long", "stall-body", "drop", "no-length",
               "no-length-cut")
LONG_EXTRA = 4096


class FaultSwitch:
    """A thread-safe queue of pending faults (tests push from their own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[list[Any]] = deque()  # [kind, remaining, path suffix]
        #: How many requests each kind has broken so far.
        self.fired: Counter[str] = Counter()

    def push(self, kind: str, count: int = 1, *, path: str | None = None) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._queue.append([kind, count, path])

    def take(self, path: str) -> str | None:
        """The fault for a request to ``path``, consuming one use of it, or None."""
        with self._lock:
            for entry in self._queue:
                kind, _, suffix = entry
                if suffix is None or path.endswith(suffix):
                    entry[1] -= 1
                    if entry[1] == 0:
                        self._queue.remove(entry)
                    self.fired[kind] += 1
                    return kind
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    @property
    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"kind": k, "count": n, "path": p} for k, n, p in self._queue]


_HTML = """<html>
<head><title>{code} {reason}</title></head>
<body>
<center><h1>{code} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


class StallResponse(Response):
    """Never answers: waits for the client to leave or the server to stop, then hangs up."""

    def __init__(self, stopping: threading.Event) -> None:
        self.stopping = stopping

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = ClientWatch(receive)
        try:
            await watch.wait(self.stopping)
            if not watch.gone.is_set() and not await watch.drop(scope):
                # No transport to close (not under uvicorn): answer rather than hang.
                await HTMLResponse(_HTML.format(code=504, reason="Gateway Time-out"),
                                   status_code=504)(scope, receive, send)
        finally:
            watch.close()


class DropResponse(Response):
    """No answer at all: the connection is closed before the status line.

    An exception from the app would not do it: before the response starts, the
    server turns one into a 500. So the connection is closed at the transport, and the
    response returns once the server has noticed (it then sends nothing itself).
    """

    def __init__(self) -> None:
        pass  # nothing to send

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = ClientWatch(receive)
        try:
            if not await watch.drop(scope):
                # No transport to close (not under uvicorn): fail loudly rather than
                # answer as if nothing happened.
                raise ConnectionAbortedError("fake server: connection dropped on purpose")
        finally:
            watch.close()


def _other_host_url(request: Request) -> str:
    """The same URL under another name of this server: a different host to a client."""
    url = request.url
    other = "localhost" if url.hostname != "localhost" else "127.0.0.1"
    return str(url.replace(hostname=other))


def fault_response(kind: str, request: Request, stopping: threading.Event) -> Response:
    """The answer for a fault that replaces the handler's answer."""
    path = request.url.path
    if kind == "429":
        return JSONResponse(rate_limited(), headers={"Retry-After": "1"})
    if kind == "429-bare":
        return JSONResponse(rate_limited())
    if kind == "refusal-octet":
        body = json.dumps(failure("0001", "video not found")).encode()
        return Response(body, media_type="application/octet-stream")
    if kind == "401":
        return JSONResponse(failure("0401", "Unauthorized: missing or invalid API key"),
                            status_code=401)
    if kind == "500":
        return JSONResponse({"timestamp": "2026-11-01T00:00:00.000+00:00", "status": 500,
                             "error": "Internal Server Error", "path": path}, status_code=500)
    if kind == "502":
        return HTMLResponse(_HTML.format(code=502, reason="Bad Gateway"), status_code=502)
    if kind == "503-html":
        return HTMLResponse(_HTML.format(code=503, reason="Service Temporarily Unavailable"),
                            status_code=503)
    if kind == "malformed":
        return Response(b'{"code":"0000","msg":"success","data":{"videos":[{"video_no":"VI6',
                         media_type="application/json")
    if kind == "envelope-missing":
        return JSONResponse({"msg": "success", "data": None})
    if kind == "envelope-types":
        return JSONResponse({"code": {"value": "0000"}, "msg": ["success"], "data": "videos",
                             "success": "true", "failed": 0})
    if kind == "data-types":
        return JSONResponse({"code": "0000", "msg": "success", "data": ["not", "an", "object"],
                             "success": True, "failed": False})
    if kind == "redirect":
        return Response(status_code=307, headers={"Location": _other_host_url(request)})
    if kind == "echo-key":
        # The fake keeps no key anywhere else; this answer exists to test redaction.
        sent = request.headers.get("authorization", "")
        return JSONResponse(failure("0003", f"Parameter error: key {sent} is not allowed here"))
    if kind == "stall":
        return StallResponse(stopping)
    raise ValueError(f"{kind!r} breaks an answer; use break_response")


def _code_as_number(response: Response) -> Response:
    """The handler's JSON envelope with ``code`` as a JSON number; other answers as they are."""
    if isinstance(response, ByteStreamResponse) or not isinstance(response, JSONResponse):
        return response
    payload = json.loads(bytes(response.body))
    code = payload.get("code") if isinstance(payload, dict) else None
    if not (isinstance(code, str) and code.isdigit()):
        return response
    payload["code"] = int(code)
    headers = {k: v for k, v in response.headers.items()
               if k not in ("content-length", "content-type")}
    return JSONResponse(payload, status_code=response.status_code, headers=headers)


def break_response(kind: str, response: Response, stopping: threading.Event) -> Response:
    """Change or break the handler's answer as the kind says (see ``BODY_FAULTS``)."""
    if kind == "code-number":
        return _code_as_number(response)
    if kind == "drop":
        return DropResponse()
    if isinstance(response, ByteStreamResponse):
        stream = response
    else:
        body = bytes(response.body)
        headers = {k: v for k, v in response.headers.items()
                   if k not in ("content-length", "content-type")}
        media_type = response.headers.get("content-type", "application/json")
        stream = ByteStreamResponse(length=len(body), chunks=bytes_source(body),
                                    media_type=media_type, stopping=stopping,
                                    status_code=response.status_code, headers=headers)
    n = stream.length
    if kind == "cut":
        return stream.broken(send_bytes=n // 2)
    if kind == "short":
        return stream.broken(send_bytes=n - max(1, n // 10))
    if kind == "long":
        return stream.broken(extra=b"\0" * LONG_EXTRA)
    if kind == "stall-body":
        return stream.broken(send_bytes=n // 2, hold_open=True)
    if kind == "no-length":
        return stream.broken(close_delimited=True)
    if kind == "no-length-cut":
        return stream.broken(send_bytes=n // 3, close_delimited=True)
    raise ValueError(f"{kind!r} is not a body fault")
