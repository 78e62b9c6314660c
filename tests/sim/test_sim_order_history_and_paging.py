"""Orders by id, historical orders and paging of REST orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from order_helpers import END_SNAPSHOT, MARGIN, get_json, place
from sim_helpers import BROKERAGE_MEDIA, auth, read_messages, validate


async def test_orders_by_id_rest_and_stream(fixed_sim, session):
    sim = fixed_sim
    _, first = await place(sim, session, OrderType="Limit", LimitPrice="1.00",
                           TimeInForce={"Duration": "GTC"})
    _, other = await place(sim, session, OrderType="Limit", LimitPrice="2.00",
                           TimeInForce={"Duration": "GTC"})
    first_id, other_id = first["Orders"][0]["OrderID"], other["Orders"][0]["OrderID"]
    body = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders/{first_id},777")
    validate(body, "OrdersById")
    assert [o["OrderID"] for o in body["Orders"]] == [first_id]
    assert body["Errors"] == [{"AccountID": MARGIN, "OrderID": "777", "Error": "NotFound",
                               "Message": "Order not found."}]
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders/{first_id},777"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.headers["Content-Type"] == BROKERAGE_MEDIA
        start = await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        for oid in (other_id, first_id):
            async with session.delete(f"{sim.base_url}/orderexecution/orders/{oid}",
                                      headers=auth(sim)) as cancel:
                assert cancel.status == 200
        updates = await read_messages(resp, timeout=0.3, heartbeats=False)
    missing, snapshot, end = start
    validate(missing, "StreamOrderByOrderIdErrorResponse")
    assert missing == {"Error": "NotFound", "Message": "Order not found.", "OrderID": "777"}
    assert snapshot["OrderID"] == first_id and end == END_SNAPSHOT
    assert [(u["OrderID"], u["Status"]) for u in updates] == [(first_id, "CAN")]
    validate(updates[0], "Order1")


async def test_historical_orders(fixed_sim, session):
    sim = fixed_sim
    today = sim.engine.book.today()
    week_ago = (today - timedelta(days=7)).isoformat()
    _, filled = await place(sim, session, Quantity="5")
    _, working = await place(sim, session, OrderType="Limit", LimitPrice="1.00",
                             TimeInForce={"Duration": "GTC"})
    filled_id = filled["Orders"][0]["OrderID"]
    body = await get_json(sim, session,
                          f"/brokerage/accounts/{MARGIN},BOGUS/historicalorders?since={week_ago}")
    validate(body, "HistoricalOrders")
    ids = [o["OrderID"] for o in body["Orders"]]
    assert ids[0] == filled_id, "latest closed first"
    assert working["Orders"][0]["OrderID"] not in ids, "open orders are not historical"
    old = body["Orders"][1:]
    assert {o["Legs"][0]["Symbol"] for o in old} == {"AAPL", "MSFT", "NVDA", "SPY", "TSLA"}, \
        "the orders that opened the starting positions, six days ago"
    assert all(o["Status"] == "FLL" for o in body["Orders"])
    assert body["Errors"][0]["AccountID"] == "BOGUS"
    for since in (today.isoformat(), today.strftime("%m/%d/%Y"), today.strftime("%m-%d-%Y"),
                  today.strftime("%Y/%m/%d")):
        recent = await get_json(sim, session,
                                f"/brokerage/accounts/{MARGIN}/historicalorders?since={since}")
        assert [o["OrderID"] for o in recent["Orders"]] == [filled_id]
    page = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/historicalorders"
                                        f"?since={week_ago}&pageSize=4")
    assert len(page["Orders"]) == 4 and page["NextToken"]
    token = page["NextToken"]
    rest = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/historicalorders"
                                        f"?since={week_ago}&pageSize=4&nextToken={token}")
    assert [o["OrderID"] for o in page["Orders"] + rest["Orders"]] == ids
    assert "NextToken" not in rest
    by_id = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/historicalorders/"
                                         f"{filled_id},{ids[-1]},55?since={week_ago}")
    validate(by_id, "HistoricalOrdersById")
    assert [o["OrderID"] for o in by_id["Orders"]] == [filled_id, ids[-1]]
    assert [e["OrderID"] for e in by_id["Errors"]] == ["55"]


@pytest.mark.parametrize("query, words", [
    ("", "since parameter is required"),
    ("?since=yesterday", "Invalid since"),
    ("?since=2001-01-01", "limited to 90 days"),
    ("?since=2026-11-20&pageSize=601", "pageSize"),
])
async def test_historical_orders_bad_parameters(fixed_sim, session, query, words):
    body = await get_json(fixed_sim, session,
                          f"/brokerage/accounts/{MARGIN}/historicalorders{query}", status=400)
    validate(body, "ErrorResponse")
    assert body["Error"] == "BadRequest" and words in body["Message"]


async def test_rest_orders_latest_first_and_paged(make_sim, session):
    sim = await make_sim(clock="fixed", demo_trader=False, seed=5)
    working = (await place(sim, session, OrderType="Limit", LimitPrice="1.00",
                           TimeInForce={"Duration": "GTC"}))[1]["Orders"][0]["OrderID"]
    filled = [(await place(sim, session, Quantity="1"))[1]["Orders"][0]["OrderID"]
              for _ in range(3)]
    body = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    validate(body, "Orders")
    assert [o["OrderID"] for o in body["Orders"]] == [*reversed(filled), working]
    first = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders?pageSize=3")
    assert len(first["Orders"]) == 3 and first["NextToken"]
    rest = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders?pageSize=3"
                                        f"&nextToken={first['NextToken']}")
    assert [o["OrderID"] for o in rest["Orders"]] == [working] and "NextToken" not in rest
    bad = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders?nextToken=%%%",
                         status=400)
    assert "nextToken" in bad["Message"]
