"""Panel models: merge, snapshot swap, Deleted, the bounded tape, status mapping, bars in place."""

from __future__ import annotations

import json
import sys

import pytest

from tsdash.ui import formatting as fmt
from tsdash.ui.models import (
    BarsModel,
    OrdersModel,
    PositionsModel,
    QuoteModel,
    TapeModel,
    order_status_category,
    order_status_text,
)


def test_quote_deltas_merge_by_symbol():
    model = QuoteModel(["AAPL", "MSFT"], clock=lambda: 5.0)
    model.take_changes()
    model.apply({"Symbol": "AAPL", "Last": "100", "Bid": "99.9", "Ask": "100.1", "Volume": "10"})
    model.apply({"Symbol": "AAPL", "Last": "100.5"})  # a delta: only what changed
    assert model.quotes["AAPL"] == {"Symbol": "AAPL", "Last": "100.5", "Bid": "99.9",
                                    "Ask": "100.1", "Volume": "10"}
    changes = model.take_changes()
    assert changes.dirty == {"AAPL"} and not changes.reset
    assert not model.take_changes()  # nothing new since
    assert model.activity.messages == 2 and model.activity.last_at == 5.0


def test_quote_for_unknown_symbol_is_ignored_and_reset_replaces_watchlist():
    model = QuoteModel(["AAPL"])
    model.apply({"Symbol": "ZZZ", "Last": "1"})
    model.apply({"Last": "1"})  # no Symbol at all
    assert set(model.quotes) == {"AAPL"}
    model.reset(["spy", "QQQ", "SPY"])
    assert model.symbols == ["SPY", "QQQ"]
    changes = model.take_changes()
    assert changes.reset and changes.dirty == {"SPY", "QQQ"}


def test_an_edited_watchlist_keeps_the_quotes_it_still_has():
    model = QuoteModel(["AAPL", "MSFT", "BAD"])
    model.apply({"Symbol": "AAPL", "Last": "100"})
    model.apply({"Symbol": "MSFT", "Last": "400"})
    model.set_error("BAD", "FAILED, INVALID SYMBOL")
    model.take_changes()
    model.set_symbols(["AAPL", "ibm"])
    assert model.symbols == ["AAPL", "IBM"]
    assert model.quotes == {"AAPL": {"Symbol": "AAPL", "Last": "100"}, "IBM": {"Symbol": "IBM"}}
    assert model.errors == {}
    changes = model.take_changes()
    # the new row is painted; the repaint drops rows no longer in the model
    assert changes.dirty == {"IBM"} and changes.reset
    model.apply({"Symbol": "MSFT", "Last": "401"})  # a late message of the old stream
    assert "MSFT" not in model.quotes


def test_quote_symbol_error_marks_row():
    model = QuoteModel(["AAPL", "BAD"])
    model.take_changes()
    model.set_error("BAD", "FAILED, INVALID SYMBOL")
    assert model.errors == {"BAD": "FAILED, INVALID SYMBOL"}
    assert model.take_changes().dirty == {"BAD"}


def test_positions_merge_deleted_and_snapshot_swap():
    model = PositionsModel()
    model.begin_snapshot()
    model.apply({"PositionID": "1", "Symbol": "AAPL", "Quantity": "10", "Last": "100"})
    model.apply({"PositionID": "2", "Symbol": "MSFT", "Quantity": "5", "Last": "300"})
    assert model.rows == {}  # nothing shown until the snapshot is complete
    model.end_snapshot()
    assert set(model.rows) == {"1", "2"}
    changes = model.take_changes()
    assert changes.reset and changes.dirty == {"1", "2"}

    model.apply({"PositionID": "1", "Last": "101"})  # changes=true delta
    assert model.rows["1"]["Last"] == "101" and model.rows["1"]["Symbol"] == "AAPL"
    model.apply({"PositionID": "2", "Deleted": True})
    assert set(model.rows) == {"1"}
    changes = model.take_changes()
    assert changes.dirty == {"1"} and changes.removed == {"2"}

    # a reconnect: the new snapshot no longer has position 1; the old rows stay until the end
    model.begin_snapshot()
    model.apply({"PositionID": "3", "Symbol": "NVDA", "Quantity": "1"})
    assert set(model.rows) == {"1"}
    model.end_snapshot()
    assert set(model.rows) == {"3"}
    changes = model.take_changes()
    assert changes.reset and changes.removed == {"1"} and changes.dirty == {"3"}


