"""Accounts, balances, orders and positions: REST answers, the two account streams, order entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sim_helpers import BROKERAGE_MEDIA, auth, data_only, has_fields, read_messages, validate

MARGIN, CASH = "SIM1234567M", "SIM1234568C"
ORDER_FIELDS = ("AccountID", "OrderID", "Status", "StatusDescription", "OrderType", "Duration",
                "OpenedDateTime", "Legs")
POSITION_FIELDS = ("AccountID", "PositionID", "Symbol", "AssetType", "Quantity", "LongShort",
                   "AveragePrice", "Last", "Bid", "Ask", "MarketValue", "TotalCost",
                   "UnrealizedProfitLoss", "UnrealizedProfitLossPercent", "TodaysProfitLoss",
                   "Timestamp")
BALANCE_FIELDS = ("AccountID", "AccountType", "CashBalance", "Equity", "BuyingPower",
                  "MarketValue", "TodaysProfitLoss", "BalanceDetail")
END_SNAPSHOT = {"StreamStatus": "EndSnapshot"}


def order_body(**overrides) -> dict:
    body = {"AccountID": MARGIN, "Symbol": "MSFT", "Quantity": "10", "OrderType": "Market",
            "TradeAction": "BUY", "TimeInForce": {"Duration": "DAY"}, "Route": "Intelligent"}
    body.update(overrides)
    return body


async def place(sim, session, **overrides) -> tuple[int, dict]:
    async with session.post(f"{sim.base_url}/orderexecution/orders", headers=auth(sim),
                            json=order_body(**overrides)) as resp:
        return resp.status, await resp.json()


async def get_json(sim, session, path: str, status: int = 200) -> dict:
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        assert resp.status == status, await resp.text()
        return await resp.json()


async def test_accounts(sim, session):
    body = await get_json(sim, session, "/brokerage/accounts")
    validate(body, "Accounts")
    assert [(a["AccountID"], a["AccountType"]) for a in body["Accounts"]] == [
        (MARGIN, "Margin"), (CASH, "Cash")]


async def test_balances_with_an_unknown_account(sim, session):
    body = await get_json(sim, session, f"/brokerage/accounts/{MARGIN},{CASH},BOGUS/balances")
    validate(body, "Balances")
    assert [b["AccountID"] for b in body["Balances"]] == [MARGIN, CASH]
    for balance in body["Balances"]:
        has_fields(balance, *BALANCE_FIELDS)
        equity = float(balance["Equity"])
        assert equity == pytest.approx(float(balance["CashBalance"])
                                       + float(balance["MarketValue"]), abs=0.02)
    assert body["Errors"] == [{"AccountID": "BOGUS", "Error": "Forbidden",
                               "Message": "Invalid Account ID."}]


async def test_rest_positions_and_orders(sim, session):
    positions = await get_json(sim, session, f"/brokerage/accounts/{MARGIN},{CASH}/positions")
    validate(positions, "Positions")
    assert {p["AccountID"] for p in positions["Positions"]} == {MARGIN, CASH}
    for position in positions["Positions"]:
        has_fields(position, *POSITION_FIELDS)
    orders = await get_json(sim, session, f"/brokerage/accounts/{CASH},NOPE/orders")
    validate(orders, "Orders")
    assert orders["Orders"] and {o["AccountID"] for o in orders["Orders"]} == {CASH}
    assert orders["Errors"][0]["AccountID"] == "NOPE"


async def test_too_many_accounts_is_a_bad_request(sim, session):
    accounts = ",".join(f"A{i}" for i in range(26))
    for path in (f"/brokerage/accounts/{accounts}/balances",
                 f"/brokerage/stream/accounts/{accounts}/orders"):
        async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
            assert resp.status == 400
            assert "25" in (await resp.json())["Message"]


async def test_orders_stream_snapshot_end_snapshot_then_updates(sim, session):
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN},{CASH}/orders"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == BROKERAGE_MEDIA
        assert resp.headers["Transfer-Encoding"] == "chunked"
        snapshot = await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        assert snapshot[-1] == END_SNAPSHOT
        validate(snapshot[-1], "StreamStatus")
        assert len(snapshot) > 1, "the demo trader leaves orders from 'earlier today'"
        status, placed = await place(sim, session)
        assert status == 200
        order_id = placed["Orders"][0]["OrderID"]
        updates = data_only(await read_messages(
            resp, until=lambda m: m.get("OrderID") == order_id and m["Status"] == "FLL"))
    for order in snapshot[:-1] + updates:
        has_fields(order, *ORDER_FIELDS)
        validate(order, "Order1")
        assert order["AccountID"] in (MARGIN, CASH)
    mine = [o for o in updates if o["OrderID"] == order_id]
    assert [o["Status"] for o in mine] == ["ACK", "OPN", "FLL"]
    filled = mine[-1]
    assert filled["StatusDescription"] == "Filled"
    assert "LimitPrice" not in filled
    assert float(filled["FilledPrice"]) > 0
    leg = filled["Legs"][0]
    assert (leg["Symbol"], leg["BuyOrSell"], leg["QuantityOrdered"], leg["ExecQuantity"]) == (
        "MSFT", "Buy", "10", "10")


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


async def test_positions_changes_true_and_deleted(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN},{CASH}/positions?changes=true"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.headers["Content-Type"] == BROKERAGE_MEDIA
        snapshot = await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        positions = snapshot[:-1]
        assert {p["Symbol"] for p in positions} >= {"AAPL", "MSFT", "SPY", "QQQ"}
        for position in positions:
            has_fields(position, *POSITION_FIELDS)
            validate(position, "Position")
        sim.advance(20)
        changes = await read_messages(resp, timeout=0.3, heartbeats=False)
        assert changes, "positions re-price as the market moves"
        for change in changes:
            validate(change, "Position")
            assert "PositionID" in change
            assert "Symbol" not in change and len(change) < len(positions[0])
        qqq = next(p for p in positions if p["Symbol"] == "QQQ")
        status, _ = await place(sim, session, AccountID=CASH, Symbol="QQQ", TradeAction="SELL",
                                Quantity=qqq["Quantity"])
        assert status == 200
        (deleted,) = await read_messages(resp, 1, heartbeats=False)
    assert deleted == {"PositionID": qqq["PositionID"], "Deleted": True}
    validate(deleted, "Position")


async def test_positions_without_changes_send_whole_positions(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/positions"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        sim.advance(20)
        updates = await read_messages(resp, timeout=0.3, heartbeats=False)
    assert updates
    for update in updates:
        has_fields(update, *POSITION_FIELDS)


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


@pytest.mark.parametrize("body, words", [
    ({"Symbol": None}, "Symbol"),
    ({"OrderType": "TrailingStop"}, "OrderType"),
    ({"OrderType": "StopMarket"}, "StopPrice"),
    ({"OrderType": "StopLimit", "StopPrice": "500"}, "LimitPrice"),
    ({"TimeInForce": {"Duration": "GTD"}}, "Expiration"),
    ({"Route": "MOON"}, "Route"),
    ({"Symbol": "$SPX.X"}, "index"),
    ({"TradeAction": "HODL"}, "TradeAction"),
    ({"Quantity": "-3"}, "Quantity"),
    ({"Quantity": "1.5"}, "Quantity"),
    ({"OrderType": "Limit"}, "LimitPrice"),
    ({"TimeInForce": {"Duration": "FOREVER"}}, "Duration"),
    ({"AccountID": "NOPE"}, "AccountID"),
    ({"Symbol": "XYZ"}, "Symbol"),
])
async def test_bad_order_requests_are_400(fixed_sim, session, body, words):
    status, answer = await place(fixed_sim, session, **body)
    assert status == 400
    assert answer["Error"] == "BadRequest" and words in answer["Message"]


async def test_order_body_must_be_json(fixed_sim, session):
    async with session.post(f"{fixed_sim.base_url}/orderexecution/orders", data=b"{not json",
                            headers=auth(fixed_sim)) as resp:
        assert resp.status == 400
        assert (await resp.json())["Error"] == "BadRequest"


async def test_unknown_account_on_a_stream_is_an_error_object(sim, session):
    url = f"{sim.base_url}/brokerage/stream/accounts/{CASH},NOPE123/positions"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        messages = await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
    error = messages[0]
    assert error == {"Error": "Forbidden", "Message": "Invalid Account ID.", "AccountID": "NOPE123"}
    validate(error, "StreamPositionsErrorResponse")
    assert {m["AccountID"] for m in messages[1:-1]} == {CASH}


async def test_demo_trader_moves_orders_within_seconds(sim, session):
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN},{CASH}/orders"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        updates = await read_messages(resp, 4, timeout=8, heartbeats=False)
    assert len(updates) == 4
    for update in updates:
        validate(update, "Order1")


async def test_bod_balances(fixed_sim, session):
    sim = fixed_sim
    path = f"/brokerage/accounts/{MARGIN},{CASH},BOGUS/bodbalances"
    body = await get_json(sim, session, path)
    validate(body, "BalancesBOD")
    assert [b["AccountID"] for b in body["BODBalances"]] == [MARGIN, CASH]
    assert body["Errors"] == [{"AccountID": "BOGUS", "Error": "Forbidden",
                               "Message": "Invalid Account ID."}]
    cash = next(b for b in body["BODBalances"] if b["AccountID"] == CASH)
    detail = cash["BalanceDetail"]
    states = sim.engine.market.states
    positions = {"QQQ": 20, "AMZN": 35, "IWM": 40}
    held = sum(q * states[s].prev_close for s, q in positions.items()) / 100
    assert float(detail["Equity"]) == pytest.approx(float(detail["AccountBalance"]) + held)
    status, _ = await place(sim, session, Quantity="5")
    assert status == 200
    assert await get_json(sim, session, path) == body, "the beginning of the day stays put"


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


async def test_positions_symbol_filter_rest_and_stream(fixed_sim, session):
    sim = fixed_sim
    path = f"/brokerage/accounts/{MARGIN},{CASH}/positions"
    body = await get_json(sim, session, path + "?symbol=AAPL,Q*,NOPE")
    validate(body, "Positions")
    assert sorted(p["Symbol"] for p in body["Positions"]) == ["AAPL", "QQQ"]
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN},{CASH}/positions?symbol=MSFT"
    async with session.get(url, headers=auth(sim)) as resp:
        snapshot = await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        assert [p["Symbol"] for p in snapshot[:-1]] == ["MSFT"]
        sim.advance(50)
        for symbol in ("AAPL", "MSFT"):
            status, _ = await place(sim, session, Symbol=symbol, Quantity="1")
            assert status == 200
        updates = await read_messages(resp, timeout=0.3, heartbeats=False)
    assert updates
    assert {u["PositionID"] for u in updates} == {snapshot[0]["PositionID"]}


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
