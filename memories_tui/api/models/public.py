"""Get Public Video Details: `PublicVideo` and its parser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from memories_tui.api.models.common import require_object
from memories_tui.api.wire import (
    first_present,
    read_hashtags,
    read_id,
    read_int,
    read_ms_time,
    read_name,
    read_seconds_time,
    read_text,
)

__all__ = [
    "PublicVideo",
    "parse_public_video",
]


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


def parse_public_video(data: object, *, video_no: str = "") -> PublicVideo:
    """Get Public Video Details `data`."""
    body = require_object(data, "the public video")
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
