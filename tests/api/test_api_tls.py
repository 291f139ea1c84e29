"""https: JSON calls over httpx's transport and downloads over the fast path, both in
TLS, against the fake served with a test certificate (made with the openssl command;
skipped without it)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from memories_tui.api import MemoriesClient, NetworkError
from memories_tui.api.download_transport import DownloadTransport
from memories_tui.fake.app import create_app
from memories_tui.fake.library import FakeLibrary

from .api_testkit import save_download

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def tls_fake(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True)
    library = FakeLibrary(seed=1, videos=300)
    app = create_app(library)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(
        app, log_level="critical", lifespan="off",
        ssl_keyfile=str(key), ssl_certfile=str(cert)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the TLS fake did not start"
        time.sleep(0.01)
    yield library, f"https://localhost:{sock.getsockname()[1]}", cert
    server.should_exit = True
    thread.join(timeout=5)


async def test_pages_and_downloads_over_tls(tls_fake, monkeypatch, tmp_path):
    library, url, cert = tls_fake
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate
    async with MemoriesClient("sk-test-tls", url, rate_limit=None) as client:
        assert isinstance(client._http._transport, httpx.AsyncHTTPTransport)
        assert isinstance(client._download_sender()._transport, DownloadTransport)
        page = await client.list_videos(1, 5)
        again = await client.list_videos(2, 5)  # over the kept-alive connection
        assert len(page.videos) == len(again.videos) == 5
        video_no = library.small_video_ids("default", max_size=400_000)[0]
        target: Path = tmp_path / "video.mp4"
        stream = await save_download(client, target, video_no)
        assert target.stat().st_size == stream.total > 0


async def test_an_untrusted_certificate_is_refused_in_plain_words(tls_fake, monkeypatch):
    _library, url, _cert = tls_fake
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with MemoriesClient("sk-test-tls", url, rate_limit=None, max_retries=0) as client:
        with pytest.raises(NetworkError, match="TLS certificate could not be verified"):
            await client.list_videos(1, 5)
