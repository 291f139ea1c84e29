"""Realistic names for generated videos, images, sessions and public clips.

Libraries hold a mix of camera file names (``IMG_4821.MOV``), screen recordings,
descriptive titles in several scripts, and now and then an emoji, because that is what
people upload and what a table has to lay out.
"""

from __future__ import annotations

import time

from .dice import Dice

SUBJECTS = (
    "beach day", "sunset", "birthday party", "team standup", "product demo", "drone flight",
    "cooking class", "wedding toast", "hiking trail", "city walk", "concert", "soccer practice",
    "lecture", "customer interview", "unboxing", "road trip", "garden tour", "dog park",
    "kitchen remodel", "ski run", "piano recital", "marathon finish", "lab experiment",
    "school play", "board meeting", "yoga session", "street food", "museum visit",
    "surf session", "timelapse", "bike commute", "graduation", "camping night", "fireworks",
    "warehouse walkthrough", "onboarding", "sprint review", "podcast recording",
)
PLACES = (
    "Lisbon", "Kyoto", "Reykjavík", "São Paulo", "Zürich", "Montréal", "Cape Town", "Berlin",
    "Oaxaca", "Seoul", "Minneapolis", "Kraków", "Marrakesh", "Hà Nội", "Queenstown",
    "Bengaluru", "Tromsø", "Valparaíso", "Istanbul", "Austin",
)
QUALIFIERS = ("final", "draft", "raw", "edit", "v2", "cut", "export", "b-roll", "4k", "take 3")
EMOJI = (
    "🎬", "☕", "🌅", "🎉", "🐶", "🏔️", "🍜", "⚽", "🎸", "🚴", "🌊", "🔥", "✨", "📦", "👨‍👩‍👧",
)
# Whole titles in other scripts: the table must measure wide and combining characters.
FOREIGN = (
    "夜の東京", "東京タワー timelapse", "서울 야경", "上海外滩夜景", "Café tour ☕",
    "Ñandú en la pampa", "Größenvergleich Test", "Привет из Москвы", "Ελληνικό καλοκαίρι",
    "naïve résumé walkthrough", "Crème brûlée 🍮", "Ωmega run", "प्रदर्शन वीडियो",
    "Demo 🎬 final v2", "Fête de la musique 🎸", "São João 2025 🎉",
)
CAUSES = (
    "Unsupported codec", "File corrupted", "Video too short", "No video stream found",
    "Download timed out", "Resolution exceeds limit", "Audio track missing",
)
HANDLES = ("evarose.cosplay", "daily.clips", "timberwolves", "chef_marco", "travelwithjo", "nba")


def video_name(d: Dice, taken: time.struct_time) -> str:
    """A video name; camera-style names carry the date and time ``taken``."""
    kind = d.below(20)
    if kind < 3:
        return f"IMG_{d.digits(4)}.MOV"
    if kind < 5:
        return time.strftime("VID_%Y%m%d_%H%M%S.mp4", taken)
    if kind == 5:
        return f"GX01{d.digits(4)}.MP4"
    if kind == 6:
        return f"DJI_{d.digits(4)}.MP4"
    if kind == 7:
        return time.strftime("Screen Recording %Y-%m-%d at %H.%M.%S", taken)
    if kind == 8:
        return f"ssstik.io_@{d.pick(HANDLES)}_{d.digits(13)}"
    if kind == 9:
        return f"{d.digits(6)}-{d.digits(9)}_tiny"
    if kind < 12:
        return d.pick(FOREIGN)
    subject = d.pick(SUBJECTS)
    if kind < 15:
        return f"{d.pick(PLACES)} {subject} {d.between(1, 12)}"
    if kind < 17:
        return f"{subject.capitalize()} - {d.pick(QUALIFIERS)}"
    if kind == 17:
        return f"{d.pick(EMOJI)} {subject}"
    if kind == 18:
        return f"{subject} {d.pick(EMOJI)}"
    return f"test_video_{subject.replace(' ', '_')}_{d.between(1, 99)}"


def image_name(d: Dice, taken: time.struct_time) -> str:
    kind = d.below(8)
    if kind < 3:
        return f"IMG_{d.digits(4)}.JPG"
    if kind == 3:
        return time.strftime("Screenshot %Y-%m-%d %H%M%S.png", taken)
    if kind == 4:
        return f"{d.pick(PLACES)} {d.pick(SUBJECTS)}.jpg"
    if kind == 5:
        return d.pick(
            ("夜景.png", "Café menu.jpg", "whiteboard 📋.png", "Größe.heic", "thumbnail.webp")
        )
    return f"{d.pick(SUBJECTS).replace(' ', '_')}_{d.digits(3)}.jpeg"
