"""REST orders come in pages (TradeStation's ``pageSize``/``NextToken``): ``get_orders`` follows
them to the last, so the orders reconciliation sees every order of a busy day, not the first
page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tsdash.api import TradeStationClient


async def test_every_page_of_orders_is_read(tsim: Any, client: TradeStationClient):
    accounts = await client.brokerage.get_accounts()
    account = next(a["AccountID"] for a in accounts if a.get("AccountType") == "Margin")
    quote = (await client.market_data.get_quotes("AAPL"))[0]
    resting = (Decimal(str(quote["Last"])) * Decimal("0.8")).quantize(Decimal("0.01"))
    placed = set()
    for quantity in range(1, 6):
        answer = await client.order_execution.place_order({
            "AccountID": account, "Symbol": "AAPL", "Quantity": str(quantity),
            "OrderType": "Limit", "LimitPrice": str(resting), "TradeAction": "BUY",
            "TimeInForce": {"Duration": "DAY"}, "Route": "Intelligent"})
        placed.add(answer["OrderID"])
    paged = [o["OrderID"] for o in await client.brokerage.get_orders(account, page_size=2)]
    assert placed <= set(paged), "orders beyond the first page were left out"
    assert len(paged) == len(set(paged)) >= 5  # no page read twice
    whole = {o["OrderID"] for o in await client.brokerage.get_orders(account)}
    assert placed <= whole
