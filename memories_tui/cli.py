"""The `memories-tui` command: the TUI, the built-in demo, or the fake server alone.

Heavy imports (Textual, httpx, uvicorn) happen only once we know which one is wanted,
so `--help` and the fake server start quickly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

DEMO_KEY = "sk-demo-0000000000000000"


def _positive_float(text: str) -> float:
    value = float(text)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memories-tui",
        description="Browse and curate a Memories.ai video library in the terminal.",
    )
    parser.add_argument("--demo", action="store_true",
                        help="open the TUI on a built-in fake server with a demo library "
                             "(no key, no network)")
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
    parser.add_argument("--demo-videos", type=int, default=300, help=argparse.SUPPRESS)
    parser.add_argument("--demo-seed", type=int, default=1, help=argparse.SUPPRESS)

    sub = parser.add_subparsers(dest="command")
    fake = sub.add_parser("fake-server", help="run the fake Memories.ai server alone")
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8765)
    fake.add_argument("--seed", type=int, default=1)
    fake.add_argument("--videos", type=int, default=300)
    fake.add_argument("--api-key", dest="fake_api_key", default=None,
                      help="accept only this key (default: any non-empty key)")
    fake.add_argument("--rate-limit", dest="fake_rate_limit", type=_positive_float, default=None,
                      help="requests per second before answering 0429 (default: no limit)")
    fake.add_argument("--hostile", action="store_true",
                      help="serve a library of hostile names and values (for testing)")
    fake.add_argument("--fault", dest="faults", action="append", type=_fault_spec, default=[],
                      metavar="KIND[:COUNT[:PATH]]",
                      help="break the next COUNT requests (to paths ending in PATH) in the "
                           "way KIND says, e.g. 503-html:3 or stall-body:1:/download; "
                           "repeatable")
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
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    if args.command == "fake-server":
        from memories_tui.fake.server import serve_forever

        try:
            serve_forever(
                host=args.host,
                port=args.port,
                seed=args.seed,
                videos=args.videos,
                api_key=args.fake_api_key,
                rate_limit=args.fake_rate_limit,
                hostile=args.hostile,
                faults=args.faults,
            )
        except KeyboardInterrupt:
            pass
        return 0

    from memories_tui.config import load_settings

    flags = _flags(args)
    server = None
    if args.demo:
        from memories_tui.fake.server import FakeServer

        server = FakeServer(seed=args.demo_seed, videos=args.demo_videos)
        flags["base_url"] = server.start()
        flags["api_key"] = DEMO_KEY
        flags["unique_id"] = flags["unique_id"] or "default"
    settings, warnings = load_settings(flags)

    from memories_tui.api.errors import MemoriesError
    from memories_tui.services.library import LibraryService
    from memories_tui.startup import open_client, run_tui

    try:
        library = LibraryService(open_client(settings))
    except MemoriesError as exc:
        print(f"memories-tui: {exc.message}", file=sys.stderr)
        return 2
    try:
        return run_tui(settings, library, warnings)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
