"""Symbols in every form TradeStation uses are accepted (issue 12): options with their one
space, continuous and dated futures, indices, crypto; other spaces and junk are refused with a
message that says what a valid symbol looks like. The 32-character limit stays."""

from __future__ import annotations

import pytest

from tsdash.config import ConfigError, Settings, load_settings, validate_symbol

FORMS = ["AAPL", "BRK.B", "AAPL 261218C230", "SPY 261218P582.5", "SPXW 261218C5000",
         "$SPX.X 261218C5000", "@ES", "ESZ26", "@US", "6EZ26", "$SPX.X", "$INDU", "BTCUSD",
         "ETHUSD", "@ESZ26", "ESZ26 C6000", "@ESZ26 P5900.5", "@ES.D"]


@pytest.mark.parametrize("symbol", FORMS)
def test_every_tradestation_form_is_valid(symbol) -> None:
    assert validate_symbol(symbol) is None


def test_the_config_loads_and_saves_every_form(write_config) -> None:
    listed = ", ".join(f'"{s}"' for s in FORMS)
    path = write_config(f'[watchlists]\nmixed = [{listed}]\n[bars]\nsymbol = "AAPL 261218C230"\n')
    settings = load_settings(path)
    assert settings.watchlists["mixed"] == FORMS
    assert settings.bars.symbol == "AAPL 261218C230"
    settings.add_symbol("mixed", "MSFT 261218C450")
    settings.save_watchlists()
    assert load_settings(path).watchlists["mixed"] == [*FORMS, "MSFT 261218C450"]


def test_an_option_typed_in_lower_case_with_spaces_around_is_added_in_capitals() -> None:
    settings = Settings()
    assert settings.add_symbol("etfs", "  aapl 261218c230 ") == "AAPL 261218C230"
    assert settings.watchlists["etfs"][-1] == "AAPL 261218C230"


@pytest.mark.parametrize("symbol,reason", [
    ("BRK B", 'cannot contain spaces, except the one in an option symbol'),
    ("AAPL C230", "except the one in an option symbol"),  # only a futures contract has no expiry
    (".", "needs at least one letter or digit"),
    ("^^^", "needs at least one letter or digit"),
    ("AAPL 261218X230", "except the one in an option symbol"),
    ("AAPL 2612C230", "expiry YYMMDD, C or P, strike"),
    ("AAPL 261218C", "except the one in an option symbol"),
    ("AAPL 261218C230.", "except the one in an option symbol"),
    ("AAPL 261218C230 X", "except the one in an option symbol"),
    ("AAPL  261218C230", "two spaces in a row"),
    (" AAPL 261218C230", "cannot start or end with a space"),
    ("AAPL 261218C230 ", "cannot start or end with a space"),
    ("AAPL\t261218C230", "tabs, line breaks or other white space"),
    ("AAPL\n", "tabs, line breaks or other white space"),
    ("AA%PL 261218C230", "except the one in an option symbol"),
    ("aapl 261218c230", 'written in capitals: "AAPL 261218C230"'),
    ("AAPL 261218C230" + "0" * 20, "at most 32"),
])
def test_bad_forms_are_refused_with_what_a_symbol_looks_like(symbol, reason) -> None:
    problem = validate_symbol(symbol)
    assert problem is not None and reason in problem


def test_a_bad_option_in_the_config_names_the_key_and_the_rule(write_config) -> None:
    path = write_config('[watchlists]\nopts = ["AAPL 261218C230", "AAPL 261218"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert 'key "watchlists.opts[1]"' in message
    assert '"AAPL 261218C230"' in message and "a space only in options" in message
