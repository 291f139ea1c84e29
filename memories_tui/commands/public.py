"""`memories-tui public show PI-…`: a public video's details."""

from __future__ import annotations

import argparse

from memories_tui.commands import SHOW_FORMATS, subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.commands.runtime import Runtime

HELP = "look up public videos (PI-… ids)"


def register(group: argparse.ArgumentParser) -> None:
    show = subcommand(group, "show", "a public video's details", show_public)
    show.add_argument("id", metavar="PI-ID", help="the public video's id (PI-…)")
    show.add_argument("--format", choices=SHOW_FORMATS, default="table")


async def show_public(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import (
        class_name,
        public_record,
        write_fields,
        write_json,
    )
    from memories_tui.format import MISSING, absolute_time, count_exact, duration_hms
    from memories_tui.safetext import safe_text

    video = await rt.library.fetch_public(args.id.strip())
    if args.format == "json":
        write_json(rt, public_record(video))
        return 0

    def text(value: str | None) -> str:
        return safe_text(value) if value else MISSING

    status = f"{safe_text(video.status)} ({class_name(video.status)})" if video.status else MISSING
    pairs = [
        ("ID", safe_text(video.video_no)),
        ("Title", safe_text(video.name)),
        ("Status", status),
        ("Duration", duration_hms(video.duration)),
        ("Published", absolute_time(video.publish_time)),
        ("Indexed", absolute_time(video.create_time)),
        ("Creator", text(video.blogger_id)),
        ("Language", text(video.text_language)),
        ("Music", text(video.music_name)),
        ("Hashtags", " ".join(f"#{safe_text(t.lstrip('#'))}" for t in video.hashtags)
         or MISSING),
    ]
    counts = [("Views", video.view_count), ("Likes", video.like_count),
              ("Comments", video.comment_count), ("Shares", video.share_count),
              ("Saves", video.collect_count)]
    if any(value is not None for _, value in counts):
        pairs += [(label, count_exact(value)) for label, value in counts]
    else:
        pairs.append(("Counts", "the server sent no counts"))
    pairs.append(("URL", text(video.video_url)))
    write_fields(rt, pairs)
    return 0
