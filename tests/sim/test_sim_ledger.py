"""Fills, positions and balances are one ledger: after buys, sells, short sales, partial fills and
cancels, every REST figure follows from the starting state and the fills the orders report."""

from __future__ import annotations

from collections import defaultdict

import pytest
from order_helpers import CASH, MARGIN, get_json, place, place_ok, rest_order
from sim_helpers import auth, validate

START = {MARGIN: 85_000.00, CASH: 18_000.00}


async def snapshot(sim, session, account: str) -> tuple[dict, dict]:
    balances = await get_json(sim, session, f"/brokerage/accounts/{account}/balances")
    validate(balances, "Balances")
    positions = await get_json(sim, session, f"/brokerage/accounts/{account}/positions")
    validate(positions, "Positions")
    return balances["Balances"][0], {p["Symbol"]: p for p in positions["Positions"]}


def signed(order: dict) -> int:
    leg = order["Legs"][0]
    qty = int(leg["ExecQuantity"])
    return qty if leg["BuyOrSell"] in ("Buy", "BuyToCover") else -qty


async def test_positions_balances_and_fills_agree(fixed_sim, session):
    sim = fixed_sim
    start_balance, start_positions = await snapshot(sim, session, MARGIN)
    assert float(start_balance["CashBalance"]) == START[MARGIN]
    ids = [
        await place_ok(sim, session, Symbol="AAPL", Quantity="10"),                # add to long
        await place_ok(sim, session, Symbol="AAPL", Quantity="30", TradeAction="SELL"),
        await place_ok(sim, session, Symbol="GOOGL", Quantity="25"),               # a new long
        await place_ok(sim, session, Symbol="TSLA", Quantity="10",
                       TradeAction="BUYTOCOVER"),                                  # cover part
        await place_ok(sim, session, Symbol="INTC", Quantity="50",
                       TradeAction="SELLSHORT"),                                   # a new short
    ]
    # Marketable limits of 40 fill in parts now and then; the rest fills as the market moves.
    for _ in range(6):
        ids.append(await place_ok(sim, session, Symbol="NVDA", Quantity="40", OrderType="Limit",
                                  LimitPrice="1000.00", TimeInForce={"Duration": "GTC"}))
    working = await place_ok(sim, session, Symbol="MSFT", Quantity="20", OrderType="Limit",
                             LimitPrice="1.00", TimeInForce={"Duration": "GTC"})
    ids.append(working)
    status, body = await place(sim, session, Quantity="100000000")
    assert status == 200 and "Errors" in body  # a rejection moves nothing
    partial = [oid for oid in ids if (await rest_order(sim, session, oid))["Status"] == "FPR"]
    for order_id in partial + [working]:
        async with session.delete(f"{sim.base_url}/orderexecution/orders/{order_id}",
                                  headers=auth(sim)) as resp:
            assert resp.status == 200
    sim.advance(30)

    orders = [await rest_order(sim, session, oid) for oid in ids]
    assert {o["Status"] for o in orders} <= {"FLL", "CAN"}
    assert any(0 < int(o["Legs"][0]["ExecQuantity"]) < int(o["Legs"][0]["QuantityOrdered"])
               for o in orders), "with seed 5 a partly filled order was canceled"
    moved: dict[str, int] = defaultdict(int)
    spent = 0.0
    slack = 0.0  # FilledPrice is an average rounded to the cent
    for order in orders:
        qty = signed(order)
        if qty:
            moved[order["Legs"][0]["Symbol"]] += qty
            spent += qty * float(order["FilledPrice"])
            slack += abs(qty) * 0.005
    balance, positions = await snapshot(sim, session, MARGIN)

    # Positions: the starting quantity plus every fill.
    for symbol in set(moved) | set(start_positions):
        before = int(start_positions[symbol]["Quantity"]) if symbol in start_positions else 0
        expected = before + moved[symbol]
        held = int(positions[symbol]["Quantity"]) if symbol in positions else 0
        assert held == expected, symbol
        if held:
            position = positions[symbol]
            assert float(position["MarketValue"]) == pytest.approx(
                held * float(position["Last"]), abs=0.01)
            assert position["LongShort"] == ("Long" if held > 0 else "Short")
    # Cash: the start less what the fills cost (sales bring cash in).
    assert float(balance["CashBalance"]) == pytest.approx(START[MARGIN] - spent, abs=slack + 0.01)
    # Market value and equity: the positions, and cash plus positions.
    market_value = sum(float(p["MarketValue"]) for p in positions.values())
    assert float(balance["MarketValue"]) == pytest.approx(market_value, abs=0.05)
    assert float(balance["Equity"]) == pytest.approx(
        float(balance["CashBalance"]) + market_value, abs=0.05)
    # Buying power: margin is twice the equity above maintenance, less open buy orders (none).
    maintenance = sum(abs(float(p["MarketValue"])) * (0.25 if int(p["Quantity"]) > 0 else 0.30)
                      for p in positions.values())
    assert float(balance["BuyingPower"]) == pytest.approx(
        2 * (float(balance["Equity"]) - maintenance), abs=0.1)
    assert float(balance["BalanceDetail"]["OpenOrderMargin"]) == 0


