"""What a delete tells the user, word for word, and the cases that need a second chunk,
another namespace or a failed check to tell it.

The sentences are what the TUI's notifications and the command line's stderr say after
a delete: each one is checked exactly, since a wrong word here ("deleted" for "may or
may not have been deleted") is the trust the delete rules exist for.
"""

from __future__ import annotations

import asyncio

import pytest

from memories_tui.api.client import MemoriesClient
from memories_tui.services.deletes import (
    DeleteBusyError,
    DeleteOutcome,
    DeleteProgress,
    DeleteService,
    listed,
)
from memories_tui.services.library import LibraryService, VideoQuery

KEY = "sk-test-abcdefghijklmnop"


def test_deleted_counts_one_video_and_many_videos():
    assert DeleteOutcome(deleted=("VI1",)).sentences() == [("deleted", "Deleted 1 video.")]
    assert DeleteOutcome(deleted=("VI1", "VI2")).sentences() == [
        ("deleted", "Deleted 2 videos.")]
    many = tuple(f"VI{n}" for n in range(1234))
    assert DeleteOutcome(deleted=many).sentences() == [("deleted", "Deleted 1,234 videos.")]


def test_not_deleted_gives_the_servers_reason_without_its_final_dot():
    outcome = DeleteOutcome(failed=("VI1", "VI2"), reason="Refused by X.",
                            names={"VI1": "clip"})
    assert outcome.sentences() == [
        ("failed", "2 not deleted (Refused by X): clip (VI1), VI2.")]
    assert DeleteOutcome(failed=("VI1",)).sentences() == [("failed", "1 not deleted: VI1.")]


def test_unknown_says_why_and_how_to_look_again():
    unclear = DeleteOutcome(unknown=("VI1",), checked=True)
    assert unclear.sentences() == [(
        "unknown",
        "1 may or may not have been deleted (the request failed, then so did the check): "
        "VI1. Press r to see which remain.")]
    assert unclear.sentences(look_again="Run: memories-tui videos show VI1")[0][1].endswith(
        "VI1. Run: memories-tui videos show VI1")
    quit_early = DeleteOutcome(unknown=("VI1", "VI2"), stopped=True)
    assert quit_early.sentences() == [(
        "unknown",
        "2 may or may not have been deleted (the request failed as you quit, before the "
        "app could check): VI1, VI2. Look again to see which remain.")]


def test_not_sent_and_every_kind_in_order():
    outcome = DeleteOutcome(deleted=("A",), failed=("B",), unknown=("C",), not_sent=("D",),
                            reason="No.")
    assert [kind for kind, _ in outcome.sentences()] == [
        "deleted", "failed", "unknown", "not-sent"]
    assert outcome.sentences()[-1] == ("not-sent", "1 not sent, so not deleted: D.")
    assert outcome.total == 4 and outcome.settled == frozenset({"A", "B"})


def test_lists_name_five_videos_then_count_the_rest():
    names = {f"VI{n}": f"video {n}" for n in range(7)}
    assert listed([f"VI{n}" for n in range(5)], names) == (
        "video 0 (VI0), video 1 (VI1), video 2 (VI2), video 3 (VI3), video 4 (VI4)")
    assert listed([f"VI{n}" for n in range(7)], names).endswith("video 4 (VI4) and 2 more")
    long = "x" * 40
    assert listed(["VI1"], {"VI1": long}) == f"{'x' * 29}… (VI1)"  # 30 cells at most
    assert listed(["VI1\x1b"], {"VI1\x1b": "a\x07b"}) == "a␇b (VI1␛)"  # server text made safe


def test_progress_in_words():
    assert DeleteProgress(1234, 5000).describe() == "Deleting… 1,234 of 5,000"
    assert DeleteProgress(5, 5, checking=True).describe() == "Checking which videos remain…"


# -- against the fake ---------------------------------------------------------------------


@pytest.fixture
async def client(fake_server):
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None, timeout=1.0,
                              retry_network_errors=False) as client:
        yield client


