"""Pacing: request starts spaced by 1/rate, the "waiting on rate limit" signal, cancellation.

No test waits for real: the pacer runs on a clock that only moves when a test moves it,
and the client's waits go to an injected sleep that records them (and, with `hold()`,
blocks until the test lets it go).
"""

from __future__ import annotations

import asyncio

import pytest

from memories_tui.api.pacing import RequestPacer

from .api_testkit import Reply, envelope

DETAILS = envelope({"video_no": "VI1"})


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Waits:
    """The client's sleep: records each wait; with `hold()` a wait blocks until
    `release()`, and `waiting` is set while one does."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.waiting = asyncio.Event()
        self.blocked = 0  # waits under way
        self._open = asyncio.Event()
        self._open.set()

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        self.blocked += 1
        self.waiting.set()
        try:
            await self._open.wait()
        finally:
            self.blocked -= 1
            if not self.blocked:
                self.waiting.clear()

    async def until_blocked(self, count: int) -> None:
        """Let the event loop run until `count` waits are under way."""
        for _ in range(1000):
            if self.blocked >= count:
                return
            await asyncio.sleep(0)
        raise AssertionError(f"{self.blocked} waits under way, not {count}")

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()


def paced_client(make_client, base_url: str, rate: float, clock: Clock, waits: Waits, **kw):
    """A client pacing `rate` requests/s on `clock`, its waits going to `waits`."""
    client = make_client(base_url, rate_limit=rate, sleep=waits, **kw)
    # The pacer's clock is its one seam for time (RequestPacer(clock=...)).
    client._pacer = RequestPacer(rate, clock=clock)
    return client


def test_first_request_goes_at_once_then_starts_are_spaced():
    clock = Clock()
    pacer = RequestPacer(2.0, slack=0.0, clock=clock)
    assert pacer.reserve() == (100.0, 0.0)
    assert pacer.reserve() == (100.5, 0.5)
    assert pacer.reserve() == (101.0, 1.0)
    clock.now = 110.0  # long idle: no debt carried over
    assert pacer.reserve() == (110.0, 0.0)


def test_default_slack_keeps_arrivals_from_landing_early():
    clock = Clock()
    pacer = RequestPacer(1.0, clock=clock)
    pacer.reserve()
    assert pacer.reserve()[1] == pytest.approx(1.10)


def test_off_when_rate_is_none_or_zero():
    for rate in (None, 0, 0.0):
        pacer = RequestPacer(rate, clock=Clock())
        assert not pacer.enabled
        assert [pacer.reserve()[1] for _ in range(5)] == [0.0] * 5
    with pytest.raises(ValueError):
        RequestPacer(-1)


def test_release_gives_back_only_the_last_slot():
    clock = Clock()
    pacer = RequestPacer(1.0, slack=0.0, clock=clock)
    pacer.reserve()
    slot, _ = pacer.reserve()
    pacer.release(slot)
    assert pacer.reserve() == (101.0, 1.0)  # the freed slot is handed out again
    pacer.reserve()
    pacer.release(101.0)  # a later slot was claimed since: nothing changes
    assert pacer.reserve()[0] == 103.0


async def test_client_spaces_request_starts(scripted, make_client):
    # Four calls at once at 10 requests/s: the first goes now, the others wait for
    # their slots, 0.11 s apart (the default 10 % slack included).
    scripted.push(*[Reply(json=DETAILS)] * 4)
    waits = Waits()
    async with paced_client(make_client, scripted.base_url, 10, Clock(), waits) as client:
        await asyncio.gather(*(client.get_private_video("VI1") for _ in range(4)))
    assert waits.seconds == pytest.approx([0.11, 0.22, 0.33])
    assert len(scripted.requests) == 4


async def test_on_rate_wait_reports_waiting_and_proceeding(scripted, make_client):
    calls: list[bool] = []
    scripted.push(*[Reply(json=DETAILS)] * 3)
    waits = Waits()
    async with paced_client(make_client, scripted.base_url, 20, Clock(), waits,
                            on_rate_wait=calls.append) as client:
        assert client.rate_waiting is False
        await client.get_private_video("VI1")
        assert calls == []  # the first request goes at once
        waits.hold()
        task = asyncio.ensure_future(client.get_private_video("VI1"))
        await waits.waiting.wait()
        assert client.rate_waiting is True
        assert calls == [True]
        waits.release()
        await task
        assert client.rate_waiting is False
        assert calls == [True, False]
        # Concurrent waiters: one True when the first starts waiting, one False after the last.
        calls.clear()
        scripted.push(*[Reply(json=DETAILS)] * 3)
        waits.hold()
        both = asyncio.gather(*(client.get_private_video("VI1") for _ in range(3)))
        await waits.until_blocked(3)
        assert calls == [True]
        waits.release()
        await both
    assert calls == [True, False]


async def test_backoff_also_counts_as_waiting(scripted, make_client):
    calls: list[bool] = []
    scripted.push(Reply(json=envelope(code="0429")), Reply(json=DETAILS))
    async with make_client(scripted.base_url, on_rate_wait=calls.append) as client:
        await client.get_private_video("VI1")
    assert calls == [True, False]


async def test_a_faulty_callback_does_not_fail_the_call(scripted, make_client):
    def broken(_: bool) -> None:
        raise RuntimeError("display broke")

    scripted.push(Reply(json=envelope(code="0429")), Reply(json=DETAILS))
    async with make_client(scripted.base_url, on_rate_wait=broken) as client:
        assert (await client.get_private_video("VI1")).video_no == "VI1"


async def test_a_cancelled_wait_frees_its_slot(scripted, make_client):
    # Typing a filter fast cancels each previous request: later ones must not queue
    # behind the ghosts of the cancelled ones.
    scripted.push(*[Reply(json=DETAILS)] * 2)
    waits = Waits()
    async with paced_client(make_client, scripted.base_url, 2, Clock(), waits) as client:
        await client.get_private_video("VI1")
        waits.hold()
        for _ in range(3):
            doomed = asyncio.ensure_future(client.get_private_video("VI1"))
            await waits.waiting.wait()
            doomed.cancel()
            with pytest.raises(asyncio.CancelledError):
                await doomed
        assert client.rate_waiting is False
        waits.release()
        await client.get_private_video("VI1")
    # Each cancelled call waited for the one slot after the first request (0.55 s on
    # the clock, which did not move); so did the last: one slot, not four.
    assert waits.seconds == pytest.approx([0.55] * 4)
    assert len(scripted.requests) == 2


def test_a_late_request_pushes_the_next_slot_back():
    now = [0.0]
    pacer = RequestPacer(1.0, slack=0.0, clock=lambda: now[0])
    pacer.reserve()  # slot at 0
    now[0] = 0.3  # the request only left 0.3 s later (busy loop, new connection)
    pacer.mark_sent()
    now[0] = 1.0
    assert pacer.reserve()[1] == pytest.approx(0.3)


async def test_a_resend_keeps_to_the_rate_too(scripted, make_client):
    """The server asks for a one-second pause; at one request every two seconds, the
    resend still waits for its turn: it never reaches the server sooner than the rate
    allows (which would earn another "rate limit reached")."""
    clock = Clock()

    class Moving(Waits):
        """Every wait moves the clock on by as long."""

        async def __call__(self, seconds: float) -> None:
            clock.now += seconds
            await super().__call__(seconds)

    waits = Moving()
    scripted.push(Reply(json=envelope(code="0429"), headers={"Retry-After": "1"}),
                  Reply(json=DETAILS))
    async with paced_client(make_client, scripted.base_url, 0.5, clock, waits) as client:
        await client.get_private_video("VI1")
    # The Retry-After, then the rest of the two seconds (2.2 with the 10 % slack).
    assert waits.seconds == pytest.approx([1.0, 1.2])
    assert len(scripted.requests) == 2


async def test_a_background_call_never_takes_a_turn_before_the_users(scripted, make_client):
    """The index's sync (a background call) is waiting for its turn when the user's call
    comes: the user's goes first, and the sync's waits are not "waiting" on screen."""
    clock, waits, calls = Clock(), Waits(), []
    page = envelope({"videos": [], "current_page": 1, "page_size": 20, "total_count": "0"})
    scripted.push(*[Reply(json=page)] * 3)
    async with paced_client(make_client, scripted.base_url, 20, clock, waits,
                            on_rate_wait=calls.append) as client:
        await client.list_videos(unique_id="first")  # takes the turn of now
        sync = asyncio.ensure_future(client.list_videos(unique_id="sync", background=True))
        for _ in range(20):  # the sync finds the next turn not yet free, and waits
            await asyncio.sleep(0)
        assert not sync.done() and calls == []
        await client.list_videos(unique_id="user")  # claims that next turn, goes at once
        clock.now += 1.0  # time passes: a turn is free for the sync
        await asyncio.wait_for(sync, 10)
    assert [r.json()["unique_id"] for r in scripted.requests] == ["first", "user", "sync"]
    assert waits.seconds == pytest.approx([0.055])  # the user's wait, and only that
    assert calls == [True, False]


async def test_a_background_call_waits_out_a_rate_limit_without_a_notice(scripted, make_client):
    """The sync is refused with 0429: it waits as long as the server asked and tries
    again, and nothing says "waiting" on screen, since nobody waits for it."""
    calls: list[bool] = []
    waits = Waits()
    page = envelope({"videos": [], "current_page": 1, "page_size": 20, "total_count": "0"})
    scripted.push(Reply(json=envelope(code="0429"), headers={"Retry-After": "2"}),
                  Reply(json=page))
    async with make_client(scripted.base_url, sleep=waits, on_rate_wait=calls.append) as client:
        await client.list_videos(background=True)
    assert waits.seconds == [2.0] and calls == []
    assert len(scripted.requests) == 2
