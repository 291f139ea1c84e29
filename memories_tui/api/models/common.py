"""What every parser shares: the check that `data` is an object, lists of records,
page numbers and dropping repeated ids."""

from __future__ import annotations

from memories_tui.api.errors import BadResponseError
from memories_tui.api.wire import (
    log,
    read_int,
    read_list,
)


def require_object(data: object, what: str, *, null_is_empty: bool = False) -> dict[str, object]:
    """The envelope's `data` must be an object for every endpoint that returns one.

    `null_is_empty`: for lists, where the service answers `data: null` when there is
    nothing to list (an empty page of sessions, a task still downloading)."""
    if isinstance(data, dict):
        return data
    if data is None and null_is_empty:
        return {}
    kind = "nothing" if data is None else type(data).__name__
    raise BadResponseError(
        f"The server's answer for {what} held {kind} where an object belongs.",
    )


def records(value: object, label: str) -> list[dict[str, object]]:
    """The objects of a list field; other items are dropped with a warning."""
    records = []
    for item in read_list(value, label):
        if isinstance(item, dict):
            records.append(item)
        else:
            log.warning("Ignoring an item of %s that is not an object.", label)
    return records


def page_numbers(
    data: dict[str, object], label: str, count: int, page: int, size: int
) -> tuple[int, int, int]:
    """(page, page_size, total_count), falling back to what was asked for."""
    got_page = read_int(data.get("current_page"), f"{label} current_page", minimum=1)
    got_size = read_int(data.get("page_size"), f"{label} page_size", minimum=1)
    got_total = read_int(data.get("total_count"), f"{label} total_count")
    page = got_page if got_page is not None else page
    size = got_size if got_size is not None else size
    if got_total is None:
        # At least the rows before this page plus the ones on it exist.
        got_total = (page - 1) * size + count
    return page, size, got_total


def unique_by_id(items: list, label: str, key) -> tuple:
    """Drop repeated ids: tables key rows by id and a repeat would break them."""
    seen: set[str] = set()
    unique = []
    for item in items:
        ident = key(item)
        if ident in seen:
            log.warning("Ignoring a repeated %s %s.", label, ident)
            continue
        seen.add(ident)
        unique.append(item)
    return tuple(unique)
