"""Start-up without the cyclic garbage collector, then with the start-up's objects out of
its sight.

Importing Textual, httpx and the app builds about 50,000 objects that live as long as
the process, and almost no cyclic garbage (about 500 objects). The collector, which runs
every 700 allocations, walks the growing heap again and again meanwhile: 40-60 ms of a
start of about 400 ms on a 2-CPU machine (measured with `gc.callbacks`). So the command
line pauses it first thing (`pause`), and the TUI resumes it once its first frame is up
(`resume`; a subcommand, before it runs). Resuming first freezes what exists
(`gc.freeze`: moved to a generation no collection walks), so no later collection
walks those 50,000 objects either: a full collection of them costs 25-45 ms, which
would otherwise fall on some later keystroke.

Risks, and why they are small: the garbage made before `resume` is kept for the
process's life (a few hundred objects); memory grows without collection only until the
first frame (a fraction of a second). Nothing else changes: reference counting frees
everything that is not in a cycle as usual.
"""

from __future__ import annotations

import gc

_frozen = False


def pause() -> None:
    """No cyclic collection until `resume()`."""
    gc.disable()


def resume() -> None:
    """Collect as usual again, the objects made so far frozen (the first time only: a
    process starts once; later calls, in tests say, just make sure it is enabled)."""
    global _frozen
    if gc.isenabled():
        return
    if not _frozen:
        _frozen = True
        gc.freeze()
    gc.enable()
