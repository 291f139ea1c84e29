"""Building the app for Pilot and snapshot tests against a fake server."""

from __future__ import annotations

from pathlib import Path

from memories_tui.config import Settings
from memories_tui.format import fixed_clock
from memories_tui.tui.app import MemoriesApp
from tests.conftest import FIXED_NOW

TEST_KEY = "sk-test-abcdefghijklmnop"


def make_app(base_url: str, *, download_dir: Path | None = None, page_size: int = 50,
             rate_limit: float = 0.0, **overrides) -> MemoriesApp:
    settings = Settings(
        api_key=overrides.pop("api_key", TEST_KEY),
        base_url=base_url,
        page_size=page_size,
        download_dir=download_dir,
        rate_limit=rate_limit,
        timeout=overrides.pop("timeout", 5.0),
        # Off unless a test is about it: a prefetch would add requests that tests count.
        prefetch=overrides.pop("prefetch", False),
        **overrides,
    )
    return MemoriesApp(settings, clock=fixed_clock(FIXED_NOW))


async def wait_for_workers(app, group: str | None = None) -> None:
    """Wait until the app's and screens' workers (optionally of one group) finish.

    The group "downloads" means the download manager's tasks (they are not workers);
    with no group, those are waited for too.
    """
    import asyncio

    for _ in range(200):
        if group in (None, "downloads"):
            await app.downloads.wait_idle()
        workers = [
            w for w in app.workers
            if (group is None or w.group == group) and not w.is_finished
        ]
        if not workers:
            return
        await asyncio.gather(*(w.wait() for w in workers), return_exceptions=True)
