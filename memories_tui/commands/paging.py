"""Reading a paged listing (sessions, images) page after page, for the subcommands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from memories_tui.commands.runtime import Runtime


class Paged(Protocol):
    @property
    def page(self) -> int: ...
    @property
    def page_size(self) -> int: ...
    @property
    def total_count(self) -> int: ...


T = TypeVar("T")
P = TypeVar("P", bound=Paged)


async def collect_pages(
    rt: Runtime,
    fetch: Callable[[int], Awaitable[P]],
    items: Callable[[P], Sequence[T]],
    key: Callable[[T], str],
    *,
    limit: int | None,
    what: str,
) -> list[T]:
    """Items of page 1, 2, … until `limit` (None: all) or the last page; each item once
    (by `key`). Progress on stderr when it is a terminal."""
    found: dict[str, T] = {}
    page = 1
    while limit is None or len(found) < limit:
        answer = await fetch(page)
        rows = items(answer)
        for item in rows:
            found.setdefault(key(item), item)
        rt.progress.show(f"{what}… {len(found):,} of {answer.total_count:,}")
        read = (answer.page - 1) * max(1, answer.page_size) + len(rows)
        if not rows or read >= answer.total_count:
            break
        page = answer.page + 1
    rt.progress.clear()
    values = list(found.values())
    return values if limit is None else values[:limit]
