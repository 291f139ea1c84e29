"""`MemoriesClient.list_unique_ids`: the account's namespaces, against the fake and
against scripted answers in the shapes a server may send."""

from __future__ import annotations

import pytest

from memories_tui.api import RejectedError
from memories_tui.api.models import parse_unique_ids

from .api_testkit import Reply, envelope

V1 = "/serve/api/v1"


async def test_the_fake_lists_its_namespaces_and_those_created_by_use(fake_server, make_client):
    async with make_client(fake_server.base_url) as client:
        names = await client.list_unique_ids()
        assert names == list(fake_server.library.namespaces)
        assert "default" in names
        # Using a name creates the namespace on the server: it is listed from then on.
        await client.list_videos(1, 5, unique_id="Holiday-2025")
        assert (await client.list_unique_ids())[-1] == "Holiday-2025"
    request = next(r for r in fake_server.requests if r.path.endswith("/list_unique_ids"))
    assert (request.method, request.query) == ("GET", {})


async def test_the_request_has_no_parameters(scripted, make_client):
    scripted.push(Reply(json=envelope({"unique_ids": ["default", "team-a"]})))
    async with make_client(scripted.base_url, unique_id="tenant") as client:
        assert await client.list_unique_ids() == ["default", "team-a"]
    request = scripted.requests[0]
    assert (request.method, request.path, request.query) == (
        "GET", f"{V1}/list_unique_ids", {})


async def test_an_old_server_without_the_endpoint_says_so_in_its_words(scripted, make_client):
    scripted.push(Reply(json={"code": "0001", "msg": "No static resource api.", "data": None,
                              "success": False, "failed": True}))
    async with make_client(scripted.base_url) as client:
        with pytest.raises(RejectedError) as info:
            await client.list_unique_ids()
    assert "No static resource api" in info.value.message


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"unique_ids": ["default", "holiday_2025"]}, ["default", "holiday_2025"]),
        (None, []),  # an account with nothing yet may answer data: null
        ({}, []),  # or no list at all
        ({"unique_ids": None}, []),
        ({"unique_ids": []}, []),
        # Repeats dropped in order; names exact (case and spaces kept); no non-names.
        ({"unique_ids": ["b", "a", "b", "A", 7, None, "", {"x": 1}, " a"]},
         ["b", "a", "A", " a"]),
        ({"unique_ids": "default"}, []),  # not a list: nothing, with a warning
    ],
)
def test_parse_unique_ids(data, names):
    assert parse_unique_ids(data) == names


@pytest.mark.parametrize("data", ["default", ["default"], 7])
def test_data_of_the_wrong_shape_is_a_bad_response(data):
    from memories_tui.api import BadResponseError

    with pytest.raises(BadResponseError):
        parse_unique_ids(data)