def test_positions_totals():
    model = PositionsModel()
    model.apply({"PositionID": "1", "UnrealizedProfitLoss": "10.5", "TodaysProfitLoss": "1",
                 "MarketValue": "100"})
    model.apply({"PositionID": "2", "UnrealizedProfitLoss": "-3", "TodaysProfitLoss": "",
                 "MarketValue": "50"})
    assert model.total_unrealized() == pytest.approx(7.5)
    assert model.total_todays() == pytest.approx(1.0)
    assert model.total_market_value() == pytest.approx(150.0)


def test_orders_snapshot_swap_drops_rows_the_server_no_longer_has():
    model = OrdersModel()
    model.begin_snapshot()
    for oid, status in (("A", "OPN"), ("B", "FLL"), ("C", "CAN")):
        model.apply({"OrderID": oid, "Status": status})
    model.end_snapshot()
    model.apply({"OrderID": "A", "Status": "FPR"})  # an update after the snapshot
    assert model.rows["A"]["Status"] == "FPR"
    assert model.counts() == {"partial": 1, "filled": 1, "cancelled": 1}
    model.take_changes()
    model.begin_snapshot()
    model.apply({"OrderID": "B", "Status": "FLL"})
    model.apply({"OrderID": "D", "Status": "ACK"})
    model.end_snapshot()
    assert set(model.rows) == {"B", "D"}
    assert model.take_changes().removed == {"A", "C"}


def test_an_interrupted_snapshot_is_discarded_by_the_next_one():
    model = OrdersModel()
    model.apply({"OrderID": "A", "Status": "OPN"})
    model.begin_snapshot()
    model.apply({"OrderID": "X", "Status": "OPN"})  # then the stream drops mid-snapshot
    model.begin_snapshot()
    model.apply({"OrderID": "Y", "Status": "OPN"})
    assert set(model.rows) == {"A"}
    model.end_snapshot()
    assert set(model.rows) == {"Y"}


def test_tape_is_a_bounded_ring_newest_first():
    tape = TapeModel("AAPL", maxlen=50)
    for i in range(10_000):
        tape.apply({"Price": str(i), "Size": "1", "Side": "buy"})
    assert len(tape) == 50 and tape.maxlen == 50
    newest = list(tape.newest(3))
    assert [t["Price"] for t in newest] == ["9999", "9998", "9997"]
    tape.reset("MSFT")
    assert len(tape) == 0 and tape.symbol == "MSFT"


def test_bars_keyed_by_timestamp_update_in_place_and_stay_bounded():
    model = BarsModel("SPY", max_bars=5)
    for minute in range(8):
        model.apply({"TimeStamp": f"2026-11-25T14:{minute:02d}:00Z", "Close": "1"})
    assert len(model) == 5
    model.apply({"TimeStamp": "2026-11-25T14:07:00Z", "Close": "2"})  # the live bar again
    assert len(model) == 5 and model.last(1)[0]["Close"] == "2"
    model.apply({"TimeStamp": "2026-11-25T14:06:30Z", "Close": "3"})  # out of order
    stamps = [b["TimeStamp"] for b in model.last(10)]
    assert stamps == sorted(stamps) and len(stamps) == 5
    model.apply({"Epoch": 1, "Close": "4"})  # no TimeStamp: keyed by Epoch, never crashes
    model.apply({"TimeStamp": "garbage", "Close": "5"})  # ignored
    model.reset("QQQ")
    assert len(model) == 0 and model.symbol == "QQQ"


def bar_history(start_minute: int, count: int) -> list[dict]:
    """``count`` one-minute bars from 14:00 + ``start_minute`` (a server's barsback history)."""
    return [{"Epoch": 1_764_000_000_000 + (start_minute + i) * 60_000, "Close": str(i)}
            for i in range(count)]


