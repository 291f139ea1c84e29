"""How an API key may be shown: enough to tell keys apart, never enough to use one.

One policy for the whole program (settings, errors, logs, reprs). It lives on its own,
importing nothing, so the settings can use it without loading the API client.
"""

from __future__ import annotations


def mask_key(key: str | None) -> str:
    """"sk-…abcd" for a long key, "…cd" for a shorter one, "****" for a very short one,
    "not set" for none.

    Short keys show less, so the mask never gives away most of the key; the first
    three characters are shown only when they are a prefix like "sk-".
    """
    if not key:
        return "not set"
    if len(key) >= 16:
        prefix = key[:3] if key[2:3] == "-" else ""
        return f"{prefix}…{key[-4:]}"
    if len(key) >= 8:
        return f"…{key[-2:]}"
    return "****"
