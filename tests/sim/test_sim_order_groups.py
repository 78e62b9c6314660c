"""Order groups: OCO (a fill cancels the others), BRK (exit brackets, auto-decrement), NORMAL,
and their confirmation."""

from __future__ import annotations

import pytest
from order_helpers import MARGIN, get_json, last_price, order_body, post, rest_order
from sim_helpers import validate


async def test_oco_fill_cancels_the_sibling(fixed_sim, session):
    sim = fixed_sim
    group = {"Type": "OCO", "Orders": [
        order_body(OrderType="Limit", LimitPrice="1.00", TimeInForce={"Duration": "GTC"}),
        order_body(Quantity="3"),
    ]}
    status, body = await post(sim, session, "/orderexecution/ordergroups", group)
    assert status == 200, body
    validate(body, "OrderResponses")
    first, second = (o["OrderID"] for o in body["Orders"])
    working, filled = await rest_order(sim, session, first), await rest_order(sim, session, second)
    validate(working, "Order")
    assert (working["Status"], filled["Status"]) == ("CAN", "FLL")
    assert working["ConditionalOrders"] == [{"Relationship": "OCO", "OrderID": second}]
    assert filled["ConditionalOrders"] == [{"Relationship": "OCO", "OrderID": first}]
    assert working["GroupName"] == filled["GroupName"] == f"OCO {first}"


async def test_oco_both_working_then_one_fills(fixed_sim, session):
    sim = fixed_sim
    last = last_price(sim, "TSLA")
    group = {"Type": "OCO", "Orders": [  # a breakout either way, as in the document's example
        order_body(Symbol="TSLA", OrderType="StopMarket", StopPrice=f"{last + 0.01:.2f}",
                   TimeInForce={"Duration": "GTC"}),
        order_body(Symbol="TSLA", OrderType="StopMarket", TradeAction="SellShort",
                   StopPrice=f"{last - 0.01:.2f}", TimeInForce={"Duration": "GTC"}),
    ]}
    status, body = await post(sim, session, "/orderexecution/ordergroups", group)
    assert status == 200, body
    ids = [o["OrderID"] for o in body["Orders"]]
    for _ in range(300):
        sim.advance(10)
        statuses = sorted([(await rest_order(sim, session, i))["Status"] for i in ids])
        if statuses != ["OPN", "OPN"]:
            break
    assert statuses == ["CAN", "FLL"]


async def test_bracket_exits_a_position_a_fill_cancels_the_other(fixed_sim, session):
    sim = fixed_sim
    positions = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/positions?symbol=NVDA")
    (nvda,) = positions["Positions"]
    held = int(nvda["Quantity"])
    last = last_price(sim, "NVDA")
    bracket = {"Type": "BRK", "Orders": [
        order_body(Symbol="NVDA", Quantity=str(held), TradeAction="SELL", OrderType="Limit",
                   LimitPrice=f"{last * 1.5:.2f}", TimeInForce={"Duration": "GTC"}),
        order_body(Symbol="NVDA", Quantity=str(held), TradeAction="SELL", OrderType="StopMarket",
                   StopPrice=f"{last * 0.5:.2f}", TimeInForce={"Duration": "GTC"}),
    ]}
    status, body = await post(sim, session, "/orderexecution/ordergroups", bracket)
    assert status == 200, body
    target, stop = (o["OrderID"] for o in body["Orders"])
    order = await rest_order(sim, session, target)
    assert order["Status"] == "OPN" and order["Legs"][0]["OpenOrClose"] == "Close"
    assert order["ConditionalOrders"] == [{"Relationship": "BRK", "OrderID": stop}]
    # The target fills: the stop is canceled.
    async with session.put(f"{sim.base_url}/orderexecution/orders/{target}",
                           headers={"Authorization": f"Bearer {sim.issue_token()}"},
                           json={"OrderType": "Market"}) as resp:
        assert resp.status == 200
    assert (await rest_order(sim, session, target))["Status"] == "FLL"
    assert (await rest_order(sim, session, stop))["Status"] == "CAN"


async def test_bracket_siblings_shrink_with_a_partial_fill(make_sim, session):
    """TradeStation's auto-decrement: a partial fill of one bracket order leaves the other for
    the position that is left."""
    for seed in range(1, 40):  # a marketable limit fills in parts about one time in three
        sim = await make_sim(clock="fixed", demo_trader=False, seed=seed)
        bracket = {"Type": "BRK", "Orders": [
            order_body(Symbol="NVDA", Quantity="150", TradeAction="SELL", OrderType="Limit",
                       LimitPrice="1.00", TimeInForce={"Duration": "GTC"}),
            order_body(Symbol="NVDA", Quantity="150", TradeAction="SELL", OrderType="StopMarket",
                       StopPrice=f"{last_price(sim, 'NVDA') * 0.5:.2f}",
                       TimeInForce={"Duration": "GTC"}),
        ]}
        status, body = await post(sim, session, "/orderexecution/ordergroups", bracket)
        assert status == 200, body
        target, stop = (o["OrderID"] for o in body["Orders"])
        first = await rest_order(sim, session, target)
        if first["Status"] == "FPR":
            break
        await sim.stop()
    else:
        raise AssertionError("no seed filled the target in parts")
    left = first["Legs"][0]["QuantityRemaining"]
    assert left == "75"
    shrunk = await rest_order(sim, session, stop)
    assert (shrunk["Status"], shrunk["Legs"][0]["QuantityOrdered"]) == ("OPN", left)


