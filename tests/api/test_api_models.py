"""Parsing: the reference's example payloads, and the API's quirks, into exact models."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime

import pytest

from memories_tui.api import BadResponseError, DeleteChunkResult, DeleteReport, NetworkError
from memories_tui.api.models import (
    Video,
    parse_image_page,
    parse_public_video,
    parse_session_detail,
    parse_session_page,
    parse_task_status,
    parse_video_details,
    parse_video_page,
)

# -- the API's documented examples (docs/api.md), verbatim --------------------------

LIST_VIDEOS_DATA = {
    "videos": [
        {"duration": "12", "size": "3284512", "status": "PARSE", "cause": "null",
         "video_no": "VI606404158946574336", "video_name": "182082-867762198_tiny",
         "create_time": "1754037217992"},
        {"duration": "61", "size": "5324808", "status": "PARSE", "cause": "null",
         "video_no": "VI606402870447996928",
         "video_name": "test_video_gz_visual_understanding_s36_gun_6_special_gun_6",
         "create_time": "1754036910783"},
        {"duration": "44", "size": "3583477", "status": "PARSE", "cause": "null",
         "video_no": "VI606401846039576576",
         "video_name": "ssstik.io_@evarose.cosplay_1747479033469",
         "create_time": "1754036666561"},
    ],
    "current_page": 1,
    "page_size": 200,
    "total_count": "3",
}

PUBLIC_VIDEO_DATA = {
    "duration": "13", "status": "PARSE", "video_no": "PI-603068775285264430",
    "video_name": "24 HOURS WOLVES FANS. 🐺 #nba #minnesota #timberwolves ",
    "create_time": "1753242002121",
    "video_url": "https://www.tiktok.com/player/v1/7434361641896103211",
    "like_count": "1460", "share_count": "6", "comment_count": "29", "view_count": "14200",
    "collect_count": "50", "blogger_id": "timberwolves", "text_language": "en",
    "music_name": "original sound", "hash_tag": "#nba#minnesota#timberwolves",
    "publish_time": "1730947213",
}

TASK_DATA = {
    "taskId": "4b2d85ea-8b61-4689-96c3-75d907140242_84f9d9b4b6e5940b67e67e2d17ef1f97",
    "video_ids": ["PI-603068775285264430", "PI-603068775285264431"],
}

SESSIONS_DATA = {
    "sessions": [{"sessionId": "601308802842759168",
                  "title": "Identify common objects across all videos."}],
    "current_page": 1,
    "page_size": 20,
    "total_count": "18",
}


def test_list_videos_example():
    page = parse_video_page(LIST_VIDEOS_DATA, page=1, size=200)
    assert len(page.videos) == 3
    assert (page.page, page.page_size, page.total_count) == (1, 200, 3)
    first = page.videos[0]
    assert first == Video(
        video_no="VI606404158946574336",
        name="182082-867762198_tiny",
        status="PARSE",
        duration=12,
        size=3284512,
        create_time=datetime(2025, 8, 1, 8, 33, 37, 992000, tzinfo=UTC),
        cause=None,
    )
    assert [v.duration for v in page.videos] == [12, 61, 44]
    assert [v.size for v in page.videos] == [3284512, 5324808, 3583477]


def test_public_video_example():
    video = parse_public_video(PUBLIC_VIDEO_DATA)
    assert video.video_no == "PI-603068775285264430"
    assert video.name == "24 HOURS WOLVES FANS. 🐺 #nba #minnesota #timberwolves "
    assert video.duration == 13
    assert video.status == "PARSE"
    assert video.publish_time == datetime(2024, 11, 7, 2, 40, 13, tzinfo=UTC)
    assert video.create_time == datetime(2025, 7, 23, 3, 40, 2, 121000, tzinfo=UTC)
    assert video.hashtags == ("nba", "minnesota", "timberwolves")
    counts = (video.like_count, video.share_count, video.comment_count,
              video.view_count, video.collect_count)
    assert counts == (1460, 6, 29, 14200, 50)
    assert all(type(c) is int for c in counts)
    assert video.blogger_id == "timberwolves"
    assert video.text_language == "en"
    assert video.music_name == "original sound"
    assert video.video_url == "https://www.tiktok.com/player/v1/7434361641896103211"


def test_task_status_example():
    task = parse_task_status(TASK_DATA)
    assert task.task_id == TASK_DATA["taskId"]
    assert task.video_ids == ("PI-603068775285264430", "PI-603068775285264431")


def test_task_status_empty_means_still_downloading():
    assert parse_task_status({"taskId": "t", "video_ids": []}).video_ids == ()
    assert parse_task_status({}, task_id="asked").task_id == "asked"


def test_sessions_example():
    page = parse_session_page(SESSIONS_DATA)
    assert page.sessions[0].session_id == "601308802842759168"
    assert page.sessions[0].title == "Identify common objects across all videos."
    assert (page.page, page.page_size, page.total_count) == (1, 20, 18)


def test_session_id_sent_as_number_becomes_its_digits():
    page = parse_session_page({"sessions": [{"sessionId": 601308802842759168, "title": None}]})
    assert page.sessions[0].session_id == "601308802842759168"
    assert page.sessions[0].title == ""


# -- values as the API really sends them -----------------------------------------


@pytest.mark.parametrize("raw", ["null", "", "None", None, "NULL", " null "])
def test_no_value_words_become_none(raw):
    page = parse_video_page({"videos": [{"video_no": "VI1", "cause": raw, "duration": raw,
                                          "size": raw, "create_time": raw, "status": raw}]})
    video = page.videos[0]
    assert video.cause is None and video.duration is None and video.size is None
    assert video.create_time is None and video.status is None


def test_numbers_as_numbers_or_strings():
    a = parse_video_page({"videos": [{"video_no": "VI1", "duration": 12, "size": 3284512,
                                       "create_time": 1754037217992}],
                          "total_count": 3})
    b = parse_video_page({"videos": [{"video_no": "VI1", "duration": "12", "size": "3284512",
                                       "create_time": "1754037217992"}],
                          "total_count": "3"})
    assert a == b
    assert a.total_count == 3


def test_float_strings_are_rounded_to_whole_numbers():
    page = parse_video_page({"videos": [{"video_no": "VI1", "duration": "12.6", "size": 10.0}]})
    assert page.videos[0].duration == 13
    assert page.videos[0].size == 10


def test_unparsable_field_is_none_with_a_warning(caplog):
    caplog.set_level(logging.WARNING, logger="memories_tui.api")
    page = parse_video_page({"videos": [{"video_no": "VI1", "duration": "twelve",
                                          "size": [1], "create_time": {"x": 1}}]})
    video = page.videos[0]
    assert (video.duration, video.size, video.create_time) == (None, None, None)
    messages = [r.getMessage() for r in caplog.records if r.name == "memories_tui.api"]
    assert any("duration" in m for m in messages)
    assert any("size" in m for m in messages)
    assert any("create_time" in m for m in messages)


def test_negative_sizes_and_bools_are_not_numbers(caplog):
    page = parse_video_page({"videos": [{"video_no": "VI1", "duration": True, "size": "-5"}]})
    assert page.videos[0].duration is None
    assert page.videos[0].size is None


def test_strings_of_the_wrong_json_type():
    page = parse_video_page({"videos": [{"video_no": 606404158946574336, "video_name": 42,
                                          "status": 7, "cause": False}]})
    video = page.videos[0]
    assert video.video_no == "606404158946574336"
    assert video.name == "42"
    assert video.status == "7"
    assert video.cause == "false"


def test_null_name_is_empty_and_a_name_called_null_is_kept():
    page = parse_video_page({"videos": [{"video_no": "VI1", "video_name": None},
                                        {"video_no": "VI2", "video_name": "null"},
                                        {"video_no": "VI3", "video_name": {"a": 1}}]})
    assert [v.name for v in page.videos] == ["", "null", ""]


def test_object_where_a_list_belongs_gives_empty_tuple_and_warning(caplog):
    caplog.set_level(logging.WARNING, logger="memories_tui.api")
    page = parse_video_page({"videos": {"video_no": "VI1"}, "total_count": "0"})
    assert page.videos == ()
    assert any("videos" in r.getMessage() for r in caplog.records)
    detail = parse_session_detail({"title": "t", "messages": {"role": "user"}})
    assert detail.messages == ()


def test_items_without_ids_and_repeats_are_dropped():
    page = parse_video_page({"videos": [{"video_name": "no id"}, "junk", 3,
                                        {"video_no": "VI1"}, {"video_no": "VI1"}]})
    assert [v.video_no for v in page.videos] == ["VI1"]


def test_missing_page_numbers_fall_back_to_the_request():
    page = parse_video_page({"videos": [{"video_no": "VI1"}]}, page=3, size=50)
    assert (page.page, page.page_size) == (3, 50)
    assert page.total_count == 101  # at least the rows before this page, plus this one


@pytest.mark.parametrize("data", [None, [], "x", 3, True, [{"videos": []}]])
def test_data_of_the_wrong_type_is_a_bad_response(data):
    # `null` where a list goes means "nothing to list" (see the next test).
    lists = (parse_video_page, parse_session_page, parse_task_status, parse_image_page)
    for parser in (parse_video_page, parse_public_video, parse_session_page,
                   parse_session_detail, parse_task_status, parse_image_page,
                   parse_video_details):
        if data is None and parser in lists:
            continue
        with pytest.raises(BadResponseError):
            parser(data)


def test_data_null_on_a_list_is_an_empty_list():
    assert parse_video_page(None).videos == () and parse_video_page(None).total_count == 0
    assert parse_session_page(None).sessions == ()
    assert parse_image_page(None).images == () and not parse_image_page(None).unreadable
    assert parse_task_status(None, task_id="t").video_ids == ()


def test_size_zero_is_unknown_not_zero_bytes():
    """The service sends size "0" for a ready video whose size it does not know."""
    page = parse_video_page({"videos": [{"video_no": "VI1", "size": "0", "status": "PARSE"},
                                        {"video_no": "VI2", "size": "12"}]})
    assert [v.size for v in page.videos] == [None, 12]
    assert parse_video_details({"video_no": "VI1", "size": 0}).size is None


# -- times --------------------------------------------------------------------------


def test_create_time_is_milliseconds_and_publish_time_seconds():
    video = parse_public_video({"create_time": "1730947213000", "publish_time": "1730947213"})
    assert video.create_time == video.publish_time == datetime(2024, 11, 7, 2, 40, 13, tzinfo=UTC)
    assert video.create_time.tzinfo is UTC


@pytest.mark.parametrize(
    "raw", ["1" + "0" * 30, 10**400, -5, "-1754037217992", 1e308, "nan", "inf"])
def test_out_of_range_times_are_none(raw):
    video = parse_public_video({"create_time": raw, "publish_time": raw})
    assert video.create_time is None
    assert video.publish_time is None


def test_iso_time_strings_are_accepted():
    video = parse_public_video({"create_time": "2025-08-01T08:33:37.992Z"})
    assert video.create_time == datetime(2025, 8, 1, 8, 33, 37, 992000, tzinfo=UTC)


def test_more_digits_than_python_parses_is_none_not_a_crash():
    video = parse_public_video({"like_count": "9" * 5000, "create_time": "9" * 5000})
    assert video.like_count is None
    assert video.create_time is None


# -- hashtags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("#nba#minnesota#timberwolves", ("nba", "minnesota", "timberwolves")),
        ("#nba #minnesota, #timberwolves ", ("nba", "minnesota", "timberwolves")),
        ("nba,minnesota", ("nba", "minnesota")),
        ("##", ()),
        ("null", ()),
        (None, ()),
        (["#a", "b", 3], ("a", "b", "3")),
        ({"x": 1}, ()),
    ],
)
def test_hashtags(raw, tags):
    assert parse_public_video({"hash_tag": raw}).hashtags == tags


# -- details, sessions, images -----------------------------------------------------


def test_private_video_details():
    details = parse_video_details({
        "video_no": "VI1", "video_name": "clip", "duration": "61", "size": "5324808",
        "status": "PARSE", "create_time": "1754036910783", "fps": "29.97", "width": "1280",
        "height": 720, "resolution_label": "720P", "video_url": "https://example.com/v.mp4",
    })
    assert details.fps == pytest.approx(29.97)
    assert (details.width, details.height) == (1280, 720)
    assert details.resolution_label == "720P"
    assert details.create_time == datetime(2025, 8, 1, 8, 28, 30, 783000, tzinfo=UTC)


def test_session_detail_with_thinkings_and_refs():
    detail = parse_session_detail(
        {
            "title": "Objects",
            "messages": [
                {"role": "user", "content": "What is in my videos?"},
                {
                    "role": "assistant",
                    "content": "**Cats**",
                    "thinkings": [{"title": "Plan", "content": "look"}, "junk"],
                    "refs": [
                        {
                            "video": {"duration": "12", "video_no": "VI1", "video_name": "cat"},
                            "refItems": [{"videoNo": "VI1", "startTime": "3.5", "type": "visual",
                                          "text": "a cat"}],
                            "unknown": 1,
                        }
                    ],
                },
            ],
        },
        session_id="601308802842759168",
    )
    assert detail.session_id == "601308802842759168"
    assert [m.role for m in detail.messages] == ["user", "assistant"]
    assistant = detail.messages[1]
    assert assistant.thinkings[0].title == "Plan"
    assert len(assistant.thinkings) == 1
    ref = assistant.refs[0]
    assert (ref.video_no, ref.video_name, ref.duration) == ("VI1", "cat", 12)
    assert ref.items[0].start_time == 3.5
    assert ref.items[0].text == "a cat"


def test_images_known_fields_alternatives_and_extra():
    page = parse_image_page({
        "images": [
            {"img_no": "IM1", "img_name": "a.png", "size": "100", "width": "640",
             "height": 480, "status": "PARSE", "create_time": "1754037217992",
             "format": "png", "tags": ["x", "y"]},
            {"image_no": "IM2", "name": "b.jpg"},
            {"img_id": 3},
            {"video_no": "VI4", "video_name": "c"},
            {"img_name": "no id"},
        ],
        "current_page": 1, "page_size": 20, "total_count": 4,
    })
    assert [i.image_no for i in page.images] == ["IM1", "IM2", "3", "VI4"]
    first = page.images[0]
    assert (first.name, first.size, first.width, first.height) == ("a.png", 100, 640, 480)
    assert first.create_time == datetime(2025, 8, 1, 8, 33, 37, 992000, tzinfo=UTC)
    assert first.extra == (("format", "png"), ("tags", '["x","y"]'))
    assert page.images[1].name == "b.jpg"
    assert page.images[3].name == "c"
    assert page.total_count == 4


def test_images_in_the_shape_of_the_image_search_answer():
    # As the public evidence shows them: under `item`, a numeric id above 2^53.
    raw = (b'{"item": [{"id": 568102998803353601, "name": "dock.jpg", '
           b'"img_url": "https://x.example/dock.jpg", "datetime_taken": 1754037217992, '
           b'"camera_model": "Pixel 8", "latitude": 59.9, "longitude": -10.75, '
           b'"bucket": "b", "blob": "k"}, {"id": 568102998803353602, "name": "s.png", '
           b'"camera_model": null, "latitude": null, "longitude": null}], '
           b'"current_page": 1, "page_size": 20, "total_count": "2"}')
    import json

    page = parse_image_page(json.loads(raw))
    assert [i.image_no for i in page.images] == ["568102998803353601", "568102998803353602"]
    first, second = page.images
    assert (first.name, first.camera, first.latitude, first.longitude) == (
        "dock.jpg", "Pixel 8", 59.9, -10.75)
    assert first.url == "https://x.example/dock.jpg"
    assert first.taken == datetime(2025, 8, 1, 8, 33, 37, 992000, tzinfo=UTC)
    assert first.extra == (("bucket", "b"), ("blob", "k"))
    assert (second.camera, second.latitude, second.taken) == (None, None, None)
    assert not page.unreadable


# -- models are frozen and hold no wire strings -----------------------------------


def test_models_are_frozen_slotted_dataclasses():
    video = parse_video_page(LIST_VIDEOS_DATA).videos[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        video.name = "x"  # type: ignore[misc]
    assert not hasattr(video, "__dict__")


def test_delete_report_sums_up_chunks():
    maybe = NetworkError("cut", maybe_applied=True)
    report = DeleteReport(chunks=(
        DeleteChunkResult(ids=("a", "b"), ok=True),
        DeleteChunkResult(ids=("c",), ok=False, error=maybe),
        DeleteChunkResult(ids=("d",), ok=False, error=NetworkError("x")),
    ))
    assert report.deleted == ("a", "b")
    assert report.failed == ("c", "d")
    assert report.maybe_deleted == ("c",)
    assert not report.ok
    assert len(report.errors) == 2


def test_images_under_item_with_numeric_ids_are_read():
    """The service's image answers put the list under `item`, with 64-bit numeric ids."""
    from memories_tui.api.models.images import parse_image_page

    big = 2**53 + 7  # past what a float holds exactly: must stay digit for digit
    page = parse_image_page({"current_page": 1, "page_size": 20, "total_count": "2",
                             "item": [{"id": big, "name": "a.jpg", "img_url": "https://x/a"},
                                      {"id": "12", "name": "b.jpg"}]})
    assert [i.image_no for i in page.images] == [str(big), "12"]
    assert [i.name for i in page.images] == ["a.jpg", "b.jpg"]
    assert page.images[0].url == "https://x/a"
    assert page.total_count == 2 and not page.unreadable


