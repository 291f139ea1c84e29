"""memories-tui: a terminal UI for a Memories.ai video library."""

__version__ = "0.1.0"
