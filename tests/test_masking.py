"""How an API key is shown (`mask_key`) and kept out of text (`redact`): any key, any text.

What a user would notice is the key itself, whole or mostly, in a message, a log line,
the settings or an error: so the properties say how little of a key a mask shows, that
a masked key still tells keys apart by their ends, and that no text that went through
`redact` holds the key, however the key is placed in it.
"""

from __future__ import annotations

import string
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memories_tui.api.errors import redact
from memories_tui.masking import mask_key

# Keys as services issue them: letters, digits and a few separators ("sk-…", "mai_…"),
# and the characters of base64 ("+/="), which travel percent-encoded in a URL.
KEY_ALPHABET = string.ascii_letters + string.digits + "-_.+/="
keys = st.text(KEY_ALPHABET, min_size=1, max_size=80)
# Text around a key in a message: anything but the key's own characters (and "%"), so
# that the key occurs exactly where the test puts it.
surroundings = st.text(st.characters(exclude_characters=KEY_ALPHABET + "%"), max_size=40)


def revealed(key: str, mask: str) -> int:
    """How many characters of `key` the mask shows (its visible prefix and suffix)."""
    if mask in ("not set", "****"):
        return 0
    prefix, _, suffix = mask.partition("…")
    assert key.startswith(prefix) and key.endswith(suffix), (key, mask)
    return len(prefix) + len(suffix)


@pytest.mark.parametrize(
    ("key", "mask"),
    [
        (None, "not set"),
        ("", "not set"),
        ("a", "****"),
        ("1234567", "****"),  # 7: nothing shown
        ("12345678", "…78"),  # 8: the last two
        ("sk-456789012345", "…45"),  # 15: still only the last two, prefix or not
        ("sk-4567890123456", "sk-…3456"),  # 16: the "sk-" prefix and the last four
        ("ab-4567890123456", "ab-…3456"),  # any two characters and a dash are a prefix
        ("abc4567890123456", "…3456"),  # no dash in third place: no prefix
        ("a-c4567890123456", "…3456"),  # a dash elsewhere is not a prefix
        ("-" * 16, "---…----"),
    ],
)
def test_each_length_shows_what_the_policy_says(key, mask):
    assert mask_key(key) == mask


@given(keys)
def test_a_mask_shows_at_most_a_quarter_of_a_short_key_and_under_half_of_a_long_one(key):
    mask = mask_key(key)
    shown = revealed(key, mask)
    if len(key) < 16:
        assert shown <= len(key) // 4
    else:
        assert shown <= 7 and shown < len(key) / 2
    assert key not in mask


@given(keys.filter(lambda k: len(k) >= 16), keys.filter(lambda k: len(k) >= 16))
def test_two_long_keys_with_different_ends_have_different_masks(first, second):
    # What the mask is for: telling which key is set, without showing it.
    if first[-4:] != second[-4:]:
        assert mask_key(first) != mask_key(second)


@given(keys.filter(lambda k: len(k) >= 6), st.lists(surroundings, min_size=2, max_size=5))
def test_redacted_text_never_holds_the_key_and_marks_each_place_it_was(key, pieces):
    text = key.join(pieces)  # the key between every two pieces
    out = redact(text, key)
    assert key not in out
    assert out == mask_key(key).join(pieces)


@given(keys.filter(lambda k: len(k) >= 6), surroundings, surroundings)
def test_a_percent_encoded_key_is_redacted_too(key, before, after):
    # A key pasted into a URL ("?key=sk-a%2Bb") is masked like the key itself.
    encoded = quote(key, safe="")
    mask = mask_key(key)
    assert redact(f"{before}{encoded}{after}{key}", key) == f"{before}{mask}{after}{mask}"


@given(keys.filter(lambda k: len(k) < 6), surroundings, surroundings)
def test_keys_too_short_to_be_keys_leave_text_alone(key, before, after):
    # Shorter strings would also match ordinary words: they are never replaced.
    text = before + key + after
    assert redact(text, key) == text


@given(st.text(max_size=60), keys.filter(lambda k: len(k) >= 6))
def test_text_without_the_key_is_unchanged(text, key):
    if key not in text and quote(key, safe="") not in text:
        assert redact(text, key) == text


def test_every_key_given_is_redacted_and_none_is_ignored():
    first, second = "sk-first-key-0123456789", "sk-second-key-9876543210"
    out = redact(f"{first} and {second}", None, "", first, second)
    assert first not in out and second not in out
    assert out == f"{mask_key(first)} and {mask_key(second)}"