def test_a_new_connections_bars_replace_the_history_from_its_first_bar():
    model = BarsModel("SPY", max_bars=600)
    for bar in bar_history(0, 120):
        model.apply(bar)
    model.new_history()  # a reconnect: the old chart stays until the new connection's first bar
    assert len(model) == 120
    # a restarted server: the same number of bars, its times shifted half a minute
    shifted = [{**bar, "Epoch": bar["Epoch"] + 30_000, "Close": "new"}
               for bar in bar_history(0, 120)]
    for bar in shifted:
        model.apply(bar)
    assert len(model) == 120  # not 240 with old and new interleaved
    assert all(bar["Close"] == "new" for bar in model.last(600))
    # live bars after the history update in place, as before
    model.apply({**shifted[-1], "Close": "live"})
    assert len(model) == 120 and model.last(1)[0]["Close"] == "live"
    # a reconnect to the same server (same times) gives the same history, not a doubled one
    model.new_history()
    for bar in shifted:
        model.apply(bar)
    assert len(model) == 120 and model.last(1)[0]["Close"] == "new"
    model.new_history()
    model.reset("QQQ")  # a new symbol starts empty; its first bar does not clear anything
    model.apply(bar_history(0, 1)[0])
    assert len(model) == 1


@pytest.mark.parametrize(
    ("code", "category"),
    [("OPN", "working"), ("ACK", "working"), ("DON", "working"), ("FLL", "filled"),
     ("FPR", "partial"), ("FLP", "partial"), ("CAN", "cancelled"), ("EXP", "cancelled"),
     ("TSC", "cancelled"), ("UCN", "cancelled"), ("REJ", "rejected"), ("opn", "working"),
     ("ZZZ", "other"), (None, "other"), ("", "other")],
)
def test_order_status_mapping(code, category):
    assert order_status_category(code) == category


def test_order_status_text_prefers_description():
    assert order_status_text({"Status": "FLL", "StatusDescription": "Filled"}) == "Filled"
    assert order_status_text({"Status": "REJ"}) == "Rejected"
    assert order_status_text({"Status": "QQQ"}) == "QQQ"


def test_formatting():
    assert fmt.price("212.85") == "212.85" and fmt.price("0.5") == "0.5000"
    assert fmt.price(None) == fmt.DASH and fmt.price("") == fmt.DASH
    assert fmt.signed("-1.6") == "-1.60" and fmt.signed("2") == "+2.00"
    assert fmt.compact("5852511") == "5.85M" and fmt.compact("12345") == "12.3K"
    assert fmt.compact("999") == "999"
    assert fmt.change_percent({"Last": "110", "NetChange": "10"}) == pytest.approx(10.0)
    assert fmt.change_percent({"Last": "90", "PreviousClose": "100"}) == pytest.approx(-10.0)
    assert fmt.change_percent({}) is None
    assert fmt.clock_time("2026-11-25T14:30:05Z") in ("09:30:05", "14:30:05")
    assert fmt.age(0.04) == "0.0s" and fmt.age(75) == "75s" and fmt.age(None) == fmt.DASH


def test_kept_rows_share_key_strings_and_short_values():
    # json.loads makes fresh strings for every message: kept rows must not each keep their own
    lines = [json.dumps({"OrderID": oid, "Status": "FLL", "AccountID": "SIM1",
                         "OpenedDateTime": "2026-11-25T14:00:00.000000Z",
                         "Legs": [{"Symbol": "AAPL", "BuyOrSell": "Buy"}]})
             for oid in ("1", "2")]
    model = OrdersModel()
    for line in lines:
        model.apply(json.loads(line))
    a, b = model.rows["1"], model.rows["2"]
    assert a == json.loads(lines[0])  # the same content
    for key_a, key_b in zip(a, b):
        assert key_a is key_b
    assert a["Status"] is b["Status"] and a["AccountID"] is b["AccountID"]
    assert next(iter(a["Legs"][0])) is next(iter(b["Legs"][0]))
    assert a["Legs"][0]["Symbol"] is b["Legs"][0]["Symbol"]
    update = json.loads(json.dumps({"OrderID": "1", "Status": "CAN"}))
    model.apply(update)
    assert a["Status"] == "CAN" and a["Status"] is sys.intern("CAN")
    tape = TapeModel("AAPL")
    for line in ('{"Price": "1.00", "Side": "buy"}', '{"Price": "1.00", "Side": "buy"}'):
        tape.apply(json.loads(line))
    first, second = tape.prints
    assert first is not second and [*first][0] is [*second][0] and first["Side"] is second["Side"]


def test_a_servers_text_in_a_table_cell_loses_its_escape_sequences():
    from tsdash.ui import formatting as fmt
    from tsdash.ui.panels.account import _t

    hostile = "OPN\x1b]0;pwned\x07\x1b[2J ok"
    assert _t(hostile).plain == "OPN ok"
    assert "\x1b" not in fmt.clock_time("\x1b[2Jbad time")
    assert fmt.shown("AAPL") == "AAPL"
