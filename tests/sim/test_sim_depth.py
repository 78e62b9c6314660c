"""Market depth streams (per participant and aggregated) and the crypto pair names."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote as urlquote

import pytest
from sim_helpers import MARKET_MEDIA, auth, read_messages, validate


async def test_depth_quotes_around_the_live_quote(fixed_sim, session):
    sim = fixed_sim
    async with session.get(f"{sim.base_url}/marketdata/quotes/MSFT", headers=auth(sim)) as resp:
        quote = (await resp.json())["Quotes"][0]
    url = f"{sim.base_url}/marketdata/stream/marketdepth/quotes/MSFT?maxlevels=5"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == MARKET_MEDIA
        (book,) = await read_messages(resp, 1)
        sim.advance(100)
        later = await read_messages(resp, 1, heartbeats=False)
    validate(book, "MarketDepthQuote")
    assert later, "the book is sent again when the quote changes"
    validate(later[0], "MarketDepthQuote")
    bid_prices = [Decimal(b["Price"]) for b in book["Bids"]]
    ask_prices = [Decimal(a["Price"]) for a in book["Asks"]]
    # maxlevels counts the quotes returned a side, one per price and participant
    assert bid_prices == sorted(bid_prices, reverse=True) and len(bid_prices) == 5
    assert ask_prices == sorted(ask_prices) and len(ask_prices) == 5
    assert book["Bids"][0]["Price"] == quote["Bid"] and book["Asks"][0]["Price"] == quote["Ask"]
    top_bid = sum(int(b["Size"]) for b in book["Bids"] if b["Price"] == quote["Bid"])
    assert top_bid == int(quote["BidSize"])
    assert all(b["Side"] == "Bid" for b in book["Bids"])


async def test_depth_aggregates_of_a_future_in_its_increments(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.base_url}/marketdata/stream/marketdepth/aggregates/{urlquote('@ES', safe='@')}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        (book,) = await read_messages(resp, 1)
    validate(book, "MarketDepthAggregate")
    assert len(book["Bids"]) == 20 and len(book["Asks"]) == 20  # the default maxlevels
    prices = [Decimal(b["Price"]) for b in book["Bids"]]
    assert all(a - b == Decimal("0.25") for a, b in zip(prices, prices[1:], strict=False))
    for level in book["Bids"] + book["Asks"]:
        assert int(level["SmallestSize"]) <= int(level["BiggestSize"]) <= int(level["TotalSize"])
        assert level["NumParticipants"] >= 1


@pytest.mark.parametrize("kind", ["quotes", "aggregates"])
@pytest.mark.parametrize("query", ["maxlevels=0", "maxlevels=abc", "maxlevels=-3"])
async def test_bad_maxlevels_is_400(fixed_sim, session, kind, query):
    url = f"{fixed_sim.base_url}/marketdata/stream/marketdepth/{kind}/MSFT?{query}"
    async with session.get(url, headers=auth(fixed_sim)) as resp:
        assert resp.status == 400
        body = await resp.json()
    validate(body, "ErrorResponse")
    assert body["Error"] == "BadRequest" and "maxlevels" in body["Message"]


@pytest.mark.parametrize("symbol", ["NOSUCH", "$SPX.X"])
async def test_depth_of_a_symbol_without_a_book_says_so_and_stays_open(fixed_sim, session,
                                                                       symbol):
    url = (f"{fixed_sim.base_url}/marketdata/stream/marketdepth/quotes/"
           f"{urlquote(symbol, safe='$')}")
    async with session.get(url, headers=auth(fixed_sim)) as resp:
        assert resp.status == 200
        messages = await read_messages(resp, 2, timeout=2)
    validate(messages[0], "StreamErrorResponse")
    assert symbol in messages[0]["Message"]
    validate(messages[1], "Heartbeat2")


async def test_crypto_pair_names(fixed_sim, session):
    url = f"{fixed_sim.base_url}/marketdata/symbollists/cryptopairs/symbolnames"
    async with session.get(url, headers=auth(fixed_sim)) as resp:
        assert resp.status == 200
        body = await resp.json()
    validate(body, "SymbolNames")
    assert body["SymbolNames"][:4] == ["BTCUSD", "ETHUSD", "LTCUSD", "BCHUSD"]
