"""Strings and wire values that try to break a terminal UI.

The hostile profile (``FakeServer(hostile=True)``, ``fake-server --hostile``) puts these
into video names and ids, failure causes, playable URLs, session titles, chat messages,
hashtags and image names. A correct client shows them as inert text: no markup is
interpreted, no escape sequence reaches the terminal, no file is written outside the
download folder, and a value of the wrong JSON type degrades one field instead of failing
the screen.

Tests import the tuples from here to check that each string is rendered harmlessly.
"""

from __future__ import annotations

#: Exactly 10,000 characters, to test truncation and layout of huge cells.
LONG_NAME = ("An extremely long video name that never seems to end " * 200)[:9_999] + "!"

#: Rich/Textual markup that would style text or run an action if interpreted.
MARKUP = (
    "[bold red]x[/]",
    "[@click=app.quit]Click me[/]",
    "[link=https://evil.example]trust me[/link]",
    "unbalanced [/] closing tag [",
)

#: Terminal escape sequences: colour, clipboard write (OSC 52), window title (OSC 0).
ESCAPES = (
    "\x1b[31mred alert\x1b[0m",
    "\x1b]52;c;aGVsbG8=\x07clipboard",
    "\x1b]0;pwned\x07title",
    "\x1b[2J\x1b[Hscreen cleared",
    "8-bit CSI \x9b31m and bell\x07",
)

#: Control characters, line breaks, bidirectional and invisible characters.
CONTROLS = (
    "ding\x07ding",
    "nul\x00 del\x7f bs\x08 cr\r vt\x0b ff\x0c",
    "line one\nline two\n\tindented line three",
    "tab\tseparated\tname",
    "\u202eevil\u202c4pm.exe",
    "zero\u200bwidth\u200cjoiner\u200dand\ufeffbom",
    "family 👨\u200d👩\u200d👧\u200d👦 and e\u0301\u0301\u0301 combining",
)

#: Names that are dangerous or invalid as file names.
PATHS = (
    "",
    "   ",
    "../../etc/passwd",
    "..\\..\\Windows\\System32\\drivers\\etc\\hosts",
    "/absolute/path.mp4",
    "CON",
    "aux.mp4",
    ".hidden",
    "-rf",
    "name: with * wildcards ? and | pipes < > \"quotes\"",
)

#: Strings that break naive formatting or HTML.
FORMATTING = (
    "%s%n%x {0} {name} ${HOME} $(reboot) `id`",
    "<script>alert(1)</script>",
)

#: Every hostile video name, in the order the hostile library uses them.
HOSTILE_NAMES: tuple[str, ...] = MARKUP + ESCAPES + CONTROLS + PATHS + FORMATTING + (LONG_NAME,)

#: Failure causes for FAILED videos in the hostile library.
HOSTILE_CAUSES: tuple[str, ...] = (
    "[bold red]Unsupported codec[/]",
    "File corrupted\x1b[31m\x1b]0;pwned\x07",
    "line one\nline two",
    "\u202eDownload timed out",
)

#: Video ids. The server really uses them (lookups, downloads and deletes work), so a
#: client must carry them verbatim to the server and still never show them raw or
#: build a path from them unsanitised.
HOSTILE_IDS: tuple[str, ...] = (
    "VI[bold red]606[/]",
    "VI\x1b]52;c;aGVsbG8=\x07607",
    "VI../../../tmp/608",
    "VI" + "9" * 300,
)

#: ``video_url`` values of private videos: not web links, so never to be opened.
HOSTILE_URLS: tuple[str, ...] = (
    "javascript:alert(document.cookie)",
    "file:///etc/passwd",
)

#: Session titles.
HOSTILE_TITLES: tuple[str, ...] = (
    "[@click=app.quit]Summarize[/]",
    "\x1b]52;c;aGVsbG8=\x07What is in the video?",
    "title\nwith\nnewlines",
    LONG_NAME[:2_000],
    "",
)

#: Chat message bodies (assistant content is Markdown).
HOSTILE_MESSAGES: tuple[str, ...] = (
    "# Result [bold red]x[/]\n\n- item \x1b[31mred\x1b[0m\n- [@click=app.quit]quit[/]\n",
    "Here is a link: [click](javascript:alert(1)) and ![img](file:///etc/passwd)\x07",
    "```\n\x1b]0;pwned\x07\n```\n\n| a | b |\n|---|---|\n| \u202eabc | \u200b |",
    "Nested <b>HTML</b> and &lt;entities&gt; and %s {0}",
)

#: ``hash_tag`` values of public videos.
HOSTILE_HASHTAGS: tuple[str, ...] = (
    "#[bold]x[/]#\x1b[31mred",
    "#a\n#b\t#c",
    "#" + "very" * 300,
)
