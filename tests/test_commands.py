"""The subcommands for scripts (`videos list`, `videos delete`, …), run in-process through
`cli.main(argv)` against the fake server over real HTTP: data on stdout, diagnostics on
stderr, and the exit codes scripts rely on (0 ok, 1 failure, 2 usage or refusal, 4 key).

Expectations are computed from the fake's library, never hard-coded.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from memories_tui import cli
from memories_tui.api.status import SPELLINGS, StatusClass, spellings_of, status_class
from memories_tui.fake import expected_bytes
from memories_tui.fake.server import FakeServer

KEY = "sk-commands-test-0123456789abcdef"
MASKED = "sk-…cdef"
FAILED = spellings_of(StatusClass.FAILED)


@pytest.fixture(autouse=True)
def _in_a_fresh_folder(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env; downloads land here by default
    # No terminal anywhere: what a script sees.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """`memories-tui ARGV` in-process: (exit code, stdout, stderr)."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exited:  # argparse's usage errors
        code = int(exited.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def against(server: FakeServer, *argv: str) -> list[str]:
    """Global flags that point a command at `server`, without pacing."""
    return ["--base-url", server.base_url, "--api-key", KEY, "--rate-limit", "0", *argv]


def api(server: FakeServer, capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, *against(server, *argv))


def listed(server: FakeServer, namespace: str = "default") -> list:
    return list(server.library.videos(namespace))


def requests_to(server: FakeServer, path: str) -> list:
    return [r for r in server.requests if r.path.endswith(path)]


def no_escapes(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text


# --- videos list -----------------------------------------------------------------------


def test_list_is_a_table_of_the_first_50(fake_server, capsys) -> None:
    code, out, err = api(fake_server, capsys, "videos", "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STATUS", "DURATION", "SIZE", "CREATED", "(UTC)"]
    assert len(lines) == 1 + 50
    first = listed(fake_server)[0]
    assert lines[1].startswith(first.video_no + "  ")
    assert first.name in lines[1]
    no_escapes(out)


def test_list_all_as_json_uses_the_api_field_names(fake_server, capsys) -> None:
    code, out, err = api(fake_server, capsys, "videos", "list", "--all", "--format", "json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    videos = listed(fake_server)
    assert [row["video_no"] for row in rows] == [v.video_no for v in videos]
    by_id = {v.video_no: v for v in videos}
    for row in rows:
        video = by_id[row["video_no"]]
        assert set(row) == {"video_no", "video_name", "status", "status_class", "duration",
                            "size", "create_time", "cause"}
        assert row["video_name"] == video.name
        assert row["status"] == video.status
        assert row["status_class"] == status_class(video.status).value
        assert row["size"] == (None if video.size_unknown else video.size)
        assert isinstance(row["duration"], int)
        assert row["create_time"].endswith("Z") and "T" in row["create_time"]
    assert any(row["size"] is None for row in rows)  # the API's "0": unknown, not 0


@pytest.mark.parametrize("fmt", ["json", "ids"])
def test_status_class_asks_once_per_spelling_and_merges(fake_server, capsys, fmt) -> None:
    code, out, _ = api(fake_server, capsys, "videos", "list", "--status", "failed", "--all",
                       "--format", fmt)
    assert code == 0
    expected = [v.video_no for s in FAILED for v in listed(fake_server) if v.status == s]
    got = ([row["video_no"] for row in json.loads(out)] if fmt == "json"
           else out.splitlines())
    assert got == expected and len(set(FAILED) & {v.status for v in listed(fake_server)}) > 1
    asked = [r.json.get("status") for r in requests_to(fake_server, "/list_videos")]
    assert sorted(set(asked)) == sorted(FAILED)


def test_a_raw_spelling_is_sent_as_given(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "videos", "list", "--status", "FAIL", "--all",
                       "--format", "ids")
    assert code == 0
    assert out.splitlines() == [v.video_no for v in listed(fake_server) if v.status == "FAIL"]
    assert {r.json.get("status") for r in requests_to(fake_server, "/list_videos")} == {"FAIL"}


def test_limit_stops_early(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "videos", "list", "--status", "in-progress",
                       "--limit", "3", "--format", "ids")
    assert code == 0
    expected = [v.video_no for v in listed(fake_server) if v.status == "UNPARSE"][:3]
    assert out.splitlines() == expected
    assert len(requests_to(fake_server, "/list_videos")) == 1


def test_status_unknown_reads_everything_and_filters(capsys) -> None:
    with FakeServer(hostile=True) as server:
        code, out, _ = api(server, capsys, "videos", "list", "--status", "unknown",
                           "--format", "json")
        assert code == 0
        rows = json.loads(out)
        assert rows and all(row["status_class"] == "unknown" for row in rows)
        assert all(row["status"] not in SPELLINGS for row in rows)
        assert all(r.json.get("status") is None for r in requests_to(server, "/list_videos"))


@pytest.mark.parametrize("fmt", ["table", "csv", "ids"])
def test_hostile_names_never_reach_the_terminal_raw(capsys, fmt) -> None:
    with FakeServer(hostile=True) as server:
        code, out, _ = api(server, capsys, "videos", "list", "--all", "--format", fmt)
    assert code == 0 and out
    no_escapes(out)
    assert "␛" in out or fmt == "ids"  # escapes shown as visible placeholders


def test_hostile_names_survive_json_exactly(capsys) -> None:
    with FakeServer(hostile=True) as server:
        code, out, _ = api(server, capsys, "videos", "list", "--all", "--format", "json")
        names = {v.video_no: v.name for v in server.library.videos()}
    assert code == 0
    no_escapes(out)  # escaped by json.dumps
    rows = json.loads(out)
    escaped = [row for row in rows if "\x1b" in row["video_name"]]
    assert escaped  # kept exactly, for the script to handle
    assert all(row["video_name"] == names[row["video_no"]] for row in escaped)


@pytest.mark.parametrize("order", ["-size", "--sort=-size"])
def test_sort_reads_every_page_and_sorts(fake_server, capsys, order) -> None:
    argv = ["--sort", "-size"] if order == "-size" else [order]
    code, out, err = api(fake_server, capsys, "videos", "list", *argv, "--limit", "5",
                         "--format", "json")
    assert code == 0 and err == ""
    known = [v for v in listed(fake_server) if not v.size_unknown]
    expected = sorted(known, key=lambda v: v.video_no)
    expected.sort(key=lambda v: v.size, reverse=True)
    assert [row["video_no"] for row in json.loads(out)] == [v.video_no for v in expected[:5]]


def test_sort_by_name_puts_every_video_in_order(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "videos", "list", "--sort", "name", "--all",
                       "--format", "json")
    assert code == 0
    from memories_tui.services.index_store import fold_name

    rows = [(row["video_name"], row["video_no"]) for row in json.loads(out)]
    assert len(rows) == len(listed(fake_server))
    # As the index sorts: case and accents ignored ("São" with "Sao"), ties by id.
    assert rows == sorted(rows, key=lambda r: (fold_name(r[0]), r[1]))


def test_name_is_exact(fake_server, capsys) -> None:
    name = fake_server.library.repeated_name()
    code, out, _ = api(fake_server, capsys, "videos", "list", "--name", name, "--format", "ids")
    assert code == 0
    expected = [v.video_no for v in listed(fake_server) if v.name == name]
    assert len(expected) > 1 and out.splitlines() == expected


def test_csv_has_a_header_line(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "videos", "list", "--limit", "7", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 7
    assert list(rows[0]) == ["video_no", "video_name", "status", "status_class", "duration",
                             "size", "create_time", "cause"]
    assert [r["video_no"] for r in rows] == [v.video_no for v in listed(fake_server)[:7]]


def test_nothing_matches_prints_nothing(fake_server, capsys) -> None:
    code, out, err = api(fake_server, capsys, "videos", "list", "--name", "no such name")
    assert (code, out, err) == (0, "", "")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--status", "faild"], "argument --status: 'faild' is neither a status class"),
        (["--sort", "colour"], "argument --sort: 'colour' is not a field to sort by"),
        (["--limit", "0"], "argument --limit: must be 1 or more"),
        (["--limit", "3", "--all"], "not allowed with argument"),
        (["--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(fake_server, capsys, argv, words) -> None:
    code, out, err = api(fake_server, capsys, "videos", "list", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err
    assert fake_server.requests == []


# --- videos show -------------------------------------------------------------------------


def test_show_as_a_table_and_as_json(fake_server, capsys) -> None:
    video = listed(fake_server)[3]
    code, out, _ = api(fake_server, capsys, "videos", "show", video.video_no)
    assert code == 0
    assert out.splitlines()[0].split() == ["ID", video.video_no]
    assert f"{video.width}×{video.height}" in out
    code, out, _ = api(fake_server, capsys, "videos", "show", video.video_no, "--format", "json")
    record = json.loads(out)
    assert (record["video_no"], record["video_name"], record["width"], record["fps"]) == (
        video.video_no, video.name, video.width, video.fps)
    assert record["status_class"] == status_class(video.status).value


def test_show_an_unknown_video_is_exit_1(fake_server, capsys) -> None:
    code, out, err = api(fake_server, capsys, "videos", "show", "VI000")
    assert code == 1 and out == ""
    assert err.startswith("memories-tui: ") and "not found" in err


# --- the key -----------------------------------------------------------------------------


def test_a_rejected_key_is_exit_4(capsys) -> None:
    with FakeServer(api_key="sk-the-right-key-0000000000") as server:
        code, out, err = api(server, capsys, "videos", "list")
    assert code == 4 and out == ""
    assert "key was rejected" in err and KEY not in err


def test_no_key_at_all_is_exit_4_and_says_how(capsys) -> None:
    code, out, err = run(capsys, "videos", "list")
    assert code == 4 and out == ""
    assert "No API key" in err and "--demo videos list" in err


def test_a_key_refused_by_the_client_is_exit_2(capsys) -> None:
    code, _, err = run(capsys, "--api-key", KEY, "--base-url", "http://10.20.30.40",
                       "videos", "list")
    assert code == 2 and "Refusing to send the API key" in err


def test_an_unreachable_server_is_exit_1(capsys) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    code, out, err = run(capsys, "--api-key", KEY, "--base-url", f"http://127.0.0.1:{port}",
                         "--rate-limit", "0", "--timeout", "1", "namespaces", "list")
    assert code == 1 and out == "" and err.startswith("memories-tui: ")


# --- videos delete -----------------------------------------------------------------------


def test_delete_without_yes_is_refused_when_stdin_is_not_a_terminal(fake_server, capsys):
    ids = [v.video_no for v in listed(fake_server)[:2]]
    code, out, err = api(fake_server, capsys, "videos", "delete", *ids)
    assert code == 2 and out == ""
    assert "without --yes" in err and "Nothing was sent" in err
    assert fake_server.requests == []
    assert fake_server.library.count() == len(listed(fake_server)) == 300


def test_delete_with_yes(fake_server, capsys) -> None:
    ids = [v.video_no for v in listed(fake_server)[:3]]
    code, out, err = api(fake_server, capsys, "videos", "delete", *ids, "--yes")
    assert code == 0 and out == ""
    assert err == "memories-tui: Deleted 3 videos.\n"
    assert len(requests_to(fake_server, "/delete_videos")) == 1
    assert all(fake_server.library.get_video(i) is None for i in ids)


def test_delete_ids_from_stdin(fake_server, capsys, monkeypatch) -> None:
    ids = [v.video_no for v in listed(fake_server) if v.status in FAILED]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(ids) + "\n"))
    code, _, err = api(fake_server, capsys, "videos", "delete", "-", "--yes")
    assert code == 0 and err == f"memories-tui: Deleted {len(ids)} videos.\n"
    assert [v for v in listed(fake_server) if v.status in FAILED] == []


def test_ids_from_stdin_need_yes(fake_server, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(listed(fake_server)[0].video_no + "\n"))
    code, _, err = api(fake_server, capsys, "videos", "delete", "-")
    assert code == 2 and "the ids came from stdin" in err
    assert fake_server.requests == []


def test_partial_failure_is_exit_1_with_the_outcome_on_stderr(fake_server, capsys) -> None:
    ids = [v.video_no for v in listed(fake_server)[:101]]  # two requests: 100, then 1
    fake_server.faults.push("500", path="/delete_videos")  # the first fails
    code, out, err = api(fake_server, capsys, "videos", "delete", *ids, "--yes")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == "memories-tui: Deleted 1 video."
    assert lines[1].startswith("memories-tui: 100 not deleted (")
    assert ids[0] in lines[1] and "and 95 more" in lines[1]
    assert fake_server.library.get_video(ids[0]) is not None
    assert fake_server.library.get_video(ids[100]) is None


def test_a_delete_with_a_rejected_key_is_exit_4(fake_server, capsys) -> None:
    fake_server.faults.push("401", path="/delete_videos")
    code, _, err = api(fake_server, capsys, "videos", "delete", listed(fake_server)[0].video_no,
                       "--yes")
    assert code == 4 and "1 not deleted" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False), ("", False)])
def test_at_a_terminal_delete_lists_the_videos_and_asks(
    fake_server, capsys, monkeypatch, answer, deleted
) -> None:
    videos = listed(fake_server)[:2]
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    code, out, err = api(fake_server, capsys, "videos", "delete", *[v.video_no for v in videos])
    assert out == ""
    assert "Delete 2 videos (" in err and 'from namespace “default”' in err
    assert all(v.name in err and v.video_no in err for v in videos)
    assert "Type y to delete them" in err
    assert bool(requests_to(fake_server, "/delete_videos")) is deleted
    assert code == (0 if deleted else 2)
    assert ("Deleted 2 videos." in err) is deleted
    assert ("Nothing deleted." in err) is not deleted


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", False), ("11\n", True)])
def test_more_than_ten_videos_need_the_count_typed(
    fake_server, capsys, monkeypatch, answer, deleted
) -> None:
    ids = [v.video_no for v in listed(fake_server)[:11]]
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    code, _, err = api(fake_server, capsys, "videos", "delete", *ids)
    assert "Type 11 to delete these 11 videos" in err
    assert bool(requests_to(fake_server, "/delete_videos")) is deleted
    assert code == (0 if deleted else 2)


# --- videos download ---------------------------------------------------------------------


def _small(server: FakeServer, count: int = 2) -> list:
    return [server.library.get_video(i) for i in server.library.small_video_ids(limit=count)]


def test_download_writes_the_files_and_prints_their_paths(fake_server, capsys, tmp_path) -> None:
    videos = _small(fake_server)
    folder = tmp_path / "new" / "folder"
    code, out, err = api(fake_server, capsys, "videos", "download",
                         *[v.video_no for v in videos], "--dir", str(folder))
    assert code == 0 and err == ""
    paths = [Path(line) for line in out.splitlines()]
    assert len(paths) == 2
    for video, path in zip(videos, paths, strict=True):
        assert path.parent == folder and video.video_no in path.name
        assert path.read_bytes() == expected_bytes(video.video_no, video.size)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)


def test_a_refused_download_leaves_no_file_and_is_exit_1(fake_server, capsys, tmp_path) -> None:
    video = _small(fake_server, 1)[0]
    fake_server.faults.push("refusal-octet", path="/download")
    code, out, err = api(fake_server, capsys, "videos", "download", video.video_no,
                         "--dir", str(tmp_path / "d"))
    assert code == 1 and out == ""
    assert err.startswith(f"memories-tui: {video.video_no}: ")
    assert list((tmp_path / "d").iterdir()) == []


def test_download_of_an_unknown_id_is_exit_1_and_the_rest_still_comes(
    fake_server, capsys, tmp_path
) -> None:
    video = _small(fake_server, 1)[0]
    code, out, err = api(fake_server, capsys, "videos", "download", "VI000", video.video_no,
                         "--dir", str(tmp_path))
    assert code == 1
    assert "VI000: not found" in err
    assert Path(out.strip()).read_bytes() == expected_bytes(video.video_no, video.size)


@pytest.mark.parametrize("choice", ["skip", "number", "overwrite"])
def test_on_conflict(fake_server, capsys, tmp_path, choice) -> None:
    video = _small(fake_server, 1)[0]
    code, out, _ = api(fake_server, capsys, "videos", "download", video.video_no,
                       "--dir", str(tmp_path))
    first = Path(out.strip())
    first.write_bytes(b"mine")
    code, out, err = api(fake_server, capsys, "videos", "download", video.video_no,
                         "--dir", str(tmp_path), "--on-conflict", choice)
    assert code == 0
    if choice == "skip":
        assert out == "" and "exists already; skipped" in err
        assert first.read_bytes() == b"mine"
    elif choice == "number":
        second = Path(out.strip())
        assert second != first and second.read_bytes() == expected_bytes(
            video.video_no, video.size)
        assert first.read_bytes() == b"mine"
    else:
        assert Path(out.strip()) == first
        assert first.read_bytes() == expected_bytes(video.video_no, video.size)
    assert not any(p.suffix == ".part" for p in tmp_path.iterdir())


# --- sessions, images, tasks, public, namespaces ---------------------------------------


def test_sessions_list_and_show(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "sessions", "list", "--all", "--format", "json")
    assert code == 0
    sessions = json.loads(out)
    assert len(sessions) == len({s["session_id"] for s in sessions}) > 20  # several pages
    session_id = sessions[0]["session_id"]
    code, out, _ = api(fake_server, capsys, "sessions", "show", session_id, "--format", "json")
    detail = json.loads(out)
    assert code == 0 and detail["session_id"] == session_id and detail["messages"]
    code, out, _ = api(fake_server, capsys, "sessions", "show", session_id)
    assert code == 0 and out.startswith(f"Session {session_id}: ")
    assert "── user ──" in out


def test_sessions_list_ids_is_one_per_line(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "sessions", "list", "--limit", "5", "--format", "ids")
    assert code == 0 and len(out.splitlines()) == 5


def test_images_list(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "images", "list", "--all", "--format", "json")
    assert code == 0
    images = json.loads(out)
    assert len(images) == 57  # the fake's default namespace
    assert all(isinstance(i["id"], str) and i["id"].isdigit() for i in images)  # > 2**53
    code, out, _ = api(fake_server, capsys, "images", "list", "--limit", "3")
    assert code == 0 and out.splitlines()[0].split()[:2] == ["ID", "NAME"]
    assert len(out.splitlines()) == 4


def test_tasks_show(fake_server, capsys) -> None:
    task_id = fake_server.library.task_ids["finished"]
    code, out, _ = api(fake_server, capsys, "tasks", "show", task_id, "--format", "json")
    assert code == 0
    answer = json.loads(out)
    assert answer["task_id"] == task_id and answer["done"] is True
    assert answer["video_ids"] == fake_server.library.task_video_ids(task_id)
    assert all(v["status_class"] == "ready" for v in answer["videos"])


def test_tasks_show_wait_follows_a_growing_task_to_the_end(fake_server, capsys) -> None:
    task_id = fake_server.library.task_ids["growing"]
    code, out, err = api(fake_server, capsys, "tasks", "show", task_id, "--wait",
                         "--interval", "0", "--format", "json")
    assert code == 0 and err == ""
    answer = json.loads(out)
    assert answer["done"] is True and len(answer["videos"]) == 4
    assert {v["status"] for v in answer["videos"]} == {"PARSE"}


def test_an_unknown_task_is_exit_1(fake_server, capsys) -> None:
    code, out, err = api(fake_server, capsys, "tasks", "show", "no-such-task")
    assert code == 1 and out == "" and "not found" in err


def test_public_show(fake_server, capsys) -> None:
    video_no = fake_server.library.reference_public_video_id
    code, out, _ = api(fake_server, capsys, "public", "show", video_no, "--format", "json")
    assert code == 0
    record = json.loads(out)
    assert record["video_no"] == video_no and record["video_name"]
    code, out, _ = api(fake_server, capsys, "public", "show", video_no)
    assert code == 0 and out.splitlines()[0].split() == ["ID", video_no]


def test_namespaces_list(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "namespaces", "list")
    assert code == 0
    assert out.splitlines() == list(fake_server.library.namespaces)
    code, out, _ = api(fake_server, capsys, "namespaces", "list", "--format", "json")
    assert json.loads(out) == list(fake_server.library.namespaces)


def test_unique_id_applies_to_every_command(fake_server, capsys) -> None:
    code, out, _ = api(fake_server, capsys, "--unique-id", "team-a", "videos", "list",
                       "--all", "--format", "ids")
    assert code == 0
    assert out.splitlines() == [v.video_no for v in listed(fake_server, "team-a")]


# --- config --------------------------------------------------------------------------------


def test_config_show_masks_the_key_and_says_where_each_setting_came_from(
    capsys, monkeypatch
) -> None:
    monkeypatch.setenv("MEMORIES_TIMEOUT", "7")
    code, out, err = run(capsys, "--api-key", KEY, "config", "show")
    assert code == 0 and err == ""
    assert KEY not in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert rows["api_key"][1:] == [MASKED, "--api-key"]
    assert rows["timeout"][1:] == ["7.0", "MEMORIES_TIMEOUT"]
    assert rows["page_size"][1:] == ["50", "the", "default"]
    assert rows["read_only"][1] == "false"
    code, out, _ = run(capsys, "--api-key", KEY, "config", "show", "--format", "json")
    settings = json.loads(out)["settings"]
    assert settings["api_key"] == {"value": MASKED, "source": "--api-key"}
    assert settings["timeout"] == {"value": 7.0, "source": "MEMORIES_TIMEOUT"}


def test_config_show_names_the_config_file(capsys, tmp_path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('unique_id = "team-a"\nread_only = true\n')
    code, out, _ = run(capsys, "--config", str(config), "config", "show", "--format", "json")
    answer = json.loads(out)
    assert code == 0 and answer["config_file"] == str(config)
    assert answer["settings"]["unique_id"] == {"value": "team-a",
                                               "source": f"unique_id in {config}"}
    assert answer["settings"]["read_only"]["value"] is True


def test_config_path_follows_xdg_and_the_overrides(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "k"))
    code, out, _ = run(capsys, "config", "path")
    assert code == 0
    assert out.splitlines() == [
        f"config  {tmp_path}/c/memories-tui/config.toml",
        f"state   {tmp_path}/s/memories-tui",
        f"cache   {tmp_path}/k/memories-tui",
        f"log     {tmp_path}/s/memories-tui/memories-tui.log",
    ]
    monkeypatch.setenv("MEMORIES_TUI_CONFIG", str(tmp_path / "env.toml"))
    assert run(capsys, "config", "path", "config")[1] == f"{tmp_path}/env.toml\n"
    given = tmp_path / "given.toml"
    given.write_text("")
    assert run(capsys, "--config", str(given), "config", "path", "config")[1] == f"{given}\n"


def test_the_config_file_from_memories_tui_config_is_read(fake_server, capsys, monkeypatch,
                                                          tmp_path) -> None:
    config = tmp_path / "scripted.toml"
    config.write_text(f'api_key = "{KEY}"\nbase_url = "{fake_server.base_url}"\n'
                      'rate_limit = 0\nunique_id = "archive"\n')
    config.chmod(0o600)
    monkeypatch.setenv("MEMORIES_TUI_CONFIG", str(config))
    code, out, err = run(capsys, "videos", "list", "--format", "ids")
    assert code == 0 and err == ""
    assert out.splitlines() == [v.video_no for v in listed(fake_server, "archive")]


def test_a_config_flag_naming_no_file_is_exit_2(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "--config", str(tmp_path / "nope.toml"), "config", "show")
    assert code == 2 and "is not a file" in err


def test_a_bad_setting_in_the_environment_is_a_warning_on_stderr(fake_server, capsys,
                                                                 monkeypatch) -> None:
    monkeypatch.setenv("MEMORIES_PAGE_SIZE", "lots")
    code, out, err = api(fake_server, capsys, "videos", "list", "--limit", "1", "--format", "ids")
    assert code == 0 and len(out.splitlines()) == 1
    assert err.startswith("memories-tui: warning: MEMORIES_PAGE_SIZE is 'lots'")


# --- the command line itself ---------------------------------------------------------------


def test_a_group_without_its_subcommand_is_a_usage_error(capsys) -> None:
    code, out, err = run(capsys, "videos")
    assert code == 2 and out == "" and "required: COMMAND" in err


def test_help_of_a_subcommand(capsys) -> None:
    code, out, _ = run(capsys, "videos", "list", "--help")
    assert code == 0
    assert "--status CLASS|SPELLING" in out and "--sort [-]FIELD" in out
    assert "local index" in out  # --sort says how it works until the index exists


def test_global_flags_go_before_the_subcommand(fake_server, capsys) -> None:
    code, _, err = run(capsys, "videos", "list", "--api-key", KEY)
    assert code == 2 and "unrecognized arguments: --api-key" in err


def test_debug_shows_each_request_on_stderr_never_the_key(fake_server, capsys) -> None:
    code, out, err = api(fake_server, capsys, "--debug", "namespaces", "list")
    assert code == 0 and out
    assert "memories-tui: debug: httpx: HTTP Request: GET " in err
    assert "/list_unique_ids" in err and KEY not in err
