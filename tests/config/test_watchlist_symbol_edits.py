"""Adding and removing a watchlist symbol normalises, validates and does not write."""

from __future__ import annotations

import pytest

from tsdash.config import Settings, load_settings
from config_helpers import EXISTING


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
