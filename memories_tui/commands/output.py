"""What the subcommands print: JSON, CSV, ids and aligned tables.

- **JSON** uses the API's field names (`video_no`, `video_name`, `status`, …), numbers as
  numbers, times as ISO 8601 in UTC, and a `status_class` beside each raw `status`. An
  unknown value is null (a size the server lists as "0" included). Written with
  `ensure_ascii`, so no character of server text reaches the terminal raw: escapes,
  bidi controls and the like arrive as `\\u` sequences that `jq` reads back.
- **CSV** has a header line; server text is made safe (`safetext.safe_text`).
- **ids**: one id per line.
- **table**: aligned plain text for people, names made safe. Colours only on a
  terminal (and not with NO_COLOR); long names are cut to the terminal's width only
  on a terminal.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from rich.cells import cell_len

from memories_tui.api.status import StatusClass, status_class
from memories_tui.commands.runtime import Runtime
from memories_tui.format import MISSING, duration_hms, human_size
from memories_tui.safetext import safe_cell, safe_text, truncate_cells
from memories_tui.services.export import VIDEO_FIELDS, csv_value, iso, video_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.api.models import Video, VideoDetails
    from memories_tui.api.models.images import Image
    from memories_tui.api.models.public import PublicVideo
    from memories_tui.api.models.sessions import SessionDetail, SessionSummary

# VIDEO_FIELDS, video_record, iso and csv_value come from memories_tui/services/export.py:
# one record shape for the commands and the TUI's export.

_CLASS_COLOURS = {
    StatusClass.READY: "32",  # green
    StatusClass.IN_PROGRESS: "33",  # yellow
    StatusClass.FAILED: "31",  # red
    StatusClass.UNKNOWN: "35",  # magenta
}


def class_name(status: str | None) -> str:
    return status_class(status).value


# -- records ------------------------------------------------------------------------


def details_record(details: VideoDetails) -> dict[str, object]:
    return {
        "video_no": details.video_no,
        "video_name": details.name,
        "status": details.status,
        "status_class": class_name(details.status),
        "duration": details.duration,
        "size": details.size,
        "create_time": iso(details.create_time),
        "fps": details.fps,
        "width": details.width,
        "height": details.height,
        "resolution_label": details.resolution_label,
        "video_url": details.video_url,
    }


def public_record(video: PublicVideo) -> dict[str, object]:
    return {
        "video_no": video.video_no,
        "video_name": video.name,
        "status": video.status,
        "status_class": class_name(video.status),
        "duration": video.duration,
        "create_time": iso(video.create_time),
        "publish_time": iso(video.publish_time),
        "video_url": video.video_url,
        "blogger_id": video.blogger_id,
        "text_language": video.text_language,
        "music_name": video.music_name,
        "hash_tag": "".join(f"#{tag.lstrip('#')}" for tag in video.hashtags) or None,
        "like_count": video.like_count,
        "share_count": video.share_count,
        "comment_count": video.comment_count,
        "view_count": video.view_count,
        "collect_count": video.collect_count,
    }


def session_record(session: SessionSummary) -> dict[str, object]:
    return {"session_id": session.session_id, "title": session.title}


def session_detail_record(detail: SessionDetail) -> dict[str, object]:
    return {
        "session_id": detail.session_id,
        "title": detail.title,
        "messages": [
            {
                "role": message.role,
                "content": message.content,
                "thinkings": [{"title": t.title, "content": t.content}
                              for t in message.thinkings],
                "refs": [
                    {
                        "video": {"video_no": ref.video_no, "video_name": ref.video_name,
                                  "duration": ref.duration},
                        "refItems": [
                            {"videoNo": item.video_no, "startTime": item.start_time,
                             "endTime": item.end_time, "type": item.type, "text": item.text}
                            for item in ref.items
                        ],
                    }
                    for ref in message.refs
                ],
            }
            for message in detail.messages
        ],
    }


def image_record(image: Image) -> dict[str, object]:
    return {
        "id": image.image_no,
        "name": image.name,
        "status": image.status,
        "size": image.size,
        "width": image.width,
        "height": image.height,
        "create_time": iso(image.create_time),
        "datetime_taken": iso(image.taken),
        "camera_model": image.camera,
        "latitude": image.latitude,
        "longitude": image.longitude,
        "img_url": image.url,
    }


# -- writers ------------------------------------------------------------------------


def write_json(rt: Runtime, data: object) -> None:
    rt.progress.clear()
    json.dump(data, rt.stdout, indent=2, ensure_ascii=True)
    rt.stdout.write("\n")


def write_csv(rt: Runtime, fields: Sequence[str], records: Iterable[Mapping[str, object]]) -> None:
    rt.progress.clear()
    writer = csv.writer(rt.stdout, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([csv_value(record.get(name)) for name in fields])


def write_ids(rt: Runtime, ids: Iterable[str]) -> None:
    for video_no in ids:
        rt.out(safe_text(video_no))


def _paint(text: str, code: str | None, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def write_table(
    rt: Runtime,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    shrink: int | None = None,
    colour_of: Iterable[Sequence[str | None]] | None = None,
) -> None:
    """An aligned table: a header line, then the rows, two spaces between columns, no
    trailing spaces; nothing at all without rows. Cells are text already made safe. On
    a terminal narrower than the table, column `shrink` is cut to fit. `colour_of`
    gives an ANSI colour code per cell of each row (None: plain), used only when
    colours are on."""
    table = [list(row) for row in rows]
    if not table:
        return  # nothing to show: no header either (the caller says so on a terminal)
    codes = [list(c) for c in colour_of] if colour_of is not None else None
    widths = [cell_len(h) for h in headers]
    for row in table:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell))
    width = rt.width
    if width is not None and shrink is not None:
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        if excess > 0:
            # Not below 20 cells: past that a name says nothing, and the line may wrap.
            widths[shrink] = max(min(widths[shrink], 20), widths[shrink] - excess)
            for row in table:
                row[shrink] = truncate_cells(row[shrink], widths[shrink])
    colour = rt.colour

    def line(cells: Sequence[str], row_codes: Sequence[str | None] | None) -> str:
        parts = []
        last = len(cells) - 1
        for i, cell in enumerate(cells):
            pad = "" if i == last else " " * (widths[i] - cell_len(cell))
            code = row_codes[i] if row_codes is not None else None
            parts.append(_paint(cell, code, colour) + pad)
        return "  ".join(parts).rstrip()

    rt.out(line(headers, None))
    for n, row in enumerate(table):
        rt.out(line(row, codes[n] if codes is not None else None))


def status_colour(status: str | None) -> str:
    return _CLASS_COLOURS[status_class(status)]


def minute(moment: datetime | None) -> str:
    """A time for a table: "2025-08-01 08:33", in UTC (the header says so)."""
    if moment is None:
        return MISSING
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%d %H:%M")


def video_row(video: Video) -> list[str]:
    return [
        safe_cell(video.video_no),
        safe_cell(video.name),
        safe_cell(video.status) if video.status is not None else MISSING,
        duration_hms(video.duration),
        human_size(video.size),
        minute(video.create_time),
    ]


VIDEO_HEADERS = ("ID", "NAME", "STATUS", "DURATION", "SIZE", "CREATED (UTC)")


def write_videos(rt: Runtime, videos: Sequence[Video], fmt: str) -> None:
    """Videos in one of the list formats (table, json, csv, ids)."""
    if fmt == "json":
        write_json(rt, [video_record(v) for v in videos])
    elif fmt == "csv":
        write_csv(rt, VIDEO_FIELDS, (video_record(v) for v in videos))
    elif fmt == "ids":
        write_ids(rt, (v.video_no for v in videos))
    else:
        write_table(
            rt, VIDEO_HEADERS, (video_row(v) for v in videos), shrink=1,
            colour_of=([None, None, status_colour(v.status), None, None, None]
                       for v in videos),
        )


def write_fields(rt: Runtime, pairs: Sequence[tuple[str, str]]) -> None:
    """A record for people: "label  value" lines, labels aligned (values made safe by
    the caller)."""
    width = max((cell_len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        rt.out(f"{label}{' ' * (width - cell_len(label))}  {value}".rstrip())
