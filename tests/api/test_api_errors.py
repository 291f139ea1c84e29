"""The typed errors: their fields, their words, and that the key never shows."""

from __future__ import annotations

import pytest

from memories_tui.api import (
    AuthError,
    BadResponseError,
    InsecureURLError,
    MemoriesClient,
    MemoriesError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    RequestTimeout,
    ServerError,
    is_loopback_host,
    mask_key,
)
from memories_tui.api.envelope import check_envelope, decode_json
from memories_tui.api.errors import register_secret
from memories_tui.api.responses import error_for_status, parse_retry_after, status_summary

KEY = "sk-test-errors-test-key-9f8e7d6c"


@pytest.mark.parametrize(
    "cls",
    [MemoriesError, AuthError, NotFoundError, RateLimitedError, ServerError, BadResponseError,
     NetworkError, RequestTimeout, InsecureURLError],
)
def test_every_error_has_the_common_fields(cls):
    error = cls()
    assert isinstance(error, MemoriesError)
    assert error.code is None
    assert error.http_status is None
    assert error.maybe_applied is False
    assert error.message and str(error) == error.message


def test_hierarchy():
    assert issubclass(RequestTimeout, NetworkError)
    assert RateLimitedError(retry_after=3.0).retry_after == 3.0
    assert NetworkError(host="api.memories.ai").host == "api.memories.ai"


def test_auth_error_says_how_to_set_the_key():
    error = error_for_status(401)
    assert isinstance(error, AuthError)
    assert "MEMORIES_API_KEY" in error.message and "--api-key" in error.message
    assert error.http_status == 401
    assert isinstance(error_for_status(403), AuthError)


def test_status_errors_are_plain_words():
    error = error_for_status(502)
    assert isinstance(error, ServerError)
    assert error.message == "The server answered 502 Bad Gateway."
    assert status_summary(599) == "HTTP 599"
    limited = error_for_status(429, retry_after=2.5)
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 2.5
    assert error_for_status(200) is None
    assert error_for_status(404) is None  # the body decides
    assert isinstance(error_for_status(302), BadResponseError)


@pytest.mark.parametrize(
    ("code", "cls"),
    [("0001", RejectedError), ("0003", RejectedError), ("0429", RateLimitedError),
     (429, RateLimitedError),
     ("429", RateLimitedError), ("0401", AuthError), ("9999", ServerError), ("E_BAD", ServerError)],
)
def test_envelope_codes(code, cls):
    with pytest.raises(cls) as info:
        check_envelope({"code": code, "msg": "no", "data": None}, http_status=200)
    assert info.value.code == str(code)
    assert info.value.http_status == 200


@pytest.mark.parametrize("code", ["0000", "0", 0, 0.0])
def test_success_codes(code):
    assert check_envelope({"code": code, "data": {"x": 1}}) == {"x": 1}


@pytest.mark.parametrize(
    "payload",
    [[], "0000", None, {"msg": "success", "data": {}}, {"code": None}, {"code": True},
     {"code": ["0000"]}, {"code": {"a": 1}}],
)
def test_missing_or_wrong_envelope_is_bad_response(payload):
    with pytest.raises(BadResponseError):
        check_envelope(payload)


def test_success_flag_does_not_decide():
    with pytest.raises(RejectedError):
        check_envelope({"code": "0001", "success": True, "data": {}})


def test_not_found_names_the_subject_and_quotes_the_server():
    with pytest.raises(NotFoundError) as info:
        check_envelope({"code": "0001", "msg": "video not found"}, subject="Video VI1")
    assert info.value.message == "Video VI1 was not found (0001: video not found)."


def test_0001_about_no_one_thing_is_a_rejected_request_in_the_servers_words():
    """The service's general meaning of 0001/0003 is "a parameter is wrong": only a call
    about one thing (details, a download) may read it as "not found"."""
    with pytest.raises(RejectedError) as info:
        check_envelope({"code": "0001", "msg": "No static resource api."})
    assert info.value.message == (
        "The server rejected the request (0001: No static resource api.).")


def test_unknown_code_quotes_the_server_message_briefly():
    with pytest.raises(ServerError) as info:
        check_envelope({"code": "0500", "msg": "x" * 5000})
    assert "0500" in info.value.message
    assert len(info.value.message) < 600


