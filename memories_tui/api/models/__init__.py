"""What the API returns, as frozen dataclasses, and the `parse_*` functions that build them.

Parsing happens once, here: numbers become ints, stamps become aware UTC datetimes,
"null" becomes None, and nothing above this module sees a wire string. The parsers are
tolerant — a field that cannot be read becomes None with a logged warning, unknown
fields are ignored (or kept as text, for images) — but strict about shape: `data` that
is not an object raises `BadResponseError`, the one exception a parser may raise.

Records without an id (a video without `video_no`, a session without `sessionId`) are
dropped with a warning: nothing can be done with them, and the tables key rows by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from memories_tui.api.errors import MemoriesError
from memories_tui.api.models.common import page_numbers, records, require_object, unique_by_id
from memories_tui.api.wire import (
    first_present,
    log,
    read_float,
    read_id,
    read_int,
    read_ms_time,
    read_name,
    read_size,
    read_text,
)

if TYPE_CHECKING:
    # What `__getattr__` below loads on first use, spelled out for the type checker;
    # at run time these submodules stay unimported until asked for.
    from memories_tui.api.models.images import Image, ImagePage, parse_image, parse_image_page
    from memories_tui.api.models.namespaces import parse_unique_ids
    from memories_tui.api.models.public import PublicVideo, parse_public_video
    from memories_tui.api.models.sessions import (
        Message,
        Ref,
        RefItem,
        SessionDetail,
        SessionPage,
        SessionSummary,
        Thinking,
        parse_session_detail,
        parse_session_page,
    )
    from memories_tui.api.models.tasks import TaskStatus, parse_task_status

__all__ = [
    "DeleteChunkResult",
    "DeleteReport",
    "Image",
    "ImagePage",
    "Message",
    "PublicVideo",
    "Ref",
    "RefItem",
    "SessionDetail",
    "SessionPage",
    "SessionSummary",
    "TaskStatus",
    "Thinking",
    "Video",
    "VideoDetails",
    "VideoPage",
    "parse_image",
    "parse_image_page",
    "parse_public_video",
    "parse_session_detail",
    "parse_session_page",
    "parse_task_status",
    "parse_unique_ids",
    "parse_video",
    "parse_video_details",
    "parse_video_page",
]

# The models of the other views live beside this module and are loaded when first
# asked for: a dataclass costs ~0.5 ms to define, and start-up needs only the videos.
_ELSEWHERE = {
    "PublicVideo": "public",
    "parse_public_video": "public",
    "SessionSummary": "sessions",
    "SessionPage": "sessions",
    "Thinking": "sessions",
    "RefItem": "sessions",
    "Ref": "sessions",
    "Message": "sessions",
    "SessionDetail": "sessions",
    "parse_session_page": "sessions",
    "parse_session_detail": "sessions",
    "TaskStatus": "tasks",
    "parse_task_status": "tasks",
    "Image": "images",
    "ImagePage": "images",
    "parse_image": "images",
    "parse_image_page": "images",
    "parse_unique_ids": "namespaces",
}


def __getattr__(name: str) -> object:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


# -- models -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Video:
    """One row of List Videos."""

    video_no: str
    name: str
    status: str | None
    duration: int | None  # seconds
    size: int | None  # bytes
    create_time: datetime | None  # aware UTC
    cause: str | None  # why a FAILED video failed; None when there is none


@dataclass(frozen=True, slots=True)
class VideoPage:
    videos: tuple[Video, ...]
    page: int
    page_size: int
    total_count: int


@dataclass(frozen=True, slots=True)
class VideoDetails:
    """Get Private Video Details."""

    video_no: str
    name: str
    status: str | None
    duration: int | None  # seconds
    size: int | None  # bytes
    create_time: datetime | None
    fps: float | None
    width: int | None
    height: int | None
    resolution_label: str | None  # e.g. "720P"
    video_url: str | None


@dataclass(frozen=True, slots=True)
class DeleteChunkResult:
    """One delete request (at most 100 ids) and how it ended."""

    ids: tuple[str, ...]
    ok: bool
    error: MemoriesError | None = None


@dataclass(frozen=True, slots=True)
class DeleteReport:
    chunks: tuple[DeleteChunkResult, ...]

    @property
    def deleted(self) -> tuple[str, ...]:
        """Ids the server confirmed deleted."""
        return tuple(i for chunk in self.chunks if chunk.ok for i in chunk.ids)

    @property
    def failed(self) -> tuple[str, ...]:
        """Ids whose request failed (some may still be gone: see `maybe_deleted`)."""
        return tuple(i for chunk in self.chunks if not chunk.ok for i in chunk.ids)

    @property
    def maybe_deleted(self) -> tuple[str, ...]:
        """Failed ids whose request may have reached the server: list them to find out."""
        return tuple(
            i
            for chunk in self.chunks
            if not chunk.ok and chunk.error is not None and chunk.error.maybe_applied
            for i in chunk.ids
        )

    @property
    def ok(self) -> bool:
        return all(chunk.ok for chunk in self.chunks)

    @property
    def errors(self) -> tuple[MemoriesError, ...]:
        """The distinct errors of failed chunks, in order."""
        seen: list[MemoriesError] = []
        for chunk in self.chunks:
            if chunk.error is not None and all(chunk.error is not e for e in seen):
                seen.append(chunk.error)
        return tuple(seen)


# -- parsers ------------------------------------------------------------------


def parse_video(record: dict[str, object]) -> Video | None:
    """One video of List Videos; None (with a warning) if it has no `video_no`."""
    video_no = read_id(record.get("video_no"), "video video_no")
    if video_no is None:
        log.warning("Ignoring a video without a video_no.")
        return None
    label = f"video {video_no}"
    _, name = first_present(record, "video_name", "name", words_are_values=True)
    return Video(
        video_no=video_no,
        name=read_name(name, f"{label} video_name"),
        status=read_id(record.get("status"), f"{label} status"),
        duration=read_int(record.get("duration"), f"{label} duration"),
        size=read_size(record.get("size"), f"{label} size"),
        create_time=read_ms_time(record.get("create_time"), f"{label} create_time"),
        cause=read_text(record.get("cause"), f"{label} cause"),
    )


def parse_video_page(data: object, *, page: int = 1, size: int = 20) -> VideoPage:
    """List Videos `data`; `page`/`size` (what was asked) fill in missing page numbers."""
    body = require_object(data, "the video list", null_is_empty=True)
    videos = [v for r in records(body.get("videos"), "videos") if (v := parse_video(r))]
    unique = unique_by_id(videos, "video", lambda v: v.video_no)
    page, size, total = page_numbers(body, "video list", len(unique), page, size)
    return VideoPage(videos=unique, page=page, page_size=size, total_count=total)


def parse_video_details(data: object, *, video_no: str = "") -> VideoDetails:
    """Get Private Video Details `data`; `video_no` (what was asked) if the answer lacks it."""
    body = require_object(data, "the video details")
    video_no = read_id(body.get("video_no"), "video details video_no") or video_no
    label = f"video {video_no}"
    _, name = first_present(body, "video_name", "name", words_are_values=True)
    return VideoDetails(
        video_no=video_no,
        name=read_name(name, f"{label} video_name"),
        status=read_id(body.get("status"), f"{label} status"),
        duration=read_int(body.get("duration"), f"{label} duration"),
        size=read_size(body.get("size"), f"{label} size"),
        create_time=read_ms_time(body.get("create_time"), f"{label} create_time"),
        fps=read_float(body.get("fps"), f"{label} fps"),
        width=read_int(body.get("width"), f"{label} width"),
        height=read_int(body.get("height"), f"{label} height"),
        resolution_label=read_text(body.get("resolution_label"), f"{label} resolution_label"),
        video_url=read_text(body.get("video_url"), f"{label} video_url"),
    )
