"""Symbols are at most 32 characters, in the config and in the `a` prompt alike (one rule,
``validate_symbol``): a 500-character "symbol" widened the quotes column (issue 11, item 5)."""

from __future__ import annotations

import pytest

from tsdash.config import MAX_SYMBOL_LENGTH, ConfigError, Settings, load_settings, validate_symbol

LONG = "A" * 500


def test_a_long_symbol_in_the_config_is_an_error_that_says_the_limit(write_config) -> None:
    path = write_config(f'[watchlists]\ntech = ["AAPL", "{LONG}"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f'config error in {path}: key "watchlists.tech[1]": ')
    assert ("is 500 characters long; TradeStation symbols are at most 32") in message
    assert len(message) < 400  # the symbol is shortened, not printed whole


def test_the_bars_symbol_has_the_same_limit(write_config) -> None:
    with pytest.raises(ConfigError, match=r'key "bars\.symbol".*at most 32'):
        load_settings(write_config(f'[bars]\nsymbol = "{"X" * 33}"\n'))


def test_the_limit_itself_is_allowed(write_config) -> None:
    longest = "A" * MAX_SYMBOL_LENGTH
    assert MAX_SYMBOL_LENGTH == 32
    assert validate_symbol(longest) is None
    assert load_settings(write_config(f'[watchlists]\nt = ["{longest}"]\n')).watchlists == {
        "t": [longest]}
    # the longest real kinds: an option's root, expiry, side and strike; a futures contract
    assert validate_symbol("AAPL261218C230") is None and validate_symbol("@ESZ26") is None


def test_adding_a_long_symbol_is_refused() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="is 500 characters long; TradeStation symbols are at"):
        settings.add_symbol("etfs", LONG)
    assert LONG not in settings.watchlists["etfs"]
