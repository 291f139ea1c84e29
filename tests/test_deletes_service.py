"""Deletes, decided without Textual: over loopback HTTP against the fake and its faults.

Each test counts what the server received (a delete is sent once) and checks that the
outcome says, for every id, what really became of it on the server.
"""

from __future__ import annotations

import asyncio

import pytest

from memories_tui.api.client import MemoriesClient
from memories_tui.services.deletes import (
    READ_ONLY_MESSAGE,
    DeleteBusyError,
    DeleteService,
    ReadOnlyError,
)
from memories_tui.services.library import LibraryService, VideoQuery

KEY = "sk-test-abcdefghijklmnop"


def delete_requests(server) -> list:
    return [r for r in server.requests if r.path.endswith("/delete_videos")]


def checks(server) -> list[str]:
    return [r.body.get("video_no") for r in server.requests
            if r.path.endswith("/list_videos") and r.body.get("video_no")]


class Instant:
    """The client's sleep, recording each wait and returning at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def service(fake_server):
    sleep = Instant()
    async with MemoriesClient(KEY, fake_server.base_url, rate_limit=None, timeout=1.0,
                              sleep=sleep, retry_network_errors=False) as client:
        deletes = DeleteService(LibraryService(client))
        deletes.sleep = sleep
        yield deletes


async def test_a_plain_delete_removes_the_videos_and_says_so(fake_server, service):
    ids = fake_server.library.ids()[:3]
    outcome = await service.delete(ids + ids[:1], "default")
    assert outcome.deleted == tuple(ids) and outcome.total == 3
    assert not set(ids) & set(fake_server.library.ids())
    assert [r.body for r in delete_requests(fake_server)] == [ids]
    assert outcome.sentences() == [("deleted", "Deleted 3 videos.")]


async def test_more_than_a_hundred_go_in_chunks_with_progress(fake_server, service):
    ids = fake_server.library.ids()[:205]
    seen = []
    outcome = await service.delete(ids, "default", on_progress=seen.append)
    assert [len(r.body) for r in delete_requests(fake_server)] == [100, 100, 5]
    assert [(p.done, p.total) for p in seen] == [(0, 205), (100, 205), (200, 205), (205, 205)]
    assert len(outcome.deleted) == 205 and fake_server.library.count() == 95


async def test_a_cut_answer_is_checked_never_resent_and_the_check_tells(fake_server, service):
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push("cut", path="/delete_videos")  # the server acted, then the cut
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 1
    assert sorted(checks(fake_server)) == sorted(ids)
    assert outcome.deleted == tuple(ids) and outcome.checked
    assert not outcome.failed and not outcome.unknown
    assert service.sleep.waits == []


async def test_a_stalled_delete_that_did_nothing_is_reported_not_deleted(fake_server, service):
    ids = fake_server.library.ids()[:1]
    fake_server.faults.push("stall", path="/delete_videos")
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 1
    # The fake stalls before its handler runs: the video is still there, and the check
    # finds it, so it is "not deleted" with the reason the request failed.
    assert outcome.failed == tuple(ids) and ids[0] in fake_server.library.ids()
    assert "did not answer within 1 s" in (outcome.reason or "")
    kind, sentence = outcome.sentences({ids[0]: "Clip"})[0]
    assert kind == "failed" and sentence.endswith(f"Clip ({ids[0]}).")


async def test_when_the_check_fails_too_the_outcome_is_unknown(fake_server, service):
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push("cut", path="/delete_videos")
    fake_server.faults.push("503-html", count=6, path="/list_videos")
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 1
    assert outcome.unknown == tuple(ids) and not outcome.deleted and not outcome.failed
    (kind, sentence), = outcome.sentences()
    assert kind == "unknown" and sentence.startswith("2 may or may not have been deleted")
    assert sentence.endswith("Press r to see which remain.")


@pytest.mark.parametrize("kind", ["500", "503-html"])
async def test_a_server_error_is_not_resent_and_the_check_keeps_them(fake_server, service, kind):
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push(kind, path="/delete_videos")
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 1 and service.sleep.waits == []
    assert outcome.failed == tuple(ids)
    assert set(ids) <= set(fake_server.library.ids())


async def test_a_rejected_key_stops_the_rest_unsent(fake_server, service):
    ids = fake_server.library.ids()[:150]
    fake_server.faults.push("401", path="/delete_videos")
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 1
    assert outcome.failed == tuple(ids[:100]) and outcome.not_sent == tuple(ids[100:])
    assert outcome.key_rejected
    assert fake_server.library.count() == 300


async def test_read_only_refuses_before_anything_is_sent(fake_server, service):
    # Whoever calls it (the TUI, a subcommand): the refusal is the service's.
    ids = fake_server.library.ids()[:2]
    read_only = DeleteService(service.library, read_only=True)
    with pytest.raises(ReadOnlyError) as refused:
        await read_only.delete(ids, "default")
    assert str(refused.value) == READ_ONLY_MESSAGE
    assert not read_only.running and read_only.last_outcome is None
    assert fake_server.requests == [] and fake_server.library.count() == 300


async def test_an_unclear_outcome_says_how_to_look_again(fake_server, service):
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push("cut", path="/delete_videos")
    fake_server.faults.push("503-html", count=6, path="/list_videos")  # the check fails too
    outcome = await service.delete(ids, "default")
    assert outcome.unknown == tuple(ids) and not outcome.key_rejected
    said = outcome.sentences(look_again="List them again to see which remain.")
    assert said[-1][1].endswith("List them again to see which remain.")


async def test_a_rate_limit_answer_is_waited_out_and_sent_again(fake_server, service):
    # 0429 says the server did nothing: the one case where sending again is safe.
    ids = fake_server.library.ids()[:1]
    fake_server.faults.push("429", path="/delete_videos")
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 2 and len(service.sleep.waits) == 1
    assert outcome.deleted == tuple(ids)


async def test_one_delete_at_a_time_a_second_sends_nothing(fake_server, service):
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push("stall", path="/delete_videos")
    started = asyncio.Event()
    first = asyncio.ensure_future(
        service.delete(ids[:1], "default", on_progress=lambda _step: started.set()))
    await asyncio.wait_for(started.wait(), 10)
    assert service.running
    with pytest.raises(DeleteBusyError):
        await service.delete(ids[1:], "default")
    await asyncio.wait_for(first, 10)
    assert len(delete_requests(fake_server)) == 1


async def test_stopping_lets_the_chunk_in_flight_finish_and_sends_no_more(fake_server, service):
    ids = fake_server.library.ids()[:250]
    seen = []

    def progress(step) -> None:
        seen.append(step)
        if step.done == 100:
            service.request_stop()

    outcome = await service.delete(ids, "default", on_progress=progress)
    assert len(delete_requests(fake_server)) == 1
    assert outcome.deleted == tuple(ids[:100]) and outcome.not_sent == tuple(ids[100:])
    assert outcome.stopped and fake_server.library.count() == 200
    kind, sentence = outcome.sentences()[1]
    assert kind == "not-sent"
    assert sentence == f"150 not sent, so not deleted: {', '.join(ids[100:105])} and 145 more."
    assert await service.wait_idle() == outcome


async def test_after_a_delete_the_cached_pages_are_not_trusted(fake_server, service):
    library = service.library
    page = await library.fetch_page(VideoQuery(page=1, size=10))
    await service.delete([page.videos[0].video_no], "default")
    again = await library.fetch_page(VideoQuery(page=1, size=10))
    assert page.videos[0].video_no not in {v.video_no for v in again.videos}


async def test_stopping_while_waiting_out_a_rate_limit_sends_nothing_more(fake_server, service):
    """The server refused with 0429 (it did nothing); the user quits during the wait:
    the chunk is not sent again, and is reported as not sent."""
    ids = fake_server.library.ids()[:3]
    fake_server.faults.push("429", path="/delete_videos")
    waits = service.sleep

    async def quit_while_waiting(seconds: float) -> None:
        await waits(seconds)
        service.request_stop()

    service.library.client._sleep = quit_while_waiting
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 1 and len(waits.waits) == 1
    assert outcome.not_sent == tuple(ids) and outcome.stopped and not outcome.deleted
    assert fake_server.library.count() == 300


async def test_stopping_before_the_check_leaves_the_unclear_ones_unknown(fake_server, service):
    ids = fake_server.library.ids()[:4]
    fake_server.faults.push("cut", path="/delete_videos")

    def progress(step) -> None:
        if step.checking:
            service.request_stop()

    outcome = await service.delete(ids, "default", on_progress=progress)
    assert checks(fake_server) == [] and len(delete_requests(fake_server)) == 1
    assert outcome.unknown == tuple(ids) and outcome.stopped
    (kind, sentence), = outcome.sentences()
    assert kind == "unknown" and "as you quit, before the app could check" in sentence


async def test_a_refusal_of_the_servers_own_is_checked_not_taken_as_not_deleted(
    fake_server, service
):
    """A refusal may mean "already gone" (a duplicate request, not found): only the list
    says what remains. Here the server refused and kept the videos: not deleted."""
    ids = fake_server.library.ids()[:2]
    fake_server.faults.push("echo-key", path="/delete_videos")  # a failure envelope, 0003
    outcome = await service.delete(ids, "default")
    assert len(delete_requests(fake_server)) == 1
    assert sorted(checks(fake_server)) == sorted(ids)
    assert outcome.failed == tuple(ids) and outcome.checked


async def test_a_bug_mid_delete_still_leaves_an_outcome_of_what_is_known(
    fake_server, service, monkeypatch
):
    ids = fake_server.library.ids()[:150]
    fake_server.faults.push("cut", path="/delete_videos")

    async def broken(*_args, **_kwargs) -> bool:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(service.library, "is_present", broken)
    with pytest.raises(ZeroDivisionError):
        await service.delete(ids, "default")
    outcome = service.last_outcome
    assert outcome is not None and outcome.stopped
    # The first chunk was sent and its answer lost; the second was never sent.
    assert outcome.deleted == tuple(ids[100:])
    assert outcome.unknown == tuple(ids[:100])
    assert outcome.not_sent == () and outcome.total == 150
