"""Public videos (``PI-`` ids): clips indexed from social platforms.

Kept directly in wire form (every number a string, ``publish_time`` in seconds,
``create_time`` in milliseconds), as the reference documents them. The reference's own
example, ``PI-603068775285264430``, is included byte for byte, with its 16 fields; so is
a real captured answer, ``PI-603521765934764187``, which carries only 7. Most generated
videos carry only those 7 too, as real answers do; the rest carry all 16.
"""

from __future__ import annotations

from typing import Any

from . import hostile as H
from .dice import Dice
from .videos import REFERENCE_MS, SPAN_MS

REFERENCE_PUBLIC_ID = "PI-603068775285264430"

#: The reference's Get Public Video Details example ``data``, exactly.
REFERENCE_PUBLIC_VIDEO: dict[str, str] = {
    "duration": "13",
    "status": "PARSE",
    "video_no": "PI-603068775285264430",
    "video_name": "24 HOURS WOLVES FANS. 🐺 #nba #minnesota #timberwolves ",
    "create_time": "1753242002121",
    "video_url": "https://www.tiktok.com/player/v1/7434361641896103211",
    "like_count": "1460",
    "share_count": "6",
    "comment_count": "29",
    "view_count": "14200",
    "collect_count": "50",
    "blogger_id": "timberwolves",
    "text_language": "en",
    "music_name": "original sound",
    "hash_tag": "#nba#minnesota#timberwolves",
    "publish_time": "1730947213",
}

#: A real answer (see docs/api.md): the 7 fields the service actually sent.
REAL_PUBLIC_VIDEO: dict[str, str] = {
    "duration": "45",
    "status": "PARSE",
    "video_no": "PI-603521765934764187",
    "video_name": "Mike Shinoda talks about … #ideageneration💡\n\n"
                  "#mikeshinoda #beastieboys #linkinpark",
    "create_time": "1753350037295",
    "video_url": "https://www.tiktok.com/player/v1/7450672956881030430",
    "blogger_id": "complex",
}
SPARSE_FIELDS = tuple(REAL_PUBLIC_VIDEO)

_PHRASES = (
    "Best dunks of the week 🏀", "3 ingredient pasta 🍝", "POV: first day in Tokyo 🗼",
    "Sunrise hike at Mt. Fuji 🗻", "Grandma's secret recipe", "Cat vs cucumber 😹",
    "Street food tour in Bangkok", "How to fold a fitted sheet", "When the beat drops 🔥",
    "Game winner from the logo!!", "朝ごはんルーティン", "Receta fácil de empanadas 🥟",
    "Dia de praia em Floripa 🌊", "Le meilleur croissant de Paris 🥐", "오늘의 브이로그",
    "Unboxing the new camera 📦", "Tiny house tour", "Learn this chord in 60 seconds 🎸",
)
_TAGS = (
    ("#nba", "#minnesota", "#timberwolves"), ("#food", "#pasta", "#recipe"),
    ("#travel", "#japan", "#tokyo"), ("#cats", "#funny"), ("#fyp", "#viral"),
    ("#football", "#goal"), ("#diy", "#lifehack"), ("#music", "#guitar"), ("#vlog",),
)
_LANGS = ("en", "en", "en", "ja", "es", "pt", "fr", "ko", "de", "zh")
_MUSIC = (
    "original sound", "original sound", "Blinding Lights - The Weeknd", "オリジナル楽曲",
    "som original", "son original", "Levitating - Dua Lipa", "Lo-fi beats 🎧",
)
_BLOGGERS = ("timberwolves", "nba", "chef_marco", "travelwithjo", "catsofinsta", "lena.films",
             "dailyhoops", "maria_cocina", "tokyo.walks", "fixit_frank")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def _token(d: Dice, n: int) -> str:
    return "".join(d.pick(_ALNUM) for _ in range(n))


def _generated(seed: int, n: int) -> dict[str, str]:
    d = Dice(seed, "public", n)
    video_no = "PI-603068775285264431" if n == 0 else f"PI-60{d.digits(16)}"
    create_ms = REFERENCE_MS - 1 - d.below(SPAN_MS)
    publish_s = create_ms // 1000 - d.between(3_600, 400 * 86_400)
    tags = d.pick(_TAGS)
    views = int(d.log_between(120, 40_000_000))
    platform = d.below(3)
    if platform == 0:
        url = f"https://www.tiktok.com/player/v1/{7_300_000_000_000_000_000 + d.below(10**17)}"
    elif platform == 1:
        url = f"https://www.youtube.com/shorts/{_token(d, 11)}"
    else:
        url = f"https://www.instagram.com/reel/{_token(d, 11)}/"
    full = {
        "duration": str(d.between(5, 180)),
        "status": "UNPARSE" if d.chance(0.1) else "PARSE",
        "video_no": video_no,
        "video_name": f"{d.pick(_PHRASES)} {' '.join(tags)}",
        "create_time": str(create_ms),
        "video_url": url,
        "like_count": str(int(views * d.log_between(0.005, 0.15))),
        "share_count": str(int(views * d.log_between(0.0001, 0.01))),
        "comment_count": str(int(views * d.log_between(0.0005, 0.01))),
        "view_count": str(views),
        "collect_count": str(int(views * d.log_between(0.0005, 0.02))),
        "blogger_id": d.pick(_BLOGGERS),
        "text_language": d.pick(_LANGS),
        "music_name": d.pick(_MUSIC),
        "hash_tag": "".join(tags),
        "publish_time": str(publish_s),
    }
    if n == 0 or d.chance(0.3):
        return full
    return {key: full[key] for key in SPARSE_FIELDS}


def _hostile(seed: int) -> list[dict[str, Any]]:
    base: list[dict[str, Any]] = [_generated(seed + 7_777, n + 100) for n in range(6)]
    base[0].update(
        video_name=H.MARKUP[1], hash_tag=H.HOSTILE_HASHTAGS[0], blogger_id=H.ESCAPES[1]
    )
    base[1].update(
        video_name=H.ESCAPES[2], hash_tag=H.HOSTILE_HASHTAGS[1], music_name=H.CONTROLS[4]
    )
    base[2].update(
        video_name=H.LONG_NAME, hash_tag=H.HOSTILE_HASHTAGS[2], video_url="javascript:alert(1)"
    )
    # Wrong JSON types and unparsable numbers where strings of digits belong.
    base[3].update(like_count="1.2万", view_count=14200, publish_time=None, duration="abc")
    base[4].update(hash_tag=["#nba", "#list"], create_time={"ms": 1}, video_name=None)
    base[5].update(collect_count="-3", share_count="", text_language=None, status=3)
    return base


def public_videos(seed: int, count: int = 36, hostile: bool = False) -> dict[str, dict[str, Any]]:
    """The public videos by id: the reference example first, then generated ones."""
    found: dict[str, dict[str, Any]] = {
        REFERENCE_PUBLIC_ID: dict(REFERENCE_PUBLIC_VIDEO),
        REAL_PUBLIC_VIDEO["video_no"]: dict(REAL_PUBLIC_VIDEO),
    }
    n = 0
    while len(found) < count:
        rec = _generated(seed, n)
        found.setdefault(rec["video_no"], rec)
        n += 1
    if hostile:
        for rec in _hostile(seed):
            found.setdefault(rec["video_no"], rec)
    return found
