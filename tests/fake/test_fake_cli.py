"""`memories-tui fake-server`: the hostile profile and fault switches from the command line."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from memories_tui.cli import _fault_spec, build_parser
from memories_tui.fake.hostile import HOSTILE_IDS, HOSTILE_NAMES

from .helpers import API

REPO = Path(__file__).resolve().parents[2]


def test_fault_specs_parse():
    args = build_parser().parse_args(
        ["fake-server", "--hostile", "--fault", "503-html:2", "--fault", "stall-body:1:/download",
         "--fault", "401"])
    assert args.hostile
    assert args.faults == [("503-html", 2, None), ("stall-body", 1, "/download"), ("401", 1, None)]


@pytest.mark.parametrize("bad", ["teapot", "500:x", "500:0", ":3"])
def test_bad_fault_specs_are_refused(bad):
    with pytest.raises(argparse.ArgumentTypeError):
        _fault_spec(bad)


def test_fake_server_command_serves_the_hostile_library_with_faults():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "memories_tui.cli", "fake-server", "--hostile", "--port", "0",
         "--fault", "503-html:1:/list_videos", "--name-match", "contains"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        banner = process.stdout.readline()
        assert "hostile" in banner and "1 faults pending" in banner, banner
        assert "names match by contains" in banner, banner
        base_url = banner.split(" on ", 1)[1].split(" ", 1)[0]
        state = httpx.get(base_url + "/_fake/state").json()
        assert state["hostile"] is True
        pending = httpx.get(base_url + "/_fake/faults").json()["pending"]
        assert pending == [{"kind": "503-html", "count": 1, "path": "/list_videos"}]

        api = httpx.Client(base_url=base_url + API, headers={"Authorization": "sk-any"})
        assert api.post("/list_videos", json={}).status_code == 503
        videos = api.post("/list_videos", json={"size": 100}).json()["data"]["videos"]
        names = {v["video_name"] for v in videos if isinstance(v["video_name"], str)}
        assert set(HOSTILE_NAMES) <= names
        assert set(HOSTILE_IDS) <= {v["video_no"] for v in videos}
        # --name-match contains: part of a name, in another case, finds it.
        part = api.post("/list_videos", json={"video_name": "ETC/PASSWD"}).json()["data"]
        assert "../../etc/passwd" in [v["video_name"] for v in part["videos"]]
        # Some fields carry the wrong JSON type: a number or null where a string belongs,
        # an object or a list where a string belongs.
        assert any(isinstance(v["video_name"], int) for v in videos)
        assert any(v["video_name"] is None for v in videos)
        assert any(isinstance(v["cause"], dict) for v in videos)
        assert any(isinstance(v["cause"], list) for v in videos)
        api.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        finally:
            process.kill()
            process.stdout.close()
            process.stderr.close()
    assert process.returncode == 0
