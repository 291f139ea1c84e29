"""Videos as records a spreadsheet or a script can read: JSON or CSV, to a file.

One record shape for the TUI's export and the `videos list` command: the API's field
names, numbers as numbers, `create_time` in ISO 8601 UTC, `status_class` beside the raw
`status`, and null (an empty CSV cell) for what the server does not know. Server text
goes into CSV made safe (no terminal escapes: a CSV is often looked at with `cat`);
JSON escapes it. A file is written aside and then renamed: never half a file.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from memories_tui.api.models import Video
from memories_tui.api.status import status_class
from memories_tui.safetext import safe_text

__all__ = ["EXPORT_FORMATS", "VIDEO_FIELDS", "csv_value", "iso", "video_record",
           "write_videos"]

VIDEO_FIELDS = ("video_no", "video_name", "status", "status_class", "duration", "size",
                "create_time", "cause")
EXPORT_FORMATS = (".csv", ".json")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC ("2025-08-01T08:33:37Z", milliseconds when there are any)."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def video_record(video: Video) -> dict[str, object]:
    return {
        "video_no": video.video_no,
        "video_name": video.name,
        "status": video.status,
        "status_class": status_class(video.status).value,
        "duration": video.duration,
        "size": video.size,
        "create_time": iso(video.create_time),
        "cause": video.cause,
    }


def csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return safe_text(value)


def _csv_text(fields: Sequence[str], records: Iterable[Mapping[str, object]]) -> str:
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([csv_value(record.get(name)) for name in fields])
    return out.getvalue()


def write_videos(path: Path, videos: Iterable[Video]) -> int:
    """Write `videos` to `path` as CSV or JSON (by its suffix); how many. Raises
    ValueError for another suffix, OSError when the file cannot be written."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"name the file .csv or .json, not “{safe_text(path.name)}”")
    records = [video_record(video) for video in videos]
    if suffix == ".json":
        text = json.dumps(records, indent=2, ensure_ascii=True) + "\n"
    else:
        text = _csv_text(VIDEO_FIELDS, records)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".export-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return len(records)
