"""format_price writes a price by its symbol's own PriceFormat (design.md "Symbols and prices"):
Decimal places, 32nds with an apostrophe, CME sub-fractions, signs, and bad details that fall
back plainly with a log line instead of raising."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from tsdash.api import format_price, round_to_increment
from tsdash.api.prices import PriceFormatter

DECIMAL_5 = {"Format": "Decimal", "Decimals": "5", "IncrementStyle": "Simple",
             "Increment": "0.00005", "PointValue": "125000"}
DECIMAL_2 = {"Format": "Decimal", "Decimals": "2", "IncrementStyle": "Simple",
             "Increment": "0.25", "PointValue": "50"}
THIRTY_SECONDS = {"Format": "Fraction", "Fraction": "32", "IncrementStyle": "Simple",
                  "Increment": "0.03125", "PointValue": "1000"}
EIGHTHS = {"Format": "Fraction", "Fraction": "8", "IncrementStyle": "Simple",
           "Increment": "0.25", "PointValue": "50"}
HALF_32NDS = {"Format": "SubFraction", "Fraction": "32", "SubFraction": "2",
              "IncrementStyle": "Simple", "Increment": "0.015625", "PointValue": "1000"}
QUARTER_32NDS = {"Format": "SubFraction", "Fraction": "32", "SubFraction": "4",
                 "IncrementStyle": "Simple", "Increment": "0.0078125", "PointValue": "1000"}


def detail(price_format: dict, symbol: str = "X") -> dict:
    return {"Symbol": symbol, "AssetType": "FUTURE", "PriceFormat": price_format}


# -- Decimal -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value,shown", [
    ("1.08345", "1.08345"),
    (1.08345, "1.08345"),
    (1.0834, "1.08340"),
    (1, "1.00000"),
    ("0.00012", "0.00012"),
    (Decimal("1.083449"), "1.08345"),
])
def test_decimal_shows_exactly_its_places(value, shown):
    assert format_price(value, DECIMAL_5) == shown
    assert format_price(value, detail(DECIMAL_5, "6EZ26")) == shown


@pytest.mark.parametrize("value,shown", [
    (6012.25, "6012.25"),
    ("6012.25", "6012.25"),
    (123.2, "123.20"),
    (1234567.5, "1234567.50"),  # no thousands separator
    (0, "0.00"),
    (-4.5, "-4.50"),
    (-0.001, "0.00"),  # rounded to zero: no minus sign
])
def test_decimal_two_places(value, shown):
    assert format_price(value, DECIMAL_2) == shown


def test_decimal_zero_places():
    assert format_price("5012.7", {"Format": "Decimal", "Decimals": "0"}) == "5013"


# -- Fraction ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value,shown", [
    (117.5, "117'16"),
    (117.03125, "117'01"),
    ("117.03125", "117'01"),
    ("117.0312", "117'01"),  # TradeStation's rounded decimal for 1/32 still reads 1/32
    (117, "117'00"),
    (117.96875, "117'31"),
    (117.99, "118'00"),  # rounds to the nearest 32nd, carrying into the whole part
    (-0.5, "-0'16"),
    (-117.03125, "-117'01"),
    (0, "0'00"),
])
def test_fraction_in_32nds(value, shown):
    assert format_price(value, THIRTY_SECONDS) == shown


def test_fraction_numerator_is_padded_to_the_digits_of_the_denominator_less_one():
    assert format_price(534.5, EIGHTHS) == "534'4"
    assert format_price(534.125, {"Format": "Fraction", "Fraction": "64"}) == "534'08"
    assert format_price(1.0078125, {"Format": "Fraction", "Fraction": "128"}) == "1'001"
    assert format_price(1.5, {"Format": "Fraction", "Fraction": "10"}) == "1'5"


# -- SubFraction (CME: a half is 5, a quarter 2, three quarters 7) -----------------------------
@pytest.mark.parametrize("value,shown", [
    (110 + 16.5 / 32, "110'165"),
    (110 + 16 / 32, "110'160"),
    (110 + 16.25 / 32, "110'162"),
    (110 + 16.75 / 32, "110'167"),
    ("125.92969", "125'297"),  # TradeStation's own example (125'29.7)
    (110 + 0.25 / 32, "110'002"),
    (-(110 + 16.5 / 32), "-110'165"),
])
def test_quarter_32nds(value, shown):
    assert format_price(value, QUARTER_32NDS) == shown


@pytest.mark.parametrize("value,shown", [
    (110 + 16.5 / 32, "110'165"),
    (110 + 31.5 / 32, "110'315"),
    (110 + 3 / 32, "110'030"),
    (111, "111'000"),
])
def test_half_32nds(value, shown):
    assert format_price(value, HALF_32NDS) == shown


@pytest.mark.parametrize("eighths,shown", [
    (1, "110'161"), (2, "110'162"), (3, "110'163"), (4, "110'165"), (5, "110'166"),
    (6, "110'167"), (7, "110'168"), (0, "110'160"),
])
def test_eighth_32nds_truncate_to_one_digit(eighths, shown):
    """A 2-year note in eighths of a 32nd: 16 1/8 is 161, 16 5/8 is 166 (CME's digit)."""
    eighth_32nds = {"Format": "SubFraction", "Fraction": "32", "SubFraction": "8"}
    assert format_price(110 + (16 + eighths / 8) / 32, eighth_32nds) == shown


@pytest.mark.parametrize("value,price_format,shown", [
    # CME Group's "Fractional Pricing - Display Examples"
    ("115.28125", THIRTY_SECONDS, "115'09"),
    ("112.625", HALF_32NDS, "112'200"),
    ("108.109375", HALF_32NDS, "108'035"),
    ("104.8828125", QUARTER_32NDS, "104'282"),
    ("117.9921875", QUARTER_32NDS, "117'317"),
])
def test_cme_display_examples(value, price_format, shown):
    assert format_price(value, price_format) == shown


def test_subfraction_in_a_symbol_detail():
    assert format_price("110.515625", detail(QUARTER_32NDS, "@FV")) == "110'165"


# -- bad input: a fallback and a log line, never an exception ----------------------------------
@pytest.mark.parametrize("bad", [
    {},
    {"Symbol": "X"},
    {"PriceFormat": {"Format": "Hexadecimal"}},
    {"Format": "Decimal"},
    {"Format": "Decimal", "Decimals": "two"},
    {"Format": "Decimal", "Decimals": "-1"},
    {"Format": "Decimal", "Decimals": "2.5"},
    {"Format": "Fraction"},
    {"Format": "Fraction", "Fraction": "0"},
    {"Format": "Fraction", "Fraction": "1"},
    {"Format": "Fraction", "Fraction": "thirty-two"},
    None,
    "Decimal",
    [],
])
def test_an_unusable_format_shows_the_price_plainly_and_logs(bad, caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    assert format_price(117.5, bad) == "117.50"
    assert format_price("0.5", bad) == "0.5000"
    assert format_price(-2, bad) == "-2.00"


def test_an_unusable_format_is_logged(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    format_price(1, {"Symbol": "ODD1", "PriceFormat": {"Format": "Decimal", "Decimals": "x"}})
    assert any("ODD1" in r.getMessage() and "Decimals" in r.getMessage() for r in caplog.records)


def test_a_bad_subfraction_falls_back_to_the_fraction(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    bad = {"Symbol": "ODD2", "PriceFormat": {"Format": "SubFraction", "Fraction": "32",
                                             "SubFraction": "0"}}
    assert format_price(117.5, bad) == "117'16"
    assert any("ODD2" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("value,shown", [
    ("abc", "abc"), (None, ""), (float("nan"), "nan"), ("", ""), (True, "True"),
    ("\x1b[2J5", "5"),  # a server's text is cleaned of escape sequences
])
def test_a_value_that_is_not_a_number_is_shown_as_sent(value, shown, caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    assert format_price(value, DECIMAL_2) == shown


def test_a_non_number_is_logged(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    format_price("not-a-price-7", DECIMAL_2)
    assert any("not-a-price-7" in r.getMessage() for r in caplog.records)


def test_the_same_problem_is_logged_once(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    bad = {"Symbol": "ODD3", "PriceFormat": {"Format": "Fraction", "Fraction": "-4"}}
    for _ in range(50):
        format_price(1.5, bad)
    assert sum("ODD3" in r.getMessage() for r in caplog.records) == 1


def test_a_formatter_reads_the_detail_once_and_formats_alike():
    from tsdash.api.prices import PriceFormatter

    bond = PriceFormatter({"Symbol": "@US", "PriceFormat": THIRTY_SECONDS})
    note = PriceFormatter(QUARTER_32NDS)
    for value in (117.5, "117.03125", -0.5, 117, Decimal("117.96875"), "abc", None):
        assert bond(value) == format_price(value, THIRTY_SECONDS)
    assert note(110 + 16.5 / 32) == "110'165"
    assert PriceFormatter(None)(2) == "2.00"


@pytest.mark.parametrize("value", [1e30, "1e70", "-1e45", 1e23, "1E-400"])
def test_a_price_of_no_real_magnitude_is_shown_not_raised(value):
    detail = {"PriceFormat": {"Format": "Decimal", "Decimals": "5", "Increment": "0.00005"}}
    assert format_price(value, detail)
    assert PriceFormatter(detail)(value)
    assert round_to_increment(value, detail) is not None
    assert format_price(value, {"Symbol": "X"})  # no format either: the plain rule


def test_a_subfraction_of_one_is_a_plain_fraction():
    detail = {"PriceFormat": {"Format": "SubFraction", "Fraction": "32", "SubFraction": "1"}}
    assert format_price(117.5, detail) == "117'16"
