"""The subcommands of `memories-tui` (`videos list`, `config show`, …): the command table.

Each group of subcommands is a module of this package, named in `GROUPS`, with

- `HELP`: one line for `memories-tui --help`;
- `register(parser)`: adds the group's subcommands to its parser, and gives each one
  its handler with `set_defaults(handler=...)` (see `commands.runtime.Handler`;
  `needs_api=False` for one that does not talk to the service).

Adding a group (such as `index`) is one module and its name in `GROUPS`.

These modules are imported to build the parser, for `--help` too, so their top level
holds argparse only: a handler imports what it needs (services, output) when it runs.
Nothing here imports Textual, ever.
"""

from __future__ import annotations

import argparse
from importlib import import_module

#: The groups, in the order `--help` lists them.
GROUPS = ("videos", "sessions", "images", "tasks", "public", "namespaces", "index", "config",
          "completion", "serve")

LIST_FORMATS = ("table", "json", "csv", "ids")
SHOW_FORMATS = ("table", "json")

__all__ = ["GROUPS", "LIST_FORMATS", "SHOW_FORMATS", "add_groups", "subcommand"]


def add_groups(subparsers: argparse._SubParsersAction) -> None:
    """Add every group of `GROUPS` to the top-level parser's subcommands."""
    for name in GROUPS:
        module = import_module(f"{__name__}.{name.replace('-', '_')}")
        group = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        group.set_defaults(group_parser=group)
        module.register(group)


def subcommand(
    group: argparse.ArgumentParser, name: str, help: str, handler: object, *,
    needs_api: bool = True, description: str | None = None,
) -> argparse.ArgumentParser:
    """A subcommand `name` of `group` that runs `handler`."""
    actions = next((a for a in group._actions if isinstance(a, argparse._SubParsersAction)),
                   None)
    if actions is None:
        actions = group.add_subparsers(dest="subcommand", metavar="COMMAND", required=True)
    parser = actions.add_parser(name, help=help, description=description or help)
    parser.set_defaults(handler=handler, needs_api=needs_api)
    return parser
