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

from memories_tui.api.errors import BadResponseError, MemoriesError
from memories_tui.api.wire import (
    display_text,
    first_present,
    log,
    read_float,
    read_hashtags,
    read_id,
    read_int,
    read_list,
    read_ms_time,
    read_name,
    read_object,
    read_seconds_time,
    read_text,
)

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
    "parse_video",
    "parse_video_details",
    "parse_video_page",
]


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
class PublicVideo:
    """Get Public Video Details (a `PI-` video from a public platform)."""

    video_no: str
    name: str
    status: str | None
    duration: int | None
    create_time: datetime | None  # when Memories.ai indexed it (sent in ms)
    publish_time: datetime | None  # when it was published (sent in SECONDS)
    video_url: str | None
    blogger_id: str | None
    text_language: str | None
    music_name: str | None
    hashtags: tuple[str, ...]
    like_count: int | None
    share_count: int | None
    comment_count: int | None
    view_count: int | None
    collect_count: int | None


@dataclass(frozen=True, slots=True)
class SessionSummary:
    session_id: str
    title: str


@dataclass(frozen=True, slots=True)
class SessionPage:
    sessions: tuple[SessionSummary, ...]
    page: int
    page_size: int
    total_count: int


@dataclass(frozen=True, slots=True)
class Thinking:
    title: str
    content: str


@dataclass(frozen=True, slots=True)
class RefItem:
    """One moment of a referenced video."""

    video_no: str | None
    start_time: float | None  # seconds into the video
    type: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class Ref:
    """A video an assistant message points at, with the moments it cites."""

    video_no: str | None
    video_name: str
    duration: int | None
    items: tuple[RefItem, ...]


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "user" or "assistant" (others kept as sent)
    content: str
    thinkings: tuple[Thinking, ...]
    refs: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session_id: str
    title: str
    messages: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """Get Task Status: no ids yet means the task is still fetching its videos."""

    task_id: str
    video_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Image:
    image_no: str
    name: str
    status: str | None
    size: int | None
    width: int | None
    height: int | None
    create_time: datetime | None
    extra: tuple[tuple[str, str], ...]  # fields this client does not know, as text


@dataclass(frozen=True, slots=True)
class ImagePage:
    images: tuple[Image, ...]
    page: int
    page_size: int
    total_count: int


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


def _require_object(data: object, what: str) -> dict[str, object]:
    """The envelope's `data` must be an object for every endpoint that returns one."""
    if isinstance(data, dict):
        return data
    kind = "nothing" if data is None else type(data).__name__
    raise BadResponseError(
        f"The server's answer for {what} held {kind} where an object belongs.",
    )


def _records(value: object, label: str) -> list[dict[str, object]]:
    """The objects of a list field; other items are dropped with a warning."""
    records = []
    for item in read_list(value, label):
        if isinstance(item, dict):
            records.append(item)
        else:
            log.warning("Ignoring an item of %s that is not an object.", label)
    return records


def _page_numbers(
    data: dict[str, object], label: str, count: int, page: int, size: int
) -> tuple[int, int, int]:
    """(page, page_size, total_count), falling back to what was asked for."""
    got_page = read_int(data.get("current_page"), f"{label} current_page", minimum=1)
    got_size = read_int(data.get("page_size"), f"{label} page_size", minimum=1)
    got_total = read_int(data.get("total_count"), f"{label} total_count")
    page = got_page if got_page is not None else page
    size = got_size if got_size is not None else size
    if got_total is None:
        # At least the rows before this page plus the ones on it exist.
        got_total = (page - 1) * size + count
    return page, size, got_total


def _unique_by_id(items: list, label: str, key) -> tuple:
    """Drop repeated ids: tables key rows by id and a repeat would break them."""
    seen: set[str] = set()
    unique = []
    for item in items:
        ident = key(item)
        if ident in seen:
            log.warning("Ignoring a repeated %s %s.", label, ident)
            continue
        seen.add(ident)
        unique.append(item)
    return tuple(unique)


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
        size=read_int(record.get("size"), f"{label} size"),
        create_time=read_ms_time(record.get("create_time"), f"{label} create_time"),
        cause=read_text(record.get("cause"), f"{label} cause"),
    )


