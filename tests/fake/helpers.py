"""Helpers shared by the fake server's tests."""

from __future__ import annotations

import httpx

from memories_tui.fake import FakeServer

API_KEY = "sk-test"
API = "/serve/api/v1"


def make_client(srv: FakeServer, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=srv.base_url + API, headers={"Authorization": API_KEY},
                        timeout=kwargs.pop("timeout", 10.0), **kwargs)


def ok_data(response: httpx.Response):
    """The ``data`` of a successful envelope, checking the envelope on the way."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == "0000", body
    assert body["msg"] == "success"
    assert body["success"] is True and body["failed"] is False
    return body["data"]
