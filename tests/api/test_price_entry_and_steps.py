"""What a person types into a price field is read by the symbol's own PriceFormat (parse_price is
format_price's inverse: 117'16, 110'165, 1.08345), moved in its increments (step_price, band by
band on an IncrementSchedule) and, off the grid, refused with the nearest valid prices named
(increment_problem). The details are the simulator's SymbolDetails, as TradeStation sends them."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from tsdash.api import (
    format_price,
    increment_problem,
    parse_price,
    round_to_increment,
    step_price,
)
from tsdash.sim.universe import SYMBOLS

CALL = "AAPL 261218C230"


def detail(symbol: str) -> dict:
    return SYMBOLS[symbol].detail()


def scheduled_option() -> dict:
    """The simulator's option detail with an equity option's schedule, as TradeStation sends it
    for a penny-pilot class: nickels under 3.00, dimes from 3.00."""
    out = copy.deepcopy(detail(CALL))
    out["PriceFormat"].update(IncrementStyle="Schedule", IncrementSchedule=[
        {"Increment": "0.05", "StartsAt": "0"}, {"Increment": "0.10", "StartsAt": "3"}])
    del out["PriceFormat"]["Increment"]
    return out


def quarter_note() -> dict:
    """A 5-year note in quarters of a 32nd (the simulator's @TY is in halves): 110'162."""
    out = copy.deepcopy(detail("@TY"))
    out["Symbol"] = "@FV"
    out["PriceFormat"].update(SubFraction="4", Increment="0.0078125")
    return out


def grid(detail_: dict, start: str, count: int) -> list[Decimal]:
    """``count`` consecutive valid prices from ``start``, by stepping."""
    prices = [round_to_increment(start, detail_)]
    for _ in range(count - 1):
        prices.append(step_price(prices[-1], detail_, 1))
    return prices


@pytest.mark.parametrize("symbol,start", [
    ("AAPL", "228.37"), ("SNDL", "0.8398"), ("@ES", "6012.00"), ("6EZ26", "1.05800"),
    ("@US", "116.75"), ("@TY", "110.40625"), ("BTCUSD", "96849.95"), ("@CL", "-1.05"),
    ("@GC", "2658.1"),
])
def test_every_formatted_price_reads_back_as_itself(symbol, start):
    info = detail(symbol)
    for price in grid(info, start, 80):
        text = format_price(price, info)
        assert parse_price(text, info) == price, (text, price)
        if price > 0:
            assert parse_price(f"-{text}", info) == -price


def test_the_scheduled_option_and_the_quarter_note_read_back_too():
    for info, start in ((scheduled_option(), "2.50"), (quarter_note(), "110.25")):
        for price in grid(info, start, 40):
            assert parse_price(format_price(price, info), info) == price


@pytest.mark.parametrize("symbol,text,value", [
    ("@ES", "6012.25", "6012.25"),
    ("@US", "117'16", "117.5"),
    ("@US", "117.5", "117.5"),
    ("@US", "117'01", "117.03125"),
    ("@US", "117'1", "117.03125"),
    ("@US", "-0'16", "-0.5"),
    ("@TY", "110'165", "110.515625"),
    ("@TY", "110'160", "110.5"),
    ("@TY", "110'16", "110.5"),
    ("6EZ26", " 1.08345 ", "1.08345"),
    ("SNDL", ".8412", "0.8412"),
    ("BTCUSD", "96850", "96850"),
])
def test_typed_prices_are_read_by_the_symbols_format(symbol, text, value):
    assert parse_price(text, detail(symbol)) == Decimal(value)


@pytest.mark.parametrize("text,value", [
    ("110'160", "110.5"), ("110'162", "110.5078125"), ("110'165", "110.515625"),
    ("110'167", "110.5234375"),
])
def test_cme_truncated_digits_for_quarters(text, value):
    assert parse_price(text, quarter_note()) == Decimal(value)


@pytest.mark.parametrize("symbol,text", [
    ("@US", "117'40"),      # 40/32 is no numerator of a 32nd
    ("@US", "117'32"),
    ("@US", "117'165"),     # a sub-fraction digit on a plain 32nds symbol
    ("@TY", "110'162"),     # @TY has halves of a 32nd: its digit is 0 or 5
    ("@TY", "110'1655"),
    ("@ES", "6012'16"),     # an apostrophe on a decimal symbol
    ("@ES", "abc"), ("@ES", ""), ("@ES", "   "), ("@ES", "12a"), ("@ES", "1e3"),
    ("@ES", "1,000"), ("@ES", "--5"), ("@ES", "NaN"), ("@ES", "Infinity"), ("@ES", "5-"),
    ("@ES", "1" * 60),
])
def test_text_that_is_no_price_in_the_format_is_none(symbol, text):
    assert parse_price(text, detail(symbol)) is None


@pytest.mark.parametrize("symbol,value,steps,expected", [
    ("@ES", "6012.25", 1, "6012.50"),
    ("@ES", "6012.30", 1, "6012.50"),   # rounded to 6012.25 first
    ("@ES", "6012.25", -3, "6011.50"),
    ("@US", "117.5", 1, "117.53125"),
    ("@US", "117.5", -16, "117.00000"),
    ("@TY", "110.515625", 1, "110.531250"),
    ("6EZ26", "1.05825", 2, "1.05835"),
    ("SNDL", "0.8412", -1, "0.8411"),
    ("AAPL", "0.01", -2, "-0.01"),      # through zero, evenly
    ("AAPL", "228.50", 0, "228.50"),
])
def test_steps_move_by_the_increment(symbol, value, steps, expected):
    result = step_price(value, detail(symbol), steps)
    assert result == Decimal(expected) and str(result) == expected


@pytest.mark.parametrize("value,steps,expected", [
    ("2.95", 1, "3.00"),   # up to the boundary by the lower band's nickel
    ("3.00", 1, "3.10"),   # above it by dimes
    ("3.00", -1, "2.95"),  # down across the boundary: the lower band's nickel
    ("3.10", -2, "2.95"),
    ("2.90", 3, "3.10"),
    ("0.05", -1, "0.00"),
])
def test_steps_follow_the_increment_schedule(value, steps, expected):
    assert str(step_price(value, scheduled_option(), steps)) == expected


def test_an_unaligned_band_start_is_a_price_of_its_own():
    """A band may start off the grid of the band below: stepping up stops on its start, as
    round_to_increment does, instead of jumping over it."""
    info = {"Symbol": "X", "PriceFormat": {
        "Format": "Decimal", "Decimals": "2", "IncrementStyle": "Schedule",
        "IncrementSchedule": [{"Increment": "0.05", "StartsAt": "0"},
                              {"Increment": "0.10", "StartsAt": "3.02"}]}}
    assert [str(step_price("2.95", info, n)) for n in (1, 2, 3)] == ["3.00", "3.02", "3.12"]
    assert str(step_price("3.12", info, -2)) == "3.00"
    for n in range(-5, 6):
        price = step_price("3.00", info, n)
        assert round_to_increment(price, info) == price


def test_steps_up_and_back_down_return_to_the_start_across_bands():
    info = scheduled_option()
    for start in grid(info, "2.00", 30):
        assert step_price(step_price(start, info, 7), info, -7) == start


def test_stepping_needs_a_number_and_an_increment():
    assert step_price("abc", detail("@ES"), 1) is None
    assert step_price("5", {"Symbol": "X"}, 1) is None


@pytest.mark.parametrize("symbol,value,message", [
    ("@ES", "6012.30", "6012.30 is not a price of @ES: it moves in steps of 0.25 "
                       "(nearest 6012.25 or 6012.50)"),
    ("@ES", "6012.255", "6012.255 is not a price of @ES: it moves in steps of 0.25 "
                        "(nearest 6012.25 or 6012.50)"),
    ("@US", "117.51", "117.51 is not a price of @US: it moves in steps of 1/32 "
                      "(nearest 117'16 or 117'17)"),
    ("@TY", "110.51", "110.51 is not a price of @TY: it moves in steps of 1/64 "
                      "(nearest 110'160 or 110'165)"),
    ("AAPL", "228.505", "228.505 is not a price of AAPL: it moves in steps of 0.01 "
                        "(nearest 228.50 or 228.51)"),
    ("SNDL", "0.84125", "0.84125 is not a price of SNDL: it moves in steps of 0.0001 "
                        "(nearest 0.8412 or 0.8413)"),
])
def test_off_increment_prices_name_the_nearest_valid_ones(symbol, value, message):
    assert increment_problem(Decimal(value), detail(symbol)) == message


def test_off_schedule_prices_name_the_step_of_their_band():
    info = scheduled_option()
    assert increment_problem(Decimal("3.05"), info) == (
        f"3.05 is not a price of {CALL}: it moves in steps of 0.10 (nearest 3.00 or 3.10)")
    assert increment_problem(Decimal("2.97"), info) == (
        f"2.97 is not a price of {CALL}: it moves in steps of 0.05 (nearest 2.95 or 3.00)")


@pytest.mark.parametrize("symbol,value", [
    ("@ES", "6012.25"), ("@ES", "6012.5"), ("@US", "117.03125"), ("@TY", "110.515625"),
    ("BTCUSD", "96850.01"), ("AAPL", "-3.00"),
])
def test_prices_on_the_grid_have_no_problem(symbol, value):
    assert increment_problem(Decimal(value), detail(symbol)) is None
