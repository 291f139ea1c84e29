"""Tests of memories_tui.api."""
