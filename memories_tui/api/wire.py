"""Readers that turn the API's wire values into Python values, tolerantly.

The API sends numbers as strings ("12") or numbers, the word "null" for no value,
milliseconds beside seconds. Each reader here takes one raw value and a label naming
the field; a value it cannot read becomes None (or an empty value) plus one warning on
the "memories_tui.api" logger — never an exception, so one odd field cannot break a
screen. Nothing outside `memories_tui.api` should need these.
"""

from __future__ import annotations

import json
import logging
import math
import re
from datetime import UTC, datetime, timedelta

log = logging.getLogger("memories_tui.api")

# Words the API (and its neighbours) use for "no value" in optional fields.
_NO_VALUE_WORDS = frozenset({"", "null", "none", "nil", "undefined"})

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Below this many milliseconds (March 1973) a "milliseconds" stamp is surely in seconds,
# and above this many seconds (year 5138) a "seconds" stamp is surely in milliseconds.
_UNIT_GUESS_LIMIT = 100_000_000_000

_HASHTAG_SEPARATORS = re.compile(r"[#,\s\uff03]+")  # \uff03: the full-width ＃
_MAX_LOGGED_VALUE = 80
_MAX_EXTRA_TEXT = 500


def short_repr(value: object) -> str:
    """A bounded repr for warnings: a huge or hostile value must not flood the log."""
    text = repr(value)
    if len(text) > _MAX_LOGGED_VALUE:
        text = text[: _MAX_LOGGED_VALUE - 1] + "…"
    return text


def warn(label: str, value: object, expected: str) -> None:
    log.warning("Ignoring %s: %s is not %s.", label, short_repr(value), expected)


def is_no_value(value: object) -> bool:
    """JSON null, or one of the strings that mean "nothing here" ("null", "", "None")."""
    return value is None or (isinstance(value, str) and value.strip().lower() in _NO_VALUE_WORDS)


def _number(value: object) -> int | float | None:
    """An int or finite float from a JSON number or numeric string; None if it is neither."""
    if isinstance(value, bool):
        return None  # true/false are not numbers, though Python says they are ints.
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass  # not an integer literal (or more digits than Python will parse)
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def read_int(value: object, label: str, *, minimum: int | None = 0) -> int | None:
    """A whole number (rounded if fractional); None for no value, garbage or below `minimum`."""
    if is_no_value(value):
        return None
    number = _number(value)
    if number is None:
        warn(label, value, "a number")
        return None
    whole = number if isinstance(number, int) else round(number)
    if minimum is not None and whole < minimum:
        warn(label, value, f"a number of at least {minimum}")
        return None
    return whole


def read_size(value: object, label: str) -> int | None:
    """A size in bytes; the service sends "0" for a size it does not know, so 0 is None
    (shown as unknown, never as "0 Bytes")."""
    return read_int(value, label) or None


def read_float(value: object, label: str, *, minimum: float | None = 0.0) -> float | None:
    """A finite float; None for no value, garbage or below `minimum`."""
    if is_no_value(value):
        return None
    number = _number(value)
    if number is None:
        warn(label, value, "a number")
        return None
    try:
        result = float(number)
    except OverflowError:  # an int too large for a float
        warn(label, value, "a number in range")
        return None
    if minimum is not None and result < minimum:
        warn(label, value, f"a number of at least {minimum}")
        return None
    return result


