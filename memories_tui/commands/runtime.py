"""Running one subcommand: settings, the client, errors as exit codes, stdout and stderr.

Loaded only once a subcommand is known (never for `--help` or the TUI). Never imports
Textual: the subcommands use the same services as the TUI, and a test checks that
`videos list` runs without a `textual` module.

The conventions, which scripts rely on:

- data goes to stdout; diagnostics (warnings, errors, outcome sentences) to stderr, each
  line starting "memories-tui: "; progress only when stderr is a terminal;
- exit codes: 0 success; 1 failure (the API, the network, a partial delete or
  download); 2 usage error or refusal (a bad flag, `--read-only`, a delete without
  `--yes` that cannot ask); 4 the key was rejected, or there is none; 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TextIO

from memories_tui.config import Settings
from memories_tui.safetext import safe_text

if TYPE_CHECKING:
    from memories_tui.services.library import LibraryService

__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Runtime",
    "UsageError",
    "run_command",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # a usage error or a refusal
EXIT_AUTH = 4  # the key was rejected, or there is none
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # what a shell reports for a writer killed by SIGPIPE

log = logging.getLogger("memories_tui.commands")


class UsageError(Exception):
    """A value argparse could not check (a `--status` word, a `--sort` field): one line on
    stderr, exit 2."""


class Progress:
    """One status line on stderr, redrawn in place, only when stderr is a terminal (a
    pipe or a log file gets none), at most ten times a second."""

    INTERVAL = 0.1

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self._stream = stream
        self.enabled = enabled
        self._shown = False
        self._last = 0.0

    def show(self, text: str, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.INTERVAL:
            return
        self._last = now
        self._stream.write("\r\x1b[K" + safe_text(text))
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):  # a closed stream
        return False


@dataclass
class Runtime:
    """What a handler works with: the settings, the streams, and (for commands that talk
    to the service) the library of one client."""

    settings: Settings
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    #: Where each setting came from ("--timeout", "the default", …), for `config show`.
    origins: dict[str, str] = field(default_factory=dict)
    progress: Progress = field(init=False)
    _library: LibraryService | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.progress = Progress(self.stderr, _is_terminal(self.stderr))

    # -- the streams ------------------------------------------------------------------

    @property
    def stdout_is_terminal(self) -> bool:
        return _is_terminal(self.stdout)

    @property
    def stderr_is_terminal(self) -> bool:
        return _is_terminal(self.stderr)

    @property
    def stdin_is_terminal(self) -> bool:
        return _is_terminal(self.stdin)

    @property
    def colour(self) -> bool:
        """Colours on stdout: only on a terminal, and not with NO_COLOR or TERM=dumb."""
        return (self.stdout_is_terminal and not os.environ.get("NO_COLOR")
                and os.environ.get("TERM") != "dumb")

    @property
    def width(self) -> int | None:
        """The terminal's width when stdout is one (tables fit it), else None."""
        if not self.stdout_is_terminal:
            return None
        try:
            return os.get_terminal_size(self.stdout.fileno()).columns
        except (OSError, ValueError, AttributeError):
            return None

    def out(self, line: str = "") -> None:
        """One line of data on stdout (the caller made server text safe)."""
        self.progress.clear()
        print(line, file=self.stdout)

    def say(self, message: str) -> None:
        """One diagnostic line on stderr, made safe."""
        self.progress.clear()
        print(f"memories-tui: {safe_text(message)}", file=self.stderr)
        self.stderr.flush()

    def hint(self, message: str) -> None:
        """A line for a person at a terminal (how to see more); none in scripts."""
        if self.stderr_is_terminal:
            self.say(message)

    def ask(self, prompt: str) -> str:
        """Ask on stderr, read one line from stdin (a terminal); "" at end of input."""
        self.progress.clear()
        self.stderr.write(prompt)
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:
            self.stderr.write("\n")
        return line.strip()

    # -- the service ------------------------------------------------------------------

    @property
    def unique_id(self) -> str:
        return self.settings.unique_id

    @property
    def library(self) -> LibraryService:
        """The library of this run's client (API commands only)."""
        if self._library is None:
            raise RuntimeError("This command does not talk to the service.")
        return self._library


#: An API command's handler (`needs_api`, the default) is a coroutine function; the
#: others (config, completion) are plain functions.
Handler = Callable[[Runtime, argparse.Namespace], "Awaitable[int] | int"]


