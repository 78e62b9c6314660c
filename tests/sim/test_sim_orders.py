"""Order execution over REST: confirm (nothing placed), place (one order per request), replace,
cancel, routes and activation triggers, with TradeStation's shapes and error form."""

from __future__ import annotations

import pytest
from order_helpers import (
    MARGIN,
    get_json,
    last_price,
    order_body,
    place,
    place_ok,
    post,
    rest_order,
    validate_streamed_order,
)
from sim_helpers import auth, read_messages, validate


async def put(sim, session, order_id: str, body) -> tuple[int, dict]:
    async with session.put(f"{sim.base_url}/orderexecution/orders/{order_id}",
                           headers=auth(sim), json=body) as resp:
        return resp.status, await resp.json()


async def test_confirm_estimates_and_places_nothing(fixed_sim, session):
    sim = fixed_sim
    before = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/balances")
    status, body = await post(sim, session, "/orderexecution/orderconfirm", order_body())
    assert status == 200, body
    validate(body, "OrderConfirmResponses")
    (confirmation,) = body["Confirmations"]
    ask = sim.engine.market.states["MSFT"].ask / 100
    assert confirmation["EstimatedPrice"] == f"{ask:.2f}"
    assert float(confirmation["EstimatedCost"]) == pytest.approx(10 * ask)
    assert float(confirmation["DebitCreditEstimatedCost"]) == pytest.approx(10 * ask)
    assert confirmation["EstimatedCommission"] == "0.00"
    assert confirmation["SummaryMessage"] == "Buy 10 MSFT @ Market"
    assert (confirmation["AccountID"], confirmation["Route"]) == (MARGIN, "Intelligent")
    assert confirmation["TimeInForce"] == {"Duration": "DAY"}
    assert 1 <= len(confirmation["OrderConfirmID"]) <= 22
    orders = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    assert orders["Orders"] == []
    assert await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/balances") == before

    status, body = await post(sim, session, "/orderexecution/orderconfirm", order_body(
        OrderType="StopLimit", TradeAction="SELL", Quantity="5", StopPrice="300",
        LimitPrice="299.5", TimeInForce={"Duration": "GTC"}))
    assert status == 200, body
    (stop_limit,) = body["Confirmations"]
    validate(body, "OrderConfirmResponses")
    assert (stop_limit["StopPrice"], stop_limit["LimitPrice"]) == ("300.00", "299.50")
    assert stop_limit["SummaryMessage"] == "Sell 5 MSFT @ 300.00 Stop 299.50 Limit"
    assert float(stop_limit["DebitCreditEstimatedCost"]) < 0, "a sale is a credit"


async def test_confirm_of_an_order_that_would_be_rejected_is_a_400(fixed_sim, session):
    status, body = await post(fixed_sim, session, "/orderexecution/orderconfirm",
                              order_body(Quantity="100000000"))
    assert status == 400
    validate(body, "ErrorResponse")
    assert body == {"Error": "BadRequest",
                    "Message": "Order failed. Reason: Insufficient buying power."}


async def test_one_order_per_request(fixed_sim, session):
    sim = fixed_sim
    status, body = await post(sim, session, "/orderexecution/orders", [order_body()] * 2)
    assert status == 400 and body["Error"] == "BadRequest"
    assert "JSON order object" in body["Message"]
    status, body = await place(sim, session, OrderConfirmID="ticket-1")
    assert status == 200 and "Orders" in body
    status, again = await place(sim, session, OrderConfirmID="ticket-1")
    assert status == 400 and "already placed" in again["Message"]
    orders = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    assert [o["OrderID"] for o in orders["Orders"]] == [body["Orders"][0]["OrderID"]]


async def test_place_answers_in_tradestation_words(fixed_sim, session):
    sim = fixed_sim
    last = last_price(sim, "MSFT")
    cases = [
        ({}, "Sent order: Buy 10 MSFT @ Market"),
        ({"OrderType": "Limit", "LimitPrice": "1.00", "TimeInForce": {"Duration": "GTC"}},
         "Sent order: Buy 10 MSFT @ 1.00 Limit"),
        ({"OrderType": "StopMarket", "StopPrice": f"{last + 50:.2f}",
          "TimeInForce": {"Duration": "GTC"}},
         f"Sent order: Buy 10 MSFT @ {last + 50:.2f} Stop Market"),
        ({"TradeAction": "Buy", "OrderType": "limit", "LimitPrice": "2.00", "Route": "NYSE"},
         "Sent order: Buy 10 MSFT @ 2.00 Limit"),
    ]
    for overrides, message in cases:
        status, body = await place(sim, session, **overrides)
        assert status == 200
        validate(body, "OrderResponses")
        (sent,) = body["Orders"]
        assert sent["Message"] == message and sent["OrderID"].isdigit()


