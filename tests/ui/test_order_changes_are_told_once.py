"""Which order changes notify: a fill, a partial fill, a rejection with its reason, a cancel or
an expiry; each once, whether it comes by the stream, a reconnect's snapshot or REST; the first
snapshot (the day so far) tells nothing."""

from __future__ import annotations

from tsdash.ui.order_events import OrderEvents


def order(order_id: str, status: str, filled: str = "0", ordered: str = "10", **extra) -> dict:
    return {"OrderID": order_id, "AccountID": "SIM1", "Status": status,
            "Legs": [{"Symbol": "AAPL", "BuyOrSell": "Buy", "QuantityOrdered": ordered,
                      "ExecQuantity": filled}], **extra}


def started(*orders) -> OrderEvents:
    events = OrderEvents()
    events.baseline(orders)
    return events


def test_the_first_snapshot_tells_nothing():
    events = OrderEvents()
    assert events.observe(order("1", "FLL", "10")) is None  # before the snapshot ended
    events.baseline([order("1", "FLL", "10"), order("2", "OPN")])
    assert events.observe(order("1", "FLL", "10")) is None


def test_a_fill_is_told_once_with_its_price():
    events = started(order("1", "OPN"))
    note = events.observe(order("1", "FLL", "10", FilledPrice="231.20"))
    assert note is not None and note.kind == "fill" and note.symbol == "AAPL"
    assert note.text == "Filled: Buy 10 AAPL at 231.20 (order 1)"
    assert note.details["order_id"] == "1" and note.details["price"] == "231.20"
    # the same fill again: REST reconciliation, a reconnect's snapshot
    assert events.observe(order("1", "FLL", "10", FilledPrice="231.20")) is None


def test_a_new_order_that_fills_at_once_is_told():
    events = started()
    note = events.observe(order("9", "FLL", "10"))
    assert note is not None and note.kind == "fill"


def test_partial_fills_are_told_as_they_grow():
    events = started(order("1", "OPN"))
    first = events.observe(order("1", "FPR", "3"))
    assert first is not None and first.text.startswith("Partly filled: 3 of 10")
    assert events.observe(order("1", "FPR", "3")) is None
    assert events.observe(order("1", "FPR", "7")) is not None
    done = events.observe(order("1", "FLL", "10"))
    assert done is not None and done.text.startswith("Filled:")


def test_a_rejection_carries_the_reason():
    events = started(order("1", "ACK"))
    note = events.observe(order("1", "REJ", RejectReason="Insufficient buying power"))
    assert note is not None and note.kind == "reject"
    assert note.details["reason"] == "Insufficient buying power"
    assert "Insufficient buying power" in note.text


def test_cancel_and_expiry():
    events = started(order("1", "OPN"), order("2", "OPN"))
    cancelled = events.observe(order("1", "CAN"))
    expired = events.observe(order("2", "EXP"))
    assert cancelled is not None and cancelled.kind == "cancel" and "Cancelled" in cancelled.text
    assert expired is not None and expired.kind == "cancel" and "Expired" in expired.text
    # a cancel request on its way is not the cancel
    assert events.observe(order("3", "UCN")) is None


def test_only_the_orders_named_are_told_when_asked():
    events = started()
    events.only = {"7"}
    assert events.observe(order("6", "FLL", "10")) is None
    assert events.observe(order("7", "FLL", "10")) is not None


def test_an_order_followed_after_its_fill_came_is_still_told():
    # a market order's fill can arrive before the answer that names the order
    events = started()
    events.only = set()
    assert events.observe(order("8", "FLL", "10")) is None
    events.follow("8")
    note = events.observe(order("8", "FLL", "10"))
    assert note is not None and note.kind == "fill"

