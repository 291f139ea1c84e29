"""The fake's task hook: a test gives a task the ids it reports, and changes them later."""

from __future__ import annotations

from memories_tui.fake import FakeServer

from .helpers import ok_data


def task(client, task_id, **params) -> dict:
    return client.get("/get_video_ids_by_task_id", params={"task_id": task_id, **params}).json()


def test_a_given_task_reports_its_ids_as_given(fresh_client, fresh_server: FakeServer):
    lib = fresh_server.library
    public_id, private_id = lib.public_video_ids[0], lib.ids()[20]
    lib.put_task("given-1", [public_id])
    assert ok_data(fresh_client.get("/get_video_ids_by_task_id",
                                    params={"task_id": "given-1"}))["video_ids"] == [public_id]
    lib.put_task("given-1", [public_id, private_id, "VI1"])  # one more, and no such video
    assert task(fresh_client, "given-1")["data"]["video_ids"] == [public_id, private_id, "VI1"]
    assert "given-1" not in lib.task_ids.values()  # the seeded tasks stay as they were
    assert set(lib.task_ids) == {"finished", "growing", "empty"}


def test_a_given_task_lives_in_its_namespace(fresh_client, fresh_server: FakeServer):
    fresh_server.library.put_task("given-2", ["VI1"], namespace="team-a")
    assert task(fresh_client, "given-2", unique_id="team-a")["data"]["video_ids"] == ["VI1"]
    assert task(fresh_client, "given-2")["code"] == "0001"  # not in default
