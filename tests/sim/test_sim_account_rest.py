"""The simulator's REST accounts, balances, positions and orders answers."""

from __future__ import annotations

import pytest
from order_helpers import CASH, MARGIN, POSITION_FIELDS, get_json, place
from sim_helpers import auth, has_fields, validate


BALANCE_FIELDS = ("AccountID", "AccountType", "CashBalance", "Equity", "BuyingPower",
                  "MarketValue", "TodaysProfitLoss", "BalanceDetail")


async def test_accounts(sim, session):
    body = await get_json(sim, session, "/brokerage/accounts")
    validate(body, "Accounts")
    assert [(a["AccountID"], a["AccountType"]) for a in body["Accounts"]] == [
        (MARGIN, "Margin"), (CASH, "Cash")]


async def test_balances_with_an_unknown_account(sim, session):
    body = await get_json(sim, session, f"/brokerage/accounts/{MARGIN},{CASH},BOGUS/balances")
    validate(body, "Balances")
    assert [b["AccountID"] for b in body["Balances"]] == [MARGIN, CASH]
    for balance in body["Balances"]:
        has_fields(balance, *BALANCE_FIELDS)
        equity = float(balance["Equity"])
        assert equity == pytest.approx(float(balance["CashBalance"])
                                       + float(balance["MarketValue"]), abs=0.02)
    assert body["Errors"] == [{"AccountID": "BOGUS", "Error": "Forbidden",
                               "Message": "Invalid Account ID."}]


async def test_rest_positions_and_orders(sim, session):
    positions = await get_json(sim, session, f"/brokerage/accounts/{MARGIN},{CASH}/positions")
    validate(positions, "Positions")
    assert {p["AccountID"] for p in positions["Positions"]} == {MARGIN, CASH}
    for position in positions["Positions"]:
        has_fields(position, *POSITION_FIELDS)
    orders = await get_json(sim, session, f"/brokerage/accounts/{CASH},NOPE/orders")
    validate(orders, "Orders")
    assert orders["Orders"] and {o["AccountID"] for o in orders["Orders"]} == {CASH}
    assert orders["Errors"][0]["AccountID"] == "NOPE"


async def test_too_many_accounts_is_a_bad_request(sim, session):
    accounts = ",".join(f"A{i}" for i in range(26))
    for path in (f"/brokerage/accounts/{accounts}/balances",
                 f"/brokerage/stream/accounts/{accounts}/orders"):
        async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
            assert resp.status == 400
            assert "25" in (await resp.json())["Message"]


async def test_bod_balances(fixed_sim, session):
    sim = fixed_sim
    path = f"/brokerage/accounts/{MARGIN},{CASH},BOGUS/bodbalances"
    body = await get_json(sim, session, path)
    validate(body, "BalancesBOD")
    assert [b["AccountID"] for b in body["BODBalances"]] == [MARGIN, CASH]
    assert body["Errors"] == [{"AccountID": "BOGUS", "Error": "Forbidden",
                               "Message": "Invalid Account ID."}]
    cash = next(b for b in body["BODBalances"] if b["AccountID"] == CASH)
    detail = cash["BalanceDetail"]
    states = sim.engine.market.states
    positions = {"QQQ": 20, "AMZN": 35, "IWM": 40}
    held = sum(q * states[s].prev_close for s, q in positions.items()) / 100
    assert float(detail["Equity"]) == pytest.approx(float(detail["AccountBalance"]) + held)
    status, _ = await place(sim, session, Quantity="5")
    assert status == 200
    assert await get_json(sim, session, path) == body, "the beginning of the day stays put"
