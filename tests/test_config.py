"""config: precedence, forgiving parsing with plain-words warnings, and a key that never
leaks. Every test passes its own environ, cwd and config path: the developer's real
environment and ~/.config are never read."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pytest

from memories_tui.config import (
    ENV_VARS,
    Settings,
    SettingsError,
    default_config_path,
    load_settings,
    mask_key,
)

KEY = "sk-test-0123456789abcdef0123456789abcdef"


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "memories-tui" / "config.toml"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def load(cwd: Path, config_path: Path, flags=None, environ=None):
    return load_settings(flags, environ=environ or {}, cwd=cwd, config_path=config_path)


def test_defaults_when_nothing_is_set(cwd: Path, config_path: Path) -> None:
    settings, warnings = load(cwd, config_path)
    assert settings == Settings()
    assert settings.api_key is None
    assert settings.base_url == "https://api.memories.ai"
    assert settings.unique_id == "default"
    assert settings.page_size == 50
    assert settings.download_dir is None
    assert settings.theme == "textual-dark"
    assert settings.rate_limit == 1.0
    assert settings.timeout == 30.0
    assert settings.concurrent_downloads == 2
    assert settings.allow_insecure_http is False
    assert warnings == []


def test_precedence_flags_env_dotenv_file_defaults(cwd: Path, config_path: Path) -> None:
    write(
        config_path,
        'unique_id = "from-file"\npage_size = 10\ntheme = "nord"\ntimeout = 5\nrate_limit = 4\n',
    )
    write(
        cwd / ".env",
        "MEMORIES_UNIQUE_ID=from-dotenv\nMEMORIES_PAGE_SIZE=20\n"
        "MEMORIES_THEME=gruvbox\nMEMORIES_TIMEOUT=6\n",
    )
    environ = {
        "MEMORIES_UNIQUE_ID": "from-env", "MEMORIES_PAGE_SIZE": "30", "MEMORIES_THEME": "monokai"
    }
    flags = {"unique_id": "from-flag", "page_size": None}  # None: flag not given

    settings, warnings = load(cwd, config_path, flags, environ)

    assert settings.unique_id == "from-flag"  # flag > all
    assert settings.page_size == 30  # env > .env > file
    assert settings.theme == "monokai"  # env > .env
    assert settings.timeout == 6.0  # .env > file
    assert settings.rate_limit == 4.0  # file > default
    assert settings.concurrent_downloads == 2  # default
    assert warnings == []


def test_every_setting_from_environment(cwd: Path, config_path: Path, tmp_path: Path) -> None:
    environ = {
        "MEMORIES_API_KEY": f"  {KEY}\n",
        "MEMORIES_BASE_URL": "http://127.0.0.1:8765/",
        "MEMORIES_UNIQUE_ID": "team",
        "MEMORIES_PAGE_SIZE": "200",
        "MEMORIES_DOWNLOAD_DIR": str(tmp_path / "videos"),
        "MEMORIES_THEME": "nord",
        "MEMORIES_RATE_LIMIT": "0",
        "MEMORIES_TIMEOUT": "2.5",
        "MEMORIES_CONCURRENT_DOWNLOADS": "4",
        "MEMORIES_ALLOW_INSECURE_HTTP": "yes",
        "MEMORIES_PREFETCH": "off",
        "MEMORIES_DEBUG": "1",
        "MEMORIES_LOW_BANDWIDTH": "yes",
        "MEMORIES_REMEMBER": "no",
        "MEMORIES_MOUSE": "off",
        "MEMORIES_READ_ONLY": "true",
        "MEMORIES_INDEX": "no",
        "MEMORIES_INDEX_MAX_AGE": "0",
    }
    assert set(environ) == set(ENV_VARS.values())
    settings, warnings = load(cwd, config_path, environ=environ)
    assert settings == Settings(
        api_key=KEY,
        base_url="http://127.0.0.1:8765",
        unique_id="team",
        page_size=200,
        download_dir=tmp_path / "videos",
        theme="nord",
        rate_limit=0.0,
        timeout=2.5,
        concurrent_downloads=4,
        allow_insecure_http=True,
        prefetch=False,
        debug=True,
        low_bandwidth=True,
        remember=False,
        mouse=False,
        read_only=True,
        index=False,
        index_max_age=0.0,
    )
    assert warnings == []


def test_typed_flags_and_unrelated_flag_keys(cwd: Path, config_path: Path, tmp_path: Path) -> None:
    flags = {
        "page_size": 75, "download_dir": tmp_path, "allow_insecure_http": True,
        "demo": True, "command": None,
    }
    settings, warnings = load(cwd, config_path, flags)
    got = (settings.page_size, settings.download_dir, settings.allow_insecure_http)
    assert got == (75, tmp_path, True)
    assert warnings == []


def test_blank_values_mean_not_set(cwd: Path, config_path: Path) -> None:
    # A .env copied from .env.example has "MEMORIES_API_KEY=": it must not hide the file's key.
    write(config_path, f'api_key = "{KEY}"\n')
    write(cwd / ".env", "MEMORIES_API_KEY=\nMEMORIES_DOWNLOAD_DIR=\n")
    settings, warnings = load(cwd, config_path, {"api_key": ""}, {"MEMORIES_API_KEY": "   "})
    assert settings.api_key == KEY
    assert settings.download_dir is None
    assert warnings == []


def test_dotenv_is_not_loaded_into_the_environment(cwd: Path, config_path: Path) -> None:
    write(cwd / ".env", "MEMORIES_UNIQUE_ID=from-${HOME}\n")
    environ: dict[str, str] = {}
    settings, _ = load(cwd, config_path, environ=environ)
    assert settings.unique_id == "from-${HOME}"  # no interpolation from the real environment
    assert environ == {}
    assert "MEMORIES_UNIQUE_ID" not in os.environ


@pytest.mark.parametrize(
    ("var", "value", "field", "default", "words"),
    [
        ("MEMORIES_PAGE_SIZE", "abc", "page_size", 50, "not a whole number"),
        ("MEMORIES_PAGE_SIZE", "12.5", "page_size", 50, "not a whole number"),
        ("MEMORIES_RATE_LIMIT", "fast", "rate_limit", 1.0, "not a number"),
        ("MEMORIES_RATE_LIMIT", "-1", "rate_limit", 1.0, "negative"),
        ("MEMORIES_TIMEOUT", "0", "timeout", 30.0, "not more than 0"),
        ("MEMORIES_TIMEOUT", "nan", "timeout", 30.0, "not a finite number"),
        ("MEMORIES_CONCURRENT_DOWNLOADS", "two", "concurrent_downloads", 2, "not a whole number"),
        ("MEMORIES_ALLOW_INSECURE_HTTP", "maybe", "allow_insecure_http", False,
         "not true or false"),
        ("MEMORIES_BASE_URL", "api.memories.ai", "base_url", "https://api.memories.ai",
         "not an http"),
        ("MEMORIES_BASE_URL", "ftp://x", "base_url", "https://api.memories.ai", "not an http"),
        ("MEMORIES_UNIQUE_ID", "a\x1bb", "unique_id", "default", "control"),
    ],
)
def test_bad_environment_value_warns_and_uses_default(
    cwd: Path, config_path: Path, var: str, value: str, field: str, default: object, words: str
) -> None:
    settings, warnings = load(cwd, config_path, environ={var: value})
    assert getattr(settings, field) == default
    assert len(warnings) == 1
    assert var in warnings[0]
    assert words in warnings[0]
    assert "the default" in warnings[0]
    assert repr(default) in warnings[0]


def test_bad_value_falls_back_to_a_lower_source(cwd: Path, config_path: Path) -> None:
    write(config_path, "page_size = 100\n")
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_PAGE_SIZE": "abc"})
    assert settings.page_size == 100
    assert warnings == [
        "MEMORIES_PAGE_SIZE is 'abc', which is not a whole number; "
        f"using 100 (page_size in {config_path})."
    ]


@pytest.mark.parametrize(("raw", "used"), [("0", 1), ("-4", 1), ("5000", 1000), ("1000", 1000)])
def test_page_size_is_clamped(cwd: Path, config_path: Path, raw: str, used: int) -> None:
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_PAGE_SIZE": raw})
    assert settings.page_size == used
    if int(raw) == used:
        assert warnings == []
    else:
        assert warnings == [f"MEMORIES_PAGE_SIZE is {raw}, outside 1–1000; using {used}."]


def test_concurrent_downloads_is_clamped(cwd: Path, config_path: Path) -> None:
    write(config_path, "concurrent_downloads = 50\n")
    settings, warnings = load(cwd, config_path)
    assert settings.concurrent_downloads == 8
    assert warnings == [f"concurrent_downloads in {config_path} is 50, outside 1–8; using 8."]


def test_config_file_wrong_types_and_unknown_keys(cwd: Path, config_path: Path) -> None:
    write(
        config_path,
        'page_size = "many"\napi_key = 12345\napikey = "typo"\nallow_insecure_http = "true"\n',
    )
    settings, warnings = load(cwd, config_path)
    assert settings.page_size == 50
    assert settings.api_key is None
    assert settings.allow_insecure_http is True  # strings are accepted for booleans
    assert any("page_size in" in w and "'many'" in w for w in warnings)
    assert any("api_key in" in w and "not text" in w for w in warnings)
    assert any("Unknown setting 'apikey'" in w for w in warnings)
    assert len(warnings) == 3


def test_invalid_toml_is_a_warning(cwd: Path, config_path: Path) -> None:
    write(config_path, f'api_key = "{KEY}\npage_size = = 3\n')
    settings, warnings = load(cwd, config_path)
    assert settings == Settings()
    assert len(warnings) == 1
    assert "not valid TOML" in warnings[0]
    assert KEY not in warnings[0]


def test_unreadable_sources_are_warnings(cwd: Path, config_path: Path) -> None:
    config_path.mkdir(parents=True)  # a directory where the file should be
    (cwd / ".env").mkdir()
    settings, warnings = load(cwd, config_path)
    assert settings == Settings()
    assert len(warnings) == 2
    assert all("ignoring it" in w for w in warnings)


def test_config_file_not_utf8(cwd: Path, config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_bytes(b'theme = "\xff"\n')
    assert len(load(cwd, config_path).warnings) == 1


@pytest.mark.parametrize("where", ["dotenv", "config"])
def test_world_readable_file_with_key_warns(cwd: Path, config_path: Path, where: str) -> None:
    if where == "dotenv":
        path = write(cwd / ".env", f"MEMORIES_API_KEY={KEY}\n", mode=0o644)
    else:
        path = write(config_path, f'api_key = "{KEY}"\n', mode=0o644)
    settings, warnings = load(cwd, config_path)
    assert settings.api_key == KEY
    assert warnings == [
        f"{path} holds an API key and is readable by other users; run chmod 600 {path}"
    ]
    assert KEY not in warnings[0]


def test_private_file_with_key_or_public_file_without_key_is_fine(
    cwd: Path, config_path: Path
) -> None:
    write(cwd / ".env", f"MEMORIES_API_KEY={KEY}\n", mode=0o600)
    write(config_path, 'theme = "nord"\n', mode=0o644)
    assert load(cwd, config_path).warnings == []


def test_chmod_advice_quotes_awkward_paths(tmp_path: Path, config_path: Path) -> None:
    folder = tmp_path / "my project"
    folder.mkdir()
    write(folder / ".env", f"MEMORIES_API_KEY={KEY}\n", mode=0o644)
    (warning,) = load(folder, config_path).warnings
    assert warning.endswith(f"run chmod 600 '{folder / '.env'}'")


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        (None, "not set"),
        ("", "not set"),
        (KEY, "sk-…cdef"),
        ("sk-0123456789abcd", "sk-…abcd"),
        ("short-key-12", "…12"),  # too short to show both ends
        ("abc", "****"),
    ],
)
def test_masked_key(key: str | None, masked: str) -> None:
    assert Settings(api_key=key).masked_key == masked
    assert mask_key(key) == masked


def test_repr_and_str_never_show_the_key(cwd: Path, config_path: Path) -> None:
    settings, _ = load(cwd, config_path, {"api_key": KEY})
    for text in (repr(settings), str(settings), f"{settings}", repr([settings])):
        assert KEY not in text
        assert "sk-…cdef" in text
    assert "page_size=50" in repr(settings)


def test_warnings_never_show_the_key(cwd: Path, config_path: Path) -> None:
    write(cwd / ".env", f"MEMORIES_API_KEY={KEY}\nMEMORIES_PAGE_SIZE=x\n", mode=0o644)
    write(config_path, "api_key = [1, 2]\n", mode=0o644)
    _, warnings = load(cwd, config_path, environ={"MEMORIES_BASE_URL": "nope"})
    assert warnings
    assert not any(KEY in w for w in warnings)


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().page_size = 3  # type: ignore[misc]


def test_default_config_path_follows_xdg() -> None:
    assert default_config_path({"XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg/memories-tui/config.toml")
    # A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
    assert default_config_path({"XDG_CONFIG_HOME": "rel", "HOME": "/home/u"}) == Path(
        "/home/u/.config/memories-tui/config.toml"
    )


def test_config_path_comes_from_given_environ(cwd: Path, tmp_path: Path) -> None:
    write(tmp_path / "cfg" / "memories-tui" / "config.toml", 'theme = "nord"\n')
    settings, _ = load_settings(environ={"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, cwd=cwd)
    assert settings.theme == "nord"


# --- values the program would choke on later are refused here --------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("sk-abc def", "a space or line break"),
        ("sk-abc\tdef", "a space or line break"),
        ("sk-abc\x07def", "a control character"),
        ("sk-abcdéf", "a non-ASCII character"),
        ("sk-abc\u00a0def", "a space or line break"),
    ],
)
def test_key_that_cannot_go_in_a_header_is_skipped_without_quoting_it(
    cwd: Path, config_path: Path, value: str, words: str
) -> None:
    write(config_path, f'api_key = "{KEY}"\n')
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_API_KEY": value})
    assert settings.api_key == KEY  # the next source's key
    assert warnings == [
        (f"MEMORIES_API_KEY is a key that cannot be sent in a header: it holds {words} "
        f"(check how it was copied); using sk-…cdef (api_key in {config_path}).")
    ]
    assert "sk-abc" not in warnings[0]


@pytest.mark.parametrize(
    ("var", "value", "field", "default", "words"),
    [
        ("MEMORIES_THEME", "no-such-theme", "theme", "textual-dark",
         "not a built-in Textual theme"),
        ("MEMORIES_THEME", "${HOME}", "theme", "textual-dark", "one of: ansi-dark, ansi-light"),
        ("MEMORIES_BASE_URL", "https://:8443", "base_url", "https://api.memories.ai",
         "not an http"),
        ("MEMORIES_BASE_URL", "https://api.memories.ai:0", "base_url", "https://api.memories.ai",
         "a port outside 1–65535"),
        ("MEMORIES_BASE_URL", "https://api.memories.ai:99999", "base_url",
         "https://api.memories.ai", "a port outside 1–65535"),
        ("MEMORIES_BASE_URL", "https://api.memo ries.ai", "base_url", "https://api.memories.ai",
         "spaces or control characters"),
        ("MEMORIES_BASE_URL", "https://xn--zz", "base_url", "https://api.memories.ai",
         "not a valid address"),
        ("MEMORIES_BASE_URL", "https://[::1", "base_url", "https://api.memories.ai",
         "not a valid address"),
        ("MEMORIES_DOWNLOAD_DIR", "/tmp/a\x00b", "download_dir", None, "control characters"),
        ("MEMORIES_DEBUG", "loud", "debug", False, "not true or false"),
    ],
)
def test_values_the_app_would_choke_on_are_skipped(
    cwd: Path, config_path: Path, var: str, value: str, field: str, default: object, words: str
) -> None:
    settings, warnings = load(cwd, config_path, environ={var: value})
    assert getattr(settings, field) == default
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{var} is ")
    assert words in warnings[0]
    assert "(the default)" in warnings[0]


def test_address_with_a_password_is_skipped_without_showing_the_password(
    cwd: Path, config_path: Path
) -> None:
    environ = {"MEMORIES_BASE_URL": "https://alice:hunter22@api.example/v1"}
    settings, warnings = load(cwd, config_path, environ=environ)
    assert settings.base_url == "https://api.memories.ai"
    assert warnings == [
        ("MEMORIES_BASE_URL is 'https://…@api.example/v1', which is an address holding a user "
        "name or password (leave those out); using 'https://api.memories.ai' (the default).")
    ]


@pytest.mark.parametrize(
    ("var", "value", "used", "message"),
    [
        ("MEMORIES_TIMEOUT", "1e9", 3600.0,
         "MEMORIES_TIMEOUT is 1e+09, outside 0.1–3600; using 3600."),
        ("MEMORIES_TIMEOUT", "0.01", 0.1, "MEMORIES_TIMEOUT is 0.01, outside 0.1–3600; using 0.1."),
        ("MEMORIES_RATE_LIMIT", "0.001", 0.01,
         "MEMORIES_RATE_LIMIT is 0.001, outside 0.01–100; using 0.01."),
        ("MEMORIES_RATE_LIMIT", "5000", 100.0,
         "MEMORIES_RATE_LIMIT is 5000, outside 0.01–100; using 100."),
    ],
)
def test_timeout_and_rate_limit_are_clamped(
    cwd: Path, config_path: Path, var: str, value: str, used: float, message: str
) -> None:
    settings, warnings = load(cwd, config_path, environ={var: value})
    assert getattr(settings, var.removeprefix("MEMORIES_").lower()) == used
    assert warnings == [message]


def test_rate_limit_zero_still_turns_pacing_off(cwd: Path, config_path: Path) -> None:
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_RATE_LIMIT": "0"})
    assert (settings.rate_limit, warnings) == (0.0, [])


def test_theme_names_ignore_case(cwd: Path, config_path: Path) -> None:
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_THEME": " Nord "})
    assert (settings.theme, warnings) == ("nord", [])


def test_download_dir_that_is_not_text_in_the_config_file(cwd: Path, config_path: Path) -> None:
    write(config_path, "download_dir = 5\n")
    settings, warnings = load(cwd, config_path)
    assert settings.download_dir is None
    assert warnings == [
        (f"download_dir in {config_path} is 5, which is not text; using the current directory "
        "(the default).")
    ]


def test_known_themes_are_textuals_own() -> None:
    # The list is kept here so that checking a theme does not load Textual at start-up;
    # this keeps it honest when Textual (pinned) is upgraded.
    from textual.app import App
    from textual.theme import BUILTIN_THEMES

    from memories_tui.config import THEMES

    assert set(BUILTIN_THEMES) == THEMES
    assert set(App().available_themes) == THEMES


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.memories.ai", "HTTPS://API.Memories.AI:443/", "http://127.0.0.1:8765/",
        "https://[::1]:8443", "https://api.memories.ai/v1/", "https://bücher.example",
        "https://api.memories.ai?x=1#frag", "https://h:", "https://@h", "https://h\\@evil.com",
        "https://u@h", "https://h:0", "https://h:99999", "https://h:abc", "https://exa mple.com",
        "https://xn--zz", "https://h\u202e", "https://", "https:///path", "//h", "h",
        "https://h/\x1b[31m", "javascript:alert(1)",
    ],
)
def test_a_base_url_config_accepts_is_one_the_client_accepts(
    cwd: Path, config_path: Path, base_url: str
) -> None:
    from memories_tui.api.client import MemoriesClient

    settings, warnings = load(cwd, config_path, environ={"MEMORIES_BASE_URL": base_url})
    if warnings:
        assert settings.base_url == "https://api.memories.ai"
    else:
        assert settings.base_url == base_url.strip().rstrip("/")
    MemoriesClient(KEY, settings.base_url, allow_insecure_http=True)  # does not raise


@pytest.mark.parametrize("key", [KEY, " " + KEY + "\n", "sk-a b", "sk-\x00", "sk-ключ", "k"])
def test_a_key_config_accepts_is_one_the_client_accepts(
    cwd: Path, config_path: Path, key: str
) -> None:
    from memories_tui.api.client import MemoriesClient

    settings, _ = load(cwd, config_path, environ={"MEMORIES_API_KEY": key})
    MemoriesClient(settings.api_key or "")  # does not raise


# --- a bad flag is an error, not a fallback ---------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"api_key": "sk-abc def"}, ("--api-key is a key that cannot be sent in a header: it "
                                    "holds a space or line break (check how it was copied).")),
        ({"theme": "no-such-theme"}, ("--theme is 'no-such-theme', which is not a built-in "
                                     "Textual theme (one of: ansi-dark,")),
        ({"base_url": "https://u:pw@h"}, ("--base-url is 'https://…@h', which is an address "
                                         "holding a user name or password")),
        ({"base_url": "ftp://h"}, "--base-url is 'ftp://h', which is not an http:// or https://"),
        ({"page_size": 0}, "--page-size is 0, outside 1–1000."),
        ({"timeout": 0.0}, "--timeout is 0.0, which is not more than 0 seconds."),
        ({"timeout": 1e12}, "--timeout is 1e+12, outside 0.1–3600."),
        ({"rate_limit": float("nan")}, "--rate-limit is nan, which is not a finite number."),
        ({"download_dir": "a\nb"}, "--download-dir is 'a\\nb', which is a path with control "),
        ({"unique_id": "a\x1bb"}, "--unique-id is 'a\\x1bb', which is text with control"),
    ],
)
def test_bad_flag_is_an_error_in_one_line(
    cwd: Path, config_path: Path, flags: dict, message: str
) -> None:
    write(config_path, f'api_key = "{KEY}"\ntheme = "nord"\n')
    with pytest.raises(SettingsError) as raised:
        load(cwd, config_path, flags, {"MEMORIES_PAGE_SIZE": "20"})
    text = str(raised.value)
    assert text.startswith(message)
    assert "\n" not in text
    assert "sk-abc" not in text and "pw" not in text


def test_every_bad_flag_is_named_at_once(cwd: Path, config_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load(cwd, config_path, {"page_size": -1, "theme": "nope"})
    assert "--page-size is -1" in str(raised.value)
    assert "--theme is 'nope'" in str(raised.value)


def test_bad_environment_value_is_still_only_a_warning_beside_good_flags(
    cwd: Path, config_path: Path
) -> None:
    settings, warnings = load(cwd, config_path, {"theme": "nord"}, {"MEMORIES_PAGE_SIZE": "x"})
    assert (settings.theme, settings.page_size) == ("nord", 50)
    assert len(warnings) == 1


# --- a .env that points elsewhere does not get a key from elsewhere ---------------------

EVIL = "https://evil.example"


def withheld(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "is not sent there" in w]


@pytest.mark.parametrize(
    "key_from",
    ["environment", "config file"],
)
def test_dotenv_pointing_elsewhere_does_not_get_a_key_from_elsewhere(
    cwd: Path, config_path: Path, key_from: str
) -> None:
    dotenv = write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\n")
    environ = {"MEMORIES_API_KEY": KEY} if key_from == "environment" else {}
    if key_from == "config file":
        write(config_path, f'api_key = "{KEY}"\n')
    origin = "MEMORIES_API_KEY" if key_from == "environment" else f"api_key in {config_path}"

    settings, warnings = load(cwd, config_path, environ=environ)

    assert settings.api_key is None
    assert settings.base_url == EVIL
    assert warnings == [
        (f"{dotenv} points the base URL at https://evil.example instead of "
        "https://api.memories.ai, so the API "
        f"key from {origin} is not sent there. To use that server with your key, pass "
        "--base-url (or set MEMORIES_BASE_URL in the environment), or put MEMORIES_API_KEY "
        "in that .env.")
    ]
    assert KEY not in repr(settings) and KEY not in warnings[0]


@pytest.mark.parametrize(
    ("dotenv_url", "config_url", "kept"),
    [
        # The same server, however it is spelled: the key goes.
        ("https://API.Memories.AI", None, True),
        ("https://api.memories.ai:443/", None, True),
        ("https://api.memories.ai/some/path", None, True),
        ("https://corp.example", "https://CORP.example/", True),
        # Another host, another port or plain http (port 80): the key stays home.
        ("https://api.memories.ai.evil.example", None, False),
        ("https://api.memories.ai:8443", None, False),
        ("http://api.memories.ai", None, False),
        ("https://api.memories.ai", "https://corp.example", False),
        ("http://127.0.0.1:8765", None, False),
        # Same host and port, but plain http: the key would travel in clear text.
        ("http://api.memories.ai:443", None, False),
    ],
)
def test_dotenv_base_url_is_compared_by_scheme_host_and_port(
    cwd: Path, config_path: Path, dotenv_url: str, config_url: str | None, kept: bool
) -> None:
    write(cwd / ".env", f"MEMORIES_BASE_URL={dotenv_url}\n")
    if config_url:
        write(config_path, f'base_url = "{config_url}"\n')
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_API_KEY": KEY})
    assert settings.base_url == dotenv_url.rstrip("/")
    assert (settings.api_key == KEY) is kept
    assert len(withheld(warnings)) == (0 if kept else 1)


def test_dotenv_cannot_allow_plain_http_for_a_key_from_elsewhere(
    cwd: Path, config_path: Path
) -> None:
    """A cloned repository's .env must not make the user's own key travel in clear text,
    not even to the right host and port."""
    dotenv = write(cwd / ".env", "MEMORIES_BASE_URL=http://api.memories.ai:443\n"
                                 "MEMORIES_ALLOW_INSECURE_HTTP=1\n")
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_API_KEY": KEY})
    assert settings.api_key is None and settings.allow_insecure_http is False
    assert any(w.startswith(f"{dotenv} sets MEMORIES_ALLOW_INSECURE_HTTP, but the API key "
                            "comes from MEMORIES_API_KEY: ignoring it") for w in warnings)
    assert len(withheld(warnings)) == 1
    # With the key in that same .env, the .env speaks for itself.
    write(cwd / ".env", f"MEMORIES_BASE_URL=http://192.0.2.1\nMEMORIES_API_KEY={KEY}\n"
                        "MEMORIES_ALLOW_INSECURE_HTTP=1\n")
    settings, warnings = load(cwd, config_path)
    assert settings.allow_insecure_http is True and settings.api_key == KEY and warnings == []


def test_key_in_the_same_dotenv_goes_where_that_dotenv_says(cwd: Path, config_path: Path) -> None:
    other = "sk-dotenv-0000000000000000000000000000"
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\nMEMORIES_API_KEY={other}\n")
    write(config_path, f'api_key = "{KEY}"\n')
    settings, warnings = load(cwd, config_path)
    assert (settings.base_url, settings.api_key, warnings) == (EVIL, other, [])


def test_key_typed_as_a_flag_is_agreement(cwd: Path, config_path: Path) -> None:
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\n")
    settings, warnings = load(cwd, config_path, {"api_key": KEY})
    assert (settings.base_url, settings.api_key, warnings) == (EVIL, KEY, [])


@pytest.mark.parametrize("chosen_by", ["flag", "environment"])
def test_base_url_the_user_chose_beats_the_dotenv_and_gets_the_key(
    cwd: Path, config_path: Path, chosen_by: str
) -> None:
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\n")
    corp = "https://corp.example"
    flags = {"base_url": corp} if chosen_by == "flag" else None
    environ = {"MEMORIES_API_KEY": KEY}
    if chosen_by == "environment":
        environ["MEMORIES_BASE_URL"] = corp
    settings, warnings = load(cwd, config_path, flags, environ)
    assert (settings.base_url, settings.api_key, warnings) == (corp, KEY, [])


def test_passing_the_dotenv_address_as_a_flag_sends_the_key_there(
    cwd: Path, config_path: Path
) -> None:
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\n")
    settings, warnings = load(cwd, config_path, {"base_url": EVIL}, {"MEMORIES_API_KEY": KEY})
    assert (settings.base_url, settings.api_key, warnings) == (EVIL, KEY, [])


def test_bad_environment_base_url_does_not_open_the_door_for_the_dotenv(
    cwd: Path, config_path: Path
) -> None:
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\n")
    environ = {"MEMORIES_API_KEY": KEY, "MEMORIES_BASE_URL": "not a url"}
    settings, warnings = load(cwd, config_path, environ=environ)
    assert settings.base_url == EVIL
    assert settings.api_key is None
    assert len(warnings) == 2 and len(withheld(warnings)) == 1


def test_blank_or_bad_key_in_the_dotenv_is_not_agreement(cwd: Path, config_path: Path) -> None:
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\nMEMORIES_API_KEY=\n")
    assert load(cwd, config_path, environ={"MEMORIES_API_KEY": KEY}).settings.api_key is None
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\nMEMORIES_API_KEY=sk-has space\n")
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_API_KEY": KEY})
    assert settings.api_key is None
    assert len(withheld(warnings)) == 1


def test_no_key_no_warning_and_bad_dotenv_address_is_just_skipped(
    cwd: Path, config_path: Path
) -> None:
    write(cwd / ".env", f"MEMORIES_BASE_URL={EVIL}\n")
    assert load(cwd, config_path).warnings == []  # nothing to withhold
    write(cwd / ".env", "MEMORIES_BASE_URL=ftp://evil.example\n")
    settings, warnings = load(cwd, config_path, environ={"MEMORIES_API_KEY": KEY})
    assert (settings.base_url, settings.api_key) == ("https://api.memories.ai", KEY)
    assert len(warnings) == 1 and "not an http" in warnings[0]


def test_memories_tui_config_names_another_config_file(tmp_path: Path) -> None:
    from memories_tui.config import default_config_path

    elsewhere = tmp_path / "scripted.toml"
    environ = {"MEMORIES_TUI_CONFIG": str(elsewhere), "XDG_CONFIG_HOME": str(tmp_path)}
    assert default_config_path(environ) == elsewhere
    assert default_config_path({"MEMORIES_TUI_CONFIG": "~/x.toml", "HOME": "/home/u"}) == (
        Path("~/x.toml").expanduser())
    elsewhere.write_text('theme = "nord"\n')
    settings, _ = load_settings(environ=environ, cwd=tmp_path)
    assert settings.theme == "nord"


def test_origins_say_where_each_setting_came_from(cwd: Path, config_path: Path) -> None:
    write(config_path, "timeout = 9\n")
    write(cwd / ".env", "MEMORIES_THEME=nord\n")
    origins: dict[str, str] = {}
    load_settings({"page_size": 75}, environ={"MEMORIES_UNIQUE_ID": "team"}, cwd=cwd,
                  config_path=config_path, origins=origins)
    assert origins["page_size"] == "--page-size"
    assert origins["unique_id"] == "MEMORIES_UNIQUE_ID"
    assert origins["theme"] == f"MEMORIES_THEME in {cwd / '.env'}"
    assert origins["timeout"] == f"timeout in {config_path}"
    assert origins["api_key"] == "the default"
    assert set(origins) == {f.name for f in fields(Settings)}