def test_an_image_total_without_a_readable_list_is_flagged_not_an_empty_page():
    from memories_tui.api.models.images import parse_image_page

    unknown_key = parse_image_page({"total_count": "2", "pictures": [{"id": 1}, {"id": 2}]})
    no_ids = parse_image_page({"total_count": "1", "item": [{"name": "nameless"}]})
    empty = parse_image_page({"total_count": "0", "item": []})
    assert unknown_key.unreadable and no_ids.unreadable
    assert not empty.unreadable and empty.images == ()


def test_a_cited_moment_keeps_its_end_and_its_type():
    """The service's refItems may carry an endTime (a range) and types such as
    keyframe, visual_ts and audio_ts; the session's own id may come as session_id."""
    detail = parse_session_detail({
        "session_id": "606", "title": "t",
        "messages": [{"role": "ASSISTANT", "content": "c", "refs": [{
            "video": {"video_no": "VI1", "video_name": "clip", "duration": "90"},
            "refItems": [{"videoNo": "VI1", "startTime": 12, "endTime": "20", "type": "visual_ts"},
                         {"videoNo": "VI1", "startTime": "30", "type": "keyframe"}],
        }]}],
    })
    first, second = detail.messages[0].refs[0].items
    assert detail.session_id == "606"
    assert (first.start_time, first.end_time, first.type) == (12, 20, "visual_ts")
    assert (second.end_time, second.type, second.text) == (None, "keyframe", None)


def test_a_moment_with_an_end_reads_as_a_range():
    from memories_tui.tui.widgets.session_conversation import moment_text

    assert moment_text(156, 170) == "0:02:36–0:02:50"
    assert moment_text(156, None) == "0:02:36"
    assert moment_text(156, 100) == "0:02:36"  # an end before its start is not a range