async def test_replace_quantity_and_prices(fixed_sim, session):
    sim = fixed_sim
    order_id = await place_ok(sim, session, OrderType="Limit", LimitPrice="1.00",
                              TimeInForce={"Duration": "GTC"})
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders/{order_id}"
    async with session.get(url, headers=auth(sim)) as resp:
        (snapshot, end) = await read_messages(resp, 2, heartbeats=False)
        assert snapshot["OrderID"] == order_id and end == {"StreamStatus": "EndSnapshot"}
        status, body = await put(sim, session, order_id, {"Quantity": "5", "LimitPrice": "1.50"})
        assert status == 200, body
        validate(body, "OrderResponse")
        assert body == {"Message": "Cancel/Replace order sent.", "OrderID": order_id}
        (update,) = await read_messages(resp, 1, heartbeats=False)
        validate_streamed_order(update)
        assert (update["LimitPrice"], update["Legs"][0]["QuantityOrdered"], update["Status"]) == (
            "1.50", "5", "OPN")
        status, body = await put(sim, session, order_id, {"OrderType": "Market"})
        assert status == 200
        updates = await read_messages(resp, until=lambda m: m.get("Status") == "FLL",
                                      heartbeats=False)
    assert updates[-1]["OrderType"] == "Market" and "LimitPrice" not in updates[-1]
    assert updates[-1]["Legs"][0]["ExecQuantity"] == "5"
    status, body = await put(sim, session, order_id, {"Quantity": "7"})
    assert status == 400 and "Filled and cannot be replaced" in body["Message"]


@pytest.mark.parametrize("body, words", [
    ({}, "Nothing to replace"),
    ({"LimitPrice": "1.005"}, "multiple of 0.01"),
    ({"StopPrice": "2.00"}, "StopPrice applies to StopMarket and StopLimit"),
    ({"OrderType": "Limit"}, "only be replaced with Market"),
    ({"Quantity": "0"}, "Quantity"),
])
async def test_bad_replacements_are_400(fixed_sim, session, body, words):
    sim = fixed_sim
    order_id = await place_ok(sim, session, OrderType="Limit", LimitPrice="1.00",
                              TimeInForce={"Duration": "GTC"})
    status, answer = await put(sim, session, order_id, body)
    assert status == 400
    validate(answer, "ErrorResponse")
    assert words in answer["Message"]
    assert (await rest_order(sim, session, order_id))["LimitPrice"] == "1.00"


async def test_replace_an_unknown_order_is_404(fixed_sim, session):
    status, body = await put(fixed_sim, session, "424242", {"Quantity": "1"})
    assert status == 404
    assert body == {"Error": "NotFound", "Message": "Order '424242' was not found."}


async def test_routes_and_activation_triggers(fixed_sim, session):
    routes = await get_json(fixed_sim, session, "/orderexecution/routes")
    # The document's Routes schema is one route; its example (and TradeStation) wrap them.
    assert set(routes) == {"Routes"}
    for route in routes["Routes"]:
        validate(route, "Routes")
    assert {"Intelligent", "NYSE", "NSDQ"} <= {r["Id"] for r in routes["Routes"]}
    triggers = await get_json(fixed_sim, session, "/orderexecution/activationtriggers")
    validate(triggers, "ActivationTriggers")
    assert [t["Key"] for t in triggers["ActivationTriggers"]] == [
        "STT", "STTN", "SBA", "SAB", "DTT", "DTTN", "DBA", "DAB", "TTT", "TTTN", "TBA", "TAB"]


async def test_increments_and_asset_types_are_per_symbol(fixed_sim, session):
    """Increments and asset types come from the symbol's SymbolDetail (@ES: quarter points)."""
    sim = fixed_sim
    status, body = await place(sim, session, Symbol="@ES", OrderType="Limit",
                               LimitPrice="6000.10", TimeInForce={"Duration": "GTC"})
    assert status == 200
    assert body["Errors"][0]["Message"] == (
        "Order failed. Reason: Limit price 6000.10 is not a valid price for @ES: it must be a "
        "multiple of 0.25.")
    order_id = await place_ok(sim, session, Symbol="@ES", Quantity="1", OrderType="Limit",
                              LimitPrice="6000.25", TimeInForce={"Duration": "GTC"})
    assert (await rest_order(sim, session, order_id))["Legs"][0]["AssetType"] == "FUTURE"
    status, body = await post(sim, session, "/orderexecution/orderconfirm", order_body(
        Symbol="@ES", Quantity="1", OrderType="Limit", LimitPrice="6000.5"))
    assert status == 200
    (confirmation,) = body["Confirmations"]
    assert confirmation["OrderAssetCategory"] == "FUTURE"
    assert confirmation["LimitPrice"] == "6000.50"