def test_decode_json_never_returns_the_body_in_the_message():
    with pytest.raises(BadResponseError) as info:
        decode_json(b"<html><body>Bad Gateway</body></html>")
    assert "<html" not in str(info.value)
    with pytest.raises(BadResponseError):
        decode_json(b"\xff\xfe")


def test_retry_after():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None
    from datetime import UTC, datetime
    now = datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 00:00:10 GMT", now=now) == 10.0


# -- the key never shows --------------------------------------------------------------


def test_registered_key_is_masked_in_messages_codes_and_reprs():
    register_secret(KEY)
    errors = [
        ServerError(f"The server said: invalid key {KEY}"),
        AuthError(f"url https://api.memories.ai/x?key={KEY}"),
        NetworkError(f"Authorization: {KEY}", host="h"),
        BadResponseError("percent-encoded " + KEY.replace("-", "%2D")),
        MemoriesError("x", code=KEY),
    ]
    for error in errors:
        for text in (str(error), repr(error), error.message, str(error.args), str(error.code)):
            assert KEY not in text
    later = ServerError("fine")
    later.message = f"changed to {KEY}"
    assert KEY not in str(later) and KEY not in repr(later) and KEY not in str(later.args)


def test_envelope_echoing_the_key_is_masked():
    register_secret(KEY)
    with pytest.raises(ServerError) as info:
        check_envelope({"code": "0403x", "msg": f"bad key {KEY}"})
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert mask_key(KEY) in str(info.value)


def test_mask_key():
    assert mask_key("sk-test-1234567890abcd") == "sk-…abcd"
    assert mask_key("short") == "****"
    assert mask_key("") == "not set"
    assert mask_key(None) == "not set"
    # One policy everywhere: the settings show a key as errors and logs do.
    from memories_tui.config import mask_key as settings_mask_key

    assert settings_mask_key is mask_key


def test_control_characters_and_length_are_tamed():
    error = ServerError("line1\nline2\x1b[31mred" + "y" * 2000)
    assert "\n" not in error.message and "\x1b" not in error.message
    assert len(error.message) <= 500


# -- refusing insecure URLs, validating the key ------------------------------------------


@pytest.mark.parametrize("url", ["http://api.memories.ai", "http://10.0.0.5:8765", "http://example.com/"])
def test_plain_http_to_a_remote_host_is_refused(url):
    with pytest.raises(InsecureURLError) as info:
        MemoriesClient(KEY, url)
    assert KEY not in str(info.value)
    # ...unless explicitly allowed.
    MemoriesClient(KEY, url, allow_insecure_http=True)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:8080", "http://127.9.8.7",
     "https://api.memories.ai", "https://example.com/prefix/"],
)
def test_loopback_and_https_are_accepted(url):
    client = MemoriesClient(KEY, url)
    assert client.base_url == url.rstrip("/")


def test_loopback_hosts():
    for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.255.0.1", "::1", "[::1]",
                 "::ffff:127.0.0.1"]:
        assert is_loopback_host(host), host
    # "*.localhost" stays on this machine only if the resolver says so: not trusted.
    for host in ["10.0.0.1", "api.memories.ai", "localhost.example.com", "128.0.0.1", "::2",
                 "evil.localhost"]:
        assert not is_loopback_host(host), host


@pytest.mark.parametrize(
    "url",
    ["ftp://api.memories.ai", "api.memories.ai", "https://", "", "https://u:secret@api.memories.ai"],
)
def test_malformed_base_urls(url):
    with pytest.raises(ValueError):
        MemoriesClient(KEY, url)


@pytest.mark.parametrize("bad", [KEY + "\nX-Evil: 1", "sk-with space", "sk-ünïcode-key"])
def test_unsendable_key_is_refused_without_quoting_it(bad):
    with pytest.raises(ValueError) as info:
        MemoriesClient(bad, "https://api.memories.ai")
    assert bad not in str(info.value)


def test_client_repr_masks_the_key():
    client = MemoriesClient(KEY, "https://api.memories.ai")
    assert KEY not in repr(client)
    assert KEY not in repr(client._http.headers)
    assert client.host == "api.memories.ai"
    assert client.unique_id == "default"
