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

from memories_tui.config import Settings
from memories_tui.services.client import open_client
from memories_tui.services.library import LibraryService, first_query

__all__ = ["first_query", "open_client", "run_tui"]


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
