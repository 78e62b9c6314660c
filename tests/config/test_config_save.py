from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tsdash import config
from tsdash.config import ConfigError, Settings, load_settings

EXISTING = """\
# my settings
environment = "sim"
theme = "old-theme"
client_id = "my-key"
accounts = ["11111111"]

[watchlists]
tech = ["AAPL", "MSFT"]
etfs = ["SPY"]

[bars]
symbol = "QQQ"
unit = "Daily"

[streams]
read_timeout = 7.5
auto_reconnect = true

[ui]
repaint_hz = 12

[keys]
quit = "ctrl+q"
"""


def files_in(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


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


def test_save_theme_rejects_an_empty_name(write_config) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)
    with pytest.raises(ConfigError, match='key "theme"'):
        settings.save_theme("")
    assert path.read_text() == EXISTING
    assert settings.theme == "old-theme"


def test_failed_dump_leaves_the_old_file_intact(write_config, tmp_path, monkeypatch) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)
    settings.add_symbol("tech", "NVDA")

    def broken_dumps(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tomli_w, "dumps", broken_dumps)
    with pytest.raises(RuntimeError):
        settings.save_watchlists()
    assert path.read_text() == EXISTING
    assert files_in(tmp_path) == ["config.toml"]


def test_failed_write_leaves_the_old_file_intact(write_config, tmp_path, monkeypatch) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)

    real_fsync = os.fsync
    calls = []

    def broken_fsync(fd):
        calls.append(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ConfigError) as info:
        settings.save_theme("other")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert calls, "the write must fsync before renaming"
    assert str(path) in str(info.value)
    assert "No space left on device" in str(info.value)
    assert path.read_text() == EXISTING
    assert files_in(tmp_path) == ["config.toml"]


def test_write_goes_through_a_temp_file_and_rename(write_config, tmp_path, monkeypatch) -> None:
    path = write_config(EXISTING)
    replaced = []
    real_replace = os.replace

    def spy_replace(src, dst):
        # At the moment of the rename, the new content is complete in the temp file
        # (same directory) and the target still holds the old content.
        assert os.path.dirname(os.path.abspath(src)) == str(tmp_path)
        assert 'theme = "new"' in Path(src).read_text()
        assert Path(dst).read_text() == EXISTING
        replaced.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy_replace)
    load_settings(path).save_theme("new")
    assert len(replaced) == 1
    assert files_in(tmp_path) == ["config.toml"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_the_file_mode(write_config) -> None:
    path = write_config(EXISTING)
    path.chmod(0o600)
    load_settings(path).save_theme("x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


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


def test_comments_are_not_kept(write_config) -> None:
    # Documented behaviour: the README says so.
    path = write_config(EXISTING)
    load_settings(path).save_theme("x")
    assert "# my settings" not in path.read_text()


# -- add / remove symbol ----------------------------------------------------------------------


def test_add_symbol_normalises_and_validates() -> None:
    settings = Settings()
    assert settings.add_symbol("etfs", "  xlk ") == "XLK"
    assert settings.watchlists["etfs"][-1] == "XLK"
    assert settings.add_symbol("etfs", "XLK") == "XLK"
    assert settings.watchlists["etfs"].count("XLK") == 1
    assert settings.add_symbol("etfs", "brk.b") == "BRK.B"


@pytest.mark.parametrize("bad", ["", "   ", "BRK B", "AA%", "ÄPPL", "A;B"])
def test_add_symbol_rejects_invalid_symbols(bad) -> None:
    settings = Settings()
    before = list(settings.watchlists["etfs"])
    with pytest.raises(ValueError):
        settings.add_symbol("etfs", bad)
    assert settings.watchlists["etfs"] == before


def test_add_symbol_unknown_watchlist() -> None:
    with pytest.raises(ValueError, match="no watchlist named 'nope'"):
        Settings().add_symbol("nope", "AAPL")


def test_remove_symbol() -> None:
    settings = Settings(watchlists={"w": ["A", "B"]}, default_watchlist="w")
    settings.remove_symbol("w", "a")
    assert settings.watchlists["w"] == ["B"]
    with pytest.raises(ValueError, match="last symbol"):
        settings.remove_symbol("w", "B")
    with pytest.raises(ValueError, match="not in the watchlist"):
        settings.remove_symbol("w", "ZZZ")
    with pytest.raises(ValueError, match="no watchlist named"):
        settings.remove_symbol("nope", "B")
    assert settings.watchlists["w"] == ["B"]


def test_add_and_remove_do_not_write(write_config) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)
    settings.add_symbol("tech", "NVDA")
    settings.remove_symbol("tech", "AAPL")
    assert path.read_text() == EXISTING


# -- the generic writer -------------------------------------------------------------------------


def test_update_config_file_sets_nested_and_removes(write_config) -> None:
    path = write_config(EXISTING)
    config.update_config_file(path, {("bars", "symbol"): "IWM", ("accounts",): None,
                                     ("streams", "max_concurrent_streams"): 5})
    data = tomllib.loads(path.read_text())
    assert data["bars"] == {"symbol": "IWM", "unit": "Daily"}
    assert "accounts" not in data
    assert data["streams"]["max_concurrent_streams"] == 5
    assert data["streams"]["read_timeout"] == 7.5
