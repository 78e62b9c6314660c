"""The client's REST helpers against the simulator."""

from __future__ import annotations


async def test_rest_helpers(tsim, client):
    accounts = await client.brokerage.get_accounts()
    assert accounts and all("AccountID" in a for a in accounts)
    balances = await client.brokerage.get_balances([a["AccountID"] for a in accounts])
    assert {b["AccountID"] for b in balances} == {a["AccountID"] for a in accounts}
    for b in balances:
        assert {"CashBalance", "Equity", "BuyingPower", "MarketValue", "TodaysProfitLoss"} <= set(b)
    quotes = await client.market_data.get_quotes(["AAPL", "MSFT"])
    assert [q["Symbol"] for q in quotes] == ["AAPL", "MSFT"]
    assert client.stream_manager.active_count == 0
