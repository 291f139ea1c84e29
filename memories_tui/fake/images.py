"""Images for List Images (``img_list_page``).

No public page documents this endpoint. The closest public evidence (the image search
answer, see docs/api.md) puts the list under ``item`` with these fields, which is what
the fake sends: ``id`` (a JSON number above 2^53, so a client that reads it as a float
gets it wrong), ``name``, ``img_url``, ``datetime_taken`` (ms, a number), ``camera_model``,
``latitude``, ``longitude``, ``bucket`` and ``blob``. Screenshots and downloaded
pictures carry no camera and no place (``null``).
"""

from __future__ import annotations

import time
from typing import Any

from . import hostile as H
from .dice import Dice
from .names import image_name
from .videos import REFERENCE_MS, SPAN_MS, snowflake

_CAMERAS = ("iPhone 15 Pro", "Pixel 8", "Galaxy S24 Ultra", "Canon EOS R6", "Sony A7 IV")
#: Image ids are above 2^53 (the evidence's example is 568102998803353600).
_ID_BASE = 1 << 59


def images(seed: int, namespace: str, count: int, hostile: bool = False) -> list[dict[str, Any]]:
    """The images of one namespace in wire form, newest first."""
    step = SPAN_MS / max(count, 1)
    found: list[dict[str, Any]] = []
    for i in range(count):
        d = Dice(seed, "image", namespace, i)
        ms = REFERENCE_MS - 1 - int((i + d.unit()) * step)
        name = image_name(d, time.gmtime(ms // 1000))
        image_id = _ID_BASE + snowflake(ms, 3, i) % _ID_BASE
        from_camera = not name.lower().startswith(("screenshot", "thumbnail"))
        placed = from_camera and d.chance(0.7)
        blob = f"images/{namespace}/{image_id}.jpg"
        found.append({
            "id": image_id,
            "name": name,
            "img_url": f"https://storage.example.com/memories-fake-images/{blob}",
            "datetime_taken": ms - d.between(0, 3 * 86_400_000),
            "camera_model": d.pick(_CAMERAS) if from_camera else None,
            "latitude": round(d.between(-60_000, 70_000) / 1000, 6) if placed else None,
            "longitude": round(d.between(-180_000, 180_000) / 1000, 6) if placed else None,
            "bucket": "memories-fake-images",
            "blob": blob,
        })
    if hostile:
        for n, rec in enumerate(found):
            if n % 2 == 0:
                rec["name"] = H.HOSTILE_NAMES[(n // 2) % len(H.HOSTILE_NAMES)]
        wrong: tuple[dict[str, Any], ...] = (
            {"latitude": "north", "longitude": None, "camera_model": ["a", "list"]},
            {"datetime_taken": "yesterday", "img_url": H.HOSTILE_URLS[0]},
            {"name": 404, "bucket": {"nested": True}},
            {"id": None, "extra": {"nested": True}},
        )
        # Every third image from the second, as far as there are overrides (or images).
        for rec, override in zip(found[1::3], wrong, strict=False):
            rec.update(override)
    return found