def requests_to(server, path: str) -> list:
    return [r for r in server.requests if r.path.endswith(path)]


async def test_a_delete_in_another_namespace_is_sent_and_checked_there(fake_server, client,
                                                                      caplog):
    ids = fake_server.library.ids("team-a")[:2]
    library = LibraryService(client)
    before = await library.fetch_page(VideoQuery(size=50, unique_id="team-a"))
    assert set(ids) <= {v.video_no for v in before.videos}
    await library.fetch_details(ids[0], "team-a")
    assert library.cached_details(ids[0], "team-a") is not None
    fake_server.faults.push("cut", path="/delete_videos")  # acted, then the answer was lost
    names = {ids[0]: "first"}
    outcome = await DeleteService(library).delete(ids, "team-a", names=names)
    (delete,) = requests_to(fake_server, "/delete_videos")
    assert delete.query["unique_id"] == "team-a" and delete.body == ids
    assert {r.body["unique_id"] for r in requests_to(fake_server, "/list_videos")} == {"team-a"}
    assert outcome.deleted == tuple(ids) and outcome.checked
    assert outcome.sentences() == [("deleted", "Deleted 2 videos.")]
    assert outcome.names == names
    # That namespace's cached page and details are not trusted any more.
    assert library.cached_details(ids[0], "team-a") is None
    after = await library.fetch_page(VideoQuery(size=50, unique_id="team-a"))
    assert not set(ids) & {v.video_no for v in after.videos}
    # All went: nothing for the log (what did not go is written there, see below).
    assert not [r for r in caplog.records if r.name == "memories_tui.services.deletes"]


async def test_a_key_rejected_mid_way_after_an_unclear_chunk(fake_server, client):
    """The first chunk's answer is lost (the server acted); the second is refused for the
    key. Nothing more is sent, the first chunk is still checked, and every id ends in
    exactly one list."""
    ids = fake_server.library.ids()[:4]
    fake_server.faults.push("cut", path="/delete_videos")
    fake_server.faults.push("401", path="/delete_videos")
    outcome = await DeleteService(LibraryService(client), chunk_size=2).delete(ids, "default")
    assert [r.body for r in requests_to(fake_server, "/delete_videos")] == [ids[:2], ids[2:]]
    assert outcome.deleted == tuple(ids[:2]) and outcome.failed == tuple(ids[2:])
    assert outcome.key_rejected and outcome.checked and outcome.total == 4


async def test_a_check_refused_for_the_key_says_so(fake_server, client, caplog):
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push("cut", path="/delete_videos")
    fake_server.faults.push("401", path="/list_videos")
    outcome = await DeleteService(LibraryService(client)).delete(ids, "default")
    assert outcome.unknown == tuple(ids) and outcome.key_rejected and outcome.checked
    # The log says why the check failed, in the error's words.
    assert [r.getMessage() for r in caplog.records if r.name == "memories_tui.services.deletes"
            and "Checking" in r.getMessage()] == [
        "Checking videos after a failed delete failed: The Memories.ai API key was rejected "
        "(401 Unauthorized). Set a valid key with MEMORIES_API_KEY or --api-key."]


async def test_waiting_for_a_running_delete_gives_its_outcome(fake_server, client):
    """Quitting waits for the delete in flight: `wait_idle` returns that delete's
    outcome once it has one (and the last one's when none runs)."""
    service = DeleteService(LibraryService(client))
    assert await service.wait_idle() is None
    ids = fake_server.library.ids()[:1]
    fake_server.faults.push("stall", path="/delete_videos")
    running = asyncio.ensure_future(service.delete(ids, "default"))
    async def sent() -> None:
        while not requests_to(fake_server, "/delete_videos"):
            await asyncio.sleep(0.005)

    await asyncio.wait_for(sent(), timeout=10)  # the request is on its way
    assert service.running
    outcome = await service.wait_idle()
    assert outcome is not None and outcome is await running
    assert outcome.failed == tuple(ids)  # the check found it still there
    assert await service.wait_idle() is outcome


