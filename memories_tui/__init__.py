"""memories-tui: a terminal UI for a Memories.ai video library."""

import sys

# httpx's package imports its command-line tool (click, pygments, rich's syntax and
# progress) when it can: ~20-60 ms of start-up for a tool we never run. A None entry in
# sys.modules makes that one import fail, and httpx then defines a stub `main` instead
# (its own fallback for installs without the CLI's extras). Nothing else changes. It is
# here, in the package's first module, because any module may be the first to import
# httpx (the settings parse a base URL with it, before the client exists).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

__version__ = "0.1.0"
