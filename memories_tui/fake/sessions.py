"""Chat sessions: summaries for List Chat Sessions, conversations for Get Session Detail.

A conversation alternates user questions and Markdown answers. Answers may carry
``thinkings`` (the assistant's visible reasoning steps) and ``refs``: moments in videos
that really exist in the library (private ``VI`` ids of the default namespace) or among
the public ``PI-`` videos, so a client can jump from a chat to the video it cites.
Details are generated on first request and then kept, so answers never change.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from . import hostile as H
from .dice import Dice
from .videos import REFERENCE_MS, SPAN_MS, snowflake

#: The reference's List Chat Sessions example.
REFERENCE_SESSION = {"sessionId": "601308802842759168",
                     "title": "Identify common objects across all videos."}
#: The server, not the client, sets the page size of List Chat Sessions.
SESSION_PAGE_SIZE = 20

QUESTIONS = (
    "Identify common objects across all videos.",
    "Summarize the key moments in my uploads from last week.",
    "When does the dog first appear?",
    "Find every scene with a red car.",
    "What did they say about the budget?",
    "List everyone who speaks and when.",
    "Compare the two drone flights.",
    "Which videos were filmed at night?",
    "Translate the signs in 夜の東京.",
    "What song is playing during the wedding toast?",
    "Count the goals in the soccer practice clips ⚽",
    "Describe the kitchen remodel progress week by week.",
    "Are there any safety issues in the warehouse walkthrough?",
    "Give me chapter markers for the lecture.",
    "Which clips would make a good 30-second trailer? 🎬",
    "Is there any footage of the sunset over the water?",
    "Find the moment the cake is cut 🎂",
)
FOLLOW_UPS = (
    "Can you give exact timestamps?", "Only the outdoor ones, please.", "Make it shorter.",
    "What about the audio?", "Put that in a table.", "Thanks! Anything else worth noting?",
)
_OBSERVATIONS = (
    "a person in a yellow raincoat walks past the camera",
    "the speaker mentions the Q3 budget twice",
    "a red hatchback parks near the entrance",
    "the dog runs into frame from the left",
    "the crowd cheers as the lights go down",
    "a close-up of the whiteboard with the project timeline",
    "waves break over the pier at golden hour",
    "someone says “let's do one more take”",
    "the drone climbs above the tree line",
    "a sign reads 営業中 (open for business)",
)
_THOUGHTS = (
    (
        "Understanding the question",
        "The user wants moments, not a summary, so I will look for timestamps.",
    ),
    ("Searching the library", "Matching visual and transcript segments across the indexed videos."),
    ("Checking the transcript", "Audio confirms what the frames suggest at those times."),
    ("Ranking results", "Keeping the clearest moment from each video."),
)
#: The ref types the Get Session Detail page names (it says "etc.").
_REF_TYPES = ("keyframe", "visual_ts", "audio_ts")

# What the library gives us to cite: (video_no, video_name, duration as wire string).
VideoPicker = Callable[[random.Random], "tuple[str, Any, str] | None"]


def _clock(seconds: float) -> str:
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60:02d}:{s % 60:02d}"


class SessionBook:
    """The chat sessions of one namespace."""

    def __init__(self, seed: int, namespace: str, count: int, *, pick_video: VideoPicker,
                 public: Sequence[dict[str, Any]], hostile: bool = False,
                 include_reference: bool = False) -> None:
        self._seed, self._namespace = seed, namespace
        self._pick_video, self._public, self._hostile = pick_video, list(public), hostile
        rows: list[tuple[int, dict[str, Any]]] = []
        for n in range(count):
            d = Dice(seed, "session", namespace, n)
            ms = REFERENCE_MS - 1 - d.below(SPAN_MS)
            sid = snowflake(ms, 0, d.below(1 << 17))
            title: Any = d.pick(QUESTIONS)
            if hostile and n % 3 == 0:
                title = H.HOSTILE_TITLES[(n // 3) % len(H.HOSTILE_TITLES)]
            rows.append((sid, {"sessionId": str(sid), "title": title}))
        if include_reference:
            rows.append((int(REFERENCE_SESSION["sessionId"]), dict(REFERENCE_SESSION)))
        if hostile and rows:
            # Wrong types in the summary itself: a number id and a null title.
            rows.append((1, {"sessionId": 601308802842759169, "title": None}))
        rows.sort(key=lambda row: row[0], reverse=True)  # newest first
        self.summaries: list[dict[str, Any]] = [summary for _, summary in rows]
        self._titles = {str(s["sessionId"]): s["title"] for s in self.summaries}
        self._details: dict[str, dict[str, Any]] = {}

    @property
    def ids(self) -> list[str]:
        return [str(s["sessionId"]) for s in self.summaries]

    def detail(self, session_id: str) -> dict[str, Any] | None:
        if session_id not in self._titles:
            return None
        if session_id not in self._details:
            self._details[session_id] = self._conversation(session_id)
        return self._details[session_id]

    # -- generation -----------------------------------------------------------------

    def _conversation(self, session_id: str) -> dict[str, Any]:
        rng = random.Random(f"{self._seed}/conversation/{self._namespace}/{session_id}")
        title = self._titles[session_id]
        messages: list[dict[str, Any]] = []
        for turn in range(rng.randint(1, 4)):
            if turn == 0:
                question = title if isinstance(title, str) and title else rng.choice(QUESTIONS)
            else:
                question = rng.choice(FOLLOW_UPS)
            messages.append({"role": "user", "content": question})
            messages.append(self._answer(rng, turn))
        if rng.random() < 0.3:
            # The captured Chat answer spells the role upper case.
            for message in messages:
                if message["role"] == "assistant":
                    message["role"] = "ASSISTANT"
        if self._hostile and rng.random() < 0.5:
            self._poison(rng, messages)
        return {"session_id": session_id, "title": title, "messages": messages}

    def _ref(self, rng: random.Random) -> dict[str, Any] | None:
        picked = self._pick_video(rng) if rng.random() < 0.75 or not self._public else None
        if picked is None and self._public:
            pub = rng.choice(self._public)
            picked = (pub["video_no"], pub["video_name"], pub["duration"])
        if picked is None:
            return None
        video_no, name, duration = picked
        try:
            length = max(1, int(duration))
        except (TypeError, ValueError):
            length = 60
        items = []
        for _ in range(rng.randint(1, 3)):
            start = round(rng.uniform(0, length), 1)
            # The reference leaves startTime's type open; send both forms.
            start_wire: Any = str(start) if rng.random() < 0.5 else start
            kind = rng.choice(_REF_TYPES)
            item: dict[str, Any] = {"videoNo": video_no, "startTime": start_wire, "type": kind}
            if kind != "keyframe":  # a key frame is one instant, with no text
                end = min(float(length), round(start + rng.uniform(1, 15), 1))
                if end > start and rng.random() < 0.8:
                    item["endTime"] = end
                item["text"] = rng.choice(_OBSERVATIONS)
            items.append(item)
        return {"video": {"duration": duration, "video_no": video_no, "video_name": name},
                "refItems": items}

    def _answer(self, rng: random.Random, turn: int) -> dict[str, Any]:
        refs = [r for r in (self._ref(rng) for _ in range(rng.randint(0, 3))) if r]
        lines = [rng.choice((
            "Here is what I found across your library.",
            "I looked through the indexed videos and found these moments.",
            "Short answer: **yes**, in several places.",
        )), ""]
        if refs:
            lines.append("### Highlights")
            for ref in refs:
                item = ref["refItems"][0]
                at = _clock(float(item["startTime"]))
                said = item.get("text", "a key frame")
                lines.append(f"- **{ref['video']['video_name']}** at `{at}` — {said}")
            lines.append("")
        if rng.random() < 0.3 and refs:
            lines += ["| Video | Time | Type |", "|---|---|---|"]
            for ref in refs:
                item = ref["refItems"][0]
                at = _clock(float(item["startTime"]))
                lines.append(f"| {ref['video']['video_no']} | {at} | {item['type']} |")
            lines.append("")
        if rng.random() < 0.25:
            # Long answers exercise scrolling and wrapping.
            for _ in range(rng.randint(3, 8)):
                sentences = (rng.choice(_OBSERVATIONS).capitalize() + "." for _ in range(5))
                lines.append(" ".join(sentences))
                lines.append("")
        if rng.random() < 0.15:
            code = "moments = [m for m in results if m.confidence > 0.8]"
            lines += ["```python", code, "```", ""]
        lines.append(rng.choice(("Let me know if you want clips exported.",
                                 "_Confidence is lower for the night scenes._",
                                 "> Tip: ask for exact timestamps to jump straight there.")))
        message: dict[str, Any] = {"role": "assistant", "content": "\n".join(lines)}
        if rng.random() < 0.6:
            message["thinkings"] = [{"title": t, "content": c}
                                    for t, c in rng.sample(_THOUGHTS, rng.randint(1, 3))]
        if refs or turn == 0:
            message["refs"] = refs
        return message

    def _poison(self, rng: random.Random, messages: list[dict[str, Any]]) -> None:
        """Hostile profile: hostile text and values of the wrong JSON type."""
        answer = messages[1]
        answer["content"] = rng.choice(H.HOSTILE_MESSAGES)
        answer["thinkings"] = {"title": H.MARKUP[0], "content": H.ESCAPES[1]}  # object, not list
        messages[0]["content"] = rng.choice(H.HOSTILE_NAMES[:-1])
        messages.append({"role": "assistant", "content": None, "refs": {"video": "not a list"}})
        messages.append({"role": 5, "content": 12345, "thinkings": [{"title": None, "content": 7}]})
        odd_ref = {
            "video": {"duration": "long", "video_no": 42, "video_name": H.ESCAPES[0]},
            "refItems": [{"videoNo": None, "startTime": "soon", "type": 3, "text": H.MARKUP[1]}],
        }
        messages.append({"role": "assistant", "content": H.CONTROLS[2],
                         "refs": [{"video": None, "refItems": "soon"}, odd_ref]})
