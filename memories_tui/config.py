"""Settings, gathered from flags > environment > `.env` > config file > defaults.

Each setting is taken from the highest source that gives a *usable* value. A bad value
(`MEMORIES_PAGE_SIZE=abc`) never stops the program: it is skipped with a warning in
plain words that names where it came from and what is used instead. The caller shows
the warnings; this module prints nothing.

A value is bad when the program would choke on it later: a key that cannot go in a
header, a theme Textual does not have, an address the client refuses, a number out of
range. A bad *flag* is different: the user typed it just now, so it is an error
(`SettingsError`, one line and exit 2), never a quiet fallback.

The `.env` file is read with `dotenv_values`, not loaded into `os.environ`, so the key
it holds is not passed on to child processes. A `.env` is also the one source that
comes with a folder rather than with the user (a cloned repository can hold one), so a
`.env` that points the base URL at another server does not get a key from elsewhere:
see `_key_withheld_by_dotenv`. The API key is never put in a warning, a repr or an
exception message; `Settings.masked_key` is the form to show.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from memories_tui.masking import mask_key

if TYPE_CHECKING:
    import httpx

DEFAULT_BASE_URL = "https://api.memories.ai"
PAGE_SIZE_RANGE = (1, 1000)  # the API's examples use 200; more than 1000 helps nobody
CONCURRENT_DOWNLOADS_RANGE = (1, 8)
# Seconds: a timeout of hours helps nobody, and a huge one overflows the operating
# system's timer, which fails the request with a traceback.
TIMEOUT_RANGE = (0.1, 3600.0)
# Requests per second when pacing is on (0 turns it off): below 0.01 the app would sit
# for minutes before each request; above 100 pacing does nothing anyway.
RATE_LIMIT_RANGE = (0.01, 100.0)
# Hours after which the library index is read again in full (0: never by age alone).
INDEX_MAX_AGE_RANGE = (0.1, 8760.0)
# Textual 8.2.8's built-in themes (`textual.theme.BUILTIN_THEMES`, which a test compares
# with this). Importing Textual to ask would cost start-up time: ~100 ms before any
# request is sent, and in scripts that never show a screen.
THEMES = frozenset({
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
})
CONFIG_DIR_NAME = "memories-tui"
CONFIG_FILE_NAME = "config.toml"
#: Names the config file in place of the default (as `--config PATH` does).
CONFIG_PATH_ENV = "MEMORIES_TUI_CONFIG"
DOTENV_NAME = ".env"


@dataclass(frozen=True, repr=False)
class Settings:
    """Everything the app needs to start; built by `load_settings`."""

    api_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    unique_id: str = "default"
    page_size: int = 50
    download_dir: Path | None = None  # None: the current directory at download time
    theme: str = "textual-dark"
    rate_limit: float = 1.0  # requests per second; 0 turns pacing off
    timeout: float = 30.0  # seconds
    concurrent_downloads: int = 2
    allow_insecure_http: bool = False
    prefetch: bool = True  # fetch the next page while the rate budget is spare
    debug: bool = False  # detail in the log file (see memories_tui/logs.py)
    read_only: bool = False  # change nothing on the server: deletes are refused (services)
    #: Fewer terminal bytes for slow links: progress and countdowns every 2 s, no
    #: animation, no blinking cursor (see the README, "Over slow links").
    low_bandwidth: bool = False
    #: Remember theme, page size, namespace, sort and detail pane between runs (see
    #: services/ui_state.py).
    remember: bool = True
    #: The config file's [keys] table: binding id -> keys ("x", or "ctrl+d,delete"), as
    #: Textual's keymap takes them; `?` help lists the ids.
    keys: tuple[tuple[str, str], ...] = ()
    #: Capture the mouse (off: the terminal selects text, as over SSH one often wants).
    mouse: bool = True
    #: Keep a local index of the library (services/index_store.py) for search by any
    #: part of a name, sorting and filters across the whole library, and duplicates.
    index: bool = True
    #: Hours after which the index is read again in full (0: only when a quick refresh
    #: finds it off, or on demand).
    index_max_age: float = 24.0

    @property
    def masked_key(self) -> str:
        """The key as it may be shown: "sk-…abcd", or "not set"."""
        return mask_key(self.api_key)

    def __repr__(self) -> str:
        # Hand-written so the key can never reach a log or traceback through repr().
        parts = [f"api_key={self.masked_key!r}"]
        parts += [
            f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name != "api_key"
        ]
        return f"Settings({', '.join(parts)})"


class SettingsError(ValueError):
    """A command-line flag with a value that cannot be used; the message is one line in
    plain words, naming the flag (and never quoting a key)."""


class SettingsResult(NamedTuple):
    """What `load_settings` found; unpacks as `settings, warnings = load_settings()`."""

    settings: Settings
    warnings: list[str]


# --- parsing one value ----------------------------------------------------------------


class _Invalid(ValueError):
    """A value that cannot be used; the message completes "…, which is <message>"."""


def _parse_str(raw: object) -> str:
    if not isinstance(raw, str):
        raise _Invalid("not text")
    return raw.strip()


def _parse_int(raw: object) -> int:
    if isinstance(raw, bool):  # TOML `true` is not a count
        raise _Invalid("not a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            pass
    raise _Invalid("not a whole number")


def _parse_float(raw: object) -> float:
    if isinstance(raw, bool):
        raise _Invalid("not a number")
    try:
        value = float(raw.strip() if isinstance(raw, str) else raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _Invalid("not a number") from None
    if not math.isfinite(value):
        raise _Invalid("not a finite number")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise _Invalid("not true or false (use 1/0, true/false, yes/no, on/off)")


def _parse_api_key(raw: object) -> str:
    key = _parse_str(raw)
    # The key travels as a header value, which holds printable ASCII only. The reason
    # names the kind of character, never the character or the key.
    bad = next((char for char in key if not 0x21 <= ord(char) <= 0x7E), None)
    if bad is not None:
        if bad.isspace():
            what = "a space or line break"
        elif ord(bad) < 0x80:
            what = "a control character"
        else:
            what = "a non-ASCII character"
        raise _Invalid(
            f"a key that cannot be sent in a header: it holds {what} (check how it was copied)"
        )
    return key


def check_api_key(raw: str) -> str:
    """A key as typed or pasted, stripped, if a header can carry it; SettingsError (in
    words that never quote the key) otherwise."""
    try:
        return _parse_api_key(raw)
    except _Invalid as error:
        raise SettingsError(f"This key cannot be used: {error}.") from None


_KEYS_TEXT = re.compile(r"^[A-Za-z0-9_+,\-]{1,60}$")


def _parse_keys(raw: object) -> tuple[tuple[str, str], ...]:
    """The [keys] table: binding ids to Textual key names, comma-separated."""
    if not isinstance(raw, dict):
        raise _Invalid("a table of binding ids and keys ([keys] in the config file)")
    pairs = []
    for binding_id, keys in raw.items():
        if not isinstance(keys, str) or not _KEYS_TEXT.match(keys.replace(" ", "")):
            raise _Invalid(f"{binding_id!r} must name keys such as \"x\" or \"ctrl+d,delete\"")
        pairs.append((str(binding_id), keys.replace(" ", "")))
    return tuple(sorted(pairs))


def _parse_url(text: str) -> httpx.URL:
    """`text` parsed as the client will parse it, so that what passes here passes there.
    (httpx is imported only when an address is given: the default needs no check.)"""
    import httpx

    if not text.isprintable() or any(char.isspace() for char in text):
        raise _Invalid("an address with spaces or control characters")
    try:
        url = httpx.URL(text)
        host = url.host  # an internationalised name is decoded (checked) here
    except (httpx.InvalidURL, ValueError, TypeError):  # idna's errors are ValueErrors
        raise _Invalid("not a valid address") from None
    if url.scheme not in ("http", "https") or not host:
        raise _Invalid("not an http:// or https:// address")
    if url.userinfo:
        # It would be sent with every request, and shown wherever the address is shown.
        raise _Invalid("an address holding a user name or password (leave those out)")
    if url.port is not None and not 1 <= url.port <= 65535:
        raise _Invalid("an address with a port outside 1–65535")
    return url


def _parse_base_url(raw: object) -> str:
    url = _parse_str(raw).rstrip("/")
    _parse_url(url)
    return url


def _parse_unique_id(raw: object) -> str:
    value = _parse_str(raw)
    if not value.isprintable():
        raise _Invalid("text with control or invisible characters")
    return value


def _parse_theme(raw: object) -> str:
    name = _parse_str(raw).lower()
    if name not in THEMES:
        raise _Invalid(f"not a built-in Textual theme (one of: {', '.join(sorted(THEMES))})")
    return name


def _parse_path(raw: object) -> Path:
    text = str(raw) if isinstance(raw, Path) else _parse_str(raw)
    # A NUL byte fails every file call later; a line break in a folder name is a mistake.
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in text):
        raise _Invalid("a path with control characters")
    return Path(text).expanduser()


def _parse_rate_limit(raw: object) -> float:
    value = _parse_float(raw)
    if value < 0:
        raise _Invalid("negative (use 0 to turn rate limiting off)")
    return value


def _parse_timeout(raw: object) -> float:
    value = _parse_float(raw)
    if value <= 0:
        raise _Invalid("not more than 0 seconds")
    return value


_PARSERS: dict[str, Callable[[object], object]] = {
    "api_key": _parse_api_key,
    "base_url": _parse_base_url,
    "unique_id": _parse_unique_id,
    "page_size": _parse_int,
    "download_dir": _parse_path,
    "theme": _parse_theme,
    "rate_limit": _parse_rate_limit,
    "timeout": _parse_timeout,
    "concurrent_downloads": _parse_int,
    "allow_insecure_http": _parse_bool,
    "prefetch": _parse_bool,
    "debug": _parse_bool,
    "read_only": _parse_bool,
    "low_bandwidth": _parse_bool,
    "remember": _parse_bool,
    "keys": _parse_keys,
    "mouse": _parse_bool,
    "index": _parse_bool,
    "index_max_age": _parse_float,
}

_RANGES: dict[str, tuple[float, float]] = {
    "page_size": PAGE_SIZE_RANGE,
    "concurrent_downloads": CONCURRENT_DOWNLOADS_RANGE,
    "timeout": TIMEOUT_RANGE,
    "rate_limit": RATE_LIMIT_RANGE,  # 0 (pacing off) is allowed besides the range
    "index_max_age": INDEX_MAX_AGE_RANGE,  # 0 (never by age) is allowed besides the range
}

#: Settings only the config file can hold (a table has no environment form).
CONFIG_FILE_ONLY = frozenset({"keys"})
ENV_VARS: dict[str, str] = {name: f"MEMORIES_{name.upper()}" for name in _PARSERS
                            if name not in CONFIG_FILE_ONLY}
"""Setting name -> environment variable (also the names used in `.env`)."""

_DEFAULTS = Settings()


def _given(raw: object) -> bool:
    """None and blank strings mean "not set here": `MEMORIES_API_KEY=` in a `.env`
    copied from `.env.example` must not override a key from the config file."""
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


# --- sources --------------------------------------------------------------------------


@dataclass(eq=False)  # compared by identity: which source a value came from
class _Source:
    """One place settings come from, with how to name a setting in a warning."""

    values: dict[str, object]
    label: Callable[[str], str]
    strict: bool = False  # a bad value is an error (a flag), not a warning and a fallback


def _flag_source(flags: Mapping[str, object] | None) -> _Source:
    # Keys that are not settings are ignored, so `vars(args)` can be passed as is.
    values = {k: v for k, v in (flags or {}).items() if k in _PARSERS and _given(v)}
    return _Source(values, lambda name: "--" + name.replace("_", "-"), strict=True)


def _env_source(environ: Mapping[str, str]) -> _Source:
    values: dict[str, object] = {
        name: environ[var] for name, var in ENV_VARS.items() if _given(environ.get(var))
    }
    return _Source(values, lambda name: ENV_VARS[name])


def _readable_by_others(path: Path) -> bool:
    if os.name == "nt":  # POSIX mode bits mean nothing there
        return False
    try:
        return bool(path.stat().st_mode & 0o004)
    except OSError:
        return False


def _permission_warning(path: Path) -> str:
    quoted = shlex.quote(str(path))
    return (
        f"{path} holds an API key and is readable by other users; "
        f"run chmod 600 {quoted}"
    )


def _exists(path: Path) -> bool:
    """Whether there is something at `path`; one we may not even look at counts, so
    that the user hears about it instead of it being skipped in silence."""
    try:
        return path.exists()
    except OSError:
        return True


def _dotenv_source(path: Path, warnings: list[str]) -> _Source:
    values: dict[str, object] = {}
    if _exists(path):
        from dotenv import dotenv_values  # only when there is a file: it costs start-up time

        try:
            if not path.is_file():
                raise IsADirectoryError(path)
            # interpolate=False: "${VAR}" must not pull in the real environment.
            raw = dotenv_values(path, interpolate=False, encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            warnings.append(f"Could not read {path}; ignoring it.")
            raw = {}
        values = {name: raw[var] for name, var in ENV_VARS.items() if _given(raw.get(var))}
        if "api_key" in values and _readable_by_others(path):
            warnings.append(_permission_warning(path))
    return _Source(values, lambda name: f"{ENV_VARS[name]} in {path}")


def _config_source(path: Path | None, warnings: list[str]) -> _Source:
    values: dict[str, object] = {}
    if path is not None and _exists(path):
        import tomllib  # only when there is a file: it costs start-up time

        try:
            data = tomllib.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            warnings.append(f"Could not read the config file {path}; ignoring it.")
            data = {}
        except tomllib.TOMLDecodeError as error:
            # The message gives line and column, never the line's text.
            warnings.append(f"The config file {path} is not valid TOML ({error}); ignoring it.")
            data = {}
        for key in data:
            if key not in _PARSERS:
                warnings.append(f"Unknown setting {key!r} in {path}; ignoring it.")
        values = {k: v for k, v in data.items() if k in _PARSERS and _given(v)}
        if "api_key" in values and _readable_by_others(path):
            warnings.append(_permission_warning(path))
    return _Source(values, lambda name: f"{name} in {path}")


def default_config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """`$MEMORIES_TUI_CONFIG` if set, else `$XDG_CONFIG_HOME/memories-tui/config.toml`,
    by default under ~/.config."""
    environ = os.environ if environ is None else environ
    override = environ.get(CONFIG_PATH_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    xdg = environ.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative path
        base = Path(xdg)
    elif environ.get("HOME"):
        base = Path(environ["HOME"]) / ".config"
    else:
        try:
            base = Path.home() / ".config"
        except RuntimeError:  # no home directory at all
            return None
    return base / CONFIG_DIR_NAME / CONFIG_FILE_NAME


# --- resolving ------------------------------------------------------------------------

_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:/*)[^/?#]*@")


def _shown(name: str, value: object) -> str:
    """A value as it may appear in a warning."""
    if name == "api_key":
        return mask_key(value) if isinstance(value, str) and value else "no key"
    if name == "download_dir" and value is None:
        return "the current directory"
    if name == "base_url" and isinstance(value, str):
        value = _USERINFO.sub(r"\1…@", value)  # a password in an address is a secret too
    text = repr(str(value) if isinstance(value, Path) else value)
    return text if len(text) <= 60 else text[:59] + "…"


def _out_of_range(name: str, value: float) -> tuple[float, float] | None:
    """The range `value` is outside of, if it is."""
    if name not in _RANGES or (name in ("rate_limit", "index_max_age") and value == 0):
        return None
    low, high = _RANGES[name]
    return None if low <= value <= high else (low, high)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Resolved(NamedTuple):
    value: object
    source: _Source | None  # None: the default


def _resolve(
    name: str, sources: list[_Source], warnings: list[str], errors: list[str]
) -> _Resolved:
    """The value of one setting from the first source that gives a usable one.

    A bad value from a strict source (a flag) goes to `errors`; from another source,
    it is skipped and a warning says what is used instead.
    """
    rejected: list[tuple[str, str]] = []
    value: object = getattr(_DEFAULTS, name)
    origin, chosen = "the default", None
    for source in sources:
        if name not in source.values:
            continue
        raw, label = source.values[name], source.label(name)
        try:
            parsed = _PARSERS[name](raw)
        except _Invalid as why:
            # The rejected value is quoted to help fix it, except a key, which is secret.
            problem = str(why) if name == "api_key" else f"{_shown(name, raw)}, which is {why}"
            if source.strict:
                errors.append(f"{label} is {problem}.")
                return _Resolved(value, None)
            rejected.append((label, problem))
            continue
        value, origin, chosen = parsed, label, source
        # Only numbers have ranges (what the parsers of those settings return).
        if isinstance(parsed, int | float) and (bounds := _out_of_range(name, parsed)):
            low, high = bounds
            outside = f"{label} is {_number(parsed)}, outside {_number(low)}–{_number(high)}"
            if source.strict:
                errors.append(f"{outside}.")
                return _Resolved(value, None)
            value = min(max(parsed, low), high)
            warnings.append(f"{outside}; using {_number(value)}.")
        break
    for label, problem in rejected:
        warnings.append(f"{label} is {problem}; using {_shown(name, value)} ({origin}).")
    return _Resolved(value, chosen)


def _key_withheld_by_dotenv(
    resolved: dict[str, _Resolved],
    sources: list[_Source],
    typed: _Source,
    dotenv: _Source,
    dotenv_path: Path,
) -> str | None:
    """Why the key must not go where the `.env` sends it, or None when it may.

    A `.env` comes with the folder, not with the user: one in a cloned repository must
    not redirect a key the user keeps elsewhere (the environment, the config file) to
    another server. It may when the key is in that same `.env`, or was typed as a flag,
    or when the user chose the address themselves (a flag or the environment: then the
    base URL does not come from the `.env` at all).
    """
    url, key = resolved["base_url"], resolved["api_key"]
    if url.source is not dotenv or key.source is None or key.source in (dotenv, typed):
        return None
    others = [source for source in sources if source is not dotenv]
    usual = _resolve("base_url", others, [], []).value
    there, here = _server(str(url.value)), _server(str(usual))
    if there == here:
        return None
    return (
        f"{dotenv_path} points the base URL at {_where(there)} instead of {_where(here)}, "
        f"so the API key from {key.source.label('api_key')} is not sent there. "
        f"To use that server with your key, pass --base-url (or set {ENV_VARS['base_url']} "
        f"in the environment), or put {ENV_VARS['api_key']} in that .env."
    )


def _server(base_url: str) -> tuple[str, str, int]:
    """Where and how a base URL sends requests: (scheme, host, port), the host
    case-folded. The scheme counts: the same host over plain http is another place
    for a key to go (in clear text, on the way)."""
    url = _parse_url(base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    return url.scheme, url.raw_host.decode("ascii").lower(), port


def _where(server: tuple[str, str, int]) -> str:
    scheme, host, port = server
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port == default else f"{scheme}://{host}:{port}"


def _insecure_http_from_dotenv(
    resolved: dict[str, _Resolved], typed: _Source, dotenv: _Source, dotenv_path: Path
) -> str | None:
    """Why the `.env`'s permission for plain http must be ignored, or None.

    Like the base URL, it comes with the folder: it may loosen how a key the user keeps
    elsewhere travels only if that key is in the same `.env` (or typed as a flag)."""
    allow, key = resolved["allow_insecure_http"], resolved["api_key"]
    if allow.source is not dotenv or not allow.value or key.source is None:
        return None
    if key.source in (dotenv, typed):
        return None
    return (
        f"{dotenv_path} sets {ENV_VARS['allow_insecure_http']}, but the API key comes from "
        f"{key.source.label('api_key')}: ignoring it, so the key never travels in clear "
        f"text because of a .env. Pass --allow-insecure-http to allow it."
    )


def load_settings(
    flags: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_path: Path | None = None,
    origins: dict[str, str] | None = None,
) -> SettingsResult:
    """Gather settings from flags > environment > `.env` in `cwd` > config file > defaults.

    `flags` maps setting names to values, None meaning "not given". `environ`, `cwd`
    and `config_path` default to the real ones; tests pass their own. A bad value or
    file elsewhere becomes one of the `warnings`; a bad flag raises `SettingsError`.
    `origins`, if given, is filled with where each setting came from ("--timeout",
    "MEMORIES_TIMEOUT in /path/.env", "the default"…), for `config show`.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    if config_path is None:
        config_path = default_config_path(environ)

    warnings: list[str] = []
    errors: list[str] = []
    dotenv_path = cwd / DOTENV_NAME
    typed = _flag_source(flags)
    dotenv = _dotenv_source(dotenv_path, warnings)
    sources = [typed, _env_source(environ), dotenv, _config_source(config_path, warnings)]
    resolved = {f.name: _resolve(f.name, sources, warnings, errors) for f in fields(Settings)}
    if errors:
        raise SettingsError(" ".join(errors))
    values = {name: value for name, (value, _source) in resolved.items()}
    insecure = _insecure_http_from_dotenv(resolved, typed, dotenv, dotenv_path)
    if insecure is not None:
        values["allow_insecure_http"] = False
        warnings.append(insecure)
    withheld = _key_withheld_by_dotenv(resolved, sources, typed, dotenv, dotenv_path)
    if withheld is not None:
        values["api_key"] = None
        warnings.append(withheld)
    if origins is not None:
        for name, (_value, source) in resolved.items():
            origins[name] = source.label(name) if source is not None else "the default"
        if insecure is not None:
            origins["allow_insecure_http"] = "the default (the .env may not allow it)"
        if withheld is not None:
            origins["api_key"] = "withheld (the .env points the base URL elsewhere)"
    return SettingsResult(Settings(**values), warnings)  # type: ignore[arg-type]


__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_VARS",
    "THEMES",
    "Settings",
    "SettingsError",
    "SettingsResult",
    "default_config_path",
    "load_settings",
    "mask_key",
]
