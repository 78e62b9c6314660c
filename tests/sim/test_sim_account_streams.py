"""The simulator's order and position streams: snapshot, EndSnapshot, updates, changes, filters,
errors."""

from __future__ import annotations

from order_helpers import CASH, END_SNAPSHOT, MARGIN, POSITION_FIELDS, get_json, place
from sim_helpers import BROKERAGE_MEDIA, auth, data_only, has_fields, read_messages, validate


ORDER_FIELDS = ("AccountID", "OrderID", "Status", "StatusDescription", "OrderType", "Duration",
                "OpenedDateTime", "Legs")


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
