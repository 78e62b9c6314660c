"""Orders on every tradable asset class: prices in the symbol's own increments (futures in
quarters, 32nds and halves of 32nds, penny stocks in ten-thousandths, options in cents), fills that
move positions and balances by the point value, and indices and crypto pairs refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from order_helpers import (
    CASH,
    END_SNAPSHOT,
    MARGIN,
    get_json,
    order_body,
    place,
    place_ok,
    post,
    rest_order,
    validate_streamed_order,
)
from sim_helpers import auth, read_messages, validate

OPTION = "AAPL 261218C230"


async def detail(sim, session, symbol: str) -> dict:
    body = await get_json(sim, session, f"/marketdata/symbols/{symbol.replace(' ', '%20')}")
    (info,) = body["Symbols"]
    return info


async def positions(sim, session, account: str = MARGIN) -> dict[str, dict]:
    body = await get_json(sim, session, f"/brokerage/accounts/{account}/positions")
    validate(body, "Positions")
    return {p["Symbol"]: p for p in body["Positions"]}


async def balance(sim, session, account: str = MARGIN) -> dict:
    body = await get_json(sim, session, f"/brokerage/accounts/{account}/balances")
    validate(body, "Balances")
    return body["Balances"][0]


async def confirm(sim, session, **overrides) -> tuple[int, dict]:
    return await post(sim, session, "/orderexecution/orderconfirm", order_body(**overrides))


def off_increment_message(name: str, price: str, symbol: str, increment: str) -> str:
    return (f"Order failed. Reason: {name} {price} is not a valid price for {symbol}: it must be "
            f"a multiple of {increment}.")


@pytest.mark.parametrize("symbol,bad,good,increment", [
    ("@ES", "6000.10", "6000.25", "0.25"),
    ("6EZ26", "1.05823", "1.05825", "0.00005"),
    ("@US", "117.515625", "117.53125", "0.03125"),       # 1/64 is not a 32nd
    ("@TY", "110.5078125", "110.515625", "0.015625"),    # half of a 32nd, not a quarter
    ("SNDL", "0.84125", "0.8413", "0.0001"),             # a penny stock: ten-thousandths
    (OPTION, "5.005", "5.05", "0.01"),
])
async def test_limit_prices_follow_the_symbols_increment(fixed_sim, session, symbol, bad, good,
                                                         increment):
    sim = fixed_sim
    info = await detail(sim, session, symbol)
    assert info["PriceFormat"]["Increment"] == increment
    action = "BUYTOOPEN" if symbol == OPTION else "BUY"
    status, body = await place(sim, session, Symbol=symbol, Quantity="1", OrderType="Limit",
                               LimitPrice=bad, TradeAction=action,
                               TimeInForce={"Duration": "GTC"})
    assert status == 200
    validate(body, "OrderResponses")
    assert body["Errors"][0]["Message"] == off_increment_message("Limit price", bad, symbol,
                                                                 increment)
    status, body = await confirm(sim, session, Symbol=symbol, Quantity="1", OrderType="Limit",
                                 LimitPrice=bad, TradeAction=action)
    assert status == 400
    assert body["Message"] == off_increment_message("Limit price", bad, symbol, increment)
    # On the increment: sent, and written back exactly, not rounded to the cent.
    status, body = await confirm(sim, session, Symbol=symbol, Quantity="1", OrderType="Limit",
                                 LimitPrice=good, TradeAction=action)
    assert status == 200, body
    validate(body, "OrderConfirmResponses")
    (confirmation,) = body["Confirmations"]
    assert Decimal(confirmation["LimitPrice"]) == Decimal(good)
    assert Decimal(confirmation["EstimatedPrice"]) == Decimal(good)
    order_id = await place_ok(sim, session, Symbol=symbol, Quantity="1", OrderType="Limit",
                              LimitPrice=good, TradeAction=action,
                              TimeInForce={"Duration": "GTC"})
    order = await rest_order(sim, session, order_id)
    assert Decimal(order["LimitPrice"]) == Decimal(good)
    assert Decimal(order["PriceUsedForBuyingPower"]) == Decimal(good)
    # Replacing it off the increment is refused with the same message.
    async with session.put(f"{sim.base_url}/orderexecution/orders/{order_id}",
                           headers=auth(sim), json={"LimitPrice": bad}) as resp:
        assert resp.status == 400
        assert (await resp.json())["Message"] == off_increment_message(
            "Limit price", bad, symbol, increment)


def price_of(sim, symbol: str, side: str) -> Decimal:
    state = sim.engine.market.states[symbol]
    return Decimal(sim.engine.market.price_text(symbol, getattr(state, side)))


async def test_a_future_fills_on_its_increment_and_moves_the_account_by_its_point_value(
        fixed_sim, session):
    sim = fixed_sim
    point_value = Decimal((await detail(sim, session, "@US"))["PriceFormat"]["PointValue"])
    assert point_value == 1000
    before = await balance(sim, session)
    ask = price_of(sim, "@US", "ask")
    status, body = await confirm(sim, session, Symbol="@US", Quantity="2")
    assert status == 200, body
    validate(body, "OrderConfirmResponses")
    (confirmation,) = body["Confirmations"]
    assert confirmation["OrderAssetCategory"] == "FUTURE"
    assert Decimal(confirmation["EstimatedPrice"]) == ask
    assert Decimal(confirmation["EstimatedCost"]) == 2 * ask * point_value
    assert Decimal(confirmation["InitialMarginDisplay"]) == 2 * 4400  # the initial margin

    bought = await rest_order(sim, session, await place_ok(sim, session, Symbol="@US",
                                                           Quantity="2"))
    assert bought["Status"] == "FLL" and bought["Legs"][0]["AssetType"] == "FUTURE"
    price = Decimal(bought["FilledPrice"])
    assert price == ask and price % Decimal("0.03125") == 0  # a whole 32nd, as a decimal
    held = (await positions(sim, session))["@US"]
    assert held["AssetType"] == "FUTURE" and held["Quantity"] == "2"
    assert Decimal(held["AveragePrice"]) == price
    last = Decimal(held["Last"])
    assert Decimal(held["MarketValue"]) == pytest.approx(2 * last * point_value, abs=0.01)
    assert Decimal(held["UnrealizedProfitLoss"]) == pytest.approx(
        2 * (last - price) * point_value, abs=0.01)
    assert Decimal(held["InitialRequirement"]) == 2 * 4400
    after = await balance(sim, session)
    # A future is not paid for: the cash stays; the margin comes out of buying power.
    assert after["CashBalance"] == before["CashBalance"]
    assert Decimal(before["BuyingPower"]) - Decimal(after["BuyingPower"]) == pytest.approx(
        2 * 2 * 4400 - 2 * Decimal(held["UnrealizedProfitLoss"]), abs=0.05)

    sim.advance(40)
    sold = await rest_order(sim, session, await place_ok(sim, session, Symbol="@US",
                                                         Quantity="2", TradeAction="SELL"))
    sale = Decimal(sold["FilledPrice"])
    assert sold["Legs"][0]["OpenOrClose"] == "Close"
    assert "@US" not in await positions(sim, session)
    final = await balance(sim, session)
    realized = 2 * (sale - price) * point_value  # $31.25 a 32nd a contract
    assert Decimal(final["BalanceDetail"]["RealizedProfitLoss"]) == pytest.approx(realized,
                                                                                  abs=0.01)
    assert Decimal(final["CashBalance"]) == pytest.approx(
        Decimal(before["CashBalance"]) + realized, abs=0.01)


async def test_futures_sell_opens_a_short_but_never_turns_a_position_around(fixed_sim, session):
    sim = fixed_sim
    short = await rest_order(sim, session, await place_ok(sim, session, Symbol="6EZ26",
                                                          Quantity="1", TradeAction="SELL"))
    assert short["Status"] == "FLL" and short["Legs"][0]["OpenOrClose"] == "Open"
    held = (await positions(sim, session))["6EZ26"]
    assert held["LongShort"] == "Short" and held["Quantity"] == "-1"
    assert Decimal(held["MarketValue"]) == pytest.approx(
        -Decimal(held["Last"]) * 125_000, abs=0.01)
    status, body = await place(sim, session, Symbol="6EZ26", Quantity="3")
    assert status == 200
    assert body["Errors"][0]["Message"] == (
        "Buy quantity 3 exceeds the 1 contracts short; buy 1 to close the position, then buy "
        "again to go long.")
    status, body = await place(sim, session, Symbol="6EZ26", Quantity="1",
                               TradeAction="SELLSHORT")
    assert status == 400
    assert body["Message"] == ("Invalid TradeAction 'SELLSHORT' for 6EZ26: futures take BUY, "
                               "SELL.")
    status, body = await place(sim, session, AccountID=CASH, Symbol="@ES", Quantity="1")
    assert status == 200
    assert body["Errors"][0]["Message"].startswith(
        "Futures cannot be traded in a cash account; use the margin account")
    status, body = await place(sim, session, Symbol="@ES", Quantity="500")
    assert body["Errors"][0]["Message"] == "Order failed. Reason: Insufficient buying power."


async def test_an_option_trades_in_contracts_of_100(fixed_sim, session):
    sim = fixed_sim
    status, body = await place(sim, session, Symbol=OPTION, Quantity="1")
    assert status == 400
    assert body["Message"] == (f"Invalid TradeAction 'BUY' for {OPTION}: options take BUYTOOPEN, "
                               "BUYTOCLOSE, SELLTOOPEN, SELLTOCLOSE.")
    before = await balance(sim, session)
    status, body = await confirm(sim, session, Symbol=OPTION, Quantity="3",
                                 TradeAction="BUYTOOPEN")
    assert status == 200, body
    validate(body, "OrderConfirmResponses")
    (confirmation,) = body["Confirmations"]
    assert confirmation["OrderAssetCategory"] == "STOCKOPTION"
    ask = price_of(sim, OPTION, "ask")
    assert Decimal(confirmation["EstimatedCost"]) == 3 * ask * 100
    assert Decimal(confirmation["InitialMarginDisplay"]) == 3 * ask * 100  # paid in full
    bought = await rest_order(sim, session, await place_ok(
        sim, session, Symbol=OPTION, Quantity="3", TradeAction="BUYTOOPEN"))
    leg = bought["Legs"][0]
    assert (leg["AssetType"], leg["BuyOrSell"], leg["OpenOrClose"]) == ("STOCKOPTION", "Buy",
                                                                        "Open")
    assert (leg["OptionType"], leg["StrikePrice"], leg["Underlying"]) == ("CALL", "230", "AAPL")
    price = Decimal(bought["FilledPrice"])
    after = await balance(sim, session)
    assert Decimal(after["CashBalance"]) == pytest.approx(
        Decimal(before["CashBalance"]) - 3 * price * 100, abs=0.01)
    held = (await positions(sim, session))[OPTION]
    assert held["AssetType"] == "STOCKOPTION" and held["Quantity"] == "3"
    assert held["ExpirationDate"] == "2026-12-18T00:00:00Z"
    assert Decimal(held["MarketValue"]) == pytest.approx(3 * Decimal(held["Last"]) * 100,
                                                         abs=0.01)
    status, body = await place(sim, session, Symbol=OPTION, Quantity="4",
                               TradeAction="SELLTOCLOSE")
    assert body["Errors"][0]["Message"] == "Sell to close quantity 4 exceeds the 3 contracts held."
    sold = await rest_order(sim, session, await place_ok(
        sim, session, Symbol=OPTION, Quantity="1", TradeAction="SELLTOCLOSE"))
    assert sold["Legs"][0]["OpenOrClose"] == "Close"
    final = await balance(sim, session)
    assert Decimal(final["BalanceDetail"]["RealizedProfitLoss"]) == pytest.approx(
        (Decimal(sold["FilledPrice"]) - price) * 100, abs=0.01)
    assert (await positions(sim, session))[OPTION]["Quantity"] == "2"


async def test_a_penny_stock_fills_and_is_valued_below_the_cent(fixed_sim, session):
    sim = fixed_sim
    before = await balance(sim, session, CASH)
    order = await rest_order(sim, session, await place_ok(
        sim, session, AccountID=CASH, Symbol="SNDL", Quantity="1001"), CASH)
    price = Decimal(order["FilledPrice"])
    assert price == price_of(sim, "SNDL", "ask")
    assert len(order["FilledPrice"].split(".")[1]) == 4  # "0.8412", not "0.84"
    held = (await positions(sim, session, CASH))["SNDL"]
    assert Decimal(held["AveragePrice"]) == price
    assert Decimal(held["MarketValue"]) == pytest.approx(1001 * Decimal(held["Last"]), abs=0.01)
    after = await balance(sim, session, CASH)
    assert Decimal(after["CashBalance"]) == pytest.approx(
        Decimal(before["CashBalance"]) - 1001 * price, abs=0.01)


@pytest.mark.parametrize("symbol,message", [
    ("$SPX.X", ("Order failed. Reason: $SPX.X is an index; indices are quoted but not "
                "tradable. Trade a future or an option on it instead.")),
    ("BTCUSD", ("Order failed. Reason: BTCUSD is not tradable in this simulator: crypto pairs "
                "are quoted only. Trade a stock, a future or an option instead.")),
])
async def test_indices_and_crypto_are_refused(fixed_sim, session, symbol, message):
    sim = fixed_sim
    for path in ("/orderexecution/orders", "/orderexecution/orderconfirm"):
        status, body = await post(sim, session, path, order_body(Symbol=symbol, Quantity="1"))
        assert status == 400
        validate(body, "ErrorResponse")
        assert body["Message"] == message
    assert not sim.engine.book.orders


async def test_a_bracket_closes_a_short_futures_position_with_buy(fixed_sim, session):
    sim = fixed_sim
    await place_ok(sim, session, Symbol="@ES", Quantity="2", TradeAction="SELL")
    last = price_of(sim, "@ES", "last")
    legs = [order_body(Symbol="@ES", Quantity="2", TradeAction="BUY", OrderType="Limit",
                       LimitPrice=str(last - 20), TimeInForce={"Duration": "GTC"}),
            order_body(Symbol="@ES", Quantity="2", TradeAction="BUY", OrderType="StopMarket",
                       StopPrice=str(last + 20), TimeInForce={"Duration": "GTC"})]
    status, body = await post(sim, session, "/orderexecution/ordergroups",
                              {"Type": "BRK", "Orders": legs})
    assert status == 200, body
    assert "Errors" not in body and len(body["Orders"]) == 2
    order = await rest_order(sim, session, body["Orders"][1]["OrderID"])
    assert Decimal(order["StopPrice"]) == last + 20
    assert order["Legs"][0]["OpenOrClose"] == "Close"


async def test_streams_carry_futures_and_options_in_the_documents_shapes(fixed_sim, session):
    """The orders and positions streams send the same payloads: Order1 legs (option type,
    strike, underlying) and Positions with their asset type, expiration and point values."""
    sim = fixed_sim
    await place_ok(sim, session, Symbol="6EZ26", Quantity="1")
    await place_ok(sim, session, Symbol=OPTION, Quantity="2", TradeAction="BUYTOOPEN")
    base = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}"
    async with session.get(f"{base}/orders", headers=auth(sim)) as resp:
        orders = (await read_messages(resp, until=lambda m: m == END_SNAPSHOT))[:-1]
    for order in orders:
        validate_streamed_order(order)
    legs = {o["Legs"][0]["Symbol"]: o["Legs"][0] for o in orders if o["Status"] == "FLL"}
    assert legs["6EZ26"]["AssetType"] == "FUTURE"
    assert legs[OPTION]["OptionType"] == "CALL" and legs[OPTION]["Underlying"] == "AAPL"
    async with session.get(f"{base}/positions", headers=auth(sim)) as resp:
        streamed = (await read_messages(resp, until=lambda m: m == END_SNAPSHOT))[:-1]
    for position in streamed:
        validate(position, "Position")
    by_symbol = {p["Symbol"]: p for p in streamed}
    assert by_symbol == await positions(sim, session)
    euro = by_symbol["6EZ26"]
    assert euro["ExpirationDate"] == "2026-12-18T00:00:00Z"
    assert len(euro["AveragePrice"].split(".")[1]) == 5  # "1.05830": on 0.00005
    assert Decimal(euro["MarketValue"]) == pytest.approx(Decimal(euro["Last"]) * 125_000,
                                                         abs=0.01)
