"""safetext: server strings reach the screen with no control codes, no hidden
reordering and no markup."""

from __future__ import annotations

import io
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.content import Content

from memories_tui.safetext import (
    _EMOJI_JOINER,
    BIDI_AND_INVISIBLE,
    as_text,
    escape_markup,
    safe_multiline,
    safe_text,
)

# Characters a hostile server would use, mixed into otherwise arbitrary text
# (including lone surrogates, which Hypothesis leaves out by default).
HOSTILE = sorted(BIDI_AND_INVISIBLE) + list("\x00\x1b\n\r\t\x7f\x85\x9b\u2028\u2029\u00ad")
any_char = st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE))
any_text = st.text(any_char, max_size=60)

UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def unsafe_chars(text: str) -> set[str]:
    # A joiner kept inside an emoji sequence (between two pictographs) is allowed.
    unsafe = set()
    for index, ch in enumerate(text):
        if ch == "\u200d" and 0 < index < len(text) - 1 and _EMOJI_JOINER.match(text, index):
            continue
        if unicodedata.category(ch) in UNSAFE_CATEGORIES:
            unsafe.add(ch)
    return unsafe


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain name", "plain name"),
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("two\nlines", "two␤lines"),
        ("tab\there", "tab␉here"),
        ("cr\rreturn", "cr␍return"),
        ("del\x7f", "del␡"),
        ("nul\x00", "nul␀"),
        ("c1\x9b31m", "c1\ufffd31m"),
        ("evil\u202egnp.exe", "evil⟨U+202E⟩gnp.exe"),
        ("zero\u200bwidth", "zero⟨U+200B⟩width"),
        ("\ufeffbom", "⟨U+FEFF⟩bom"),
        ("line\u2028sep", "line⟨U+2028⟩sep"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("[bold]x[/bold]", "[bold]x[/bold]"),
        ("日本語 café", "日本語 café"),
    ],
)
def test_safe_text_examples(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


@pytest.mark.parametrize("char", sorted(BIDI_AND_INVISIBLE))
def test_every_bidi_and_zero_width_char_is_made_visible(char: str) -> None:
    assert safe_text(f"a{char}b") == f"a⟨U+{ord(char):04X}⟩b"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, ""), (42, "42"), (1.5, "1.5"), (True, "True"), (b"by\x1bte", "by␛te")],
)
def test_safe_text_accepts_any_value(value: object, shown: str) -> None:
    assert safe_text(value) == shown


def test_safe_text_survives_a_broken_str() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    assert safe_text(Broken()) == "⟨unprintable⟩"


@pytest.mark.parametrize(
    ("raw", "max_len", "shown"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("a longer name", 8, "a longe…"),
        ("日本語日本語", 7, "日本語…"),  # wide characters count two cells
        ("日本語日本語", 6, "日本 …"),  # a wide char cannot be split: pad instead
        ("anything", 1, "…"),
        ("anything", 0, ""),
    ],
)
def test_safe_text_truncates_to_cells(raw: str, max_len: int, shown: str) -> None:
    assert safe_text(raw, max_len=max_len) == shown


def test_safe_multiline_keeps_lines_and_expands_tabs() -> None:
    assert safe_multiline("a\r\nb\rc\u2028d\te\x1b") == "a\nb\nc\nd   e␛"


def test_safe_multiline_bounds_length() -> None:
    assert safe_multiline("x" * 50, max_len=10) == "x" * 9 + "…"


def test_as_text_never_parses_markup() -> None:
    text = as_text("[bold red]x[/] \x1b", style="dim", max_len=20)
    assert isinstance(text, Text)
    assert text.plain == "[bold red]x[/] ␛"
    assert not text.spans
    assert str(text.style) == "dim"


@given(any_text)
def test_safe_text_output_has_no_control_or_invisible_chars(raw: str) -> None:
    assert unsafe_chars(safe_text(raw)) == set()


@given(any_text)
def test_safe_multiline_output_has_no_control_chars_but_newline(raw: str) -> None:
    assert unsafe_chars(safe_multiline(raw)) <= {"\n"}


@given(any_text, st.integers(min_value=0, max_value=30))
def test_safe_text_fits_in_max_len_cells(raw: str, max_len: int) -> None:
    assert cell_len(safe_text(raw, max_len=max_len)) <= max_len


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cf", "Zl", "Zp"])))
def test_safe_text_leaves_ordinary_text_alone(raw: str) -> None:
    assert safe_text(raw) == raw


# Brackets, backslashes and tag-like words are what markup parsers react to.
markup_piece = st.one_of(
    st.sampled_from(list("[]\\/@#$=:; ")),
    st.sampled_from(["b", "B", "bold", "link=x", "on red", "@click=app.quit", "$accent"]),
    st.characters(codec="utf-8"),
)
markup_text = st.lists(markup_piece, max_size=20).map("".join)


