"""Helpers for the order tests: placing, reading orders, and validating them by schema."""

from __future__ import annotations

from sim_helpers import auth, validate

MARGIN, CASH = "SIM1234567M", "SIM1234568C"
END_SNAPSHOT = {"StreamStatus": "EndSnapshot"}


def order_body(**overrides) -> dict:
    body = {"AccountID": MARGIN, "Symbol": "MSFT", "Quantity": "10", "OrderType": "Market",
            "TradeAction": "BUY", "TimeInForce": {"Duration": "DAY"}, "Route": "Intelligent"}
    body.update(overrides)
    return body


async def post(sim, session, path: str, body) -> tuple[int, dict]:
    async with session.post(sim.base_url + path, headers=auth(sim), json=body) as resp:
        return resp.status, await resp.json()


async def place(sim, session, **overrides) -> tuple[int, dict]:
    return await post(sim, session, "/orderexecution/orders", order_body(**overrides))


async def place_ok(sim, session, **overrides) -> str:
    """Place an order that is sent (not rejected); its OrderID."""
    status, body = await place(sim, session, **overrides)
    assert status == 200, body
    assert "Errors" not in body, body
    validate(body, "OrderResponses")
    return body["Orders"][0]["OrderID"]


async def get_json(sim, session, path: str, status: int = 200) -> dict:
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        assert resp.status == status, await resp.text()
        return await resp.json()


async def rest_order(sim, session, order_id: str, account: str = MARGIN) -> dict:
    body = await get_json(sim, session, f"/brokerage/accounts/{account}/orders/{order_id}")
    validate(body, "OrdersById")
    (order,) = body["Orders"]
    return order


def validate_streamed_order(order: dict) -> None:
    """Order1 is the document's stream schema, but its Status enum (Status1) leaves out STP
    (Stop Hit), which its REST enum (Status) lists and TradeStation's order stream sends: a
    stop-hit message is checked against the REST Order schema instead."""
    validate(order, "Order" if order["Status"] == "STP" else "Order1")


def last_price(sim, symbol: str) -> float:
    return sim.engine.market.states[symbol].last / 100


POSITION_FIELDS = ("AccountID", "PositionID", "Symbol", "AssetType", "Quantity", "LongShort",
                   "AveragePrice", "Last", "Bid", "Ask", "MarketValue", "TotalCost",
                   "UnrealizedProfitLoss", "UnrealizedProfitLossPercent", "TodaysProfitLoss",
                   "Timestamp")