def parse_video_page(data: object, *, page: int = 1, size: int = 20) -> VideoPage:
    """List Videos `data`; `page`/`size` (what was asked) fill in missing page numbers."""
    body = _require_object(data, "the video list")
    videos = [v for r in _records(body.get("videos"), "videos") if (v := parse_video(r))]
    unique = _unique_by_id(videos, "video", lambda v: v.video_no)
    page, size, total = _page_numbers(body, "video list", len(unique), page, size)
    return VideoPage(videos=unique, page=page, page_size=size, total_count=total)


def parse_video_details(data: object, *, video_no: str = "") -> VideoDetails:
    """Get Private Video Details `data`; `video_no` (what was asked) if the answer lacks it."""
    body = _require_object(data, "the video details")
    video_no = read_id(body.get("video_no"), "video details video_no") or video_no
    label = f"video {video_no}"
    _, name = first_present(body, "video_name", "name", words_are_values=True)
    return VideoDetails(
        video_no=video_no,
        name=read_name(name, f"{label} video_name"),
        status=read_id(body.get("status"), f"{label} status"),
        duration=read_int(body.get("duration"), f"{label} duration"),
        size=read_int(body.get("size"), f"{label} size"),
        create_time=read_ms_time(body.get("create_time"), f"{label} create_time"),
        fps=read_float(body.get("fps"), f"{label} fps"),
        width=read_int(body.get("width"), f"{label} width"),
        height=read_int(body.get("height"), f"{label} height"),
        resolution_label=read_text(body.get("resolution_label"), f"{label} resolution_label"),
        video_url=read_text(body.get("video_url"), f"{label} video_url"),
    )


def parse_public_video(data: object, *, video_no: str = "") -> PublicVideo:
    """Get Public Video Details `data`."""
    body = _require_object(data, "the public video")
    video_no = read_id(body.get("video_no"), "public video video_no") or video_no
    label = f"public video {video_no}"

    def count(field: str) -> int | None:
        return read_int(body.get(field), f"{label} {field}")

    _, name = first_present(body, "video_name", "name", words_are_values=True)
    _, tags = first_present(body, "hash_tag", "hashtags", "hash_tags")
    return PublicVideo(
        video_no=video_no,
        name=read_name(name, f"{label} video_name"),
        status=read_id(body.get("status"), f"{label} status"),
        duration=count("duration"),
        create_time=read_ms_time(body.get("create_time"), f"{label} create_time"),
        publish_time=read_seconds_time(body.get("publish_time"), f"{label} publish_time"),
        video_url=read_text(body.get("video_url"), f"{label} video_url"),
        blogger_id=read_text(body.get("blogger_id"), f"{label} blogger_id"),
        text_language=read_text(body.get("text_language"), f"{label} text_language"),
        music_name=read_text(body.get("music_name"), f"{label} music_name"),
        hashtags=read_hashtags(tags, f"{label} hash_tag"),
        like_count=count("like_count"),
        share_count=count("share_count"),
        comment_count=count("comment_count"),
        view_count=count("view_count"),
        collect_count=count("collect_count"),
    )


def parse_session_page(data: object, *, page: int = 1, size: int = 20) -> SessionPage:
    """List Chat Sessions `data`."""
    body = _require_object(data, "the session list")
    sessions = []
    for record in _records(body.get("sessions"), "sessions"):
        _, raw_id = first_present(record, "sessionId", "session_id", "id")
        session_id = read_id(raw_id, "session sessionId")
        if session_id is None:
            log.warning("Ignoring a session without a sessionId.")
            continue
        title = read_name(record.get("title"), f"session {session_id} title")
        sessions.append(SessionSummary(session_id=session_id, title=title))
    unique = _unique_by_id(sessions, "session", lambda s: s.session_id)
    page, size, total = _page_numbers(body, "session list", len(unique), page, size)
    return SessionPage(sessions=unique, page=page, page_size=size, total_count=total)


def _parse_ref(record: dict[str, object], label: str) -> Ref:
    video = read_object(record.get("video"), f"{label} video") or {}
    items = []
    for item in _records(first_present(record, "refItems", "ref_items")[1], f"{label} refItems"):
        items.append(
            RefItem(
                video_no=read_id(first_present(item, "videoNo", "video_no")[1], f"{label} videoNo"),
                start_time=read_float(
                    first_present(item, "startTime", "start_time")[1], f"{label} startTime"
                ),
                type=read_text(item.get("type"), f"{label} type"),
                text=read_text(item.get("text"), f"{label} text"),
            )
        )
    return Ref(
        video_no=read_id(video.get("video_no"), f"{label} video_no"),
        video_name=read_name(video.get("video_name"), f"{label} video_name"),
        duration=read_int(video.get("duration"), f"{label} duration"),
        items=tuple(items),
    )


