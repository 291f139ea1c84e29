"""Make server-sent text safe to show: no control codes, no invisible reordering, no markup.

Video names, causes and chat messages come from the server and may hold ANSI escapes,
newlines, right-to-left overrides, zero-width characters or things that look like
markup (`[bold]`, `[@click=app.quit]`). Everything the server sends passes through
`safe_text` (one line: tables, titles, notifications) or `safe_multiline` (detail panes)
before it reaches Rich or Textual. Neutralised characters are replaced by something
*visible*, rather than dropped, so the user can see that the name holds them.

Markup is a separate concern: these functions leave `[` alone, and the UI shows the
result as `rich.text.Text` / `Content` (never parsed as markup). When a string really
must be built into markup, `escape_markup` makes it literal.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import cell_len, set_cell_size
from rich.text import Text

ELLIPSIS = "…"

# Characters that reorder or hide text: bidi embeddings/overrides/isolates/marks and
# zero-width characters. Every other "format" (Cf) character is treated the same way;
# this list documents the ones that matter most.
BIDI_AND_INVISIBLE = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
    "\u200b\u200c\u200d\u2060\ufeff"  # ZWSP ZWNJ ZWJ WORD JOINER, BOM/ZWNBSP
)

_NEWLINE_SYMBOL = "\u2424"  # ␤ — more recognisable than U+240A ␊
_DELETE_SYMBOL = "\u2421"  # ␡
_REPLACEMENT = "\ufffd"  # �


def _placeholder(code_point: int) -> str | None:
    """The visible stand-in for one unsafe character, or None if it is safe as is."""
    if code_point < 0x20:
        # Unicode's Control Pictures block mirrors C0 one to one (ESC -> ␛, TAB -> ␉).
        return _NEWLINE_SYMBOL if code_point == 0x0A else chr(0x2400 + code_point)
    if code_point == 0x7F:
        return _DELETE_SYMBOL
    if 0x80 <= code_point <= 0x9F:
        # C1 controls have no pictures; some terminals act on them (0x9B is CSI).
        return _REPLACEMENT
    category = unicodedata.category(chr(code_point))
    if category == "Cs":
        # A lone surrogate cannot even be encoded for the terminal.
        return _REPLACEMENT
    if category in ("Cf", "Zl", "Zp"):
        # Invisible formatting, and line/paragraph separators that some
        # renderers treat as line breaks.
        return f"⟨U+{code_point:04X}⟩"
    return None


class _VisibleTable(dict[int, str]):
    """A `str.translate` table that fills itself in on demand.

    Only unsafe characters are cached (a few thousand at most), so a hostile string
    cannot make the table grow without bound; for safe characters `LookupError` tells
    `str.translate` to leave them untouched.
    """

    def __missing__(self, code_point: int) -> str:
        replacement = _placeholder(code_point)
        if replacement is None:
            raise LookupError(code_point)
        self[code_point] = replacement
        return replacement


_SINGLE_LINE = _VisibleTable()
_MULTILINE = _VisibleTable({0x0A: "\n"})

# Line endings a multi-line body may use; all become "\n" before neutralising.
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
TAB_SIZE = 4


def _to_str(value: object) -> str:
    """Any value as a str; None is the empty string."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    try:
        return str(value)
    except Exception:  # a broken __str__ must not take a screen down
        return "⟨unprintable⟩"


# A zero-width joiner between two pictographs is how emoji such as 👩‍💻 are built; it
# hides nothing there, so it is kept. Anywhere else it is shown as a placeholder.
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
_EMOJI_JOINER = re.compile(f"(?<=[{_EMOJI}\ufe0f])\u200d(?=[{_EMOJI}])")


def _neutralise(text: str, table: _VisibleTable) -> str:
    # isprintable() is False for every character we replace (Cc, Cf, Cs, Zl, Zp), so
    # ordinary names skip the per-character work entirely.
    if text.isprintable():
        return text
    if "\u200d" in text:
        return "\u200d".join(part.translate(table) for part in _EMOJI_JOINER.split(text))
    return text.translate(table)


def truncate_cells(text: str, max_len: int) -> str:
    """Cut `text` to at most `max_len` terminal cells, ending with "…" if it was cut."""
    if max_len <= 0:
        return ""
    if cell_len(text) <= max_len:
        return text
    # set_cell_size pads with a space when a wide character straddles the edge,
    # which keeps the result exactly max_len cells wide.
    return set_cell_size(text, max_len - 1) + ELLIPSIS


def safe_text(value: object, *, max_len: int | None = None) -> str:
    """`value` as one line with every control and invisible formatting character made visible.

    Newlines, tabs, escapes and other C0 controls become Control Pictures (␤ ␉ ␛),
    DEL becomes ␡, C1 controls and lone surrogates become �, and bidi / zero-width /
    other format characters become e.g. ⟨U+202E⟩. `max_len` bounds the width in
    terminal cells (wide characters count two), marking a cut with "…".
    """
    text = _neutralise(_to_str(value), _SINGLE_LINE)
    return text if max_len is None else truncate_cells(text, max_len)


def safe_cell(value: object, *, max_len: int | None = None) -> str:
    """`safe_text` for a column of a table or list, where widths must line up.

    Terminals disagree on the width of joined emoji (a family is 2 cells in some, 6 in
    others, and tmux differs from both); shown unjoined, every terminal agrees.
    """
    text = safe_text(value).replace("\u200d", "")
    return text if max_len is None else truncate_cells(text, max_len)


def safe_multiline(value: object, max_len: int | None = None) -> str:
    """Like `safe_text`, but keeps line breaks, for detail panes and message bodies.

    "\\r\\n", "\\r", NEL and the Unicode line/paragraph separators become "\\n"; tabs
    are expanded to spaces. `max_len` bounds the number of characters (a guard against
    huge bodies, not a layout width).
    """
    text = _to_str(value)
    text = _LINE_BREAKS.sub("\n", text)
    if "\t" in text:
        text = text.expandtabs(TAB_SIZE)
    text = _neutralise(text, _MULTILINE)
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1] + ELLIPSIS if max_len > 0 else ""
    return text


def as_text(value: object, style: str | None = None, max_len: int | None = None) -> Text:
    """A one-line `rich.text.Text` of `value`: never parsed as markup, always safe."""
    return Text(safe_text(value, max_len=max_len), style=style or "")


def escape_markup(text: str) -> str:
    """Make `text` literal inside Textual content markup (`Content.from_markup`, `Static`,
    `notify`, `Label`).

    Every "[" is escaped, not only those that look like tags: `textual.markup.escape`
    misses forms the parser still accepts (`[B]`, `[ bold]`, `[$accent]`). Textual only
    unescapes a backslash that stands directly before "[", so other backslashes need no
    change. One limit no escaping can lift: if `text` ends with a backslash, a tag
    written directly after it is shown literally, so leave a space or put the tag first.

    This is not for Rich console markup (`Text.from_markup`, plain strings given to
    `DataTable`, `Tree` or `RichLog`), whose rules differ and which also expands emoji
    codes such as ":smile:" with no way to escape them: give those widgets a `Text`
    (see `as_text`) instead of a string.
    """
    return text.replace("[", "\\[")


__all__ = [
    "BIDI_AND_INVISIBLE",
    "ELLIPSIS",
    "as_text",
    "escape_markup",
    "safe_multiline",
    "safe_text",
    "truncate_cells",
]