async def test_cash_account_buying_power_is_cash_less_open_buys(fixed_sim, session):
    sim = fixed_sim
    before, _ = await snapshot(sim, session, CASH)
    assert float(before["BuyingPower"]) == pytest.approx(float(before["CashBalance"]))
    await place_ok(sim, session, AccountID=CASH, Symbol="F", Quantity="100", OrderType="Limit",
                   LimitPrice="1.00", TimeInForce={"Duration": "GTC"})
    filled = await place_ok(sim, session, AccountID=CASH, Symbol="AAPL", Quantity="5")
    price = float((await rest_order(sim, session, filled, CASH))["FilledPrice"])
    after, positions = await snapshot(sim, session, CASH)
    assert float(after["CashBalance"]) == pytest.approx(float(before["CashBalance"]) - 5 * price)
    assert float(after["BuyingPower"]) == pytest.approx(float(after["CashBalance"]) - 100.0)
    assert float(after["BalanceDetail"]["OpenOrderMargin"]) == pytest.approx(100.0)
    assert positions["AAPL"]["Quantity"] == "5"
    # Selling it back realizes the difference and frees the cash.
    sold = await place_ok(sim, session, AccountID=CASH, Symbol="AAPL", Quantity="5",
                          TradeAction="SELL")
    sale = float((await rest_order(sim, session, sold, CASH))["FilledPrice"])
    final, positions = await snapshot(sim, session, CASH)
    assert "AAPL" not in positions
    assert float(final["BalanceDetail"]["RealizedProfitLoss"]) == pytest.approx(
        5 * (sale - price), abs=0.01)
    assert float(final["CashBalance"]) == pytest.approx(
        float(before["CashBalance"]) + 5 * (sale - price), abs=0.01)


async def point_value(sim, session, symbol: str) -> float:
    body = await get_json(sim, session, f"/marketdata/symbols/{symbol.replace(' ', '%20')}")
    return float(body["Symbols"][0]["PriceFormat"]["PointValue"])


