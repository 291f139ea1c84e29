"""The log file: what went wrong, kept after the screen that showed it is gone.

`$XDG_STATE_HOME/memories-tui/memories-tui.log` (by default under ~/.local/state),
rotated at 1 MiB with three old files kept. Records of every logger reach it: ours
("memories_tui" and below) from INFO, or DEBUG with `--debug`; other libraries' from
WARNING, or DEBUG with `--debug` (httpx then logs each request line).

The file may quote what the server said, so only the user may read it (folder 0700,
file 0600). It must never hold the key: a filter on the file's handler masks every key
registered with `memories_tui.api.errors.register_secret`, in the message, in the
exception text and in the stack.

Only the TUI's start-up imports this module: `logging.handlers` costs a few
milliseconds, which `--help`, `--version` and the fake server need not pay.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from collections.abc import Mapping
from pathlib import Path

from memories_tui import __version__
from memories_tui.api.errors import redact

STATE_DIR_NAME = "memories-tui"
LOG_FILE_NAME = "memories-tui.log"
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# What `setup_logging` installed and the levels it replaced, for `stop_logging`.
_handler: logging.Handler | None = None
_replaced_levels: dict[str, int] = {}


def log_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """`$XDG_STATE_HOME/memories-tui/memories-tui.log`, by default under ~/.local/state;
    None when there is no home folder to put it in."""
    environ = os.environ if environ is None else environ
    xdg = environ.get("XDG_STATE_HOME", "")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative path
        base = Path(xdg)
    elif environ.get("HOME"):
        base = Path(environ["HOME"]) / ".local" / "state"
    else:
        try:
            base = Path.home() / ".local" / "state"
        except RuntimeError:  # no home directory at all
            return None
    return base / STATE_DIR_NAME / LOG_FILE_NAME


def shown_path(path: Path, environ: Mapping[str, str] | None = None) -> str:
    """`path` as a person reads it: "~/…" when it is under the home folder."""
    environ = os.environ if environ is None else environ
    home = environ.get("HOME", "")
    if home and os.path.isabs(home) and path.is_relative_to(home) and Path(home) != Path("/"):
        return str(Path("~") / path.relative_to(home))
    return str(path)


class SecretFilter(logging.Filter):
    """Masks registered keys in a record before a handler writes it.

    On the handler, not on a logger: a logger's filters see only the records logged on
    that very logger, a handler's see every record that reaches it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        broken = False
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - arguments that do not fit the format
            # The handler would print the arguments to stderr as they are: keep the
            # format alone, masked.
            message = f"{record.msg} (the log arguments did not fit this format)"
            broken = True
        cleaned = redact(message)
        if broken or cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatted here, once, so that the text the handler writes is the masked one.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their owner may read, whatever the umask."""

    def _open(self):
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.baseFilename, flags, 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # a file made before (or by hand) with a wider mode
            return open(fd, self.mode, encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise


def _make_private_folder(folder: Path) -> None:
    """`folder` and any missing parents, 0700 as the XDG spec asks; our own folder is
    narrowed to 0700 if it was made wider."""
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
    if os.name != "nt" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


def setup_logging(debug: bool, *, environ: Mapping[str, str] | None = None) -> str | None:
    """Send log records to the log file; a warning in plain words if it cannot be
    opened (the program then runs without one). Calling it again replaces the file
    handler set up before."""
    stop_logging()
    path = log_path(environ)
    if path is None:
        return "There is no home folder to keep a log file in; running without one."
    try:
        _make_private_folder(path.parent)
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return (
            f"Could not open the log file {shown_path(path, environ)} ({reason}); "
            "running without one."
        )
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(SecretFilter())
    global _handler
    _handler = handler
    logging.getLogger().addHandler(handler)
    levels = {"memories_tui": logging.DEBUG if debug else logging.INFO}
    if debug:
        levels[""] = logging.DEBUG  # the root: other libraries' detail too
    for name, level in levels.items():
        logger = logging.getLogger(name or None)
        _replaced_levels[name] = logger.level
        logger.setLevel(level)
    logging.getLogger("memories_tui").info(
        "memories-tui %s started (pid %d)%s.", __version__, os.getpid(),
        ", with debug detail" if debug else "",
    )
    return None


def stop_logging() -> None:
    """Close the log file set up by `setup_logging`, if any."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None
    for name, level in _replaced_levels.items():
        logging.getLogger(name or None).setLevel(level)
    _replaced_levels.clear()
