"""Orders and positions models: a new snapshot replaces the rows, deletions drop them, totals add
up."""

from __future__ import annotations

import pytest

from tsdash.ui.models import OrdersModel, PositionsModel


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
