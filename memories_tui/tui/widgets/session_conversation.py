"""The turns of one chat session: user questions, Markdown answers, thinkings and cited videos."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Collapsible, Label, Markdown, Static

from memories_tui.api.models import Message as ChatMessage
from memories_tui.api.models import Ref
from memories_tui.format import MISSING, duration_hms
from memories_tui.safetext import safe_multiline, safe_text

# A chat answer can be long; bound what one turn may put on screen.
MAX_CONTENT_CHARS = 40_000
MAX_MOMENTS = 20


def ref_video_no(ref: Ref) -> str | None:
    """The id to jump to: the ref's video, or else the first moment that names one."""
    if ref.video_no:
        return ref.video_no
    return next((item.video_no for item in ref.items if item.video_no), None)


def moment_text(start: float | None, end: float | None) -> str:
    """ "0:02:36" for a moment, "0:02:36–0:02:50" for a range (an end after its start)."""
    if end is None or start is None or end <= start:
        return duration_hms(start)
    return f"{duration_hms(start)}–{duration_hms(end)}"


def ref_text(ref: Ref) -> Text:
    """The cited video on one line, then one line per moment: time, type, what happens."""
    video_no = ref_video_no(ref)
    text = Text(no_wrap=False)
    text.append("▶ " if video_no else "  ", style="bold")
    text.append(safe_text(ref.video_name, max_len=70) or "(no name)", style="bold")
    text.append(f"  {safe_text(video_no, max_len=30) if video_no else 'no video id'}", style="dim")
    if ref.duration is not None:
        text.append(f"  · {duration_hms(ref.duration)}", style="dim")
    for item in ref.items[:MAX_MOMENTS]:
        text.append("\n    ")
        text.append(moment_text(item.start_time, item.end_time), style="cyan")
        kind = safe_text(item.type, max_len=12) if item.type else MISSING
        text.append(f"  {kind:<10}", style="magenta")
        text.append(f"  {safe_text(item.text, max_len=200) if item.text else ''}")
    if len(ref.items) > MAX_MOMENTS:
        text.append(f"\n    … and {len(ref.items) - MAX_MOMENTS:,} more moments", style="dim")
    return text


class SessionRefLink(Static, can_focus=True):
    """One referenced video with its moments; enter or a click shows the video."""

    BINDINGS = [Binding("enter", "choose", "Show this video", id="session-ref-open")]

    class Chosen(Message):
        def __init__(self, video_no: str) -> None:
            super().__init__()
            self.video_no = video_no

    def __init__(self, ref: Ref) -> None:
        super().__init__(ref_text(ref), classes="session-ref")
        self.ref = ref
        self.video_no = ref_video_no(ref)
        if self.video_no is None:
            self.can_focus = False
            self.add_class("no-video")

    def action_choose(self) -> None:
        if self.video_no is not None:
            self.post_message(self.Chosen(self.video_no))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_choose()


def thinking_text(message: ChatMessage) -> Text:
    text = Text()
    for n, thinking in enumerate(message.thinkings):
        if n:
            text.append("\n\n")
        text.append(safe_text(thinking.title, max_len=100) or "(untitled step)", style="bold")
        text.append("\n")
        text.append(safe_multiline(thinking.content, MAX_CONTENT_CHARS), style="italic")
    return text


class UserTurn(Static):
    """What the user asked, as plain text."""

    def __init__(self, message: ChatMessage) -> None:
        content = safe_multiline(message.content, MAX_CONTENT_CHARS).strip()
        body = Text(content or "(empty message)", style="" if content else "dim italic")
        super().__init__(body, classes="turn user-turn")
        self.message = message

    def on_mount(self) -> None:
        self.border_title = "You"


class AssistantTurn(Vertical):
    """An answer: its thinking (collapsed), the Markdown body, then the videos it cites."""

    def __init__(self, message: ChatMessage) -> None:
        super().__init__(classes="turn assistant-turn")
        self.message = message

    def compose(self) -> ComposeResult:
        message = self.message
        if message.thinkings:
            steps = len(message.thinkings)
            title = f"Thinking ({steps} {'step' if steps == 1 else 'steps'})"
            with Collapsible(title=title, collapsed=True, classes="thinking"):
                yield Static(thinking_text(message), classes="thinking-body")
        content = safe_multiline(message.content, MAX_CONTENT_CHARS).strip()
        if content:
            # Markdown renders text as Content, never as markup; links are only opened
            # by the screen, after it checks them.
            yield Markdown(content, open_links=False, classes="answer")
        else:
            yield Static(Text("(empty answer)", style="dim italic"), classes="answer")
        if message.refs:
            count = len(message.refs)
            yield Label(
                Content(f"Referenced {'video' if count == 1 else 'videos'} ({count})"),
                classes="refs-title",
            )
            for ref in message.refs:
                yield SessionRefLink(ref)

    def on_mount(self) -> None:
        self.border_title = "Assistant"


class OtherTurn(Static):
    """A message whose role is neither user nor assistant: shown as sent, labelled."""

    def __init__(self, message: ChatMessage) -> None:
        body = Text(f"role: {safe_text(message.role, max_len=30) or '(none)'}\n", style="dim")
        body.append(safe_multiline(message.content, MAX_CONTENT_CHARS).strip() or "(empty message)",
                    style="")
        super().__init__(body, classes="turn other-turn")
        self.message = message

    def on_mount(self) -> None:
        self.border_title = "Other"


def turn_widget(message: ChatMessage) -> Static | Vertical:
    role = message.role.strip().casefold()
    if role == "user":
        return UserTurn(message)
    if role == "assistant":
        return AssistantTurn(message)
    return OtherTurn(message)
