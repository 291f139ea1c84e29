"""`memories-tui serve`: the TUI in a web browser, served by textual-serve.

Each browser tab gets an app process of its own on this machine (textual-serve starts
`python -m memories_tui.served` per tab, with Textual's web driver); the browser shows
its terminal. What that is for: run it on a machine reached over SSH, and downloads
chosen "to this computer" land on the computer the browser runs on (tui/browser.py),
links open in a tab of that browser, copies go to its clipboard.

- Loopback only. textual-serve has no login: whoever reaches the port drives the app,
  key and all. A `--host` that is not loopback is refused; the way to use it from
  another computer is an SSH tunnel (`refusal` says how). A page of another site open
  in the same browser could still reach a loopback port: the web socket that drives the
  app is accepted only from a page of this server (its Origin), and every request must
  name a loopback host (a DNS name rebound to 127.0.0.1 is refused).
- Keys stay here. The tab's process gets this command's settings (global flags, the
  demo) in an environment variable that it removes from its own environment at once:
  not on a command line, which `ps` shows to every user, and textual-serve shows its
  command in the page's title (the title here is the program's name). The API key
  itself comes from where it always does (MEMORIES_API_KEY, the config file, or
  `--api-key`, which is then in this command's own command line).

Nothing here imports Textual (textual-serve does not either: it starts processes).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shlex
import sys
from urllib.parse import urlsplit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.commands.runtime import Runtime

HELP = "open the TUI in a web browser: one app per tab, on a loopback port (textual-serve)"
DEFAULT_PORT = 8000
#: The environment variable that carries this command's settings to each tab's process.
CHILD_ENV = "MEMORIES_TUI_SERVED"
#: Variables of this process's terminal that are not the tab's (the tab's terminal is
#: the browser): over SSH a link would be copied rather than opened, inside tmux or
#: screen a copy would be wrapped for them.
NOT_THE_TABS = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "TMUX", "TMUX_PANE", "STY")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is a number from 1 to 65535")
    return port


def register(group: argparse.ArgumentParser) -> None:
    group.add_argument("--demo", dest="serve_demo", action="store_true",
                       help="serve the demo (a fake server and library per tab; no key)")
    group.add_argument("--port", type=_port, default=DEFAULT_PORT,
                       help=f"the port to listen on (default: {DEFAULT_PORT})")
    group.add_argument("--host", default="127.0.0.1",
                       help="a loopback address (default: 127.0.0.1); from another "
                            "computer, use an SSH tunnel")
    group.set_defaults(handler=serve, needs_api=False)
    group.epilog = ("From another computer: ssh -L 8000:127.0.0.1:8000 HOST memories-tui "
                    "serve --port 8000, then open http://127.0.0.1:8000 there.")


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only: localhost, 127.0.0.0/8, ::1."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refusal(host: str, port: int) -> str:
    """Why a host that is not loopback is refused, and the safe way instead (one line)."""
    return (f"serve listens on loopback only, not on {host}: textual-serve has no login, so "
            "anyone who reached the port would use the app and your key. From another "
            f"computer: ssh -L {port}:127.0.0.1:{port} HOST memories-tui serve --port "
            f"{port}, then open http://127.0.0.1:{port} there.")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def host_name(netloc: str) -> str:
    """The host of a Host header or an Origin's netloc, without its port."""
    if netloc.startswith("["):
        return netloc[1:netloc.find("]")] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def allowed(host_header: str, path: str, origin: str | None) -> str | None:
    """Why a request to the server is refused, or None. Every request must be for a
    loopback host (a page whose DNS name was rebound to 127.0.0.1 is not); the web
    socket that drives the app must come from a page of this very server."""
    if not is_loopback(host_name(host_header)):
        return "This server answers only to a loopback address such as 127.0.0.1."
    if path == "/ws" and (origin is None or urlsplit(origin).netloc != host_header):
        return "The app is driven only from a page of this server."
    return None


def child_settings(args: argparse.Namespace, demo: bool) -> str:
    """The global flags of this command (and the demo), for each tab's process."""
    from memories_tui.cli import build_parser

    names = [action.dest for action in build_parser()._actions
             if action.option_strings and action.dest not in ("help", "version")]
    values = {name: getattr(args, name, None) for name in names}
    values["demo"] = demo
    return json.dumps(values)


def child_command() -> str:
    """What textual-serve runs for each tab (through a shell): nothing secret in it."""
    return shlex.join([sys.executable, "-m", "memories_tui.served"])


#: Put in the page (before `</head>`): textual-serve's script opens a window for each
#: file the app hands over, when the file is ready, which may be minutes after the key
#: that asked for it; a browser blocks such a pop-up, and the file never comes. A link
#: clicked in the page itself downloads it instead, with no window.
DOWNLOAD_IN_PAGE = """<script>
(function () {
  var open = window.open.bind(window);
  window.open = function (url, target, features) {
    if (typeof url === "string" &&
        new URL(url, window.location.href).pathname.indexOf("/download/") === 0) {
      var link = document.createElement("a");
      link.href = url;
      link.download = "";
      link.style.display = "none";
      document.body.appendChild(link);
      link.click();
      link.remove();
      return null;
    }
    return open(url, target, features);
  };
})();
</script>
"""


def make_server(host: str, port: int, say=print):
    """textual-serve's Server, guarded (`allowed`) and showing no command."""
    from aiohttp import web
    from textual_serve.server import Server

    @web.middleware
    async def guard(request: web.Request, handler):
        why = allowed(request.host, request.path, request.headers.get("Origin"))
        if why is not None:
            return web.Response(status=403, text=why)
        response = await handler(request)
        if request.path == "/" and isinstance(response, web.Response) and response.text:
            response.text = response.text.replace("</head>", DOWNLOAD_IN_PAGE + "</head>", 1)
        return response

    class LoopbackServer(Server):
        def initialize_logging(self) -> None:
            pass  # ours is set up already (the log file)

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def handle_index(self, request: web.Request):
            # The page's links (its web socket) name the address the browser used: an
            # SSH tunnel may arrive on another port. (Read before the handler's first
            # await: no other request can change it meanwhile.)
            self.public_url = f"http://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app: web.Application) -> None:
            say(f"serving the app on http://{_url_host(host)}:{port} (this computer "
                "only; Ctrl+C stops it, and every tab's app).")

    return LoopbackServer(child_command(), host=host, port=port, title="memories-tui",
                          public_url=f"http://{_url_host(host)}:{port}")


def serve(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.runtime import EXIT_FAILED, EXIT_USAGE

    host, port = args.host, args.port
    if not is_loopback(host):
        rt.say(refusal(host, port))
        return EXIT_USAGE
    try:
        server = make_server(host, port, rt.say)
    except ImportError as error:
        rt.say(f"serve needs textual-serve ({error}): pip install textual-serve")
        return EXIT_FAILED
    demo = bool(args.demo or args.serve_demo)
    if not demo and not rt.settings.api_key:
        rt.say("no API key yet: each tab will ask for one (or set MEMORIES_API_KEY; "
               "to try it without one: memories-tui serve --demo).")
    # textual-serve gives each tab's process a copy of this environment.
    os.environ[CHILD_ENV] = child_settings(args, demo)
    for name in NOT_THE_TABS:
        os.environ.pop(name, None)
    import asyncio

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # textual-serve asks for the current loop
    try:
        server.serve()
    except OSError as error:  # the port is taken, or the address is not ours
        rt.say(f"cannot serve on {host}:{port}: {error.strerror or error}")
        return EXIT_USAGE
    finally:
        asyncio.set_event_loop(None)
        if not loop.is_closed():
            loop.close()
    return 0