def _scalar_text(value: object) -> str | None:
    """The text of a scalar that arrived where a string belongs; None for lists/objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**63:
            return str(int(value))  # an id sent as 6.0e17 reads better as digits
        return str(value)
    return None


def read_text(value: object, label: str) -> str | None:
    """Optional text (status, cause, urls): None for no value ("null", "", JSON null)."""
    if is_no_value(value):
        return None
    text = _scalar_text(value)
    if text is None:
        warn(label, value, "text")
    return text


def read_id(value: object, label: str) -> str | None:
    """An identifier, stripped; a number becomes its digits; None when absent or unusable."""
    text = read_text(value, label)
    if text is None:
        return None
    return text.strip() or None


def read_name(value: object, label: str) -> str:
    """A name or title: kept verbatim (a video may be called "null"); JSON null is ""."""
    if value is None:
        return ""
    text = _scalar_text(value)
    if text is None:
        warn(label, value, "text")
        return ""
    return text


def _from_unix(amount: int | float, *, milliseconds: bool) -> datetime:
    if isinstance(amount, float):
        # Whole milliseconds are exact enough and keep the arithmetic in integers.
        amount = round(amount * (1 if milliseconds else 1000))
        milliseconds = True
    if milliseconds:
        return _EPOCH + timedelta(milliseconds=amount)
    return _EPOCH + timedelta(seconds=amount)


def _read_time(value: object, label: str, *, milliseconds: bool) -> datetime | None:
    if is_no_value(value):
        return None
    number = _number(value)
    if number is None:
        if isinstance(value, str):
            parsed = _read_iso_time(value)
            if parsed is not None:
                return parsed
        warn(label, value, "a time")
        return None
    if number <= 0:
        if number < 0:
            warn(label, value, "a time after 1970")
        return None  # 0 is the usual "never set"
    # Guess the unit only where the documented one would give a absurd date.
    if milliseconds and number < _UNIT_GUESS_LIMIT:
        milliseconds = False
    elif not milliseconds and number >= _UNIT_GUESS_LIMIT:
        milliseconds = True
    try:
        return _from_unix(number, milliseconds=milliseconds)
    except (OverflowError, ValueError):
        warn(label, value, "a time in range")
        return None


def _read_iso_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def read_ms_time(value: object, label: str) -> datetime | None:
    """An aware UTC datetime from Unix milliseconds (how `create_time` travels)."""
    return _read_time(value, label, milliseconds=True)


def read_seconds_time(value: object, label: str) -> datetime | None:
    """An aware UTC datetime from Unix seconds (how `publish_time` travels)."""
    return _read_time(value, label, milliseconds=False)


def read_list(value: object, label: str) -> list[object]:
    """A JSON list; no value gives [], anything else (an object, a string) [] plus a warning."""
    if isinstance(value, list):
        return value
    if not is_no_value(value):
        warn(label, value, "a list")
    return []


def read_object(value: object, label: str) -> dict[str, object] | None:
    """A JSON object; no value gives None, anything else None plus a warning."""
    if isinstance(value, dict):
        return value
    if not is_no_value(value):
        warn(label, value, "an object")
    return None


def read_hashtags(value: object, label: str) -> tuple[str, ...]:
    """"#nba#minnesota #wolves, x" -> ("nba", "minnesota", "wolves", "x"); also a list of tags."""
    if is_no_value(value):
        return ()
    if isinstance(value, list):
        pieces = [text for item in value if (text := _scalar_text(item)) is not None]
    else:
        text = _scalar_text(value)
        if text is None:
            warn(label, value, "hashtags")
            return ()
        pieces = [text]
    tags: list[str] = []
    for piece in pieces:
        tags.extend(tag for tag in _HASHTAG_SEPARATORS.split(piece) if tag)
    return tuple(tags)


def display_text(value: object) -> str:
    """Any JSON value as one bounded line of text, for fields shown as they came."""
    text = _scalar_text(value)
    if text is None:
        if value is None:
            text = ""
        else:
            try:
                text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            except (TypeError, ValueError, RecursionError):
                text = short_repr(value)
    if len(text) > _MAX_EXTRA_TEXT:
        text = text[: _MAX_EXTRA_TEXT - 1] + "…"
    return text


def first_present(
    record: dict[str, object], *keys: str, words_are_values: bool = False
) -> tuple[str | None, object]:
    """The first of `keys` that `record` holds with a value, and that value.

    With `words_are_values` only JSON null counts as absent, so a name that is
    literally "null" is still found.
    """
    for key in keys:
        value = record.get(key)
        if value is None:
            continue
        if words_are_values or not is_no_value(value):
            return key, value
    return None, None
