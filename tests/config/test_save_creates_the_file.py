"""Saving creates the config file and its directory, by default in the usual place."""

from __future__ import annotations

from tsdash import config
from tsdash.config import load_settings
from config_helpers import files_in


def test_save_watchlists_creates_file_and_directory(tmp_path) -> None:
    path = tmp_path / "deep" / "er" / "config.toml"
    settings = load_settings(path)
    settings.add_symbol("etfs", "XLK")
    settings.save_watchlists()
    assert load_settings(path).watchlists["etfs"][-1] == "XLK"
    assert files_in(path.parent) == ["config.toml"]


def test_save_watchlists_to_default_location(isolated_dirs, linux_only) -> None:
    settings = load_settings()
    settings.save_watchlists()
    assert (isolated_dirs["CONFIG"] / "tsdash" / "config.toml").is_file()
