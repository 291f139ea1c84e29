"""Settings, gathered from flags > environment > `.env` > config file > defaults.

Each setting is taken from the highest source that gives a *usable* value. A bad value
(`MEMORIES_PAGE_SIZE=abc`) never stops the program: it is skipped with a warning in
plain words that names where it came from and what is used instead. The caller shows
the warnings; this module prints nothing.

The `.env` file is read with `dotenv_values`, not loaded into `os.environ`, so the key
it holds is not passed on to child processes. The API key is never put in a warning,
a repr or an exception message; `Settings.masked_key` is the form to show.
"""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from memories_tui.masking import mask_key

DEFAULT_BASE_URL = "https://api.memories.ai"
PAGE_SIZE_RANGE = (1, 1000)  # the API's examples use 200; more than 1000 helps nobody
CONCURRENT_DOWNLOADS_RANGE = (1, 8)
CONFIG_DIR_NAME = "memories-tui"
CONFIG_FILE_NAME = "config.toml"
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

    @property
    def masked_key(self) -> str:
        """The key as it may be shown: "sk-…abcd", or "not set"."""
        return mask_key(self.api_key)

    def __repr__(self) -> str:
        # Hand-written so the key can never reach a log or traceback through repr().
        parts = [f"api_key={self.masked_key!r}"]
        parts += [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name != "api_key"]
        return f"Settings({', '.join(parts)})"


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


def _parse_base_url(raw: object) -> str:
    url = _parse_str(raw).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Invalid("not an http:// or https:// address")
    return url


def _parse_unique_id(raw: object) -> str:
    value = _parse_str(raw)
    if not value.isprintable():
        raise _Invalid("text with control or invisible characters")
    return value


def _parse_path(raw: object) -> Path:
    if isinstance(raw, Path):
        return raw.expanduser()
    return Path(_parse_str(raw)).expanduser()


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
    "api_key": _parse_str,
    "base_url": _parse_base_url,
    "unique_id": _parse_unique_id,
    "page_size": _parse_int,
    "download_dir": _parse_path,
    "theme": _parse_str,
    "rate_limit": _parse_rate_limit,
    "timeout": _parse_timeout,
    "concurrent_downloads": _parse_int,
    "allow_insecure_http": _parse_bool,
    "prefetch": _parse_bool,
}

_RANGES: dict[str, tuple[int, int]] = {
    "page_size": PAGE_SIZE_RANGE,
    "concurrent_downloads": CONCURRENT_DOWNLOADS_RANGE,
}

ENV_VARS: dict[str, str] = {name: f"MEMORIES_{name.upper()}" for name in _PARSERS}
"""Setting name -> environment variable (also the names used in `.env`)."""

_DEFAULTS = Settings()


def _given(raw: object) -> bool:
    """None and blank strings mean "not set here": `MEMORIES_API_KEY=` in a `.env`
    copied from `.env.example` must not override a key from the config file."""
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


# --- sources --------------------------------------------------------------------------


@dataclass
class _Source:
    """One place settings come from, with how to name a setting in a warning."""

    values: dict[str, object]
    label: Callable[[str], str]


def _flag_source(flags: Mapping[str, object] | None) -> _Source:
    # Keys that are not settings are ignored, so `vars(args)` can be passed as is.
    values = {k: v for k, v in (flags or {}).items() if k in _PARSERS and _given(v)}
    return _Source(values, lambda name: "--" + name.replace("_", "-"))


def _env_source(environ: Mapping[str, str]) -> _Source:
    values = {name: environ[var] for name, var in ENV_VARS.items() if _given(environ.get(var))}
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
    """`$XDG_CONFIG_HOME/memories-tui/config.toml`, by default under ~/.config."""
    environ = os.environ if environ is None else environ
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


def _shown(name: str, value: object) -> str:
    """A value as it may appear in a warning."""
    if name == "api_key":
        return mask_key(value) if isinstance(value, str) and value else "no key"
    if name == "download_dir" and value is None:
        return "the current directory"
    text = repr(str(value) if isinstance(value, Path) else value)
    return text if len(text) <= 60 else text[:59] + "…"


def _resolve(name: str, sources: list[_Source], warnings: list[str]) -> object:
    """The value of one setting from the first source that gives a usable one."""
    rejected: list[tuple[str, object, str]] = []
    value: object = getattr(_DEFAULTS, name)
    origin = "the default"
    for source in sources:
        if name not in source.values:
            continue
        raw = source.values[name]
        try:
            parsed = _PARSERS[name](raw)
        except _Invalid as why:
            rejected.append((source.label(name), raw, str(why)))
            continue
        value, origin = parsed, source.label(name)
        if name in _RANGES:
            low, high = _RANGES[name]
            clamped = min(max(parsed, low), high)  # type: ignore[type-var]
            if clamped != parsed:
                warnings.append(
                    f"{origin} is {parsed}, outside {low}–{high}; using {clamped}."
                )
                value = clamped
        break
    for label, raw, why in rejected:
        # The rejected value is quoted to help fix it, except a key, which is secret.
        problem = why if name == "api_key" else f"{_shown(name, raw)}, which is {why}"
        warnings.append(f"{label} is {problem}; using {_shown(name, value)} ({origin}).")
    return value


def load_settings(
    flags: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_path: Path | None = None,
) -> SettingsResult:
    """Gather settings from flags > environment > `.env` in `cwd` > config file > defaults.

    `flags` maps setting names to values, None meaning "not given". `environ`, `cwd`
    and `config_path` default to the real ones; tests pass their own. Never raises for
    a bad value or file: those become `warnings`.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    if config_path is None:
        config_path = default_config_path(environ)

    warnings: list[str] = []
    sources = [
        _flag_source(flags),
        _env_source(environ),
        _dotenv_source(cwd / DOTENV_NAME, warnings),
        _config_source(config_path, warnings),
    ]
    values = {f.name: _resolve(f.name, sources, warnings) for f in fields(Settings)}
    return SettingsResult(Settings(**values), warnings)  # type: ignore[arg-type]


__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_VARS",
    "Settings",
    "SettingsResult",
    "default_config_path",
    "load_settings",
    "mask_key",
]
