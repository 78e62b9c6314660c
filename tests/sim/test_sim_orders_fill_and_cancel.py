"""Orders fill, rest and cancel, move positions and balances, or are rejected for business
reasons."""

from __future__ import annotations

import pytest
from order_helpers import CASH, END_SNAPSHOT, MARGIN, POSITION_FIELDS, get_json, place
from sim_helpers import auth, has_fields, read_messages, validate


async def test_a_market_order_moves_positions_and_balances(fixed_sim, session):
    sim = fixed_sim
    before = (await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/balances"))["Balances"][0]
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/positions"
    async with session.get(url, headers=auth(sim)) as resp:
        snapshot = await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        msft = next(p for p in snapshot if p.get("Symbol") == "MSFT")
        status, placed = await place(sim, session, Quantity="5")
        assert status == 200 and "Orders" in placed
        (update,) = await read_messages(resp, 1, heartbeats=False)
    validate(update, "Position")
    has_fields(update, *POSITION_FIELDS)
    assert update["PositionID"] == msft["PositionID"]
    assert int(update["Quantity"]) == int(msft["Quantity"]) + 5
    after = (await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/balances"))["Balances"][0]
    fill = float(update["Ask"])
    assert float(after["CashBalance"]) == pytest.approx(float(before["CashBalance"]) - 5 * fill)


async def test_limit_order_works_then_cancel(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        status, placed = await place(sim, session, OrderType="Limit", LimitPrice="1.00",
                                     TimeInForce={"Duration": "GTC"})
        assert status == 200
        order_id = placed["Orders"][0]["OrderID"]
        received, working = await read_messages(resp, 2, heartbeats=False)
        assert (received["OrderID"], received["Status"]) == (order_id, "ACK")
        assert (working["OrderID"], working["Status"], working["LimitPrice"]) == (
            order_id, "OPN", "1.00")
        sim.advance(50)
        async with session.delete(f"{sim.base_url}/orderexecution/orders/{order_id}",
                                  headers=auth(sim)) as cancel:
            assert cancel.status == 200
            assert await cancel.json() == {"OrderID": order_id, "Message": "Cancel request sent"}
        (canceled,) = await read_messages(resp, 1, heartbeats=False)
    assert (canceled["OrderID"], canceled["Status"], canceled["StatusDescription"]) == (
        order_id, "CAN", "Canceled")
    validate(canceled, "Order1")
    async with session.delete(f"{sim.base_url}/orderexecution/orders/{order_id}",
                              headers=auth(sim)) as again:
        assert again.status == 400
    async with session.delete(f"{sim.base_url}/orderexecution/orders/999",
                              headers=auth(sim)) as missing:
        assert missing.status == 404
        assert (await missing.json())["Error"] == "NotFound"


async def test_marketable_limit_order_fills(fixed_sim, session):
    sim = fixed_sim
    status, placed = await place(sim, session, OrderType="Limit", LimitPrice="1000",
                                 Quantity="3")
    assert status == 200
    body = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    (order,) = [o for o in body["Orders"] if o["OrderID"] == placed["Orders"][0]["OrderID"]]
    validate(order, "Order1")
    assert order["Status"] == "FLL" and order["LimitPrice"] == "1000.00"
    assert float(order["FilledPrice"]) < 1000


async def test_business_rejections_show_up_as_rejected_orders(fixed_sim, session):
    sim = fixed_sim
    status, body = await place(sim, session, AccountID=CASH, TradeAction="SELLSHORT")
    assert status == 200
    (error,) = body["Errors"]
    assert "cash account" in error["Message"]
    status, body = await place(sim, session, Quantity="100000000")
    assert "buying power" in body["Errors"][0]["Message"]
    orders = (await get_json(sim, session, f"/brokerage/accounts/{MARGIN},{CASH}/orders"))["Orders"]
    rejected = [o for o in orders if o["Status"] == "REJ"]
    assert len(rejected) == 2
    for order in rejected:
        validate(order, "Order1")
        assert order["RejectReason"]
