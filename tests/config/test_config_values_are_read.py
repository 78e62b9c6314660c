"""Every key of the config file is read into the settings, with defaults where it is silent."""

from __future__ import annotations

import pytest

from tsdash import config
from tsdash.config import BarsSettings, Settings, load_settings


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


def test_defaults_are_not_shared_between_instances() -> None:
    a, b = load_settings(), load_settings()
    a.watchlists["etfs"].append("XLK")
    a.keys["quit"] = "x"
    assert "XLK" not in b.watchlists["etfs"]
    assert "XLK" not in config.DEFAULT_WATCHLISTS["etfs"]
    assert b.keys["quit"] == "q"


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
        ("[streams]\norders_reconcile_s = 5.5\n", "orders_reconcile_s", 5.5),
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


def test_next_watchlist_wraps(write_config) -> None:
    settings = load_settings(write_config('[watchlists]\na = ["X"]\nb = ["Y"]\nc = ["Z"]\n'))
    assert settings.watchlist_names == ["a", "b", "c"]
    assert settings.next_watchlist("a") == "b"
    assert settings.next_watchlist("c") == "a"
    assert settings.next_watchlist("gone") == "a"
