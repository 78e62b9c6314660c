from __future__ import annotations

from pathlib import Path

import pytest

from tsdash import config
from tsdash.config import BarsSettings, ConfigError, Settings, load_settings

FULL = """
environment = "live"
theme = "my-theme"
default_watchlist = "banks"
accounts = ["11111111", "SIM2222M"]
client_id = "abc123"

[watchlists]
tech = ["AAPL", "MSFT"]
banks = ["JPM", "BRK.B", "$SPX.X", "@ES", "EUR/USD", "^VIX", "BF-B", "#X"]

[bars]
symbol = "QQQ"
interval = "5"
unit = "Minute"
barsback = 500

[streams]
max_concurrent_streams = 20
read_timeout = 12.5
auto_reconnect = true

[ui]
repaint_hz = 15

[keys]
quit = "ctrl+q"
reconnect = "f5,r"
"""


def test_no_file_gives_the_defaults_and_the_default_path(isolated_dirs, linux_only) -> None:
    settings = load_settings()
    assert settings == Settings()
    assert settings.environment == "demo"
    assert settings.theme == "tsdash-dark"
    assert list(settings.watchlists) == ["mega-caps", "etfs"]
    assert settings.watchlists["mega-caps"] == [
        "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO"
    ]
    assert settings.watchlists["etfs"] == ["SPY", "QQQ", "IWM", "DIA", "TLT", "GLD", "XLF", "XLE"]
    assert settings.default_watchlist == "mega-caps"
    assert settings.bars == BarsSettings(symbol="SPY", interval="1", unit="Minute", barsback=120)
    assert settings.accounts is None
    assert settings.max_concurrent_streams == 10
    assert settings.read_timeout == 30.0
    assert settings.auto_reconnect is False
    assert settings.repaint_hz == 8
    assert settings.keys["reconnect"] == "r"
    assert settings.keys["reconnect_all"] == "R"
    assert settings.keys["next_watchlist"] == "w"
    assert settings.keys["next_theme"] == "t"
    assert settings.keys["quit"] == "q"
    assert settings.keys["help"] == "question_mark"
    assert set(settings.keys) == config.KNOWN_BINDING_IDS
    assert settings.client_id is None
    assert settings.path == isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    assert not settings.path.exists()


def test_defaults_are_not_shared_between_instances() -> None:
    a, b = load_settings(), load_settings()
    a.watchlists["etfs"].append("XLK")
    a.keys["quit"] = "x"
    assert "XLK" not in b.watchlists["etfs"]
    assert "XLK" not in config.DEFAULT_WATCHLISTS["etfs"]
    assert b.keys["quit"] == "q"


def test_file_in_xdg_config_home_is_read(isolated_dirs, linux_only) -> None:
    path = isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('theme = "from-xdg"\n')
    settings = load_settings()
    assert settings.theme == "from-xdg"
    assert settings.path == path


def test_tsdash_config_env_var_beats_the_default(isolated_dirs, tmp_path, monkeypatch) -> None:
    default = isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    default.parent.mkdir(parents=True)
    default.write_text('theme = "from-default"\n')
    env = tmp_path / "env.toml"
    env.write_text('theme = "from-env"\n')
    monkeypatch.setenv("TSDASH_CONFIG", str(env))
    settings = load_settings()
    assert settings.theme == "from-env"
    assert settings.path == env


def test_explicit_path_beats_env_var(tmp_path, monkeypatch) -> None:
    env = tmp_path / "env.toml"
    env.write_text('theme = "from-env"\n')
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('theme = "from-explicit"\n')
    monkeypatch.setenv("TSDASH_CONFIG", str(env))
    assert load_settings(explicit).theme == "from-explicit"
    assert load_settings(str(explicit)).path == explicit


def test_missing_explicit_file_gives_defaults_with_that_path(tmp_path) -> None:
    settings = load_settings(tmp_path / "nope.toml")
    assert settings == Settings()
    assert settings.path == tmp_path / "nope.toml"


def test_empty_file_gives_defaults(write_config) -> None:
    assert load_settings(write_config("")) == Settings()


