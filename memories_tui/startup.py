"""Starting the TUI: page 1 of the library is asked for before the interface is loaded.

Importing Textual and building the first screen take ~250 ms, and page 1 takes a round
trip to the server. Sent first, the request travels while Textual is imported (in a
thread, so the event loop drives the request), and the library screen has its rows in
its first frame. Sent from the app once it runs, the answer came after the screen had
been drawn empty.

Nothing here imports Textual at module level: that is the point.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterable

from memories_tui.config import Settings
from memories_tui.services.client import open_client
from memories_tui.services.library import LibraryService, first_query
from memories_tui.services.ui_state import UiStateStore

__all__ = ["first_query", "open_client", "run_tui"]


def run_tui(settings: Settings, library: LibraryService, warnings: Iterable[str] = (),
            remembered: UiStateStore | None = None, *, index_in_memory: bool = False) -> int:
    """Run the app on `library` (and its client) until it exits; its return code.
    `index_in_memory`: the demo's local index lives as long as its server."""
    return asyncio.run(_run(settings, library, list(warnings), remembered, index_in_memory))


async def _run(settings: Settings, library: LibraryService, warnings: list[str],
               remembered: UiStateStore | None = None, index_in_memory: bool = False) -> int:
    if settings.api_key:
        library.begin_fetch(first_query(settings))
        # The request's first step (up to its first wait) runs here, before the import.
        await asyncio.sleep(0)
        # httpx's transport moves the request only while this event loop runs, so
        # Textual is imported in a thread meanwhile. Imported here, it would hold the
        # loop, and the connection (and each round trip to a distant server) would wait
        # until the import is over; measured on loopback the thread costs about nothing,
        # and with a 100 ms round trip it has page 1 there ~100 ms sooner.
        module = await asyncio.to_thread(importlib.import_module, "memories_tui.tui.app")
        app_class = module.MemoriesApp
    else:
        from memories_tui.tui.app import MemoriesApp as app_class

    app = app_class(settings, warnings=warnings, library=library, remembered=remembered,
                    index_in_memory=index_in_memory)
    await app.run_async(mouse=settings.mouse)
    return app.return_code or 0
