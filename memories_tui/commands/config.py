"""`memories-tui config path | show`: where the files are, and the settings in effect."""

from __future__ import annotations

import argparse

from memories_tui.commands import SHOW_FORMATS, subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from memories_tui.commands.runtime import Runtime

HELP = "show where the config, state, cache and log are, and the settings in effect"

PATH_KINDS = ("config", "state", "cache", "log")


def register(group: argparse.ArgumentParser) -> None:
    path = subcommand(
        group, "path", "the config file, state and cache folders and log file", show_paths,
        needs_api=False,
        description=("Print the config file, state folder, cache folder and log file, one "
                     "per line; with KIND, only that path (for scripts). --config or "
                     "MEMORIES_TUI_CONFIG name another config file."),
    )
    path.add_argument("kind", nargs="?", choices=PATH_KINDS, metavar="KIND",
                      help="one of: " + ", ".join(PATH_KINDS))
    show = subcommand(
        group, "show", "the settings in effect (the key masked) and where each came from",
        show_settings, needs_api=False,
    )
    show.add_argument("--format", choices=SHOW_FORMATS, default="table")


def config_file(args: argparse.Namespace) -> Path | None:
    """The config file in use: --config, else MEMORIES_TUI_CONFIG, else the default."""
    from pathlib import Path

    from memories_tui.config import default_config_path

    given = getattr(args, "config", None)
    return Path(given).expanduser() if given else default_config_path()


def _paths(args: argparse.Namespace) -> dict[str, Path | None]:
    from memories_tui.logs import log_path
    from memories_tui.paths import cache_dir, state_dir

    return {"config": config_file(args), "state": state_dir(), "cache": cache_dir(),
            "log": log_path()}


def show_paths(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.runtime import EXIT_FAILED

    paths = _paths(args)
    if args.kind is not None:
        path = paths[args.kind]
        if path is None:
            rt.say(f"There is no home folder, so no {args.kind} path.")
            return EXIT_FAILED
        rt.out(str(path))
        return 0
    width = max(map(len, paths))
    for kind, path in paths.items():
        shown = str(path) if path is not None else "(none: there is no home folder)"
        rt.out(f"{kind}{' ' * (width - len(kind))}  {shown}")
    return 0


def _shown(name: str, value: object) -> object:
    from pathlib import Path

    from memories_tui.masking import mask_key

    if name == "api_key":
        return mask_key(value if isinstance(value, str) else None)
    if isinstance(value, Path):
        return str(value)
    return value


def show_settings(rt: Runtime, args: argparse.Namespace) -> int:
    from dataclasses import fields

    from memories_tui.commands.output import write_json, write_table
    from memories_tui.safetext import safe_cell

    rows = []
    for item in fields(rt.settings):
        value = _shown(item.name, getattr(rt.settings, item.name))
        rows.append((item.name, value, rt.origins.get(item.name, "")))
    if args.format == "json":
        write_json(rt, {
            "config_file": str(config_file(args) or "") or None,
            "settings": {name: {"value": value, "source": source or None}
                         for name, value, source in rows},
        })
        return 0

    def text(name: str, value: object) -> str:
        if value is None:
            return "(the current directory)" if name == "download_dir" else "—"
        if isinstance(value, bool):
            return "true" if value else "false"
        return safe_cell(value)

    write_table(rt, ("SETTING", "VALUE", "FROM"),
                ([name, text(name, value), safe_cell(source)] for name, value, source in rows))
    return 0