def _parse_message(record: dict[str, object], label: str) -> Message:
    thinkings = tuple(
        Thinking(
            title=read_name(t.get("title"), f"{label} thinking title"),
            content=read_name(t.get("content"), f"{label} thinking content"),
        )
        for t in _records(record.get("thinkings"), f"{label} thinkings")
    )
    refs = tuple(
        _parse_ref(r, f"{label} ref") for r in _records(record.get("refs"), f"{label} refs")
    )
    return Message(
        role=read_name(record.get("role"), f"{label} role"),
        content=read_name(record.get("content"), f"{label} content"),
        thinkings=thinkings,
        refs=refs,
    )


def parse_session_detail(data: object, *, session_id: str = "") -> SessionDetail:
    """Get Session Detail `data`; the answer may not repeat the id, so it is passed in."""
    body = _require_object(data, "the session")
    _, raw_id = first_present(body, "sessionId", "session_id")
    session_id = read_id(raw_id, "session sessionId") or session_id
    label = f"session {session_id}"
    messages = tuple(
        _parse_message(m, f"{label} message")
        for m in _records(body.get("messages"), f"{label} messages")
    )
    return SessionDetail(
        session_id=session_id,
        title=read_name(body.get("title"), f"{label} title"),
        messages=messages,
    )


def parse_task_status(data: object, *, task_id: str = "") -> TaskStatus:
    """Get Task Status `data`."""
    body = _require_object(data, "the task")
    _, raw_id = first_present(body, "taskId", "task_id")
    task_id = read_id(raw_id, "task taskId") or task_id
    ids = []
    raw_ids = first_present(body, "video_ids", "videoIds")[1]
    for item in read_list(raw_ids, f"task {task_id} video_ids"):
        video_no = read_id(item, f"task {task_id} video id")
        if video_no is not None and video_no not in ids:
            ids.append(video_no)
    return TaskStatus(task_id=task_id, video_ids=tuple(ids))


# The image endpoint is undocumented: accept the likely spellings of each known field.
_IMAGE_ID_KEYS = ("img_no", "image_no", "img_id", "image_id", "video_no", "id")
_IMAGE_NAME_KEYS = ("img_name", "image_name", "name", "video_name")
_IMAGE_KNOWN_KEYS = ("status", "size", "width", "height", "create_time")


def parse_image(record: dict[str, object]) -> Image | None:
    """One image of List Images; None (with a warning) if it has no id."""
    id_key, raw_id = first_present(record, *_IMAGE_ID_KEYS)
    image_no = read_id(raw_id, "image id")
    if image_no is None:
        log.warning("Ignoring an image without an id.")
        return None
    label = f"image {image_no}"
    name_key, name = first_present(record, *_IMAGE_NAME_KEYS, words_are_values=True)
    used = {id_key, name_key, *_IMAGE_KNOWN_KEYS}
    extra = tuple(
        (str(key), display_text(value)) for key, value in record.items() if key not in used
    )
    return Image(
        image_no=image_no,
        name=read_name(name, f"{label} name"),
        status=read_id(record.get("status"), f"{label} status"),
        size=read_int(record.get("size"), f"{label} size"),
        width=read_int(record.get("width"), f"{label} width"),
        height=read_int(record.get("height"), f"{label} height"),
        create_time=read_ms_time(record.get("create_time"), f"{label} create_time"),
        extra=extra,
    )


def parse_image_page(data: object, *, page: int = 1, size: int = 20) -> ImagePage:
    """List Images `data`: images under `images` (or `imgs`, `list`, `records`)."""
    body = _require_object(data, "the image list")
    _, raw_list = first_present(body, "images", "imgs", "img_list", "list", "records")
    images = [i for r in _records(raw_list, "images") if (i := parse_image(r))]
    unique = _unique_by_id(images, "image", lambda i: i.image_no)
    page, size, total = _page_numbers(body, "image list", len(unique), page, size)
    return ImagePage(images=unique, page=page, page_size=size, total_count=total)
