"""Time-and-sales prints are derived from quotes."""

from __future__ import annotations

from tsdash.api import TimeAndSales


# -- time and sales --------------------------------------------------------------------------
async def test_time_and_sales_derivation():
    prints: list[dict] = []

    async def on_print(p: dict) -> None:
        prints.append(p)

    ts = TimeAndSales(on_print)
    # full first quote: a print (the last trade), size from LastSize
    await ts({"Symbol": "AAPL", "Bid": "10.00", "Ask": "10.02", "Last": "10.01",
              "LastSize": "100", "Volume": "5000", "TradeTime": "T1"})
    # a quote-only delta: no print, but it moves the known bid/ask
    await ts({"Symbol": "AAPL", "Bid": "10.01", "Ask": "10.03"})
    # trade at the ask, no LastSize: size from the Volume change
    await ts({"Symbol": "AAPL", "Last": "10.03", "Volume": "5300", "TradeTime": "T2"})
    # trade at the bid
    await ts({"Symbol": "AAPL", "Last": "10.01", "LastSize": "200", "Volume": "5500",
              "TradeTime": "T3"})
    # inside the spread
    await ts({"Symbol": "AAPL", "Last": "10.02", "LastSize": "50", "TradeTime": "T4"})
    # Last without TradeTime: not a print
    await ts({"Symbol": "AAPL", "Last": "10.02"})
    # the message's own bid/ask count as the latest known (merged before comparing)
    await ts({"Symbol": "AAPL", "Ask": "10.02", "Last": "10.02", "LastSize": "10",
              "TradeTime": "T5"})
    # another symbol has its own state: no bid/ask known yet
    await ts({"Symbol": "MSFT", "Last": "400", "TradeTime": "T6"})
    assert prints == [
        {"Symbol": "AAPL", "Price": "10.01", "Size": "100", "Time": "T1", "Side": "unknown"},
        {"Symbol": "AAPL", "Price": "10.03", "Size": "300", "Time": "T2", "Side": "buy"},
        {"Symbol": "AAPL", "Price": "10.01", "Size": "200", "Time": "T3", "Side": "sell"},
        {"Symbol": "AAPL", "Price": "10.02", "Size": "50", "Time": "T4", "Side": "unknown"},
        {"Symbol": "AAPL", "Price": "10.02", "Size": "10", "Time": "T5", "Side": "buy"},
        {"Symbol": "MSFT", "Price": "400", "Size": None, "Time": "T6", "Side": "unknown"},
    ]
    assert all(set(p) == {"Symbol", "Price", "Size", "Time", "Side"} for p in prints)
