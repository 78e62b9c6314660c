"""Malformed order requests are 400s."""

from __future__ import annotations

import pytest
from order_helpers import place
from sim_helpers import auth


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