@pytest.mark.parametrize(
    "raw",
    [
        "[bold]x[/bold]", "[@click=app.quit]quit[/]", "[B]x", "[ bold]x", "[$accent]x", "\\[b]",
        "[/]", "a\\",
    ],
)
def test_escape_markup_examples_render_literally(raw: str) -> None:
    content = Content.from_markup(f"x {escape_markup(raw)}")
    assert content.plain == f"x {raw}"
    assert not content.spans


@given(markup_text)
def test_escape_markup_renders_exactly_the_input(raw: str) -> None:
    # The UI escapes text that safe_text has already cleaned (Textual drops controls).
    shown = safe_text(raw)
    content = Content.from_markup(f"x {escape_markup(shown)} [b]y[/b]")
    assert content.plain == f"x {shown} y"
    assert all(span.start >= len(f"x {shown} ") for span in content.spans)



def test_emoji_joiners_are_kept_and_lone_ones_shown():
    assert safe_text("coder 👩\u200d💻") == "coder 👩\u200d💻"
    assert safe_text("a\u200db") == "a⟨U+200D⟩b"


# -- what reaches the screen --------------------------------------------------------------

long_text = st.builds(lambda piece, times: piece * times, any_text, st.integers(1, 200))


def on_screen(renderable, width: int = 40) -> str:
    """What a terminal would be sent for `renderable`, styles left out."""
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False,
                      force_terminal=True)
    console.print(renderable)
    return console.file.getvalue()


def terminal_controls(output: str) -> set[str]:
    """C0 and C1 controls (ESC, BEL, CSI 0x9b…) except the line breaks of layout."""
    return {ch for ch in output if unicodedata.category(ch) == "Cc" and ch != "\n"}


@given(st.one_of(any_text, long_text))
def test_no_control_character_reaches_the_screen(raw: str) -> None:
    # One line (tables, titles, notifications), cut or not, and a multi-line body.
    for renderable in (as_text(raw), as_text(raw, max_len=20), Text(safe_multiline(raw))):
        output = on_screen(renderable)
        assert terminal_controls(output) == set()
        assert unsafe_chars(output.replace("\n", "")) == set()
    # Textual content (Static, Label, notifications) built from the same text.
    content = Content(safe_text(raw))
    assert unsafe_chars(content.plain) == set()


def test_unsafe_text_would_reach_the_screen_raw():
    # Why the functions above matter: Rich passes ESC and OSC sequences straight through.
    assert terminal_controls(on_screen(Text("\x1b]52;c;aGVsbG8=\x07"))) == {"\x1b"}


def test_safe_cell_shows_joined_emoji_unjoined_so_columns_line_up():
    from rich.cells import cell_len

    from memories_tui.safetext import safe_cell

    family = "👨\u200d👩\u200d👧 customer interview"
    assert safe_cell(family) == "👨👩👧 customer interview"
    assert cell_len(safe_cell(family, max_len=10)) <= 10
    assert safe_cell("a\u200db") == "a⟨U+200D⟩b"  # a stray joiner still shows


# -- exact results at the edges (each pins a rule a mutation test found unpinned) ----------


def test_c1_controls_from_the_first_to_the_last_become_replacement_characters() -> None:
    from memories_tui.safetext import safe_text

    assert safe_text("a\x80b\x9bc\x9fd") == "a\ufffdb\ufffdc\ufffdd"
    assert safe_text("\xa0") == "\xa0"  # just past them: a printable space, kept


def test_line_and_paragraph_separators_are_shown_not_obeyed() -> None:
    from memories_tui.safetext import safe_text

    assert safe_text("a\u2028b\u2029c") == "a⟨U+2028⟩b⟨U+2029⟩c"


def test_bytes_that_are_not_utf8_show_replacement_characters() -> None:
    from memories_tui.safetext import safe_multiline, safe_text

    assert safe_text(b"caf\xc3\xa9 \xff!") == "café \ufffd!"
    assert safe_multiline(bytearray(b"a\xfe\nb")) == "a\ufffd\nb"


def test_multiline_bounds_count_characters_and_mark_the_cut() -> None:
    from memories_tui.safetext import safe_multiline

    assert safe_multiline("abc", max_len=3) == "abc"  # exactly the bound: whole
    assert safe_multiline("abcd", max_len=3) == "ab…"
    assert safe_multiline("abc", max_len=1) == "…"
    assert safe_multiline("abc", max_len=0) == ""


def test_as_text_is_one_safe_line_of_plain_text() -> None:
    from memories_tui.safetext import as_text

    text = as_text("[b]bold[/b]\x1b and more", max_len=8)
    assert text.plain == "[b]bold…" and str(text.style) == ""
    assert str(as_text("x", style="red").style) == "red"
