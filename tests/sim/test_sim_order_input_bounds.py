"""Every number an order request carries is checked before any order exists: a junk, huge, tiny,
negative or non-finite price or quantity is a 400 naming the field (never a 500), and the order
list is exactly as it was (no order left behind in ACK)."""

from __future__ import annotations

import pytest
from order_helpers import MARGIN, get_json, order_body, place_ok, post, rest_order
from sim_helpers import auth, validate

BAD_PRICES = ["1e30", "1E-400", "0.000000001", "NaN", "nan", "inf", "-Infinity", "sNaN", "-5",
              "0", "abc", "1_000", "1" * 5000, True, [], {}]
BAD_QUANTITIES = ["1e30", "99999999999", "0", "-1", "1.5", "NaN", "inf", "abc", "", True, [],
                  "1" * 5000]


async def order_ids(sim, session) -> list[str]:
    """The account's orders as the REST list shows them (what the dashboard would see)."""
    body = await get_json(sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    return [o["OrderID"] for o in body["Orders"]]


async def refused(sim, session, path: str, body, field: str) -> None:
    """A 400 ErrorResponse naming `field`, and the order list untouched."""
    before = await order_ids(sim, session)
    books = dict(sim.engine.book.orders)
    status, answer = await post(sim, session, path, body)
    assert status == 400, answer
    validate(answer, "ErrorResponse")
    assert field in answer["Message"], answer
    assert await order_ids(sim, session) == before
    assert sim.engine.book.orders == books


ORDER_PATHS = ["/orderexecution/orders", "/orderexecution/orderconfirm"]
GROUP_PATHS = ["/orderexecution/ordergroups", "/orderexecution/ordergroupconfirm"]


def bad_orders() -> list[tuple[dict, str]]:
    """(order body overrides, the field its message names) for every priced field."""
    cases = []
    for value in BAD_PRICES:
        cases.append(({"OrderType": "Limit", "LimitPrice": value}, "LimitPrice"))
        cases.append(({"OrderType": "StopMarket", "StopPrice": value}, "StopPrice"))
        cases.append(({"OrderType": "StopMarket", "TradeAction": "SELL",
                       "AdvancedOptions": {"TrailingStop": {"Amount": value}}},
                      "TrailingStop.Amount"))
        cases.append(({"OrderType": "StopMarket", "TradeAction": "SELL",
                       "AdvancedOptions": {"TrailingStop": {"Percent": value}}},
                      "TrailingStop.Percent"))
    for value in BAD_QUANTITIES:
        cases.append(({"Quantity": value}, "Quantity"))
    cases.append(({"Symbol": "@ES", "Quantity": "1.5"}, "Quantity"))
    cases.append(({"Symbol": "AAPL 261218C230", "TradeAction": "BUYTOOPEN", "Quantity": "0.5"},
                  "Quantity"))
    return cases


BAD_ORDERS = bad_orders()
IDS = [f"{field}={str(over.get(field.split('.')[0], over.get('AdvancedOptions')))[:20]}"
       f"-{i}" for i, (over, field) in enumerate(BAD_ORDERS)]


@pytest.mark.parametrize("path", ORDER_PATHS)
@pytest.mark.parametrize("overrides,field", BAD_ORDERS, ids=IDS)
async def test_a_bad_number_in_an_order_is_a_400_and_places_nothing(fixed_sim, session, path,
                                                                     overrides, field):
    await refused(fixed_sim, session, path, order_body(**overrides), field)


@pytest.mark.parametrize("path", GROUP_PATHS)
@pytest.mark.parametrize("value", ["1e30", "1E-400", "NaN", "-1"])
async def test_a_bad_price_in_a_group_places_none_of_its_orders(fixed_sim, session, path, value):
    sim = fixed_sim
    good = order_body(OrderType="Limit", LimitPrice="1.00", TimeInForce={"Duration": "GTC"})
    bad = order_body(OrderType="Limit", LimitPrice=value, TimeInForce={"Duration": "GTC"})
    await refused(sim, session, path, {"Type": "OCO", "Orders": [good, bad]},
                  "Orders[1]: Invalid LimitPrice")
    await refused(sim, session, path, {"Type": "NORMAL", "Orders": [good, order_body(
        Quantity=value)]}, "Orders[1]: Invalid Quantity")


@pytest.mark.parametrize("body,field", [
    *[({"LimitPrice": v}, "LimitPrice") for v in BAD_PRICES],
    *[({"Quantity": v}, "Quantity") for v in BAD_QUANTITIES if v != ""],
])
async def test_a_bad_number_in_a_replacement_is_a_400_and_changes_nothing(fixed_sim, session,
                                                                          body, field):
    sim = fixed_sim
    order_id = await place_ok(sim, session, OrderType="Limit", LimitPrice="1.00",
                              TimeInForce={"Duration": "GTC"})
    before = await rest_order(sim, session, order_id)
    async with session.put(f"{sim.base_url}/orderexecution/orders/{order_id}",
                           headers=auth(sim), json=body) as resp:
        status, answer = resp.status, await resp.json()
    assert status == 400, answer
    validate(answer, "ErrorResponse")
    assert field in answer["Message"]
    assert await rest_order(sim, session, order_id) == before


async def test_a_bad_stop_price_in_a_replacement_is_a_400(fixed_sim, session):
    sim = fixed_sim
    last = sim.engine.market.states["MSFT"].last / 100
    order_id = await place_ok(sim, session, OrderType="StopMarket", TradeAction="SELL",
                              Quantity="1", StopPrice=f"{last - 5:.2f}",
                              TimeInForce={"Duration": "GTC"}, AccountID=MARGIN)
    before = await rest_order(sim, session, order_id)
    for value in ("1e30", "1E-400", "inf", "-1"):
        async with session.put(f"{sim.base_url}/orderexecution/orders/{order_id}",
                               headers=auth(sim), json={"StopPrice": value}) as resp:
            assert resp.status == 400
            assert "StopPrice" in (await resp.json())["Message"]
    assert await rest_order(sim, session, order_id) == before


async def test_prices_within_the_bounds_still_work(fixed_sim, session):
    """The bounds leave real prices alone: JSON numbers, exponents and @TY's sixth decimal."""
    sim = fixed_sim
    order_id = await place_ok(sim, session, OrderType="Limit", LimitPrice=1.5, Quantity=2,
                              TimeInForce={"Duration": "GTC"})
    order = await rest_order(sim, session, order_id)
    assert (order["LimitPrice"], order["Legs"][0]["QuantityOrdered"]) == ("1.50", "2")
    order_id = await place_ok(sim, session, OrderType="Limit", LimitPrice="1e0",
                              TimeInForce={"Duration": "GTC"})
    assert (await rest_order(sim, session, order_id))["LimitPrice"] == "1.00"
    await place_ok(sim, session, Symbol="@TY", Quantity="1", OrderType="Limit",
                   LimitPrice="100.015625", TimeInForce={"Duration": "GTC"})


async def test_a_sell_trail_longer_than_the_price_is_rejected_not_a_negative_stop(fixed_sim,
                                                                                session):
    """A trailing amount within the bounds but beyond the last price would start a sell stop
    below zero: rejected as TradeStation rejects prices (200 with Errors; confirm: 400)."""
    sim = fixed_sim
    body = order_body(OrderType="StopMarket", TradeAction="SELL", Quantity="1",
                      AdvancedOptions={"TrailingStop": {"Amount": "5000"}})
    status, answer = await post(sim, session, "/orderexecution/orderconfirm", body)
    assert status == 400 and "at or below zero" in answer["Message"]
    status, answer = await post(sim, session, "/orderexecution/orders", body)
    assert status == 200 and "Orders" not in answer
    (error,) = answer["Errors"]
    assert error["Message"].startswith("Order failed. Reason: The trailing stop would start at -")
    assert (await rest_order(sim, session, error["OrderID"]))["Status"] == "REJ"
