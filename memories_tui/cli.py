"""The `memories-tui` command: the TUI, the subcommands for scripts (`videos list`, …),
the built-in demo, or the fake server alone.

Heavy imports (Textual, httpx, uvicorn) happen only once we know which one is wanted,
so `--help` and the fake server start quickly. The subcommands live in
`memories_tui.commands` (the command table) and never import Textual.

Exit codes, which scripts rely on: 0 ok; 1 a failure (the API, the network, a partial
delete or download); 2 usage or refusal (a bad flag, a setting the client refuses, a
port the fake server cannot have, `--read-only`, a delete without `--yes` that cannot
ask); 4 the key was rejected (or there is none); 130 interrupted. A bad flag is one
line on stderr, never a traceback; a bad value from anywhere else is a warning (the TUI
shows it, a subcommand prints it on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from memories_tui import __version__

# Not typing.TYPE_CHECKING: `--help` and `--version` must not pay for importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

DEMO_KEY = "sk-demo-0000000000000000"
# Stands for the demo server's address until the server runs (it is started after the
# log file is set up). Loopback, so the key rules for remote hosts do not apply.
DEMO_BASE_URL = "http://127.0.0.1"
#: The demo library: what `--demo` serves (tests compute their expectations from it).
DEMO_SEED = 1
DEMO_VIDEOS = 300
EXIT_REFUSED = 2


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _fault_spec(text: str) -> tuple[str, int, str | None]:
    """ "KIND", "KIND:COUNT" or "KIND:COUNT:PATH" (e.g. "stall:1:/download")."""
    from memories_tui.fake.faults import FAULT_KINDS

    kind, _, rest = text.partition(":")
    count_text, _, path = rest.partition(":")
    if kind not in FAULT_KINDS:
        raise argparse.ArgumentTypeError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
    try:
        count = int(count_text) if count_text else 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"{count_text!r} is not a count") from None
    if count < 1:
        raise argparse.ArgumentTypeError("the count must be at least 1")
    return kind, count, path or None


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), like every other refusal."""

    #: Built without the subcommands: an error is the whole parser's to word.
    partial = False

    def error(self, message: str) -> NoReturn:
        if self.partial:
            raise _NeedsWholeParser
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _NeedsWholeParser(Exception):
    pass


