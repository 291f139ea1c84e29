"""Starting the TUI: page 1 of the library is asked for before the interface is loaded.

Importing Textual and building the first screen take ~250 ms, and page 1 takes a round
trip to the server. Sent first, the request travels (its thread waits for the answer)
while Textual is imported, and the library screen has its rows in its first frame.
Sent from the app once it runs, the answer came after the screen had been drawn empty,
and the request's thread then waited for the interpreter while the screen was built.

Nothing here imports Textual: that is the point.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from memories_tui.config import Settings

if TYPE_CHECKING:
    from memories_tui.api.client import MemoriesClient
    from memories_tui.services.library import LibraryService, VideoQuery


def open_client(settings: Settings) -> MemoriesClient:
    """The one client of a TUI session. Raises MemoriesError for an unusable base URL.
    (The app attaches its waiting indicator, `on_rate_wait`, once it exists.)"""
    from memories_tui.api.client import MemoriesClient

    return MemoriesClient(
        settings.api_key or "",
        settings.base_url,
        unique_id=settings.unique_id,
        rate_limit=settings.rate_limit or None,
        timeout=settings.timeout,
        allow_insecure_http=settings.allow_insecure_http,
        # The user is watching: a stalled or unreachable server is reported within
        # the timeout, with a retry key, rather than after a ladder of retries.
        retry_network_errors=False,
    )


def first_query(settings: Settings) -> VideoQuery:
    """The page the library screen opens on."""
    from memories_tui.services.library import VideoQuery

    return VideoQuery(size=settings.page_size, unique_id=settings.unique_id)


def run_tui(settings: Settings, library: LibraryService, warnings: Iterable[str] = ()) -> int:
    """Run the app on `library` (and its client) until it exits; its return code."""
    return asyncio.run(_run(settings, library, list(warnings)))


async def _run(settings: Settings, library: LibraryService, warnings: list[str]) -> int:
    if settings.api_key:
        library.begin_fetch(first_query(settings))
        # One turn of the loop sends it; from then on a thread waits for the answer.
        await asyncio.sleep(0)
    from memories_tui.tui.app import MemoriesApp  # the request travels meanwhile

    app = MemoriesApp(settings, warnings=warnings, library=library)
    await app.run_async()
    return app.return_code or 0
