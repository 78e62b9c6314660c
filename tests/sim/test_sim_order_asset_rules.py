"""Each asset class takes its own TradeActions and reports its own AssetType: a leg is STOCK,
FUTURE or STOCKOPTION by its symbol and the confirmation's OrderAssetCategory follows it; options
trade to open or close, never plain BUY/SELL; futures never SELLSHORT/BUYTOCOVER; indices and
crypto pairs are never orders, alone or in a group, and a refused request places nothing."""

from __future__ import annotations

import pytest
from order_helpers import order_body, place, post, rest_order
from sim_helpers import validate

CALL, PUT = "AAPL 261218C230", "AAPL 261218P230"


@pytest.mark.parametrize("symbol,action,asset_type,category", [
    ("MSFT", "BUY", "STOCK", "EQUITY"),
    ("AMD", "SELLSHORT", "STOCK", "EQUITY"),
    ("@ES", "BUY", "FUTURE", "FUTURE"),
    ("ESZ26", "SELL", "FUTURE", "FUTURE"),
    ("6EZ26", "BUY", "FUTURE", "FUTURE"),
    (CALL, "BUYTOOPEN", "STOCKOPTION", "STOCKOPTION"),
    (PUT, "SELLTOOPEN", "STOCKOPTION", "STOCKOPTION"),
])
async def test_each_leg_and_confirmation_carries_its_symbols_asset_type(
        fixed_sim, session, symbol, action, asset_type, category):
    sim = fixed_sim
    body = order_body(Symbol=symbol, Quantity="1", TradeAction=action)
    status, answer = await post(sim, session, "/orderexecution/orderconfirm", body)
    assert status == 200, answer
    validate(answer, "OrderConfirmResponses")
    assert answer["Confirmations"][0]["OrderAssetCategory"] == category
    status, answer = await post(sim, session, "/orderexecution/orders", body)
    assert status == 200 and "Errors" not in answer, answer
    order = await rest_order(sim, session, answer["Orders"][0]["OrderID"])
    assert order["Legs"][0]["AssetType"] == asset_type


@pytest.mark.parametrize("action", ["BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN", "SELLTOCLOSE"])
async def test_options_take_the_open_and_close_actions(fixed_sim, session, action):
    """Accepted as requests (a close without a position is then a business rejection)."""
    status, answer = await place(fixed_sim, session, Symbol=CALL, Quantity="1",
                                 TradeAction=action)
    assert status == 200, answer
    validate(answer, "OrderResponses")


@pytest.mark.parametrize("symbol,action,words", [
    (CALL, "BUY", "options take BUYTOOPEN, BUYTOCLOSE, SELLTOOPEN, SELLTOCLOSE"),
    (CALL, "SELL", "options take BUYTOOPEN"),
    (PUT, "SELLSHORT", "options take BUYTOOPEN"),
    (PUT, "BUYTOCOVER", "options take BUYTOOPEN"),
    ("@ES", "SELLSHORT", "futures take BUY, SELL"),
    ("@ES", "BUYTOCOVER", "futures take BUY, SELL"),
    ("ESZ26", "BUYTOOPEN", "futures take BUY, SELL"),
    ("MSFT", "SELLTOOPEN", "stocks take BUY, SELL, SELLSHORT, BUYTOCOVER"),
])
async def test_a_trade_action_of_another_asset_class_is_refused(fixed_sim, session, symbol,
                                                                action, words):
    sim = fixed_sim
    for path in ("/orderexecution/orders", "/orderexecution/orderconfirm"):
        status, answer = await post(sim, session, path, order_body(
            Symbol=symbol, Quantity="1", TradeAction=action))
        assert status == 400, answer
        validate(answer, "ErrorResponse")
        assert answer["Message"].startswith(f"Invalid TradeAction '{action}' for {symbol}: ")
        assert words in answer["Message"]
    assert not sim.engine.book.orders


@pytest.mark.parametrize("symbol", ["BTCUSD", "ETHUSD", "$SPX.X", "$VIX.X"])
@pytest.mark.parametrize("path", ["/orderexecution/ordergroups",
                                  "/orderexecution/ordergroupconfirm"])
async def test_indices_and_crypto_are_refused_in_groups_too(fixed_sim, session, symbol, path):
    sim = fixed_sim
    good = order_body(OrderType="Limit", LimitPrice="1.00", TimeInForce={"Duration": "GTC"})
    status, answer = await post(sim, session, path, {"Type": "OCO", "Orders": [
        good, order_body(Symbol=symbol, Quantity="1")]})
    assert status == 400, answer
    validate(answer, "ErrorResponse")
    assert answer["Message"].startswith(f"Orders[1]: Order failed. Reason: {symbol} is ")
    assert not sim.engine.book.orders