def _names_a_command(argv: Sequence[str]) -> bool:
    """Whether `argv` may name a subcommand (or asks for help, which lists them)."""
    from memories_tui.commands import GROUPS

    names = {"fake-server", *GROUPS}
    return any(word in names or word in ("-h", "--help") for word in argv)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the `argv` it will parse, and when that names no
    subcommand (the TUI, the common case), it leaves the subcommands out: importing
    their modules and building their parsers took ~20 ms of every start-up, before
    page 1 could be asked for. A word of argv that happens to be a command's name (a
    namespace called "videos") only brings the whole parser back."""
    parser = _Parser(
        prog="memories-tui",
        description="Browse and curate a Memories.ai video library in the terminal.",
    )
    parser.add_argument("--demo", action="store_true",
                        help="use a built-in fake server with a demo library (no key, no "
                             "network): the TUI, or a subcommand such as videos list")
    parser.add_argument("--api-key", help="API key (default: MEMORIES_API_KEY)")
    parser.add_argument("--base-url", help="API base URL (default: https://api.memories.ai)")
    parser.add_argument("--unique-id", help="namespace (unique_id) to open (default: default)")
    parser.add_argument("--page-size", type=int, help="videos per page (default: 50)")
    parser.add_argument("--download-dir", help="default folder for downloads "
                                               "(default: the current directory)")
    parser.add_argument("--theme", help="Textual theme name (default: textual-dark)")
    parser.add_argument("--rate-limit", type=_positive_float,
                        help="requests per second the client allows itself (default 1; 0 = off)")
    parser.add_argument("--timeout", type=_positive_float, help="seconds to wait for the server")
    parser.add_argument("--allow-insecure-http", action="store_true", default=None,
                        help="allow sending the key over plain http to a non-loopback host")
    parser.add_argument("--no-mouse", dest="mouse", action="store_false", default=None,
                        help="leave the mouse to the terminal, to select text "
                             "(also MEMORIES_MOUSE=false, or mouse = false)")
    parser.add_argument("--low-bandwidth", action="store_true", default=None,
                        help="for slow links: progress every 2 s, no animation "
                             "(also MEMORIES_LOW_BANDWIDTH, or low_bandwidth = true)")
    parser.add_argument("--debug", action="store_true", default=None,
                        help="write detail to the log file (default: MEMORIES_DEBUG; the log "
                             "is in $XDG_STATE_HOME/memories-tui/, usually "
                             "~/.local/state/memories-tui/)")
    parser.add_argument("--read-only", action="store_true", default=None,
                        help="change nothing on the server: deletes are refused (also "
                             "MEMORIES_READ_ONLY, or read_only = true in the config file)")
    parser.add_argument("--config", metavar="PATH",
                        help="the config file to read (default: MEMORIES_TUI_CONFIG, else "
                             "$XDG_CONFIG_HOME/memories-tui/config.toml)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo-videos", type=int, default=DEMO_VIDEOS, help=argparse.SUPPRESS)
    parser.add_argument("--demo-seed", type=int, default=DEMO_SEED, help=argparse.SUPPRESS)
    if argv is not None and not _names_a_command(argv):
        parser.set_defaults(command=None)
        parser.partial = True
        return parser

    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                title="commands (none: open the TUI)")
    fake = sub.add_parser("fake-server", help="run the fake Memories.ai server alone")
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8765)
    fake.add_argument("--seed", type=int, default=1)
    fake.add_argument("--videos", type=int, default=300)
    fake.add_argument("--api-key", dest="fake_api_key", default=None,
                      help="accept only this key (default: any non-empty key)")
    fake.add_argument("--rate-limit", dest="fake_rate_limit", type=_positive_float, default=None,
                      help="requests per second before answering 0429 (default: no limit)")
    fake.add_argument("--max-page-size", type=int, default=None, metavar="N",
                      help="serve pages of at most N rows, saying so in page_size "
                           "(default: whatever is asked, up to 1000)")
    fake.add_argument("--name-match", choices=("exact", "contains"), default="exact",
                      help="how video_name filters match: exactly, as the service does "
                           "(default), or as a case-insensitive substring")
    fake.add_argument("--hostile", action="store_true",
                      help="serve a library of hostile names and values (for testing)")
    fake.add_argument("--fault", dest="faults", action="append", type=_fault_spec, default=[],
                      metavar="KIND[:COUNT[:PATH]]",
                      help="break the next COUNT requests (to paths ending in PATH) in the "
                           "way KIND says, e.g. 503-html:3 or stall-body:1:/download; "
                           "repeatable")
    from memories_tui.commands import add_groups

    add_groups(sub)
    return parser


def _flags(args: argparse.Namespace) -> dict[str, object]:
    return {
        "api_key": args.api_key,
        "base_url": args.base_url,
        "unique_id": args.unique_id,
        "page_size": args.page_size,
        "download_dir": args.download_dir,
        "theme": args.theme,
        "rate_limit": args.rate_limit,
        "timeout": args.timeout,
        "allow_insecure_http": args.allow_insecure_http,
        "debug": args.debug,
        "read_only": args.read_only,
        "low_bandwidth": args.low_bandwidth,
        "mouse": args.mouse,
    }


def _refuse(message: str) -> int:
    """One plain line on stderr, and the exit code for a refusal."""
    print(f"memories-tui: {message}", file=sys.stderr)
    return EXIT_REFUSED


def _unchecked_setting_errors() -> tuple[type[Exception], ...]:
    """What starting could still raise for a setting that got past the checks in config
    (belt and braces): the client's ValueError, and Textual's unknown theme once Textual
    is loaded."""
    errors: list[type[Exception]] = [ValueError]
    textual_app = sys.modules.get("textual.app")
    if textual_app is not None:
        errors.append(textual_app.InvalidThemeError)
    return tuple(errors)


def _one_line(error: Exception) -> str:
    from memories_tui.api.errors import redact

    text = " ".join(redact(str(error)).split())
    text = text if len(text) <= 300 else text[:299] + "…"
    return text or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    from memories_tui import startup_gc

    # Paused while the start-up imports (see startup_gc); the TUI resumes it after its
    # first frame, a subcommand before it runs, and anything else on the way out.
    startup_gc.pause()
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl+C before the interface is up (while the demo server starts, say): the
        # shell's convention for an interrupt, not a traceback.
        print("memories-tui: interrupted.", file=sys.stderr)
        return 130
    finally:
        startup_gc.resume()


def _sort_values_joined(argv: Sequence[str]) -> list[str]:
    """`--sort -size` as `--sort=-size`: argparse takes "-size" for a flag otherwise."""
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--sort":
            value = next(words, None)
            if value is not None and value.startswith("-") and value[1:2].isalpha():
                joined.append(f"--sort={value}")
                continue
            joined.append(word)
            if value is not None:
                joined.append(value)
            continue
        joined.append(word)
    return joined


def _main(argv: Sequence[str] | None) -> int:
    argv = _sort_values_joined(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(argv).parse_args(argv)
    except _NeedsWholeParser:  # "memories-tui vidoes": the message lists the commands
        args = build_parser().parse_args(argv)

    if args.command is not None:
        from memories_tui import startup_gc

        startup_gc.resume()  # a server or a script's command: collected as usual
    if args.command == "fake-server":
        from memories_tui.fake.server import serve_forever

        try:
            with contextlib.suppress(KeyboardInterrupt):
                serve_forever(
                    host=args.host,
                    port=args.port,
                    seed=args.seed,
                    videos=args.videos,
                    api_key=args.fake_api_key,
                    rate_limit=args.fake_rate_limit,
                    hostile=args.hostile,
                    faults=args.faults,
                    max_page_size=args.max_page_size,
                    name_match=args.name_match,
                )
        except OSError as error:  # the port is taken, or the address is not ours
            return _refuse(f"cannot serve on {args.host}:{args.port}: "
                           f"{error.strerror or error}")
        return 0
    if args.command is not None:
        return _run_subcommand(args)
    return _open_library(args)


def _load(args: argparse.Namespace, origins: dict[str, str] | None = None):
    """The settings and warnings for `args` (`--demo` brings its own server and key in
    place of the user's; `--config` names the config file). Raises SettingsError for a
    bad flag. (Not annotated: `typing` and config are not for `--help` to load.)"""
    from pathlib import Path

    from memories_tui.config import SettingsError, load_settings

    flags = _flags(args)
    if args.demo:
        flags.update(api_key=DEMO_KEY, base_url=DEMO_BASE_URL)
        flags["unique_id"] = flags["unique_id"] or "default"
    config_path = None
    if args.config:
        config_path = Path(args.config).expanduser()
        if not config_path.is_file():
            raise SettingsError(f"--config names {config_path}, which is not a file.")
    result = load_settings(flags, config_path=config_path, origins=origins)
    if args.demo and origins is not None:
        for name in ("api_key", "base_url") + (("unique_id",) if not args.unique_id else ()):
            origins[name] = "--demo"
    return result


def _run_subcommand(args: argparse.Namespace) -> int:
    """A subcommand of `memories_tui.commands` (videos list, config show, …)."""
    from memories_tui.config import SettingsError

    origins: dict[str, str] = {}
    try:
        settings, warnings = _load(args, origins)
    except SettingsError as error:
        return _refuse(str(error))
    from memories_tui.commands.runtime import run_command

    return run_command(args, settings, warnings, origins)


def _open_library(args: argparse.Namespace) -> int:
    """The TUI, on the real API or (`--demo`) on a fake server of its own."""
    from memories_tui.config import SettingsError

    origins: dict[str, str] = {}
    try:
        settings, warnings = _load(args, origins)
    except SettingsError as error:
        return _refuse(str(error))

    # What the TUI remembers fills what the user did not set (theme, page size,
    # namespace); the demo remembers in a file of its own.
    from memories_tui.services.ui_state import UiStateStore, apply_to_settings

    remembered = UiStateStore.for_settings(settings, demo=args.demo)
    warnings.extend(remembered.load())
    settings = apply_to_settings(settings, remembered.state, origins)
    args.remembered = remembered

    from memories_tui import logs

    problem = logs.setup_logging(settings.debug)
    if problem is not None:
        warnings.append(problem)
    try:
        return _start(args, settings, warnings)
    finally:
        logs.stop_logging()


def _start(args: argparse.Namespace, settings, warnings: list[str]) -> int:
    """Open the client and run the TUI with `settings` (a config.Settings; the annotation
    would need `typing` imported, which `--help` need not pay for)."""
    import logging

    from memories_tui.api.errors import MemoriesError, register_secret

    log = logging.getLogger("memories_tui")
    register_secret(settings.api_key)  # masked in the log from the first line on
    for warning in warnings:
        log.warning("%s", warning)
    server = None
    try:
        if args.demo:
            from dataclasses import replace

            from memories_tui.fake.server import FakeServer

            server = FakeServer(seed=args.demo_seed, videos=args.demo_videos)
            settings = replace(settings, base_url=server.start())

        from memories_tui.services.library import LibraryService
        from memories_tui.startup import open_client, run_tui

        library = LibraryService(open_client(settings))
        return run_tui(settings, library, warnings, remembered=args.remembered,
                       index_in_memory=args.demo)
    except MemoriesError as error:  # the client's refusal in plain words (plain http...)
        log.warning("Refused to start: %s", error.message)
        return _refuse(error.message)
    except Exception as error:
        if not isinstance(error, _unchecked_setting_errors()):
            raise
        # A check config is missing: the traceback goes to the log, for whoever adds it.
        log.exception("Could not start with these settings.")
        return _refuse(_one_line(error))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
