"""config: precedence, forgiving parsing with plain-words warnings, and a key that never
leaks. Every test passes its own environ, cwd and config path: the developer's real
environment and ~/.config are never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from memories_tui.config import ENV_VARS, Settings, default_config_path, load_settings, mask_key

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
    write(config_path, 'unique_id = "from-file"\npage_size = 10\ntheme = "nord"\ntimeout = 5\nrate_limit = 4\n')
    write(cwd / ".env", "MEMORIES_UNIQUE_ID=from-dotenv\nMEMORIES_PAGE_SIZE=20\nMEMORIES_THEME=gruvbox\nMEMORIES_TIMEOUT=6\n")
    environ = {"MEMORIES_UNIQUE_ID": "from-env", "MEMORIES_PAGE_SIZE": "30", "MEMORIES_THEME": "monokai"}
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
    )
    assert warnings == []


def test_typed_flags_and_unrelated_flag_keys(cwd: Path, config_path: Path, tmp_path: Path) -> None:
    flags = {"page_size": 75, "download_dir": tmp_path, "allow_insecure_http": True, "demo": True, "command": None}
    settings, warnings = load(cwd, config_path, flags)
    assert (settings.page_size, settings.download_dir, settings.allow_insecure_http) == (75, tmp_path, True)
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
    write(cwd / ".env", "MEMORIES_UNIQUE_ID=from-dotenv\nMEMORIES_THEME=${HOME}\n")
    environ: dict[str, str] = {}
    settings, _ = load(cwd, config_path, environ=environ)
    assert settings.unique_id == "from-dotenv"
    assert settings.theme == "${HOME}"  # no interpolation from the real environment
    assert environ == {}
    assert "MEMORIES_UNIQUE_ID" not in os.environ or os.environ["MEMORIES_UNIQUE_ID"] != "from-dotenv"


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
        ("MEMORIES_ALLOW_INSECURE_HTTP", "maybe", "allow_insecure_http", False, "not true or false"),
        ("MEMORIES_BASE_URL", "api.memories.ai", "base_url", "https://api.memories.ai", "not an http"),
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
        f"MEMORIES_PAGE_SIZE is 'abc', which is not a whole number; using 100 (page_size in {config_path})."
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
    settings, warnings = load(cwd, config_path, {"concurrent_downloads": 50})
    assert settings.concurrent_downloads == 8
    assert "--concurrent-downloads" in warnings[0]


def test_config_file_wrong_types_and_unknown_keys(cwd: Path, config_path: Path) -> None:
    write(config_path, 'page_size = "many"\napi_key = 12345\napikey = "typo"\nallow_insecure_http = "true"\n')
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
    assert warnings == [f"{path} holds an API key and is readable by other users; run chmod 600 {path}"]
    assert KEY not in warnings[0]


def test_private_file_with_key_or_public_file_without_key_is_fine(cwd: Path, config_path: Path) -> None:
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
