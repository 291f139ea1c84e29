"""The fields of one public (`PI-`) video: dates, humanized or exact counts, hashtags as tags."""

from __future__ import annotations

import re
from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from memories_tui.api.models import PublicVideo
from memories_tui.format import (
    MISSING,
    absolute_time,
    count_exact,
    count_short,
    duration_hms,
    relative_time,
)
from memories_tui.safetext import safe_text
from memories_tui.tui.widgets.video_table import status_text

LABEL_WIDTH = 12

# (label, attribute) in the order a person reads them.
COUNTS = (
    ("Views", "view_count"),
    ("Likes", "like_count"),
    ("Comments", "comment_count"),
    ("Shares", "share_count"),
    ("Saves", "collect_count"),
)


def _grid() -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, width=LABEL_WIDTH)
    table.add_column(ratio=1, overflow="fold")
    return table


def _row(table: Table, label: str, value: Text | str) -> None:
    table.add_row(Text(label, style="bold dim"), value if isinstance(value, Text) else Text(value))


def _when(dt: datetime | None, now: datetime) -> Text:
    if dt is None:
        return Text(MISSING, style="dim")
    text = Text(absolute_time(dt))
    text.append(f"  ({relative_time(dt, now)})", style="dim")
    return text


def _optional(value: str | None) -> Text:
    if not value:
        return Text(MISSING, style="dim")
    return Text(safe_text(value))


def public_fields(video: PublicVideo, *, now: datetime) -> Table:
    """Who, what and when; never parses server text as markup."""
    table = _grid()
    _row(table, "Video id", Text(safe_text(video.video_no), style="bold"))
    creator = (
        Text(f"@{safe_text(video.blogger_id)}") if video.blogger_id else Text(MISSING, style="dim")
    )
    _row(table, "Creator", creator)
    duration = duration_hms(video.duration)
    if video.duration is not None:
        duration += f"  ({video.duration:,} s)"
    _row(table, "Duration", duration)
    _row(table, "Status", status_text(video.status))
    # publish_time arrives in seconds, create_time in milliseconds: the models parse
    # each with its own unit, so both are plain datetimes here.
    _row(table, "Published", _when(video.publish_time, now))
    _row(table, "Indexed", _when(video.create_time, now))
    _row(table, "Language", _optional(video.text_language))
    _row(table, "Music", _optional(video.music_name))
    _row(table, "URL", _optional(video.video_url))
    return table


def has_counts(video: PublicVideo) -> bool:
    return any(getattr(video, attribute) is not None for _, attribute in COUNTS)


def count_fields(video: PublicVideo, *, exact: bool) -> Table:
    """The engagement counts, "14.2K"-style or with every digit."""
    if not has_counts(video):
        note = Table.grid(expand=True)
        note.add_column(ratio=1)
        note.add_row(Text("The server sent no counts for this video.", style="dim italic"))
        return note
    table = _grid()
    show = count_exact if exact else count_short
    for label, attribute in COUNTS:
        value = getattr(video, attribute)
        _row(table, label, Text(show(value), style="dim" if value is None else "bold"))
    return table


_TITLE_TAG = re.compile(r"#(\w+)")


def hashtag_text(tags: tuple[str, ...], title: str = "") -> Text:
    """Each hashtag as its own chip, so "#nba#minnesota" reads as two tags. Without a
    `hash_tag` field (real answers often lack it), the title's own hashtags are shown,
    and said to come from the title."""
    from_title = not tags
    if from_title:
        tags = tuple(dict.fromkeys(_TITLE_TAG.findall(title)))
    if not tags:
        return Text("no hashtags", style="dim italic")
    text = Text()
    for n, tag in enumerate(tags):
        if n:
            text.append("  ")
        text.append(f" #{safe_text(tag.lstrip('#'), max_len=60)} ", style="bold reverse")
    if from_title:
        text.append("  (from the title)", style="dim italic")
    return text


def public_video_renderable(video: PublicVideo, *, now: datetime, exact: bool) -> Group:
    return Group(public_fields(video, now=now), Text(""), count_fields(video, exact=exact))