async def test_bracket_rules(fixed_sim, session):
    bracket = {"Type": "BRK", "Orders": [
        order_body(Symbol="NVDA", TradeAction="BUY", OrderType="Limit", LimitPrice="1.00"),
        order_body(Symbol="NVDA", TradeAction="SELL", OrderType="Limit", LimitPrice="900.00"),
    ]}
    status, body = await post(fixed_sim, session, "/orderexecution/ordergroups", bracket)
    assert status == 400
    validate(body, "ErrorResponse")
    assert "close an open position" in body["Message"]


async def test_normal_group_places_each_and_reports_rejections(fixed_sim, session):
    sim = fixed_sim
    group = {"Type": "NORMAL", "Orders": [
        order_body(Symbol="AMZN", OrderType="Limit", LimitPrice="1.00", Quantity="2"),
        order_body(Symbol="AAPL", Quantity="100000000"),
        order_body(Symbol="MSFT", OrderType="Limit", LimitPrice="1.00"),
    ]}
    status, body = await post(sim, session, "/orderexecution/ordergroups", group)
    assert status == 200
    validate(body, "OrderResponses")
    assert len(body["Orders"]) == 2, body
    (error,) = body["Errors"]
    assert error["Message"] == "Order failed. Reason: Insufficient buying power."
    order = await rest_order(sim, session, body["Orders"][0]["OrderID"])
    assert "ConditionalOrders" not in order and order["Status"] == "OPN"


async def test_group_requests_are_checked_whole_before_anything_is_placed(fixed_sim, session):
    sim = fixed_sim
    for group, words in [
        ({"Type": "OTO", "Orders": [order_body()]}, "Type"),
        ({"Type": "OCO", "Orders": [order_body()]}, "at least two"),
        ({"Type": "OCO", "Orders": []}, "non-empty"),
        ({"Type": "NORMAL", "Orders": [order_body(), order_body(Symbol="NOPE")]},
         "Orders[1]: Invalid Symbol"),
    ]:
        status, body = await post(sim, session, "/orderexecution/ordergroups", group)
        assert status == 400 and words in body["Message"], body
    orders = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    assert orders["Orders"] == []


async def test_group_confirm(fixed_sim, session):
    sim = fixed_sim
    group = {"Type": "OCO", "Orders": [
        order_body(OrderType="Limit", LimitPrice="400.00"), order_body(Quantity="3")]}
    status, body = await post(sim, session, "/orderexecution/ordergroupconfirm", group)
    assert status == 200, body
    validate(body, "OrderConfirmResponses")
    assert [c["SummaryMessage"] for c in body["Confirmations"]] == [
        "Buy 10 MSFT @ 400.00 Limit", "Buy 3 MSFT @ Market"]
    orders = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    assert orders["Orders"] == []


async def test_the_documents_exit_bracket_with_a_trailing_stop(fixed_sim, session):
    """The OpenAPI document's "Exit Bracket - 1 Limit & 1 Stop" example, on a held position."""
    sim = fixed_sim
    bracket = {"Type": "BRK", "Orders": [
        {"AccountID": MARGIN, "Symbol": "NVDA", "Quantity": "10", "OrderType": "Limit",
         "TradeAction": "SELL", "LimitPrice": f"{last_price(sim, 'NVDA') * 1.2:.2f}",
         "Route": "Intelligent", "TimeInForce": {"Duration": "GTC"}},
        {"AccountID": MARGIN, "Symbol": "NVDA", "Quantity": "10", "OrderType": "StopMarket",
         "TradeAction": "SELL", "Route": "Intelligent", "TimeInForce": {"Duration": "GTC"},
         "AdvancedOptions": {"TrailingStop": {"Percent": "5.0"}}},
    ]}
    status, body = await post(sim, session, "/orderexecution/ordergroups", bracket)
    assert status == 200, body
    stop = body["Orders"][1]["OrderID"]
    assert body["Orders"][1]["Message"] == "Sent order: Sell 10 NVDA @ Trailing 5.0% Stop Market"
    trailing = await rest_order(sim, session, stop)
    validate(trailing, "Order")
    assert trailing["Status"] == "OPN" and trailing["TrailingStop"] == {"Percent": "5.0"}
    assert float(trailing["StopPrice"]) == pytest.approx(last_price(sim, "NVDA") * 0.95,
                                                         abs=0.011)
