"""Chat sessions: the session list, a conversation with its thinking and cited videos."""

from __future__ import annotations

from dataclasses import dataclass

from memories_tui.api.models.common import page_numbers, records, require_object, unique_by_id
from memories_tui.api.wire import (
    first_present,
    log,
    read_float,
    read_id,
    read_int,
    read_name,
    read_object,
    read_text,
)

__all__ = [
    "SessionSummary",
    "SessionPage",
    "Thinking",
    "RefItem",
    "Ref",
    "Message",
    "SessionDetail",
    "parse_session_page",
    "parse_session_detail",
]


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
    type: str | None  # "keyframe", "visual_ts", "audio_ts"… (others kept as sent)
    text: str | None
    end_time: float | None = None  # seconds; optional, a moment may be a range


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


def parse_session_page(data: object, *, page: int = 1, size: int = 20) -> SessionPage:
    """List Chat Sessions `data`."""
    body = require_object(data, "the session list", null_is_empty=True)
    sessions = []
    for record in records(body.get("sessions"), "sessions"):
        _, raw_id = first_present(record, "sessionId", "session_id", "id")
        session_id = read_id(raw_id, "session sessionId")
        if session_id is None:
            log.warning("Ignoring a session without a sessionId.")
            continue
        title = read_name(record.get("title"), f"session {session_id} title")
        sessions.append(SessionSummary(session_id=session_id, title=title))
    unique = unique_by_id(sessions, "session", lambda s: s.session_id)
    page, size, total = page_numbers(body, "session list", len(unique), page, size)
    return SessionPage(sessions=unique, page=page, page_size=size, total_count=total)


def _parse_ref(record: dict[str, object], label: str) -> Ref:
    video = read_object(record.get("video"), f"{label} video") or {}
    items = []
    for item in records(first_present(record, "refItems", "ref_items")[1], f"{label} refItems"):
        items.append(
            RefItem(
                video_no=read_id(first_present(item, "videoNo", "video_no")[1], f"{label} videoNo"),
                start_time=read_float(
                    first_present(item, "startTime", "start_time")[1], f"{label} startTime"
                ),
                type=read_text(item.get("type"), f"{label} type"),
                text=read_text(item.get("text"), f"{label} text"),
                end_time=read_float(
                    first_present(item, "endTime", "end_time")[1], f"{label} endTime"
                ),
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
        for t in records(record.get("thinkings"), f"{label} thinkings")
    )
    refs = tuple(
        _parse_ref(r, f"{label} ref") for r in records(record.get("refs"), f"{label} refs")
    )
    return Message(
        role=read_name(record.get("role"), f"{label} role"),
        content=read_name(record.get("content"), f"{label} content"),
        thinkings=thinkings,
        refs=refs,
    )


def parse_session_detail(data: object, *, session_id: str = "") -> SessionDetail:
    """Get Session Detail `data`; the answer may not repeat the id, so it is passed in."""
    body = require_object(data, "the session")
    _, raw_id = first_present(body, "sessionId", "session_id")
    session_id = read_id(raw_id, "session sessionId") or session_id
    label = f"session {session_id}"
    messages = tuple(
        _parse_message(m, f"{label} message")
        for m in records(body.get("messages"), f"{label} messages")
    )
    return SessionDetail(
        session_id=session_id,
        title=read_name(body.get("title"), f"{label} title"),
        messages=messages,
    )
