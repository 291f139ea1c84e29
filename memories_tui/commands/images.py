"""`memories-tui images list`: the image library of the namespace."""

from __future__ import annotations

import argparse

from memories_tui.commands import LIST_FORMATS, subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.api.models.images import Image
    from memories_tui.commands.runtime import Runtime

HELP = "list images"

DEFAULT_LIMIT = 50
#: Rows asked for per request (the endpoint is undocumented: a modest size).
PAGE_SIZE = 200

#: The fields of an image in CSV, in order (the API's names, as in JSON).
IMAGE_FIELDS = ("id", "name", "status", "size", "width", "height", "create_time",
                "datetime_taken", "camera_model", "latitude", "longitude", "img_url")


def register(group: argparse.ArgumentParser) -> None:
    from memories_tui.commands.videos import _count

    listing = subcommand(group, "list", "list images", list_images)
    amount = listing.add_mutually_exclusive_group()
    amount.add_argument("--limit", type=_count, default=DEFAULT_LIMIT, metavar="N",
                        help=f"at most N images (default {DEFAULT_LIMIT})")
    amount.add_argument("--all", action="store_true", help="every image, page after page")
    listing.add_argument("--format", choices=LIST_FORMATS, default="table",
                         help="table (default), json, csv or ids (one per line)")


def _place(image: Image) -> str:
    from memories_tui.format import MISSING

    if image.latitude is None or image.longitude is None:
        return MISSING
    return f"{image.latitude:.2f}, {image.longitude:.2f}"


async def list_images(rt: Runtime, args: argparse.Namespace) -> int:
    from memories_tui.commands.output import (
        image_record,
        minute,
        write_csv,
        write_ids,
        write_json,
        write_table,
    )
    from memories_tui.commands.paging import collect_pages
    from memories_tui.format import MISSING
    from memories_tui.safetext import safe_cell

    limit = None if args.all else args.limit
    size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit)
    images = await collect_pages(
        rt, lambda page: rt.library.list_images(page, size, rt.unique_id),
        lambda answer: answer.images, lambda image: image.image_no,
        limit=limit, what="Listing images",
    )
    if args.format == "json":
        write_json(rt, [image_record(i) for i in images])
    elif args.format == "csv":
        write_csv(rt, IMAGE_FIELDS, (image_record(i) for i in images))
    elif args.format == "ids":
        write_ids(rt, (i.image_no for i in images))
    else:
        write_table(
            rt, ("ID", "NAME", "TAKEN (UTC)", "CAMERA", "PLACE"),
            ([safe_cell(i.image_no), safe_cell(i.name) or "(no name)",
              minute(i.taken or i.create_time),
              safe_cell(i.camera) if i.camera else MISSING, _place(i)] for i in images),
            shrink=1,
        )
    if not images:
        rt.hint("No images.")
    elif limit is not None and len(images) == limit:
        rt.hint(f"The first {limit:,}; --all lists every one.")
    return 0
