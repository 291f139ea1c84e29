"""The one API client of a session, built from the settings.

Both ways in use it: the TUI (through `memories_tui.startup`) and, without Textual,
anything else that talks to the service. The policy that differs between callers
(whether to retry a stalled server) is decided here, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from memories_tui.config import Settings

if TYPE_CHECKING:
    from memories_tui.api.client import MemoriesClient


def open_client(settings: Settings, *, interactive: bool = True) -> MemoriesClient:
    """The client for `settings`. Raises MemoriesError for an unusable base URL and
    ValueError for a key that cannot be sent. (The app attaches its waiting indicator,
    `on_rate_wait`, once it exists.)

    `interactive`: someone is watching, so a stalled or unreachable server is reported
    within the timeout, with a retry key, rather than after a ladder of retries.
    """
    from memories_tui.api.client import MemoriesClient

    return MemoriesClient(
        settings.api_key or "",
        settings.base_url,
        unique_id=settings.unique_id,
        rate_limit=settings.rate_limit or None,
        timeout=settings.timeout,
        allow_insecure_http=settings.allow_insecure_http,
        retry_network_errors=not interactive,
    )
