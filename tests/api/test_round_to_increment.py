"""round_to_increment gives the nearest valid price by a symbol's Increment or its
IncrementSchedule (design.md "Symbols and prices"), exactly, in Decimal; a bad detail or value
gives a fallback and a log line, never an exception."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from tsdash.api import round_to_increment

ES = {"Symbol": "@ES", "PriceFormat": {"Format": "Decimal", "Decimals": "2",
                                       "IncrementStyle": "Simple", "Increment": "0.25",
                                       "PointValue": "50"}}
EURO = {"Format": "Decimal", "Decimals": "5", "IncrementStyle": "Simple", "Increment": "0.00005"}
BOND = {"Format": "Fraction", "Fraction": "32", "IncrementStyle": "Simple",
        "Increment": "0.03125"}
NOTE = {"Format": "SubFraction", "Fraction": "32", "SubFraction": "4", "IncrementStyle": "Simple",
        "Increment": "0.0078125"}
# an equity option: nickels under 3.00, dimes from 3.00
OPTION = {"Format": "Decimal", "Decimals": "2", "IncrementStyle": "Schedule",
          "IncrementSchedule": [{"Increment": "0.05", "StartsAt": "0"},
                                {"Increment": "0.10", "StartsAt": "3"}]}


@pytest.mark.parametrize("value,nearest", [
    (6012.30, "6012.25"),
    ("6012.30", "6012.25"),
    (6012.40, "6012.50"),
    (6012.375, "6012.50"),  # halfway goes up
    (6012.25, "6012.25"),
    (6012, "6012.00"),
    (-3.1, "-3.00"),
    (-3.2, "-3.25"),
])
def test_simple_increment(value, nearest):
    result = round_to_increment(value, ES)
    assert isinstance(result, Decimal)
    assert str(result) == nearest


def test_the_result_is_exact_and_written_to_the_increments_places():
    assert str(round_to_increment("1.083449", EURO)) == "1.08345"
    assert str(round_to_increment(1.08342, EURO)) == "1.08340"
    assert round_to_increment(0.1 + 0.2, {"Increment": "0.01"}) == Decimal("0.30")


@pytest.mark.parametrize("value,nearest", [
    (117.5, "117.50000"),
    (117.52, "117.53125"),
    (117.51, "117.50000"),
])
def test_32nds(value, nearest):
    assert str(round_to_increment(value, BOND)) == nearest


def test_quarter_32nds():
    assert round_to_increment(110.515, NOTE) == Decimal("110.515625")  # 110'165
    assert round_to_increment(110.51, NOTE) == Decimal("110.5078125")  # 110'162


@pytest.mark.parametrize("value,nearest", [
    (0.01, "0.00"),
    (0.03, "0.05"),
    (2.93, "2.95"),
    (2.974, "2.95"),
    (2.98, "3.00"),  # up to the next band's start, a valid price of its own
    (3.00, "3.00"),
    (3.04, "3.00"),
    (3.06, "3.10"),
    (12.349, "12.30"),
    (12.35, "12.40"),
])
def test_increment_schedule(value, nearest):
    assert str(round_to_increment(value, OPTION)) == nearest
    assert str(round_to_increment(value, {"Symbol": "AAPL 261218C230", "PriceFormat": OPTION})) \
        == nearest


def test_schedule_rows_in_any_order_and_a_band_whose_grid_misses_the_next_start():
    schedule = {"IncrementStyle": "Schedule",
                "IncrementSchedule": [{"Increment": "1", "StartsAt": "10"},
                                      {"Increment": "0.07", "StartsAt": "0"}]}
    assert round_to_increment(9.99, schedule) == Decimal("10.00")  # not 10.01
    assert round_to_increment(9.80, schedule) == Decimal("9.80")
    assert round_to_increment(12.4, schedule) == Decimal("12.00")


def test_schedule_that_starts_above_zero():
    schedule = {"IncrementStyle": "Schedule",
                "IncrementSchedule": [{"Increment": "0.5", "StartsAt": "1"}]}
    assert round_to_increment(0.3, schedule) == Decimal("0.5")
    assert round_to_increment(1.7, schedule) == Decimal("1.5")


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [
    {"Format": "Decimal", "Decimals": "2"},  # no increment at all
    {"Increment": "0"},
    {"Increment": "-0.25"},
    {"Increment": "quarter"},
    {"IncrementStyle": "Schedule"},
    {"IncrementStyle": "Schedule", "IncrementSchedule": []},
    {"IncrementStyle": "Schedule", "IncrementSchedule": [{"Increment": "0", "StartsAt": "0"}]},
    {"IncrementStyle": "Schedule", "IncrementSchedule": "0.05"},
    {},
    None,
    "0.25",
])
def test_no_usable_increment_leaves_the_value_as_it_is(bad, caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    assert round_to_increment(6012.30, bad) == Decimal("6012.3")
    assert round_to_increment("6012.30", bad) == Decimal("6012.30")


def test_a_zero_increment_is_logged(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    round_to_increment(1, {"Symbol": "ZERO1", "PriceFormat": {"Increment": "0"}})
    assert any("ZERO1" in r.getMessage() and "Increment" in r.getMessage()
               for r in caplog.records)


def test_a_broken_schedule_falls_back_to_the_increment(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    fmt = {"Symbol": "SCH1", "PriceFormat": {
        "IncrementStyle": "Schedule", "Increment": "0.25",
        "IncrementSchedule": [{"Increment": "x", "StartsAt": "0"}]}}
    assert round_to_increment(6012.30, fmt) == Decimal("6012.25")
    assert any("SCH1" in r.getMessage() for r in caplog.records)


def test_an_unknown_increment_style_uses_the_increment(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    assert round_to_increment(6012.30, {"IncrementStyle": "Fancy", "Increment": "0.25"}) \
        == Decimal("6012.25")


@pytest.mark.parametrize("value", ["abc", None, "", float("inf"), float("nan"), [], True])
def test_a_value_that_is_not_a_number_gives_none(value, caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.prices")
    assert round_to_increment(value, ES) is None
