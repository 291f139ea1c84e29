"""`memories-tui namespaces list`: the namespaces (`unique_id`) of the account."""

from __future__ import annotations

import argparse

from memories_tui.commands import subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.commands.runtime import Runtime

HELP = "list the account's namespaces (unique_id)"


def register(group: argparse.ArgumentParser) -> None:
    listing = subcommand(
        group, "list", "list namespaces, one per line", list_namespaces,
        description=("The namespaces (unique_id) the account has, one per line. Pass one "
                     "with --unique-id before the subcommand; an unknown name would be "
                     "created by the server on first use."),
    )
    listing.add_argument("--format", choices=("table", "json"), default="table",
                         help="table (default: one name per line) or json")


async def list_namespaces(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import write_json
    from memories_tui.safetext import safe_text

    names = await rt.library.client.list_unique_ids()
    if args.format == "json":
        write_json(rt, names)
    else:
        for name in names:
            rt.out(safe_text(name))
    if not names:
        rt.hint("The account has no namespaces yet (none is made before the first upload).")
    return 0
