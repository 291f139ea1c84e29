"""`memories-tui index sync | status | clear`: the local index of the namespace's videos.

The same index the TUI keeps (services/index_store.py, one SQLite file per server and
namespace under the cache folder), filled by the same sync through the same paced
client. `sync` brings it up to date (a full pass when one is due or asked for with
`--full`, else a quick refresh), with progress on stderr when stderr is a terminal.
"""

from __future__ import annotations

import argparse

from memories_tui.commands import subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.commands.runtime import Runtime

HELP = "the local index of the namespace's videos (for --sort and searching)"


def register(group: argparse.ArgumentParser) -> None:
    sync = subcommand(group, "sync", "bring the index up to date", sync_index,
                      description="Bring the index of the namespace up to date: a quick "
                                  "refresh, or a full pass when one is due (--full: now).")
    sync.add_argument("--full", action="store_true",
                      help="read every page now, whatever the index's age")
    status = subcommand(group, "status", "what the index holds and how old it is",
                        index_status, needs_api=False)
    status.add_argument("--format", choices=("table", "json"), default="table")
    subcommand(group, "clear", "delete the index file (the next sync starts afresh)",
               clear_index, needs_api=False)


#: The demo's fake server listens on a new port each time: its index goes under one
#: name of its own, so that `--demo index status` finds what `--demo index sync` made.
DEMO_SERVER = "http://demo.invalid"


def _path(rt: Runtime, args: argparse.Namespace):  # -> Path | None (no typing for --help)
    from memories_tui.services.index_store import index_path

    server = DEMO_SERVER if getattr(args, "demo", False) else rt.settings.base_url
    return index_path(server, rt.settings.unique_id)


async def sync_index(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.services.index_store import IndexStore
    from memories_tui.services.index_sync import IndexSync

    path = _path(rt, args)
    if path is None:
        rt.say("There is no cache folder (no home folder): the index cannot be kept.")
        return 1
    store = IndexStore(path)
    try:
        if not store.acquire_writer():
            rt.say("Another memories-tui is syncing this index now; try again later.")
            return 1
        sync = IndexSync(rt.library.client, store, unique_id=rt.settings.unique_id)
        sync.subscribe(lambda progress: rt.progress.show(progress.line()))
        if args.full or sync.full_pass_due():
            result = await sync.full_pass()
            rt.progress.clear()
            if not result.finished:
                rt.say(f"The full pass stopped before the end: {sync.progress.line()}")
                return 1
            rt.say(f"Index complete: {store.count():,} videos ({result.new:,} new, "
                    f"{result.changed:,} changed, {result.removed:,} gone from the server; "
                    f"{result.requests:,} requests).")
        else:
            await sync.quick_refresh()
            rt.progress.clear()
            rt.say(f"Index up to date: {store.count():,} videos ({sync.progress.line()}).")
        return 0
    finally:
        store.close()


def index_status(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import write_json
    from memories_tui.services.export import iso
    from memories_tui.services.index_store import IndexStore

    path = _path(rt, args)
    if path is None or not path.exists():
        record: dict[str, object] = {"path": str(path) if path else None, "exists": False}
    else:
        store = IndexStore(path)
        try:
            meta = store.meta()
        finally:
            store.close()
        record = {"path": str(path), "exists": True, "videos": meta.rows,
                  "complete": meta.complete, "last_full_pass": iso(meta.last_full_pass),
                  "last_refresh": iso(meta.last_refresh), "pass_running": meta.pass_running,
                  "server_total": meta.server_total, "stale_reason": meta.stale_reason}
    if args.format == "json":
        write_json(rt, record)
        return 0
    for key, value in record.items():
        rt.out(f"{key:<15} {'—' if value is None else value}")
    return 0


def clear_index(rt: Runtime, args: argparse.Namespace) -> int:
    path = _path(rt, args)
    if path is None or not path.exists():
        rt.hint("There is no index to clear.")
        return 0
    for extra in ("", "-wal", "-shm", ".lock"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    rt.say(f"Deleted {path}.")
    return 0


async def sorted_from_index(rt: Runtime, args: argparse.Namespace, listing, order,
                            limit: int | None):  # -> list[Video] | None
    """`videos list --sort`: the listing in `order`, from the index, brought up to date
    first (a full pass when one is due, with progress on stderr). None when the index
    cannot be used here (no cache folder, another process syncing it): the caller then
    reads every page and sorts in memory."""
    from memories_tui.services.index_store import IndexFilters, IndexStore
    from memories_tui.services.index_sync import IndexSync

    path = _path(rt, args)
    if path is None:
        return None
    store = IndexStore(path)
    try:
        if not store.acquire_writer():
            return None
        sync = IndexSync(rt.library.client, store, unique_id=rt.settings.unique_id)
        sync.subscribe(lambda progress: rt.progress.show(progress.line()))
        if sync.full_pass_due():
            result = await sync.full_pass()
            if not result.finished:
                return None
        else:
            await sync.quick_refresh()
        rt.progress.clear()
        status = listing.status
        filters = IndexFilters(status_class=status.status_class if status else None)
        rows, _total = store.query(filters, order.field, order.descending, 0, 10**9)
    finally:
        store.close()
    if status is not None and status.spelling is not None:
        rows = [v for v in rows if v.status == status.spelling]
    if listing.name:  # exact, as the server matches names
        rows = [v for v in rows if v.name == listing.name]
    return rows if limit is None else rows[:limit]
