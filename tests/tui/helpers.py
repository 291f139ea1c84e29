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
        # The local index too: its sync would add requests, and its header line.
        index=overrides.pop("index", False),
        **overrides,
    )
    return MemoriesApp(settings, clock=fixed_clock(FIXED_NOW))


async def wait_for_workers(app, group: str | None = None) -> None:
    """Wait until the app's and screens' workers (optionally of one group) finish.

    The group "downloads" means the download manager's tasks (they are not workers);
    with no group, those are waited for too. The local index's sync (group "index")
    runs until the app ends: it is waited for only when asked for by name.
    """
    import asyncio

    for _ in range(200):
        if group in (None, "downloads"):
            await app.downloads.wait_idle()
        workers = [
            w for w in app.workers
            if (w.group == group or (group is None and w.group != "index"))
            and not w.is_finished
        ]
        if not workers:
            return
        await asyncio.gather(*(w.wait() for w in workers), return_exceptions=True)


def pending_timers(app) -> list[str]:
    """The one-shot timers (`set_timer`) of the app and its screens that have not fired.

    With no worker running and none of these, nothing is left to happen by itself:
    a test can say "nothing more will be sent" without waiting for a debounce that
    might exist. (Repeating timers, such as a blinking cursor, are left out.)
    """
    nodes = [app]
    for stack in app._screen_stacks.values():
        for screen in stack:
            nodes.append(screen)
            nodes.extend(screen.walk_children(with_self=False))
    return sorted(
        timer.name
        for node in nodes
        for timer in list(node._timers)
        if timer._repeat == 0 and timer._task is not None and not timer._task.done()
    )


async def until(pilot, condition, what: str = "the condition", *, group: str | None = None,
                turns: int = 200) -> None:
    """Let the app run (its workers finish, its messages are handled) until `condition()`
    holds; after `turns` rounds without it, fail instead of hanging."""
    for _ in range(turns):
        if condition():
            return
        await wait_for_workers(pilot.app, group)
        await pilot.pause()
    raise AssertionError(f"{what} never happened")
