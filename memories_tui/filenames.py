"""The one place that turns server strings into file names, and checks where files go.

A video's name is server data: it can hold "../", slashes, NUL, control characters,
right-to-left overrides, Windows-reserved names or thousands of characters. Nothing
else in the project builds a path from a server string; it calls `video_filename` and
then `safe_destination`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Container
from pathlib import Path

DEFAULT_MAX_BYTES = 200
"""Leaves room under the common 255-byte limit for " (123)" and ".part"."""

ID_MAX_BYTES = 64
"""Real ids are about 20 characters; a hostile longer one must not crowd out the name."""

EXT_MAX_CHARS = 16
FALLBACK_NAME = "video"
PART_SUFFIX = ".part"

# Illegal on Windows (and "/" everywhere); "_" keeps the name readable.
_ILLEGAL = re.compile(r'[/\\<>:"|?*]')
_WHITESPACE = re.compile(r"\s+")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_EXT_UNSAFE = re.compile(r"[^A-Za-z0-9]")

_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{prefix}{n}" for prefix in ("COM", "LPT") for n in "123456789¹²³"]
)


def _drop_invisible(text: str) -> str:
    """Control characters become spaces (so "a\\nb" stays two words); format characters
    (bidi, zero-width), separators and lone surrogates vanish."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            out.append(" ")
        elif category in ("Cf", "Cs", "Zl", "Zp"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def _clean_name(name: object) -> str:
    """A video name reduced to characters that are safe in a file name on any OS."""
    text = unicodedata.normalize("NFC", str(name) if name is not None else "")
    if not text.isprintable():
        text = _drop_invisible(text)
    text = _ILLEGAL.sub("_", text)
    text = _WHITESPACE.sub(" ", text)
    # A leading "." hides the file (and makes "." or ".."); a leading "-" reads as an
    # option to shell tools; Windows drops trailing dots and spaces by itself.
    return text.lstrip(". -").rstrip(". ")


def _clean_id(video_no: object) -> str:
    """The video id, kept to the characters real ids use; anything else becomes "_"."""
    text = unicodedata.normalize("NFC", str(video_no) if video_no is not None else "")
    text = _ID_UNSAFE.sub("_", text)[:ID_MAX_BYTES]  # ASCII only now: chars == bytes
    return text.strip(".-")


def filename_part(text: str, max_chars: int = 40) -> str:
    """`text` (a namespace, say) as a safe piece of a file name: letters, digits, "_",
    "." and "-" only; "_" when nothing is left."""
    return _ID_UNSAFE.sub("_", text)[:max_chars].strip(".") or "_"


def _clean_ext(ext: str) -> str:
    """".mp4", from whatever the caller gave ("mp4", ".MP4", "")."""
    body = _EXT_UNSAFE.sub("", ext)[:EXT_MAX_CHARS]
    return f".{body}" if body else ""


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `max_bytes`."""
    if max_bytes <= 0:
        return ""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    # Dropping a partial multi-byte sequence at the cut keeps whole characters only.
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def _is_windows_reserved(filename: str) -> bool:
    """Windows reserves CON, NUL, COM1… with or without an extension ("CON.txt")."""
    base = filename.split(".", 1)[0].rstrip(" ")
    return base.upper() in _WINDOWS_RESERVED


def video_filename(
    name: str, video_no: str, ext: str = ".mp4", max_bytes: int = DEFAULT_MAX_BYTES
) -> str:
    """A safe, readable file name for a video: "my clip-VI606404158946574336.mp4".

    The id keeps names unique and is never cut for the name's sake; the name is cut
    (on character boundaries) so the whole fits in `max_bytes` of UTF-8. An empty or
    unusable name gives "video-<id><ext>". The result never contains a path separator,
    NUL or control character, never starts with "." or "-", and is never empty.
    """
    clean_ext = _clean_ext(ext)
    clean_id = _clean_id(video_no)
    budget = max_bytes - len(clean_ext)  # ext and id are ASCII: len == bytes
    if budget < len(FALLBACK_NAME):
        raise ValueError(f"max_bytes={max_bytes} is too small for a file name")
    clean_id = clean_id[: max(budget - len(FALLBACK_NAME) - 1, 0)].rstrip(".")

    separator = "-" if clean_id else ""
    room_for_name = budget - len(clean_id) - len(separator)
    clean_name = _truncate_utf8(_clean_name(name), room_for_name).rstrip(". ")
    if not clean_name:
        clean_name = FALLBACK_NAME

    filename = f"{clean_name}{separator}{clean_id}{clean_ext}"
    if _is_windows_reserved(filename):
        # Prefixing keeps the name recognisable; "_CON.txt-VI1.mp4" is legal everywhere.
        filename = _truncate_utf8("_" + clean_name, room_for_name).rstrip(". ")
        filename = f"{filename}{separator}{clean_id}{clean_ext}"
    return filename


def safe_destination(folder: Path, filename: str) -> Path:
    """`folder / filename`, after checking that it names a file directly inside `folder`.

    Raises ValueError for anything that could land elsewhere: separators, "." or "..",
    an absolute path, NUL, or an existing symlink that points out of the folder.
    """
    return safe_destination_in(Path(folder).expanduser().resolve(), filename)


def safe_destination_in(base: Path, filename: str) -> Path:
    """`safe_destination` in a folder already resolved (`Path.resolve()`), for many files
    planned into one folder: its path holds no link then, so only the file itself can
    be one, and only a link is followed (one `lstat` a file, where resolving each
    file's whole path took 5 s for 100,000 files)."""
    if not filename or filename in (".", ".."):
        raise ValueError(f"not a usable file name: {filename!r}")
    if "\x00" in filename or any(sep and sep in filename for sep in ("/", "\\", os.sep, os.altsep)):
        raise ValueError(f"file name contains a path separator or NUL: {filename!r}")
    candidate = base / filename
    if candidate.parent != base or candidate.name != filename:
        raise ValueError(f"file name does not stay inside {base}: {filename!r}")
    # resolve() follows an existing symlink: writing through one must not escape.
    if candidate.is_symlink() and not candidate.resolve().is_relative_to(base):
        raise ValueError(f"{filename!r} is a link that points outside {base}")
    return candidate


def part_path(path: Path) -> Path:
    """Where a download is written until it is complete: "NAME.part" beside NAME."""
    return path.with_name(path.name + PART_SUFFIX)


def _taken(path: Path) -> bool:
    # lexists: a dangling symlink is still a name we must not write over.
    return os.path.lexists(path) or os.path.lexists(part_path(path))


def unique_path(path: Path, max_tries: int = 10_000, *, also_taken: Container[Path] = ()) -> Path:
    """`path` if neither it nor its ".part" exists, else "name (1).mp4", "name (2).mp4"…

    `also_taken` holds paths that do not exist yet but are promised (other downloads).
    """
    if not _taken(path) and path not in also_taken:
        return path
    stem, suffix = path.stem, path.suffix
    for n in range(1, max_tries + 1):
        candidate = path.with_name(f"{stem} ({n}){suffix}")
        if not _taken(candidate) and candidate not in also_taken:
            return candidate
    raise FileExistsError(f"no free name like {path.name!r} after {max_tries} tries")


__all__ = [
    "DEFAULT_MAX_BYTES",
    "part_path",
    "safe_destination",
    "unique_path",
    "video_filename",
]