async def test_futures_and_options_keep_to_the_ledger(fixed_sim, session):
    """Futures and options in the margin account: each fill counts by the point value from the
    symbol's SymbolDetail. An option is paid for (price x 100); a future is not: the cash moves
    only by what closing contracts realize, equity counts its open P&L (not its notional
    MarketValue), and its initial margin is held against buying power."""
    sim = fixed_sim
    option = "AAPL 261218C230"
    start_balance, start_positions = await snapshot(sim, session, MARGIN)
    ids = [
        await place_ok(sim, session, Symbol="@ES", Quantity="2"),
        await place_ok(sim, session, Symbol="6EZ26", Quantity="1", TradeAction="SELL"),
        await place_ok(sim, session, Symbol="@TY", Quantity="3"),
        await place_ok(sim, session, Symbol=option, Quantity="4", TradeAction="BUYTOOPEN"),
    ]
    sim.advance(50)
    ids += [
        await place_ok(sim, session, Symbol="@ES", Quantity="1", TradeAction="SELL"),
        await place_ok(sim, session, Symbol="@TY", Quantity="3", TradeAction="SELL"),
        await place_ok(sim, session, Symbol=option, Quantity="1", TradeAction="SELLTOCLOSE"),
        await place_ok(sim, session, Symbol="SNDL", Quantity="333"),
    ]
    sim.advance(20)
    orders = [await rest_order(sim, session, oid) for oid in ids]
    assert {o["Status"] for o in orders} == {"FLL"}
    balance, positions = await snapshot(sim, session, MARGIN)
    values = {s: await point_value(sim, session, s)
              for s in {o["Legs"][0]["Symbol"] for o in orders}}
    assert values["@ES"] == 50 and values["6EZ26"] == 125_000 and values[option] == 100

    moved: dict[str, int] = defaultdict(int)
    paid: dict[str, float] = defaultdict(float)  # fills' price x quantity x point value
    for order in orders:
        symbol = order["Legs"][0]["Symbol"]
        moved[symbol] += signed(order)
        paid[symbol] += signed(order) * float(order["FilledPrice"]) * values[symbol]
    assert {s: int(positions[s]["Quantity"]) for s in moved if s in positions} == {
        "@ES": 1, "6EZ26": -1, option: 3, "SNDL": 333}
    assert "@TY" not in positions  # closed: all of it realized

    futures = [s for s in moved if positions.get(s, {}).get("AssetType") == "FUTURE"]
    realized = 0.0
    for symbol in moved:
        position = positions.get(symbol)
        held = int(position["Quantity"]) if position else 0
        if position:
            assert position["AssetType"] == {"@ES": "FUTURE", "6EZ26": "FUTURE",
                                             option: "STOCKOPTION", "SNDL": "STOCK"}[symbol]
            last, average = float(position["Last"]), float(position["AveragePrice"])
            assert float(position["MarketValue"]) == pytest.approx(
                held * last * values[symbol], abs=0.01)
            assert float(position["UnrealizedProfitLoss"]) == pytest.approx(
                held * (last - average) * values[symbol], abs=0.01)
            cost_left = held * average * values[symbol]
        else:
            cost_left = 0.0
        realized += cost_left - paid[symbol]  # what the fills paid beyond what is still held
    assert float(balance["BalanceDetail"]["RealizedProfitLoss"]) == pytest.approx(realized,
                                                                                  abs=0.02)
    # Cash: options and stocks are paid for; futures bring in only what they realized.
    futures_realized = sum(
        (int(positions[s]["Quantity"]) if s in positions else 0) * float(
            positions[s]["AveragePrice"] if s in positions else 0) * values[s] - paid[s]
        for s in ("@ES", "6EZ26", "@TY"))
    spent = sum(paid[s] for s in (option, "SNDL"))
    assert float(balance["CashBalance"]) == pytest.approx(
        float(start_balance["CashBalance"]) - spent + futures_realized, abs=0.02)
    # Equity: cash, what is owned at market value, and the futures' open P&L.
    owned = sum(float(p["MarketValue"]) for s, p in positions.items() if s not in futures)
    open_pl = sum(float(positions[s]["UnrealizedProfitLoss"]) for s in futures)
    assert float(balance["MarketValue"]) == pytest.approx(owned, abs=0.05)
    assert float(balance["BalanceDetail"]["OptionsMarketValue"]) == pytest.approx(
        float(positions[option]["MarketValue"]), abs=0.01)
    assert float(balance["Equity"]) == pytest.approx(
        float(balance["CashBalance"]) + owned + open_pl, abs=0.05)
    # Buying power: twice the equity above maintenance; a long option is held in full and a
    # future by its initial margin.
    assert float(positions["@ES"]["InitialRequirement"]) == 15_400
    assert float(positions["6EZ26"]["InitialRequirement"]) == 2_750
    maintenance = sum(
        float(p["InitialRequirement"]) if s in futures
        else abs(float(p["MarketValue"])) * (1.0 if s == option else 0.25
                                             if int(p["Quantity"]) > 0 else 0.30)
        for s, p in positions.items())
    assert float(balance["BuyingPower"]) == pytest.approx(
        2 * (float(balance["Equity"]) - maintenance), abs=0.1)
    assert set(start_positions) <= set(positions)
