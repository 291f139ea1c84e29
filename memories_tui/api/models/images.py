"""List Images (an undocumented endpoint): `Image`, `ImagePage` and their parsers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from memories_tui.api.models.common import page_numbers, records, require_object, unique_by_id
from memories_tui.api.wire import (
    display_text,
    first_present,
    log,
    read_float,
    read_id,
    read_int,
    read_ms_time,
    read_name,
    read_text,
)

__all__ = [
    "Image",
    "ImagePage",
    "parse_image",
    "parse_image_page",
]


@dataclass(frozen=True, slots=True)
class Image:
    image_no: str
    name: str
    status: str | None
    size: int | None
    width: int | None
    height: int | None
    create_time: datetime | None
    extra: tuple[tuple[str, str], ...]  # fields this client does not know, as text
    #: The fields of the image search answer, the closest public evidence of this
    #: endpoint's shape (see docs/api.md, List Images); each may be missing.
    taken: datetime | None = None  # `datetime_taken`, ms
    camera: str | None = None  # `camera_model`
    latitude: float | None = None
    longitude: float | None = None
    url: str | None = None  # `img_url`


@dataclass(frozen=True, slots=True)
class ImagePage:
    images: tuple[Image, ...]
    page: int
    page_size: int
    total_count: int
    #: The answer counts images but holds no list this client can read (an unknown key,
    #: or records without ids): the view must say so, never show a silent empty table.
    unreadable: bool = False


# The image endpoint is undocumented: accept the likely spellings of each known field.
_IMAGE_ID_KEYS = ("img_no", "image_no", "img_id", "image_id", "video_no", "id")
_IMAGE_NAME_KEYS = ("img_name", "image_name", "name", "video_name")
_IMAGE_KNOWN_KEYS = ("status", "size", "width", "height", "create_time", "datetime_taken",
                     "camera_model", "latitude", "longitude", "img_url")


def parse_image(record: dict[str, object]) -> Image | None:
    """One image of List Images; None (with a warning) if it has no id."""
    id_key, raw_id = first_present(record, *_IMAGE_ID_KEYS)
    image_no = read_id(raw_id, "image id")
    if image_no is None:
        log.warning("Ignoring an image without an id.")
        return None
    label = f"image {image_no}"
    name_key, name = first_present(record, *_IMAGE_NAME_KEYS, words_are_values=True)
    used = {id_key, name_key, *_IMAGE_KNOWN_KEYS}
    extra = tuple(
        (str(key), display_text(value)) for key, value in record.items() if key not in used
    )
    return Image(
        image_no=image_no,
        name=read_name(name, f"{label} name"),
        status=read_id(record.get("status"), f"{label} status"),
        size=read_int(record.get("size"), f"{label} size"),
        width=read_int(record.get("width"), f"{label} width"),
        height=read_int(record.get("height"), f"{label} height"),
        create_time=read_ms_time(record.get("create_time"), f"{label} create_time"),
        extra=extra,
        taken=read_ms_time(record.get("datetime_taken"), f"{label} datetime_taken"),
        camera=read_text(record.get("camera_model"), f"{label} camera_model"),
        latitude=read_float(record.get("latitude"), f"{label} latitude", minimum=-90.0),
        longitude=read_float(record.get("longitude"), f"{label} longitude", minimum=-180.0),
        url=read_text(record.get("img_url"), f"{label} img_url"),
    )


#: Where the list may be: the real service's image answers use `item`.
_IMAGE_LIST_KEYS = ("item", "items", "images", "imgs", "img_list", "list", "records")


def parse_image_page(data: object, *, page: int = 1, size: int = 20) -> ImagePage:
    """List Images `data`: images under `item` (or `items`, `images`, `imgs`, `list`…)."""
    body = require_object(data, "the image list", null_is_empty=True)
    key, raw_list = first_present(body, *_IMAGE_LIST_KEYS)
    found = records(raw_list, "images")
    images = [i for r in found if (i := parse_image(r))]
    unique = unique_by_id(images, "image", lambda i: i.image_no)
    page, size, total = page_numbers(body, "image list", len(unique), page, size)
    unreadable = total > 0 and (key is None or (bool(found) and not unique))
    if unreadable:
        log.warning("The image list counts %d images but holds none this client can read "
                    "(keys: %s).", total, ", ".join(sorted(map(str, body))[:10]))
    return ImagePage(images=unique, page=page, page_size=size, total_count=total,
                     unreadable=unreadable)
