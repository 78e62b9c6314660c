"""Saving watchlists or the theme rewrites only those keys and keeps the rest of the file."""

from __future__ import annotations

import tomllib

from tsdash import config
from tsdash.config import load_settings
from config_helpers import EXISTING, files_in


def test_save_watchlists_keeps_every_other_setting(write_config, tmp_path) -> None:
    path = write_config(EXISTING)
    before = load_settings(path)
    settings = load_settings(path)
    settings.add_symbol("tech", "nvda")
    settings.remove_symbol("tech", "MSFT")
    settings.watchlists["new"] = ["IBM"]
    settings.default_watchlist = "new"
    assert settings.save_watchlists() == path

    after = load_settings(path)
    assert after.watchlists == {"tech": ["AAPL", "NVDA"], "etfs": ["SPY"], "new": ["IBM"]}
    assert after.default_watchlist == "new"
    # Everything else exactly as before.
    for name in config.settings_fields():
        if name not in ("watchlists", "default_watchlist"):
            assert getattr(after, name) == getattr(before, name), name
    assert after.environment == "sim" and after.read_timeout == 7.5
    assert after.keys["quit"] == "ctrl+q"
    assert files_in(tmp_path) == ["config.toml"]  # no temp file left behind


def test_save_keeps_keys_tsdash_does_not_model(write_config) -> None:
    # Values are validated on load, not on save: a save must not drop what it does not change.
    path = write_config('theme = "x"\n[streams]\nread_timeout = 3\n')
    settings = load_settings(path)
    settings.save_watchlists()
    data = tomllib.loads(path.read_text())
    assert data["theme"] == "x"
    assert data["streams"] == {"read_timeout": 3}
    assert data["watchlists"] == config.DEFAULT_WATCHLISTS
    assert data["default_watchlist"] == "mega-caps"


def test_save_theme_changes_only_the_theme(write_config) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)
    settings.save_theme("new-theme")
    assert settings.theme == "new-theme"
    data = tomllib.loads(path.read_text())
    original = tomllib.loads(EXISTING)
    assert data.pop("theme") == "new-theme"
    original.pop("theme")
    assert data == original
    assert load_settings(path).theme == "new-theme"


def test_comments_are_not_kept(write_config) -> None:
    # Documented behaviour: the README says so.
    path = write_config(EXISTING)
    load_settings(path).save_theme("x")
    assert "# my settings" not in path.read_text()


def test_update_config_file_sets_nested_and_removes(write_config) -> None:
    path = write_config(EXISTING)
    config.update_config_file(path, {("bars", "symbol"): "IWM", ("accounts",): None,
                                     ("streams", "max_concurrent_streams"): 5})
    data = tomllib.loads(path.read_text())
    assert data["bars"] == {"symbol": "IWM", "unit": "Daily"}
    assert "accounts" not in data
    assert data["streams"]["max_concurrent_streams"] == 5
    assert data["streams"]["read_timeout"] == 7.5
