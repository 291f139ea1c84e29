"""List Unique IDs: the namespaces (`unique_id`) that exist in the account."""

from __future__ import annotations

from memories_tui.api.models.common import require_object
from memories_tui.api.wire import read_list, warn

__all__ = ["parse_unique_ids"]


def parse_unique_ids(data: object) -> list[str]:
    """List Unique IDs `data` (`{"unique_ids": [...]}`): the names, in the server's
    order, each once. Names are case-sensitive and kept exactly as sent; `data: null`
    or a missing list is no names, and an item that is not a (non-empty) string is
    dropped with a warning."""
    body = require_object(data, "the namespaces", null_is_empty=True)
    names: list[str] = []
    for item in read_list(body.get("unique_ids"), "list_unique_ids unique_ids"):
        if not isinstance(item, str) or not item:
            warn("a namespace in list_unique_ids", item, "a name")
            continue
        if item not in names:
            names.append(item)
    return names
