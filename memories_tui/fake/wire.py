"""The wire form of answers: the envelope, and records as the reference spells them.

Everything the real API sends as a string of digits is a string here too
(``duration``, ``size``, ``total_count``, ``create_time``), ``cause`` is the word
``"null"`` when there is none, and ``current_page``/``page_size`` are real numbers.
"""

from __future__ import annotations

from typing import Any

from .dice import Dice
from .videos import VideoRecord

OK = "0000"
#: "Not found" on the detail calls and Download, and "parameters are incorrect"
#: (a missing one, an unknown route) everywhere: the service uses one code for both.
NOT_FOUND = "0001"
MISSING_PARAMETER = "0001"
#: The Code page's other "parameters are incorrect" code: used here for a value of the
#: wrong type or out of range.
BAD_PARAMETER = "0003"
RATE_LIMITED = "0429"
#: What an unknown route answers, with HTTP 200 (a real answer).
NO_ROUTE_MSG = "No static resource api."


def envelope(data: Any) -> dict[str, Any]:
    return {"code": OK, "msg": "success", "data": data, "success": True, "failed": False}


def failure(code: str, msg: str) -> dict[str, Any]:
    # Key order as in the reference's Download error example.
    return {"code": code, "msg": msg, "data": None, "failed": True, "success": False}


def rate_limited() -> dict[str, Any]:
    """The v1.2 Rate Limits page's answer: no ``data``, ``success`` or ``failed``."""
    return {"code": RATE_LIMITED, "msg": "Request has exceeded the limit."}


def page(
    list_key: str, items: list[Any], current_page: int, page_size: int, total: int
) -> dict[str, Any]:
    return {list_key: items, "current_page": current_page, "page_size": page_size,
            "total_count": str(total)}


def _with_overrides(rec: VideoRecord, data: dict[str, Any]) -> dict[str, Any]:
    if rec.wire_overrides:
        data.update(rec.wire_overrides)
    return data


def listed_duration(rec: VideoRecord) -> int:
    """The service lists duration 0 for videos not (or never) indexed."""
    return 0 if rec.status in ("FAIL", "UNPARSE") else rec.duration


def listed_size(rec: VideoRecord) -> int:
    """0 stands for "unknown" on some ready videos."""
    return 0 if rec.size_unknown else rec.size


def video_item(rec: VideoRecord) -> dict[str, Any]:
    """A List Videos entry, keys in the reference's order."""
    return _with_overrides(rec, {
        "duration": str(listed_duration(rec)),
        "size": str(listed_size(rec)),
        "status": rec.status,
        "cause": rec.cause if rec.cause is not None else "null",
        "video_no": rec.video_no,
        "video_name": rec.name,
        "create_time": str(rec.create_ms),
    })


def _fps(fps: float) -> str:
    return f"{fps:g}"


def video_details(rec: VideoRecord, video_url: str) -> dict[str, Any]:
    """Get Private Video Details: numbers as strings, except width and height."""
    return _with_overrides(rec, {
        "video_no": rec.video_no,
        "video_name": rec.name,
        "duration": str(listed_duration(rec)),
        "size": str(listed_size(rec)),
        "status": rec.status,
        "cause": rec.cause if rec.cause is not None else "null",
        "create_time": str(rec.create_ms),
        "fps": _fps(rec.fps),
        "width": rec.width,
        "height": rec.height,
        "resolution_label": rec.resolution_label,
        "video_url": video_url,
    })


_CAMERAS = ("iPhone 15 Pro", "Pixel 8", "GoPro HERO12 Black", "DJI Mini 4 Pro", "Sony ZV-E10",
            "Canon EOS R6", "Galaxy S24 Ultra")
_TAGS = ("family", "work", "travel", "sports", "pets", "food", "nature", "city", "music")


def video_metadata(rec: VideoRecord, video_url: str) -> dict[str, Any]:
    """The newer Get Metadata: the same fields with real numbers, plus capture data."""
    d = Dice("metadata", rec.video_no)
    data: dict[str, Any] = {
        "video_no": rec.video_no,
        "video_name": rec.name,
        "duration": listed_duration(rec),
        "size": listed_size(rec),
        "status": rec.status,
        "create_time": rec.create_ms,
        "fps": rec.fps,
        "width": rec.width,
        "height": rec.height,
        "resolution_label": rec.resolution_label,
        "video_url": video_url,
        "datetime_taken": rec.create_ms - d.between(60_000, 30 * 86_400_000),
        "camera_model": d.pick(_CAMERAS),
        "latitude": round(d.between(-60_000, 70_000) / 1000, 6),
        "longitude": round(d.between(-180_000, 180_000) / 1000, 6),
        "tags": sorted({d.pick(_TAGS) for _ in range(d.between(0, 3))}),
        "bucket": "memories-fake-videos",
        "blob": f"videos/{rec.namespace}/{rec.video_no}.mp4",
    }
    return _with_overrides(rec, data)
