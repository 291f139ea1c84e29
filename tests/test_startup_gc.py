"""The garbage collector is paused for the start-up only: the TUI resumes it once its
first frame is up, a subcommand before it runs, and whatever ends `main` on the way out.
(A collector left off would let a long session's cyclic garbage pile up unseen.)"""

from __future__ import annotations

import gc

import pytest

from memories_tui import cli, startup_gc
from tests.tui.helpers import make_app


@pytest.fixture(autouse=True)
def _collector_back_on():
    frozen = startup_gc._frozen
    yield
    gc.enable()
    startup_gc._frozen = frozen


async def test_the_tui_collects_again_once_its_first_frame_is_up(fake_server):
    startup_gc.pause()
    app = make_app(fake_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert gc.isenabled()


def test_a_subcommand_runs_with_the_collector_on(monkeypatch, capsys):
    import memories_tui.commands.runtime as runtime

    seen: list[bool] = []
    monkeypatch.setattr(runtime, "run_command", lambda *args: seen.append(gc.isenabled()) or 0)
    assert cli.main(["config", "show"]) == 0
    assert seen == [True]


def test_the_way_out_turns_it_back_on_whatever_ends_main(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert gc.isenabled()


def test_what_start_up_built_is_frozen_once(monkeypatch):
    monkeypatch.setattr(startup_gc, "_frozen", False)
    before = gc.get_freeze_count()
    try:
        startup_gc.pause()
        built = [[n] for n in range(1000)]  # tracked objects, like the imports' ones
        startup_gc.resume()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(built)
        frozen = gc.get_freeze_count()
        startup_gc.pause()
        more = [[n] for n in range(1000)]
        startup_gc.resume()  # a second start in one process (tests): nothing more frozen
        # (Frozen objects freed meanwhile leave the count: it may only have gone down.)
        assert gc.get_freeze_count() < frozen + len(more)
    finally:
        gc.unfreeze()
