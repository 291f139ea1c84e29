"""Images for List Images (``img_list_page``).

No public page documents this endpoint's fields; the reference lets the fake choose:
``img_no`` (``IM`` + 18 digits), ``img_name``, ``size``, ``width``, ``height``,
``status``, ``create_time``. Like List Videos, ``size`` and ``create_time`` are strings
of digits; ``width`` and ``height`` are real numbers, so clients meet both forms.
"""

from __future__ import annotations

import time
from typing import Any

from . import hostile as H
from .dice import Dice
from .names import image_name
from .videos import REFERENCE_MS, SPAN_MS, snowflake

_SHAPES = (
    (4032, 3024), (3024, 4032), (1920, 1080), (1170, 2532), (800, 600), (512, 512), (6000, 4000),
)


def images(seed: int, namespace: str, count: int, hostile: bool = False) -> list[dict[str, Any]]:
    """The images of one namespace in wire form, newest first."""
    step = SPAN_MS / max(count, 1)
    found: list[dict[str, Any]] = []
    for i in range(count):
        d = Dice(seed, "image", namespace, i)
        ms = REFERENCE_MS - 1 - int((i + d.unit()) * step)
        width, height = d.pick(_SHAPES)
        roll = d.unit()
        found.append({
            "img_no": f"IM{snowflake(ms, 3, i)}",
            "img_name": image_name(d, time.gmtime(ms // 1000)),
            "size": str(int(width * height * d.log_between(0.05, 0.6))),
            "width": width,
            "height": height,
            "status": "UNPARSE" if roll < 0.08 else "FAILED" if roll < 0.12 else "PARSE",
            "create_time": str(ms),
        })
    if hostile:
        for n, rec in enumerate(found):
            if n % 2 == 0:
                rec["img_name"] = H.HOSTILE_NAMES[(n // 2) % len(H.HOSTILE_NAMES)]
        wrong: tuple[dict[str, Any], ...] = (
            {"width": "wide", "height": None},
            {"size": -1, "create_time": "yesterday"},
            {"img_name": 404, "status": ["PARSE"]},
            {"img_no": None, "extra": {"nested": True}},
        )
        # Every third image from the second, as far as there are overrides (or images).
        for rec, override in zip(found[1::3], wrong, strict=False):
            rec.update(override)
    return found