def test_every_key_is_read(write_config) -> None:
    settings = load_settings(write_config(FULL))
    assert settings.environment == "live"
    assert settings.theme == "my-theme"
    assert settings.watchlists == {
        "tech": ["AAPL", "MSFT"],
        "banks": ["JPM", "BRK.B", "$SPX.X", "@ES", "EUR/USD", "^VIX", "BF-B", "#X"],
    }
    assert list(settings.watchlists) == ["tech", "banks"]  # file order
    assert settings.default_watchlist == "banks"
    assert settings.accounts == ["11111111", "SIM2222M"]
    assert settings.client_id == "abc123"
    assert settings.bars == BarsSettings(symbol="QQQ", interval="5", unit="Minute", barsback=500)
    assert settings.max_concurrent_streams == 20
    assert settings.read_timeout == 12.5
    assert settings.auto_reconnect is True
    assert settings.repaint_hz == 15
    assert settings.keys["quit"] == "ctrl+q"
    assert settings.keys["reconnect"] == "f5,r"
    assert settings.keys["next_theme"] == "t"  # untouched bindings keep their defaults


def test_watchlists_in_the_file_replace_the_defaults(write_config) -> None:
    settings = load_settings(write_config('[watchlists]\nmine = ["IBM"]\nother = ["GE"]\n'))
    assert settings.watchlists == {"mine": ["IBM"], "other": ["GE"]}
    assert settings.default_watchlist == "mine"  # no default_watchlist: the first one


def test_quoted_watchlist_names(write_config) -> None:
    settings = load_settings(write_config('default_watchlist = "my list"\n'
                                          '[watchlists]\n"my list" = ["IBM"]\n'))
    assert settings.watchlists == {"my list": ["IBM"]}
    assert settings.default_watchlist == "my list"


@pytest.mark.parametrize(
    ("text", "attr", "expected"),
    [
        ('environment = "SIM"\n', "environment", "sim"),
        ("[bars]\ninterval = 15\n", ("bars", "interval"), "15"),
        ('[bars]\ninterval = "1440"\n', ("bars", "interval"), "1440"),
        ('[bars]\nunit = "daily"\n', ("bars", "unit"), "Daily"),
        ('[bars]\nunit = "Weekly"\n', ("bars", "interval"), "1"),
        ('[bars]\nunit = "Monthly"\ninterval = 1\n', ("bars", "interval"), "1"),
        ("[bars]\nbarsback = 57600\n", ("bars", "barsback"), 57600),
        ("[streams]\nread_timeout = 5\n", "read_timeout", 5.0),
        ("[streams]\nmax_concurrent_streams = 100\n", "max_concurrent_streams", 100),
        ("[streams]\nmax_concurrent_streams = 1\n", "max_concurrent_streams", 1),
        ("[ui]\nrepaint_hz = 30\n", "repaint_hz", 30),
        ("[ui]\nrepaint_hz = 1\n", "repaint_hz", 1),
    ],
)
def test_accepted_values(write_config, text, attr, expected) -> None:
    settings = load_settings(write_config(text))
    value = getattr(settings.bars, attr[1]) if isinstance(attr, tuple) else getattr(settings, attr)
    assert value == expected
    assert type(value) is type(expected)


def test_read_timeout_is_a_float(write_config) -> None:
    assert isinstance(load_settings(write_config("[streams]\nread_timeout = 5\n")).read_timeout,
                      float)


def test_load_error_is_an_exception_with_path(write_config) -> None:
    path = write_config('environment = "paper"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.path == path
    assert info.value.key == "environment"
    assert isinstance(info.value, Exception)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="found a directory"):
        load_settings(tmp_path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b'theme = "ok"\n\xff\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(path) in str(info.value)
    assert "line 2" in str(info.value)
    assert "UTF-8" in str(info.value)


def test_next_watchlist_wraps(write_config) -> None:
    settings = load_settings(write_config('[watchlists]\na = ["X"]\nb = ["Y"]\nc = ["Z"]\n'))
    assert settings.watchlist_names == ["a", "b", "c"]
    assert settings.next_watchlist("a") == "b"
    assert settings.next_watchlist("c") == "a"
    assert settings.next_watchlist("gone") == "a"
