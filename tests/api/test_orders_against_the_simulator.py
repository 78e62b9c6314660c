"""Order execution against the simulator over loopback: preview, place, replace, cancel, groups
and rejections, checked in the simulator's book as well as in what the calls answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tsdash.api import OrderRejectedError, TradeStationClient

SYMBOL = "AAPL"


async def stock_account(client: TradeStationClient) -> str:
    accounts = await client.brokerage.get_accounts()
    return next(a["AccountID"] for a in accounts if a.get("AccountType") in ("Margin", "Cash"))


async def resting_buy_price(client: TradeStationClient, symbol: str = SYMBOL) -> Decimal:
    """A limit price well under the market, on the cent: a buy there rests."""
    quote = (await client.market_data.get_quotes(symbol))[0]
    return (Decimal(str(quote["Last"])) * Decimal("0.8")).quantize(Decimal("0.01"))


def limit_buy(account: str, price: Decimal, quantity: str = "10") -> dict[str, Any]:
    return {"AccountID": account, "Symbol": SYMBOL, "Quantity": quantity, "OrderType": "Limit",
            "LimitPrice": str(price), "TradeAction": "BUY", "TimeInForce": {"Duration": "DAY"},
            "Route": "Intelligent"}


async def listed_order(client: TradeStationClient, account: str, order_id: str) -> dict:
    orders = await client.brokerage.get_orders(account)
    return next(o for o in orders if o["OrderID"] == order_id)


async def test_a_limit_order_is_placed_replaced_and_cancelled(tsim: Any,
                                                              client: TradeStationClient):
    account = await stock_account(client)
    price = await resting_buy_price(client)
    book = tsim.engine.book

    result = await client.order_execution.place_order(limit_buy(account, price))
    order_id = result["OrderID"]
    assert f"Buy 10 {SYMBOL} @ {price} Limit" in result["Message"]
    assert book.orders[order_id].status == "OPN"
    listed = await listed_order(client, account, order_id)
    assert listed["Status"] == "OPN" and listed["LimitPrice"] == str(price)
    assert listed["Legs"][0]["QuantityOrdered"] == "10"

    lower = price - Decimal("0.05")
    answer = await client.order_execution.replace_order(
        order_id, {"Quantity": "5", "LimitPrice": str(lower)})
    assert answer["OrderID"] == order_id
    assert book.orders[order_id].quantity == 5
    listed = await listed_order(client, account, order_id)
    assert listed["LimitPrice"] == str(lower) and listed["Legs"][0]["QuantityOrdered"] == "5"

    answer = await client.order_execution.cancel_order(order_id)
    assert answer["OrderID"] == order_id
    assert book.orders[order_id].status == "CAN"
    assert (await listed_order(client, account, order_id))["Status"] == "CAN"

    # a second cancel is refused with the simulator's reason, and changes nothing
    with pytest.raises(OrderRejectedError) as info:
        await client.order_execution.cancel_order(order_id)
    assert info.value.status is not None and 400 <= info.value.status < 500
    assert info.value.reason and info.value.reason in str(info.value)
    assert book.orders[order_id].status == "CAN"


async def test_a_preview_estimates_the_order_and_places_nothing(tsim: Any,
                                                                client: TradeStationClient):
    account = await stock_account(client)
    price = await resting_buy_price(client)
    before = set(tsim.engine.book.orders)
    previews = await client.order_execution.confirm_order(limit_buy(account, price))
    assert len(previews) == 1
    preview = previews[0]
    for name in ("EstimatedCost", "EstimatedCommission", "EstimatedPrice", "OrderConfirmID",
                 "SummaryMessage"):
        assert name in preview, name
    assert Decimal(preview["EstimatedCost"].replace(",", "").lstrip("$")) == price * 10
    assert set(tsim.engine.book.orders) == before


async def test_buying_power_rejections_carry_the_simulators_reason(tsim: Any,
                                                                   client: TradeStationClient):
    account = await stock_account(client)
    price = await resting_buy_price(client)
    huge = limit_buy(account, price, quantity="50000000")

    with pytest.raises(OrderRejectedError) as previewed:
        await client.order_execution.confirm_order(huge)
    assert previewed.value.status == 400
    assert "Insufficient buying power" in previewed.value.reason

    with pytest.raises(OrderRejectedError) as placed:
        await client.order_execution.place_order(huge)
    error = placed.value
    assert error.reason == "Order failed. Reason: Insufficient buying power."
    assert error.reason in str(error)
    assert error.order_id is not None and error.response is not None
    assert tsim.engine.book.orders[error.order_id].status == "REJ"


async def test_a_request_the_simulator_refuses_outright_is_a_rejection(
        tsim: Any, client: TradeStationClient):
    account = await stock_account(client)
    order = {**limit_buy(account, Decimal("10.00")), "Symbol": "NOSUCHSYMBOL"}
    before = set(tsim.engine.book.orders)
    with pytest.raises(OrderRejectedError) as info:
        await client.order_execution.place_order(order)
    assert info.value.status == 400 and info.value.reason
    assert set(tsim.engine.book.orders) == before


async def test_an_oco_group_is_previewed_and_placed(tsim: Any, client: TradeStationClient):
    account = await stock_account(client)
    price = await resting_buy_price(client)
    group = {"Type": "OCO", "Orders": [limit_buy(account, price),
                                       limit_buy(account, price - Decimal("1.00"))]}
    previews = await client.order_execution.confirm_order_group(group)
    assert len(previews) == 2 and all("EstimatedCost" in p for p in previews)

    body = await client.order_execution.place_order_group(group)
    ids = [o["OrderID"] for o in body["Orders"]]
    assert len(ids) == 2
    assert [tsim.engine.book.orders[i].status for i in ids] == ["OPN", "OPN"]


async def test_a_group_with_a_rejected_order_says_which_orders_were_placed(
        tsim: Any, client: TradeStationClient):
    """Some orders of a NORMAL group placed, one rejected: OrderRejectedError, whose response
    keeps the whole answer so the placed OrderIDs can be shown."""
    account = await stock_account(client)
    price = await resting_buy_price(client)
    group = {"Type": "NORMAL", "Orders": [limit_buy(account, price),
                                          limit_buy(account, price, quantity="50000000")]}
    with pytest.raises(OrderRejectedError) as info:
        await client.order_execution.place_order_group(group)
    response = info.value.response
    assert isinstance(response, dict)
    placed = [o["OrderID"] for o in response["Orders"]]
    assert len(placed) == 1 and placed[0] in str(info.value)
    assert tsim.engine.book.orders[placed[0]].status == "OPN"
    assert "Insufficient buying power" in info.value.reason
    assert tsim.engine.book.orders[info.value.order_id].status == "REJ"


async def test_routes_and_activation_triggers_are_lists(client: TradeStationClient):
    routes = await client.order_execution.get_routes()
    assert routes and all({"Id", "Name", "AssetTypes"} <= set(r) for r in routes)
    assert "Intelligent" in {r["Id"] for r in routes}
    triggers = await client.order_execution.get_activation_triggers()
    assert triggers and all({"Key", "Name", "Description"} <= set(t) for t in triggers)
