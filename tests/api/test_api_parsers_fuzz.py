"""Property tests: whatever JSON arrives, parsing gives a model or a MemoriesError.

Never any other exception (a KeyError, TypeError or OverflowError would kill a screen),
and never a wire string where a number or a time belongs.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memories_tui.api import MemoriesError
from memories_tui.api.envelope import check_envelope, decode_json, normalize_code
from memories_tui.api.errors import (
    AuthError,
    BadResponseError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    ServerError,
)
from memories_tui.api.models import (
    ImagePage,
    PublicVideo,
    SessionDetail,
    SessionPage,
    TaskStatus,
    VideoDetails,
    VideoPage,
    parse_image_page,
    parse_public_video,
    parse_session_detail,
    parse_session_page,
    parse_task_status,
    parse_video_details,
    parse_video_page,
)

PARSERS = [
    (parse_video_page, VideoPage),
    (parse_video_details, VideoDetails),
    (parse_public_video, PublicVideo),
    (parse_session_page, SessionPage),
    (parse_session_detail, SessionDetail),
    (parse_task_status, TaskStatus),
    (parse_image_page, ImagePage),
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text()
    | st.sampled_from(["null", "", "None", "0", "12", "-1", "1754037217992", "1e400", "nan",
                       "#a#b", "PARSE", " 3 ", "0000", "0429", "0001"])
    | st.integers().map(str)
)
json_values = st.recursive(
    scalars,
    lambda children: (st.lists(children, max_size=5)
                      | st.dictionaries(st.text(max_size=12), children, max_size=6)),
    max_leaves=20,
)

# Objects with the keys the parsers look for, holding values of any type.
KEYS = sorted({
    "videos", "current_page", "page_size", "total_count", "video_no", "video_name", "name",
    "duration", "size", "status", "cause", "create_time", "fps", "width", "height",
    "resolution_label", "video_url", "like_count", "share_count", "comment_count",
    "view_count", "collect_count", "blogger_id", "text_language", "music_name", "hash_tag",
    "publish_time", "sessions", "sessionId", "title", "messages", "role", "content",
    "thinkings", "refs", "video", "refItems", "videoNo", "startTime", "type", "text",
    "taskId", "video_ids", "images", "img_no", "img_name", "image_no", "img_id", "code",
    "msg", "data", "success", "failed",
})
_inner_objects = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)
keyed_objects = st.dictionaries(
    st.sampled_from(KEYS),
    json_values | _inner_objects | st.lists(_inner_objects, max_size=3),
    max_size=10,
)
record = st.dictionaries(st.sampled_from(KEYS), scalars, max_size=12)
shaped_data = st.fixed_dictionaries(
    {},
    optional={
        "videos": st.lists(record, max_size=5),
        "sessions": st.lists(record, max_size=5),
        "images": st.lists(record, max_size=5),
        "messages": st.lists(
            st.fixed_dictionaries({}, optional={
                "role": scalars, "content": scalars,
                "thinkings": st.lists(record, max_size=3),
                "refs": st.lists(st.fixed_dictionaries({}, optional={
                    "video": record, "refItems": st.lists(record, max_size=3)}), max_size=3),
            }),
            max_size=3,
        ),
        "current_page": scalars,
        "page_size": scalars,
        "total_count": scalars,
        "video_ids": st.lists(scalars, max_size=4) | scalars,
    },
).flatmap(lambda d: record.map(lambda extra: {**extra, **d}))

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _quiet_warnings():
    # Thousands of expected warnings would only slow the run down.
    logger = logging.getLogger("memories_tui.api")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def assert_no_wire_values(model: object) -> None:
    """Typed fields hold their types: ints, datetimes, tuples — never the raw strings."""
    for name in getattr(model, "__slots__", ()):
        value = getattr(model, name)
        counts = {"duration", "size", "width", "height", "page", "page_size", "total_count"}
        if name in counts or name.endswith("_count"):
            assert value is None or type(value) is int, (name, value)
        elif name.endswith("_time"):
            assert value is None or isinstance(value, datetime | float), (name, value)
            if isinstance(value, datetime):
                assert value.tzinfo is not None
        elif name == "fps":
            assert value is None or type(value) is float
        elif isinstance(value, tuple):
            for item in value:
                if hasattr(item, "__slots__"):
                    assert_no_wire_values(item)
                elif isinstance(item, tuple):
                    assert all(type(part) is str for part in item)
                else:
                    assert type(item) is str
        elif name in {"video_no", "name", "title", "session_id", "task_id", "image_no", "role",
                      "content", "video_name"}:
            assert value is None or type(value) is str


def parse_or_typed_error(parser, expected_type, data):
    try:
        model = parser(data)
    except MemoriesError:
        return
    assert isinstance(model, expected_type)
    assert_no_wire_values(model)


@FUZZ
@given(json_values)
def test_any_json_gives_a_model_or_a_memories_error(data):
    for parser, expected_type in PARSERS:
        parse_or_typed_error(parser, expected_type, data)


@FUZZ
@given(keyed_objects)
def test_objects_with_the_right_keys_and_random_values(data):
    for parser, expected_type in PARSERS:
        parse_or_typed_error(parser, expected_type, data)


@FUZZ
@given(shaped_data)
def test_well_shaped_data_with_random_field_values(data):
    for parser, expected_type in PARSERS:
        parse_or_typed_error(parser, expected_type, data)


def expected_error(code: str) -> type[MemoriesError]:
    """What a caller must get for a non-success code (the API's table, docs/api.md)."""
    number = int(code) if code.isascii() and code.isdigit() else None
    return {429: RateLimitedError, 404: NotFoundError, 1: RejectedError, 3: RejectedError,
            401: AuthError, 403: AuthError}.get(number, ServerError)


envelopes = st.fixed_dictionaries(
    {"code": scalars | st.sampled_from(["0000", "0", "0001", "0003", "0429", "401", "E12"])},
    optional={"msg": scalars, "data": json_values},
)


@FUZZ
@given(json_values | keyed_objects | envelopes)
def test_envelope_check_returns_data_or_the_error_its_code_means(payload):
    try:
        data = check_envelope(payload, http_status=200)
    except MemoriesError as exc:
        error = exc
    else:
        error = None
    code = normalize_code(payload.get("code")) if isinstance(payload, dict) else None
    if code is None:  # no envelope, or a code of the wrong type: an unreadable answer
        assert isinstance(error, BadResponseError) and error.code is None
        assert error.http_status == 200
    elif code.isascii() and code.isdigit() and int(code) == 0:
        assert error is None and data is payload.get("data")
    else:
        assert type(error) is expected_error(code), (code, error)
        assert error.code == code and error.http_status == 200
        # One line a person can read, whatever the server's msg held.
        assert error.message and "\n" not in error.message and len(error.message) <= 500


@FUZZ
@given(st.dictionaries(st.sampled_from(["code", "msg", "data", "success", "failed"]), json_values))
def test_envelope_like_objects(payload):
    try:
        data = check_envelope(payload)
    except MemoriesError as exc:
        assert str(exc)
    else:
        assert data is payload.get("data")


@FUZZ
@given(st.binary(max_size=200) | json_values.map(lambda v: repr(v).encode())
       | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_decode_to_their_json_or_a_bad_response(body):
    try:
        expected = json.loads(body)
    except (ValueError, RecursionError):
        with pytest.raises(BadResponseError) as info:
            decode_json(body)
        # Said in plain words, never by quoting the body.
        assert info.value.message == "The server's answer was not JSON."
        return
    # The same value (compared as JSON text: NaN is not equal to itself).
    assert json.dumps(decode_json(body), sort_keys=True) == json.dumps(expected, sort_keys=True)