def test_chunks_are_between_one_and_a_hundred_ids():
    library = LibraryService(None)  # no request is made here
    assert DeleteService(library, chunk_size=0).chunk_size == 1
    assert DeleteService(library, chunk_size=500).chunk_size == 100
    assert DeleteService(library).chunk_size == 100


async def test_one_id_a_chunk_each_sent_once_blanks_left_out(fake_server, client):
    ids = fake_server.library.ids()[:2]
    service = DeleteService(LibraryService(client), chunk_size=1)
    outcome = await service.delete([" ", "", f" {ids[0]} ", ids[1], ids[0]], "default")
    assert [r.body for r in requests_to(fake_server, "/delete_videos")] == [[ids[0]], [ids[1]]]
    assert outcome.deleted == tuple(ids)


async def test_a_second_delete_meanwhile_is_refused_in_words(fake_server, client):
    service = DeleteService(LibraryService(client))
    fake_server.faults.push("stall", path="/delete_videos")
    first = asyncio.ensure_future(service.delete(fake_server.library.ids()[:1], "default"))
    await asyncio.sleep(0)  # it has taken the lock and sent nothing yet
    assert service.running
    with pytest.raises(DeleteBusyError) as info:
        await service.delete(fake_server.library.ids()[1:2], "default")
    assert str(info.value) == "A delete is already running; wait for it to finish."
    await first


async def test_a_rate_limit_to_the_end_is_not_deleted_and_says_why(fake_server, caplog):
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push("429", count=3, path="/delete_videos")

    async def instant(_seconds: float) -> None:
        return None

    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None, max_retries=2,
                              sleep=instant) as client:
        outcome = await DeleteService(LibraryService(client)).delete(ids, "default")
    assert len(requests_to(fake_server, "/delete_videos")) == 3
    assert outcome.failed == tuple(ids) and not outcome.checked and not outcome.stopped
    sentence = ("2 not deleted (The Memories.ai rate limit was reached; try again in a "
                f"moment): {ids[0]}, {ids[1]}.")
    assert outcome.sentences() == [("failed", sentence)]
    # What did not go is also written to the log; what went is not.
    assert [r.getMessage() for r in caplog.records
            if r.name == "memories_tui.services.deletes"] == [f"Delete: {sentence}"]


async def test_stopping_during_an_unclear_chunk_leaves_it_unknown_and_the_rest_unsent(
        fake_server, client):
    ids = fake_server.library.ids()[:2]
    service = DeleteService(LibraryService(client), chunk_size=1)
    fake_server.faults.push("stall", path="/delete_videos")  # the first: no answer at all
    seen: list[DeleteProgress] = []
    running = asyncio.ensure_future(service.delete(ids, "default", on_progress=seen.append))

    async def sent() -> None:
        while not requests_to(fake_server, "/delete_videos"):
            await asyncio.sleep(0.005)

    await asyncio.wait_for(sent(), timeout=10)
    service.request_stop()  # the user quits while the first chunk waits for its answer
    outcome = await running
    assert len(requests_to(fake_server, "/delete_videos")) == 1
    assert outcome.unknown == (ids[0],) and outcome.not_sent == (ids[1],)
    assert outcome.stopped and outcome.total == 2
    assert seen == [DeleteProgress(0, 2), DeleteProgress(1, 2),
                    DeleteProgress(1, 2, checking=True)]


async def test_a_bug_mid_delete_keeps_the_names_for_its_sentences(fake_server, client,
                                                                  monkeypatch):
    ids = fake_server.library.ids()[:1]
    service = DeleteService(LibraryService(client))
    fake_server.faults.push("cut", path="/delete_videos")

    async def broken(*_args, **_kwargs) -> bool:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(service.library, "is_present", broken)
    with pytest.raises(ZeroDivisionError):
        await service.delete(ids, "default", names={ids[0]: "my clip"})
    outcome = service.last_outcome
    assert outcome is not None and outcome.unknown == tuple(ids)
    assert "my clip" in outcome.sentences()[0][1]
