"""`memories-tui sessions list | show`: the chat sessions of the namespace."""

from __future__ import annotations

import argparse

from memories_tui.commands import LIST_FORMATS, subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.api.models.sessions import SessionDetail
    from memories_tui.commands.runtime import Runtime

HELP = "list chat sessions and read a conversation"

DEFAULT_LIMIT = 50


def register(group: argparse.ArgumentParser) -> None:
    from memories_tui.commands.videos import _count

    listing = subcommand(group, "list", "list chat sessions", list_sessions)
    amount = listing.add_mutually_exclusive_group()
    amount.add_argument("--limit", type=_count, default=DEFAULT_LIMIT, metavar="N",
                        help=f"at most N sessions (default {DEFAULT_LIMIT})")
    amount.add_argument("--all", action="store_true", help="every session, page after page")
    listing.add_argument("--format", choices=LIST_FORMATS, default="table",
                         help="table (default), json, csv or ids (one per line)")

    show = subcommand(group, "show", "print one conversation", show_session)
    show.add_argument("id", metavar="ID", help="the session's id")
    show.add_argument("--format", choices=("text", "json"), default="text",
                      help="text (default: the conversation, for reading) or json")


async def list_sessions(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import (
        session_record,
        write_csv,
        write_ids,
        write_json,
        write_table,
    )
    from memories_tui.commands.paging import collect_pages
    from memories_tui.safetext import safe_cell

    limit = None if args.all else args.limit
    sessions = await collect_pages(
        rt, lambda page: rt.library.list_sessions(page, rt.unique_id),
        lambda answer: answer.sessions, lambda session: session.session_id,
        limit=limit, what="Listing sessions",
    )
    if args.format == "json":
        write_json(rt, [session_record(s) for s in sessions])
    elif args.format == "csv":
        write_csv(rt, ("session_id", "title"), (session_record(s) for s in sessions))
    elif args.format == "ids":
        write_ids(rt, (s.session_id for s in sessions))
    else:
        write_table(rt, ("ID", "TITLE"),
                    ([safe_cell(s.session_id), safe_cell(s.title) or "(no title)"]
                     for s in sessions), shrink=1)
    if not sessions:
        rt.hint("No chat sessions.")
    elif limit is not None and len(sessions) == limit:
        rt.hint(f"The first {limit:,}; --all lists every one.")
    return 0


async def show_session(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import session_detail_record, write_json

    detail = await rt.library.session_detail(args.id.strip(), rt.unique_id)
    if args.format == "json":
        write_json(rt, session_detail_record(detail))
    else:
        _write_conversation(rt, detail)
    return 0


def _moment(seconds: float | None) -> str:
    from memories_tui.format import duration_hms

    return duration_hms(int(seconds)) if seconds is not None else "?"


def _write_conversation(rt: Runtime, detail: SessionDetail) -> None:
    """The conversation for reading: each turn under its role, thinking titles, and the
    videos an answer cites with their moments. Server text made safe (line breaks kept)."""
    from memories_tui.safetext import safe_multiline, safe_text

    rt.out(f"Session {safe_text(detail.session_id)}: {safe_text(detail.title) or '(no title)'}")
    for message in detail.messages:
        rt.out()
        rt.out(f"── {safe_text(message.role.lower())} ──")
        for thinking in message.thinkings:
            rt.out(f"(thinking: {safe_text(thinking.title) or '…'})")
        rt.out(safe_multiline(message.content).rstrip())
        for ref in message.refs:
            moments = ", ".join(
                _moment(item.start_time) + (f"–{_moment(item.end_time)}"
                                            if item.end_time is not None else "")
                for item in ref.items
            )
            name = safe_text(ref.video_name) or "(no name)"
            rt.out(f"  cites {name} ({safe_text(ref.video_no or '?')})"
                   + (f" at {moments}" if moments else ""))
