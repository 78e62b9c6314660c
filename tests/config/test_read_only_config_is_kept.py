"""A read-only config file is not replaced: the atomic rename needs only the folder to be
writable, so the file's own permission is checked first (issue 11, item 4). These tests hold
when run as root too, for whom os.access always says yes."""

from __future__ import annotations

import stat

import pytest

from tsdash.config import ConfigError, EditKind, WatchlistEdit, load_settings

TEXT = '# mine\ntheme = "tsdash-dark"\n\n[watchlists]\ntech = ["AAPL"]\n'


@pytest.fixture
def read_only(write_config):
    path = write_config(TEXT)
    path.chmod(0o444)
    yield path
    path.chmod(0o644)


def expected_message(path) -> str:
    return (f"config file {path} is read-only (mode 0444); the change is kept for this session; "
            f"make it writable with chmod u+w {path} to save")


def unchanged(path) -> bool:
    return path.read_text() == TEXT and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_watchlist_save_refuses_a_read_only_file(read_only) -> None:
    settings = load_settings(read_only)
    settings.add_symbol("tech", "IBM")
    with pytest.raises(ConfigError) as info:
        settings.save_watchlist_edits([WatchlistEdit(EditKind.ADD, "tech", "IBM")])
    assert str(info.value) == expected_message(read_only)
    assert unchanged(read_only)
    assert settings.watchlists["tech"] == ["AAPL", "IBM"]  # kept for the session


def test_every_save_refuses_a_read_only_file(read_only) -> None:
    settings = load_settings(read_only)
    for save in (settings.save_watchlists, lambda: settings.save_theme("tsdash-light")):
        with pytest.raises(ConfigError, match="is read-only"):
            save()
        assert unchanged(read_only)


def test_a_writable_file_is_saved(read_only) -> None:
    read_only.chmod(0o644)
    load_settings(read_only).save_theme("tsdash-light")
    assert load_settings(read_only).theme == "tsdash-light"
