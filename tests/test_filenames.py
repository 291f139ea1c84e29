"""filenames: any server name and id becomes a safe file name inside the chosen folder."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memories_tui.filenames import (
    DEFAULT_MAX_BYTES,
    part_path,
    safe_destination,
    unique_path,
    video_filename,
)

ID = "VI606404158946574336"

HOSTILE = list("/\\\x00\n\r\t\x1b\x7f\x85.-:*?\"<>| ") + [
    "..", "../", "\u202e", "\u200b", "\ufeff", "\ud800", "CON", "nul", "COM1", "é", "日本",
]
any_piece = st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE))
any_string = st.lists(any_piece, max_size=80).map("".join)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("my clip", f"my clip-{ID}.mp4"),
        ("../../etc/passwd", f"_.._etc_passwd-{ID}.mp4"),
        ("a/b\\c", f"a_b_c-{ID}.mp4"),
        ('what? <now>: "yes" | *', f"what_ _now__ _yes_ _ _-{ID}.mp4"),
        ("  many \n\t spaces  ", f"many spaces-{ID}.mp4"),
        ("evil\u202egnp.exe", f"evilgnp.exe-{ID}.mp4"),
        ("zero\u200bwidth\x00", f"zerowidth-{ID}.mp4"),
        (".hidden", f"hidden-{ID}.mp4"),
        ("-rf", f"rf-{ID}.mp4"),
        ("..", f"video-{ID}.mp4"),
        ("name ends in dots...", f"name ends in dots-{ID}.mp4"),
        ("", f"video-{ID}.mp4"),
        ("\x1b\x00\u202e", f"video-{ID}.mp4"),
        ("cafe\u0301", f"caf\u00e9-{ID}.mp4"),  # NFC: one "é", not e + accent
        ("CON", f"CON-{ID}.mp4"),  # "CON-VI…" is not reserved; only the part before a dot counts
        ("CON.txt", f"_CON.txt-{ID}.mp4"),
        ("lpt1 .x", f"_lpt1 .x-{ID}.mp4"),
    ],
)
def test_video_filename_examples(name: str, expected: str) -> None:
    assert video_filename(name, ID) == expected


def test_reserved_windows_name_without_id_or_extension() -> None:
    assert video_filename("nul", "", ext="") == "_nul"
    assert video_filename("aux", "", ext=".mp4") == "_aux.mp4"


def test_video_id_is_sanitised_too() -> None:
    assert video_filename("clip", "../VI 1/\x00") == "clip-_VI_1__.mp4"
    assert video_filename("clip", "") == "clip.mp4"


def test_extension_is_normalised() -> None:
    assert video_filename("clip", ID, ext="mp4") == f"clip-{ID}.mp4"
    assert video_filename("clip", ID, ext="./../x") == f"clip-{ID}.x"
    assert video_filename("clip", ID, ext="") == f"clip-{ID}"


def test_long_name_is_cut_in_bytes_keeping_id_and_extension() -> None:
    result = video_filename("日本語" * 100, ID)
    assert result.endswith(f"-{ID}.mp4")
    assert len(result.encode("utf-8")) <= 200
    assert len(result.encode("utf-8")) > 190  # used the room, cut on a character boundary


def test_hostile_long_id_is_bounded() -> None:
    result = video_filename("clip", "V" * 10_000)
    assert len(result.encode()) <= 200
    assert result.startswith("clip-V")


def test_too_small_max_bytes_is_refused() -> None:
    with pytest.raises(ValueError):
        video_filename("clip", ID, max_bytes=6)


@pytest.fixture(scope="module")
def names_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Module-scoped: Hypothesis reruns the test body, and nothing is written here.
    return tmp_path_factory.mktemp("names").resolve()


@given(name=any_string, video_no=any_string)
def test_video_filename_is_always_safe(names_dir: Path, name: str, video_no: str) -> None:
    result = video_filename(name, video_no)
    assert result
    assert not {"/", "\\", "\x00"} & set(result)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in result)
    assert not result.startswith((".", "-"))
    assert not result.endswith((".", " "))
    assert len(result.encode("utf-8")) <= 200
    assert safe_destination(names_dir, result).parent == names_dir


@given(any_string, st.integers(min_value=20, max_value=255))
def test_video_filename_respects_any_byte_bound(name: str, max_bytes: int) -> None:
    assert len(video_filename(name, ID, max_bytes=max_bytes).encode("utf-8")) <= max_bytes


def test_safe_destination_accepts_a_plain_name(tmp_path: Path) -> None:
    assert safe_destination(tmp_path, "clip.mp4") == tmp_path.resolve() / "clip.mp4"


@pytest.mark.parametrize(
    "bad", ["", ".", "..", "../x.mp4", "a/b.mp4", "/etc/passwd", "a\\b", "a\x00b"]
)
def test_safe_destination_refuses_escapes(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        safe_destination(tmp_path, bad)


def test_safe_destination_refuses_a_symlink_pointing_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "clip.mp4").symlink_to(outside / "target.mp4")
    with pytest.raises(ValueError):
        safe_destination(folder, "clip.mp4")


def test_part_path() -> None:
    assert part_path(Path("/x/clip.mp4")) == Path("/x/clip.mp4.part")


def test_unique_path_returns_free_path_unchanged(tmp_path: Path) -> None:
    assert unique_path(tmp_path / "clip.mp4") == tmp_path / "clip.mp4"


def test_unique_path_counts_past_files_and_part_files(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"")
    (tmp_path / "clip (1).mp4.part").write_bytes(b"")  # another download in progress
    assert unique_path(tmp_path / "clip.mp4") == tmp_path / "clip (2).mp4"


def test_unique_path_treats_a_dangling_symlink_as_taken(tmp_path: Path) -> None:
    os.symlink(tmp_path / "missing", tmp_path / "clip.mp4")
    assert unique_path(tmp_path / "clip.mp4") == tmp_path / "clip (1).mp4"


def test_unique_path_for_a_part_file_only(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4.part").write_bytes(b"")
    assert unique_path(tmp_path / "clip.mp4") == tmp_path / "clip (1).mp4"


# Long names too: a repeated hostile piece reaches thousands of characters cheaply.
long_string = st.builds(lambda piece, times: piece * times, any_string, st.integers(1, 400))
# Reserved on Windows whatever the extension, checked here independently of the module.
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in "123456789¹²³"}


@given(name=st.one_of(any_string, long_string), video_no=st.one_of(any_string, long_string))
def test_any_server_string_gives_a_file_name_that_stays_in_the_folder(
        names_dir: Path, name: str, video_no: str) -> None:
    result = video_filename(name, video_no)
    assert result and result not in (".", "..")
    assert "/" not in result and "\\" not in result and "\x00" not in result
    assert os.sep not in result and (os.altsep is None or os.altsep not in result)
    assert len(result.encode("utf-8")) <= DEFAULT_MAX_BYTES
    assert not result.startswith((".", "-"))
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in result)
    assert result.split(".", 1)[0].rstrip(" ").upper() not in RESERVED
    # Where it lands, resolved by the OS's rules rather than by the function under test.
    landed = (names_dir / result).resolve()
    assert landed.parent == names_dir and landed.name == result


@given(st.lists(st.tuples(any_string, any_string), min_size=2, max_size=6))
def test_different_ids_give_different_names(pairs: list[tuple[str, str]]) -> None:
    # Real ids are letters and digits: for those, distinct videos never share a file.
    ids = [f"VI{n}" for n in range(len(pairs))]
    names = [video_filename(name, video_no) for (name, _), video_no in zip(pairs, ids, strict=True)]
    assert len(set(names)) == len(names)


# -- exact names at the edges (each pins a rule a mutation test found unpinned) ------------


@pytest.mark.parametrize(
    ("name", "video_no", "kwargs", "expected"),
    [
        (None, "VI1", {}, "video-VI1.mp4"),  # no name at all: the fallback, not "None"
        ("clip", None, {}, "clip.mp4"),  # no id: no dash, not "None"
        ("clip", ".-X1-.", {}, "clip-X1.mp4"),  # dots and dashes at the id's ends go
        ("clip", "X1X", {}, "clip-X1X.mp4"),  # and nothing else does
        ("Xylophone BOX", "VI1", {}, "Xylophone BOX-VI1.mp4"),
        ("a\u2028b\u2029c", "VI1", {}, "abc-VI1.mp4"),  # line/paragraph separators vanish
        ("CONX", "", {}, "CONX.mp4"),  # not a reserved name
        ("CON .x", "", {}, "_CON .x.mp4"),  # reserved: Windows ignores the space
        # The byte budget, exactly: 14 bytes leave 4 for the id and 6 for the name.
        ("abcdefgh", "VI1.xyz", {"max_bytes": 14}, "abcdef-VI1.mp4"),  # cut id: no "."
        ("abcdefgh", "VIXXXX", {"max_bytes": 14}, "abcde-VIXX.mp4"),
        ("abcd. efgh", "VI1", {"max_bytes": 14}, "abcd-VI1.mp4"),  # cut name: no ". "
        ("CON. a", "VI1", {"max_bytes": 14}, "_CON-VI1.mp4"),  # "_" pushes ". a" out
        ("CON.X", "VI1", {}, "_CON.X-VI1.mp4"),  # only dots and spaces are trimmed
        # 10 bytes: room for no id at all, the name gets all 6.
        ("abcdefgh", "VI1", {"max_bytes": 10}, "abcdef.mp4"),
        # 9 bytes: the smallest budget there is (5 for the name).
        ("abcdefgh", "VI1", {"max_bytes": 9}, "abcde.mp4"),
    ],
)
def test_exact_names_at_the_edges(name, video_no, kwargs, expected) -> None:
    assert video_filename(name, video_no, **kwargs) == expected


def test_a_budget_too_small_says_why() -> None:
    with pytest.raises(ValueError, match="max_bytes=8 is too small for a file name"):
        video_filename("clip", ID, max_bytes=8)


def test_cutting_keeps_whole_characters() -> None:
    from memories_tui.filenames import _truncate_utf8

    assert _truncate_utf8("abc", 0) == "" and _truncate_utf8("abc", -1) == ""
    assert _truncate_utf8("abc", 1) == "a"
    assert _truncate_utf8("abc", 3) == "abc"
    assert _truncate_utf8("é", 1) == ""  # half a character is no character
    assert _truncate_utf8("aé", 2) == "a" and _truncate_utf8("aé", 3) == "aé"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("", "not a usable file name"),
        (".", "not a usable file name"),
        ("..", "not a usable file name"),
        ("a/b.mp4", "contains a path separator or NUL"),
        ("a\\b.mp4", "contains a path separator or NUL"),
        ("a\x00b.mp4", "contains a path separator or NUL"),
    ],
)
def test_safe_destination_says_why_it_refuses(tmp_path: Path, bad: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        safe_destination(tmp_path, bad)


def test_a_link_out_of_the_folder_is_named_as_such(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "clip.mp4").symlink_to(tmp_path / "elsewhere.mp4")
    with pytest.raises(ValueError, match="'clip.mp4' is a link that points outside"):
        safe_destination(folder, "clip.mp4")


def test_unique_path_tries_exactly_max_tries_numbers(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"")
    (tmp_path / "clip (1).mp4").write_bytes(b"")
    assert unique_path(path, max_tries=2) == tmp_path / "clip (2).mp4"
    (tmp_path / "clip (2).mp4").write_bytes(b"")
    with pytest.raises(FileExistsError, match=r"no free name like 'clip.mp4' after 2 tries"):
        unique_path(path, max_tries=2)


def test_filename_part_keeps_safe_characters_only() -> None:
    from memories_tui.filenames import filename_part

    assert filename_part("team-a") == "team-a"
    assert filename_part("Team A/../x") == "Team_A_.._x"
    assert filename_part("..hidden..") == "hidden"
    assert filename_part("Xbox-X") == "Xbox-X"  # only dots are trimmed at the ends
    assert filename_part("...") == "_" and filename_part("") == "_"
    assert filename_part("é\x1b[31m") == "___31m"
    assert filename_part("x" * 50) == "x" * 40 and filename_part("abcdef", max_chars=3) == "abc"


def test_unique_path_gives_up_after_ten_thousand_numbers(tmp_path: Path) -> None:
    # Every name promised to another download: it tries "clip (1)" to "clip (10000)",
    # then says so, rather than looping for ever or writing over one of them.
    class Everything:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def __contains__(self, path: object) -> bool:
            self.asked.append(Path(str(path)).name)
            return True

    taken = Everything()
    with pytest.raises(FileExistsError, match=r"no free name like 'clip.mp4' after 10000 tries"):
        unique_path(tmp_path / "clip.mp4", also_taken=taken)
    assert len(taken.asked) == 10_001
    assert taken.asked[-1] == "clip (10000).mp4"
