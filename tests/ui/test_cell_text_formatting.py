"""Table cell text: number and time formats, shared strings for kept rows, no escape sequences."""

from __future__ import annotations

import json
import sys

import pytest

from tsdash.ui import formatting as fmt
from tsdash.ui.models import OrdersModel, TapeModel


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