def _stderr_handler(debug: bool) -> logging.Handler | None:
    """With --debug, log records on stderr too (each request line, retries, waits)."""
    if not debug:
        return None
    from memories_tui.logs import SecretFilter

    handler = logging.StreamHandler(sys.stderr)

    class _Safe(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return safe_text(super().format(record))

    def worth_showing(record: logging.LogRecord) -> bool:
        # Ours in detail, httpx's one line per request; the rest (httpcore's steps,
        # asyncio, the demo server) only when something is wrong.
        if record.name == "memories_tui" or record.name.startswith("memories_tui."):
            return True
        return record.levelno >= (logging.INFO if record.name == "httpx" else logging.WARNING)

    handler.setFormatter(_Safe("memories-tui: debug: %(name)s: %(message)s"))
    handler.addFilter(worth_showing)
    handler.addFilter(SecretFilter())
    handler.setLevel(logging.DEBUG)
    return handler


def command_path(args: argparse.Namespace) -> str:
    """ "videos list": the words that name the subcommand run."""
    words = [getattr(args, "command", None), getattr(args, "subcommand", None)]
    return " ".join(word for word in words if word)


def run_command(
    args: argparse.Namespace, settings: Settings, warnings: list[str],
    origins: dict[str, str] | None = None,
) -> int:
    """Run the subcommand `args.handler` with `settings`; its exit code."""
    from memories_tui import logs
    from memories_tui.api.errors import register_secret

    rt = Runtime(settings, origins=dict(origins or {}))
    register_secret(settings.api_key)  # masked in messages and the log from now on
    problem = logs.setup_logging(settings.debug)
    root = logging.getLogger()
    quiet = logging.NullHandler()  # without a log file, no record reaches stderr by itself
    root.addHandler(quiet)
    if problem is not None:
        warnings.append(problem)
    for warning in warnings:
        log.warning("%s", warning)  # to the log file (stderr has its own line)
        rt.say(f"warning: {warning}")
    debug = _stderr_handler(settings.debug)
    if debug is not None:
        root.addHandler(debug)
    try:
        return _run(rt, args)
    except KeyboardInterrupt:
        rt.progress.clear()
        rt.say("interrupted.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a writer killed by SIGPIPE.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        root.removeHandler(quiet)
        if debug is not None:
            root.removeHandler(debug)
        logs.stop_logging()


def _run(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.api.errors import AuthError, MemoriesError

    handler: Handler = args.handler
    try:
        if not getattr(args, "needs_api", True):
            result = handler(rt, args)
            assert isinstance(result, int)
            return result
        if not rt.settings.api_key:
            rt.say("No API key: set MEMORIES_API_KEY, put api_key in the config file "
                   "(see memories-tui config path) or pass --api-key. To try the commands "
                   "without one: memories-tui --demo " + command_path(args) + " …")
            return EXIT_AUTH
        server = None
        if getattr(args, "demo", False):
            from memories_tui.fake.server import FakeServer

            server = FakeServer(seed=args.demo_seed, videos=args.demo_videos)
            rt.settings = replace(rt.settings, base_url=server.start())
        try:
            return asyncio.run(_with_library(rt, handler, args))
        finally:
            if server is not None:
                server.stop()
    except UsageError as error:
        rt.say(str(error))
        return EXIT_USAGE
    except AuthError as error:
        rt.say(error.message)
        return EXIT_AUTH
    except MemoriesError as error:
        log.warning("%s failed: %s", command_path(args), error.message)
        rt.say(error.message)
        return EXIT_FAILED
    finally:
        rt.progress.clear()


async def _with_library(rt: Runtime, handler: Handler, args: argparse.Namespace) -> int:
    from memories_tui.api.errors import InsecureURLError
    from memories_tui.services.client import open_client
    from memories_tui.services.library import LibraryService

    try:
        # As in the TUI, a stalled or unreachable server is an error within --timeout
        # (exit 1), not half a minute of retries: a script decides whether to try again,
        # as with gh or kubectl. Rate limits (0429) are still waited out.
        client = open_client(rt.settings, interactive=True)
    except InsecureURLError as error:
        raise UsageError(error.message) from None
    except ValueError as error:
        raise UsageError(str(error)) from None
    library = LibraryService(client)
    rt._library = library
    try:
        result = handler(rt, args)
        return result if isinstance(result, int) else await result
    finally:
        rt._library = None
        await library.close()
        await client.aclose()
