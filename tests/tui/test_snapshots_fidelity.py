"""Snapshots of what the real service's quirks add to the screens, at 120x40 against
the fake (fixed seed and clock): the question before a namespace the server does not
list, and the library filtered to the failed class."""

from __future__ import annotations

import pytest

from tests.tui.helpers import make_app
from tests.tui.test_snapshots import SIZE, settle


@pytest.fixture
def app(tmp_path, snapshot_server):
    return make_app(snapshot_server.base_url, download_dir=tmp_path / "downloads")


class TestNamespace:
    def test_confirm_unknown_namespace(self, snap_compare, app):
        """A wrong case of a known name: the question names the close known one."""

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("slash", "tab", "tab", "tab", "end", "ctrl+u", *"Team-A")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
