"""Saving refuses an empty theme, invalid watchlists and a file that is not TOML."""

from __future__ import annotations

import pytest

from tsdash.config import ConfigError, load_settings
from config_helpers import EXISTING


def test_save_theme_rejects_an_empty_name(write_config) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)
    with pytest.raises(ConfigError, match='key "theme"'):
        settings.save_theme("")
    assert path.read_text() == EXISTING
    assert settings.theme == "old-theme"


def test_save_refuses_to_overwrite_a_file_that_is_not_toml(write_config) -> None:
    path = write_config('theme = "x"\n')
    settings = load_settings(path)
    path.write_text("theme = = broken\n")  # edited by hand while the app runs
    with pytest.raises(ConfigError, match="invalid TOML"):
        settings.save_theme("y")
    assert path.read_text() == "theme = = broken\n"


def test_save_watchlists_refuses_invalid_watchlists(write_config) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)
    settings.watchlists["bad"] = []
    with pytest.raises(ConfigError, match='key "watchlists.bad"'):
        settings.save_watchlists()
    settings.watchlists["bad"] = ["OK"]
    settings.default_watchlist = "missing"
    with pytest.raises(ConfigError, match='key "default_watchlist"'):
        settings.save_watchlists()
    assert path.read_text() == EXISTING
