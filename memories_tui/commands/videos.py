"""`memories-tui videos list | show | delete | download`."""

from __future__ import annotations

import argparse

from memories_tui.commands import LIST_FORMATS, SHOW_FORMATS, subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from memories_tui.api.models import Video
    from memories_tui.commands.runtime import Runtime
    from memories_tui.services.deletes import DeleteProgress
    from memories_tui.services.listing import ListingProgress

HELP = "list, show, delete and download videos"

#: Videos `videos list` shows without --limit or --all.
DEFAULT_LIMIT = 50
#: Above this many videos, the question before a delete asks for the count to be typed
#: (as the TUI's delete dialog does).
TYPE_THE_COUNT_ABOVE = 10
CONFLICT_CHOICES = ("skip", "number", "overwrite")
#: What --sort takes (services/listing.py checks it; repeated here for --help and the
#: completion scripts, without loading the services).
SORT_FIELDS = ("name", "size", "duration", "created", "status")


def _status(text: str) -> object:
    from memories_tui.services.listing import parse_status

    try:
        return parse_status(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _sort(text: str) -> object:
    from memories_tui.services.listing import parse_sort

    try:
        return parse_sort(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(group: argparse.ArgumentParser) -> None:
    listing = subcommand(
        group, "list", "list videos (data on stdout, in the format asked for)", list_videos,
        description=(
            "List the videos of the namespace, newest first as the server lists them. "
            "--sort reads every page and sorts them here (the API does not sort; a local "
            "index will do it later), so it takes a request per 1,000 videos."
        ),
    )
    listing.add_argument("--name", metavar="TEXT",
                         help="only videos with exactly this name (the server matches names "
                              "exactly)")
    status = listing.add_argument(
        "--status", type=_status, metavar="CLASS|SPELLING",
        help="ready, in-progress, failed or unknown (every spelling of the class), or one "
             "spelling in capitals as the server sends it (FAIL, PARSE, …)")
    status.completions = ("ready", "in-progress", "failed", "unknown")  # type: ignore[attr-defined]
    sort = listing.add_argument(
        "--sort", type=_sort, metavar="[-]FIELD",
        help="name, size, duration, created or status; a leading - for descending. "
             "Answered from the local index, brought up to date first (see 'index sync')")
    sort.completions = SORT_FIELDS + tuple(f"-{f}" for f in SORT_FIELDS)  # type: ignore[attr-defined]
    amount = listing.add_mutually_exclusive_group()
    amount.add_argument("--limit", type=_count, default=DEFAULT_LIMIT, metavar="N",
                        help=f"at most N videos (default {DEFAULT_LIMIT})")
    amount.add_argument("--all", action="store_true", help="every video, page after page")
    listing.add_argument("--format", choices=LIST_FORMATS, default="table",
                         help="table (default), json, csv or ids (one per line)")

    show = subcommand(group, "show", "show one video's details", show_video)
    show.add_argument("id", metavar="ID", help="the video's id (VI…)")
    show.add_argument("--format", choices=SHOW_FORMATS, default="table")

    delete = subcommand(
        group, "delete", "delete videos for good", delete_videos,
        description=(
            "Delete videos for good. At a terminal the videos are listed and you are asked "
            "first (y, or the count for more than ten); in a script (stdin not a terminal, "
            "or ids from stdin) nothing is deleted without --yes. Refused in read-only mode."
        ),
    )
    delete.add_argument("ids", nargs="+", metavar="ID",
                        help="video ids; - reads them from stdin (one per line)")
    delete.add_argument("--yes", "-y", action="store_true",
                        help="delete without asking (needed in scripts)")

    download = subcommand(
        group, "download", "download videos to a folder", download_videos,
        description=(
            "Download videos, each to NAME.part until complete, then renamed; the path of "
            "each file goes to stdout."
        ),
    )
    download.add_argument("ids", nargs="+", metavar="ID",
                          help="video ids; - reads them from stdin (one per line)")
    download.add_argument("--dir", metavar="DIR",
                          help="the folder (default: MEMORIES_DOWNLOAD_DIR, else the current "
                               "one); made if missing")
    download.add_argument("--on-conflict", choices=CONFLICT_CHOICES, default="skip",
                          help="when the file exists: skip it (default), save a numbered "
                               "copy, or overwrite it")


# -- helpers ------------------------------------------------------------------------------


def _listing_progress(
    rt: Runtime, what: str = "Listing videos"
) -> Callable[[ListingProgress], None]:
    def show(progress: ListingProgress) -> None:
        rt.progress.show(f"{what}… {progress.fetched:,} of {progress.total:,}")

    return show


def read_ids(rt: Runtime, given: list[str]) -> list[str]:
    """The ids given, "-" replaced by the ids on stdin (one per line, or separated by
    spaces; blank lines and #comments skipped), each once, in order."""
    ids: list[str] = []
    for item in given:
        if item == "-":
            for line in rt.stdin:
                ids.extend(line.split("#", 1)[0].split())
        else:
            ids.append(item.strip())
    return list(dict.fromkeys(i for i in ids if i))


async def lookup(rt: Runtime, ids: list[str], what: str) -> dict[str, Video]:
    """The videos of `ids` that the namespace lists (one request each)."""
    from memories_tui.services.listing import lookup_videos

    def show(done: int, total: int) -> None:
        rt.progress.show(f"{what}… {done:,} of {total:,}")

    found = await lookup_videos(rt.library, ids, rt.unique_id, on_progress=show)
    rt.progress.clear()
    return found


# -- list -----------------------------------------------------------------------------


async def list_videos(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import write_videos
    from memories_tui.services.listing import VideoListing, collect_videos, sorted_videos

    listing = VideoListing(unique_id=rt.unique_id, name=args.name or "", status=args.status)
    limit = None if args.all else args.limit
    progress = _listing_progress(rt)
    if args.sort is not None:
        # From the local index (synced first when needed); read whole and sorted in
        # memory only when the index cannot be used here.
        from memories_tui.commands.index import sorted_from_index

        found = await sorted_from_index(rt, args, listing, args.sort, limit)
        videos = found if found is not None else await sorted_videos(
            rt.library, listing, args.sort, limit=limit, on_progress=progress)
    else:
        videos = await collect_videos(rt.library, listing, limit=limit, on_progress=progress)
    rt.progress.clear()
    write_videos(rt, videos, args.format)
    if not videos:
        rt.hint("No videos match.")
    elif limit is not None and len(videos) == limit:
        rt.hint(f"The first {limit:,}; --all lists every one.")
    return 0


# -- show -----------------------------------------------------------------------------


async def show_video(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import class_name, details_record, write_fields, write_json
    from memories_tui.format import MISSING, absolute_time, duration_hms, exact_bytes, human_size
    from memories_tui.safetext import safe_text

    details = await rt.library.fetch_details(args.id.strip(), rt.unique_id)
    if args.format == "json":
        write_json(rt, details_record(details))
        return 0
    status = (f"{safe_text(details.status)} ({class_name(details.status)})"
              if details.status else MISSING)
    size = (f"{human_size(details.size)} ({exact_bytes(details.size)})"
            if details.size is not None else "unknown")
    resolution = " ".join(filter(None, [
        safe_text(details.resolution_label) if details.resolution_label else None,
        f"{details.width}×{details.height}" if details.width and details.height else None,
    ])) or MISSING
    write_fields(rt, [
        ("ID", safe_text(details.video_no)),
        ("Name", safe_text(details.name)),
        ("Status", status),
        ("Duration", duration_hms(details.duration)),
        ("Size", size),
        ("Created", absolute_time(details.create_time)),
        ("Resolution", resolution),
        ("FPS", f"{details.fps:g}" if details.fps is not None else MISSING),
        ("URL", safe_text(details.video_url) if details.video_url else MISSING),
    ])
    return 0


# -- delete ---------------------------------------------------------------------------


async def delete_videos(rt: Runtime, args: argparse.Namespace) -> int:
    import asyncio

    from memories_tui.commands.runtime import EXIT_AUTH, EXIT_FAILED, EXIT_USAGE
    from memories_tui.services.deletes import DeleteService, ReadOnlyError

    deletes = DeleteService(rt.library, read_only=rt.settings.read_only)
    if deletes.read_only:  # said before anything is read, looked up or asked
        from memories_tui.services.deletes import READ_ONLY_MESSAGE

        rt.say(READ_ONLY_MESSAGE)
        return EXIT_USAGE
    from_stdin = "-" in args.ids
    ids = read_ids(rt, args.ids)
    if not ids:
        rt.say("No video ids to delete.")
        return EXIT_USAGE
    noun = "video" if len(ids) == 1 else "videos"
    names: dict[str, str] = {}
    if not args.yes:
        if from_stdin or not rt.stdin_is_terminal:
            why = "the ids came from stdin" if from_stdin else "stdin is not a terminal"
            rt.say(f"Not deleting {len(ids):,} {noun} without --yes: {why}, so there is "
                   "no one to ask. Nothing was sent.")
            return EXIT_USAGE
        found = await lookup(rt, ids, "Looking up the videos")
        names = {video_no: video.name for video_no, video in found.items()}
        if not _confirmed(rt, ids, found):
            rt.say("Nothing deleted.")
            return EXIT_USAGE

    def show(progress: DeleteProgress) -> None:
        rt.progress.show(progress.describe())

    try:
        outcome = await deletes.delete(ids, rt.unique_id, on_progress=show, names=names)
    except ReadOnlyError as error:
        rt.say(str(error))
        return EXIT_USAGE
    except asyncio.CancelledError:
        # Ctrl+C: the request in flight was cut; say what is known, then stop.
        if deletes.last_outcome is not None:
            for _kind, sentence in deletes.last_outcome.sentences(
                    look_again=_LOOK_AGAIN):
                rt.say(sentence)
        raise
    rt.progress.clear()
    for _kind, sentence in outcome.sentences(look_again=_LOOK_AGAIN):
        rt.say(sentence)
    if outcome.failed or outcome.unknown or outcome.not_sent:
        return EXIT_AUTH if outcome.key_rejected else EXIT_FAILED
    return 0


_LOOK_AGAIN = "memories-tui videos list (or videos show ID) shows which remain."


def _confirmed(rt: Runtime, ids: list[str], found: dict[str, Video]) -> bool:
    """List the videos on stderr and ask, as the TUI's dialog does: y, or the count for
    more than ten."""
    from rich.cells import cell_len

    from memories_tui.format import human_size, total_size
    from memories_tui.safetext import safe_cell, safe_text

    count = len(ids)
    noun = "video" if count == 1 else "videos"
    sizes = total_size(found[i].size if i in found else None for i in ids)
    rt.say(f"Delete {count:,} {noun} ({sizes}) from namespace “{rt.unique_id}”? This is "
           "permanent: the files and everything derived from them are gone.")
    rows = []
    for video_no in ids:
        video = found.get(video_no)
        name = (safe_cell(video.name, max_len=50) or "(no name)") if video else "(not found)"
        rows.append((name, safe_text(video_no), human_size(video.size) if video else ""))
    name_width = max(cell_len(name) for name, _, _ in rows)
    id_width = max(cell_len(video_no) for _, video_no, _ in rows)
    for name, video_no, size in rows:
        line = (f"  {name}{' ' * (name_width - cell_len(name))}  "
                f"{video_no}{' ' * (id_width - cell_len(video_no))}  {size}")
        rt.stderr.write(line.rstrip() + "\n")
    if count > TYPE_THE_COUNT_ABOVE:
        answer = rt.ask(f"Type {count} to delete these {count:,} videos (anything else "
                        "cancels): ")
        return answer.replace(",", "") == str(count)
    answer = rt.ask(f"Type y to delete {'it' if count == 1 else 'them'} (anything else "
                    "cancels): ")
    return answer.lower() in ("y", "yes")


# -- download -------------------------------------------------------------------------


async def download_videos(rt: Runtime, args: argparse.Namespace) -> int:
    from pathlib import Path

    from memories_tui.commands.runtime import EXIT_FAILED, EXIT_USAGE
    from memories_tui.format import human_size
    from memories_tui.safetext import safe_text
    from memories_tui.services.downloads import (
        Conflict,
        DownloadJob,
        DownloadManager,
        JobState,
        describe_os_error,
        plan_downloads,
    )

    ids = read_ids(rt, args.ids)
    if not ids:
        rt.say("No video ids to download.")
        return EXIT_USAGE
    folder = Path(args.dir).expanduser() if args.dir else (rt.settings.download_dir
                                                            or Path.cwd())
    found = await lookup(rt, ids, "Looking up the videos")
    failed = 0
    for video_no in ids:
        if video_no not in found:
            rt.say(f"{video_no}: not found in namespace “{rt.unique_id}”.")
            failed += 1
    videos = [found[i] for i in ids if i in found]
    if videos:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            rt.say(describe_os_error(error, folder / "x"))
            return EXIT_FAILED
    conflict = {"skip": Conflict.SKIP, "number": Conflict.KEEP_BOTH,
                "overwrite": Conflict.OVERWRITE}[args.on_conflict]
    manager = DownloadManager(rt.library.client, concurrency=rt.settings.concurrent_downloads)

    def show(_job: DownloadJob) -> None:
        running = [j for j in manager.jobs if j.state is JobState.RUNNING]
        finished = sum(1 for j in manager.jobs if j.state.finished)
        received = sum(j.received for j in running)
        rt.progress.show(f"Downloading… {finished:,} of {len(manager.jobs):,} done, "
                         f"{human_size(received)} of the running ones")

    manager.subscribe(show)
    try:
        jobs = manager.start(plan_downloads(videos, folder), rt.unique_id, conflict)
        await manager.wait_idle()
    finally:
        await manager.aclose()  # on Ctrl+C too: no .part file is left behind
    rt.progress.clear()
    for job in jobs:
        if job.state is JobState.DONE:
            rt.out(str(job.path))
        elif job.state is JobState.SKIPPED:
            rt.say(f"{safe_text(job.video_no)}: {job.path} exists already; skipped "
                   "(--on-conflict number or overwrite to download it anyway).")
        else:
            failed += 1
            rt.say(f"{safe_text(job.video_no)}: {job.error or job.state.value}")
    return EXIT_FAILED if failed else 0
