"""maxlevels is what the document says: "the maximum number of market depth levels to return",
one returned entry a level and a side: participant quotes on the quotes stream (the best price
first, its sizes still adding up to the quote's), price aggregates on the aggregates stream."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sim_helpers import auth, read_messages, validate


async def first_book(sim, session, kind: str, symbol: str, levels: int) -> dict:
    url = f"{sim.base_url}/marketdata/stream/marketdepth/{kind}/{symbol}?maxlevels={levels}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        (book,) = await read_messages(resp, 1)
    return book


@pytest.mark.parametrize("symbol", ["MSFT", "AAPL", "NVDA"])
@pytest.mark.parametrize("levels", [1, 2, 3, 5])
async def test_maxlevels_bounds_the_quotes_returned_a_side(fixed_sim, session, symbol, levels):
    sim = fixed_sim
    async with session.get(f"{sim.base_url}/marketdata/quotes/{symbol}",
                           headers=auth(sim)) as resp:
        quote = (await resp.json())["Quotes"][0]
    book = await first_book(sim, session, "quotes", symbol, levels)
    validate(book, "MarketDepthQuote")
    assert len(book["Bids"]) == levels and len(book["Asks"]) == levels
    bids = [Decimal(b["Price"]) for b in book["Bids"]]
    asks = [Decimal(a["Price"]) for a in book["Asks"]]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0] == Decimal(quote["Bid"]) and asks[0] == Decimal(quote["Ask"])
    assert sum(int(b["Size"]) for b in book["Bids"] if b["Price"] == quote["Bid"]) \
        == int(quote["BidSize"])
    assert sum(int(a["Size"]) for a in book["Asks"] if a["Price"] == quote["Ask"]) \
        == int(quote["AskSize"])


@pytest.mark.parametrize("levels", [1, 2, 7])
async def test_maxlevels_bounds_the_aggregates_returned_a_side(fixed_sim, session, levels):
    book = await first_book(fixed_sim, session, "aggregates", "MSFT", levels)
    validate(book, "MarketDepthAggregate")
    assert len(book["Bids"]) == levels and len(book["Asks"]) == levels
    assert len({b["Price"] for b in book["Bids"]}) == levels
