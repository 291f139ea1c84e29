"""Where downloads land: one file per video inside the folder, nothing written over or
through what is already on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memories_tui.api.models import Video
from memories_tui.filenames import part_path
from memories_tui.services.downloads import (
    Conflict,
    DownloadManager,
    JobState,
    _open_part,
    plan_downloads,
)

# Server strings, hostile pieces mixed in.
HOSTILE = list("/\\\x00\n\x1b.-:*?\"<>| ") + ["..", "../", "\u202e", "CON", "é"]
any_string = st.lists(st.one_of(st.characters(), st.sampled_from(HOSTILE)), max_size=30).map(
    "".join)


def video(video_no: str, name: str = "clip") -> Video:
    return Video(video_no=video_no, name=name, status="PARSE", duration=1, size=10,
                 create_time=None, cause=None)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Module-scoped: Hypothesis reruns the test body, and enqueue writes nothing.
    return tmp_path_factory.mktemp("downloads").resolve()


@given(videos=st.lists(st.tuples(any_string, any_string), min_size=1, max_size=8,
                       unique_by=lambda pair: pair[1]),
       conflict=st.sampled_from(list(Conflict)))
def test_every_video_of_a_batch_gets_its_own_file_in_the_folder(folder, videos, conflict):
    # Ids that sanitise alike ("a/b" and "a_b") must still not share a file.
    planned = plan_downloads([video(no, name) for name, no in videos], folder)
    jobs = DownloadManager(client=None).enqueue(planned, "default", conflict)
    queued = [job.path for job in jobs if job.state is JobState.QUEUED]
    assert len(queued) == len(planned) and len(set(queued)) == len(queued)
    assert all(path.parent == folder for path in queued)


def test_alike_ids_are_kept_apart_even_when_overwriting_is_allowed(tmp_path):
    planned = plan_downloads([video("VI/1"), video("VI_1")], tmp_path)
    assert planned[0].path == planned[1].path  # the same name once sanitised
    jobs = DownloadManager(client=None).enqueue(planned, "default", Conflict.OVERWRITE)
    assert [j.path.name for j in jobs] == ["clip-VI_1.mp4", "clip-VI_1 (1).mp4"]


def test_a_planted_part_link_is_replaced_not_followed(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"precious")
    part = part_path(tmp_path / "clip.mp4")
    part.symlink_to(target)
    with _open_part(part) as handle:
        handle.write(b"video")
    assert target.read_bytes() == b"precious"
    assert not part.is_symlink() and part.read_bytes() == b"video"


def test_a_file_that_appears_meanwhile_is_not_overwritten(tmp_path):
    final = tmp_path / "clip.mp4"
    part = part_path(final)
    part.write_bytes(b"new")
    final.write_bytes(b"theirs")  # created while we downloaded
    saved = DownloadManager._finish_file(part, final, Conflict.SKIP)
    assert saved == tmp_path / "clip (1).mp4" and saved.read_bytes() == b"new"
    assert final.read_bytes() == b"theirs" and not part.exists()
    part.write_bytes(b"newer")
    assert DownloadManager._finish_file(part, final, Conflict.OVERWRITE) == final
    assert final.read_bytes() == b"newer"


async def test_a_body_without_length_is_checked_against_the_listed_size(fake_server, tmp_path):
    """No Content-Length: only the size the library lists tells a cut from the end of
    the file. Listed size unknown (0): nothing to compare, the body is taken as it is."""
    from dataclasses import replace

    from memories_tui.api.client import MemoriesClient
    from memories_tui.fake import expected_bytes

    video_no = fake_server.library.small_video_ids(limit=1)[0]
    size = fake_server.library.get_video(video_no).size
    listed = video(video_no, "clip")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    async with MemoriesClient("sk-test-abcdefghijklmnop", fake_server.base_url,
                              rate_limit=None) as client:
        manager = DownloadManager(client)
        fake_server.faults.push("no-length-cut", path="/download")
        (cut,) = manager.start(plan_downloads([replace(listed, size=size)], tmp_path / "a"),
                               "default", Conflict.SKIP)
        fake_server.faults.push("no-length-cut", path="/download")
        (unknown,) = manager.start(plan_downloads([replace(listed, size=0)], tmp_path / "b"),
                                   "default", Conflict.SKIP)
        await manager.wait_idle()
    assert cut.state is JobState.FAILED and f"the library lists {size:,}" in (cut.error or "")
    assert list((tmp_path / "a").iterdir()) == []
    assert unknown.state is JobState.DONE
    assert unknown.path.read_bytes() == expected_bytes(video_no, size, 0, size // 3)


async def test_a_cancel_while_the_complete_file_is_named_keeps_it_and_says_done(
    fake_server, tmp_path, monkeypatch
):
    """Once the whole file is here and being named, a cancel is too late: the file is
    kept under its name and the job says done (not "cancelled, nothing kept")."""
    import asyncio
    import threading

    from memories_tui.api.client import MemoriesClient

    naming, go_on = threading.Event(), threading.Event()
    real = DownloadManager._finish_file

    def slow_finish(part, final, conflict):
        naming.set()
        go_on.wait(10)
        return real(part, final, conflict)

    monkeypatch.setattr(DownloadManager, "_finish_file", staticmethod(slow_finish))
    video_no = fake_server.library.small_video_ids(limit=1)[0]
    async with MemoriesClient("sk-test-abcdefghijklmnop", fake_server.base_url,
                              rate_limit=None) as client:
        manager = DownloadManager(client)
        (job,) = manager.start(plan_downloads([video(video_no)], tmp_path), "default",
                               Conflict.SKIP)
        assert await asyncio.to_thread(naming.wait, 10)
        assert manager.cancel(job.job_id)
        go_on.set()
        await manager.wait_idle()
    assert job.state is JobState.DONE and job.path.exists()
    assert [p.name for p in tmp_path.iterdir()] == [job.path.name]
