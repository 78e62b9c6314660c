"""The simulator's quote stream: chunked NDJSON, full quotes then deltas, per-symbol errors, limits,
heartbeats."""

from __future__ import annotations

import json

from sim_helpers import (
    MARKET_MEDIA,
    assert_strings,
    auth,
    data_only,
    has_fields,
    read_messages,
    validate,
)


QUOTE_FULL_FIELDS = ("Symbol", "Open", "High", "Low", "PreviousClose", "Last", "LastSize",
                     "LastVenue", "Ask", "AskSize", "Bid", "BidSize", "NetChange", "NetChangePct",
                     "Volume", "PreviousVolume", "VWAP", "TradeTime", "Close", "MarketFlags",
                     "High52Week", "Low52Week", "DailyOpenInterest", "TickSizeTier")


async def test_quote_stream_is_chunked_ndjson_with_full_quotes_then_deltas(sim, session):
    symbols = ["SPY", "QQQ", "AAPL", "MSFT", "NVDA"]
    url = f"{sim.base_url}/marketdata/stream/quotes/{','.join(symbols)}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == MARKET_MEDIA
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in resp.headers
        messages = data_only(await read_messages(resp, 60))
    first = messages[:5]
    assert [m["Symbol"] for m in first] == symbols
    for quote in first:
        has_fields(quote, *QUOTE_FULL_FIELDS)
        validate(quote, "QuoteStream")
        assert_strings(quote)
        assert float(quote["Bid"]) < float(quote["Ask"])
    deltas = messages[5:]
    assert len(deltas) >= 40
    for delta in deltas:
        validate(delta, "QuoteStream")
        assert_strings(delta)
        assert delta["Symbol"] in symbols
        assert len(delta) < len(first[0]), "later messages carry only what changed"
    trades = [d for d in deltas if "TradeTime" in d]
    quotes_only = [d for d in deltas if "TradeTime" not in d]
    assert trades and quotes_only
    for trade in trades:
        has_fields(trade, "Last", "LastSize", "LastVenue", "TradeTime", "Volume", "NetChange")
    for quote in quotes_only:
        assert set(quote) - {"Symbol"} <= {"Bid", "Ask", "BidSize", "AskSize"}
    # Volume only grows, and the trade deltas add up.
    volumes = {q["Symbol"]: int(q["Volume"]) for q in first}
    for trade in trades:
        assert int(trade["Volume"]) == volumes[trade["Symbol"]] + int(trade["LastSize"])
        volumes[trade["Symbol"]] = int(trade["Volume"])


async def test_each_chunk_of_a_plain_stream_ends_on_a_newline(sim, session):
    url = f"{sim.base_url}/marketdata/stream/quotes/SPY,QQQ,AAPL"
    async with session.get(url, headers=auth(sim)) as resp:
        chunks, current = [], b""
        async for data, end_of_chunk in resp.content.iter_chunks():
            current += data
            if end_of_chunk:
                chunks.append(current)
                current = b""
            if len(chunks) >= 6:
                break
    assert all(c.endswith(b"\n") for c in chunks)
    for chunk in chunks:
        for line in chunk.splitlines():
            json.loads(line)


async def test_unknown_symbol_gets_a_per_symbol_error_and_the_others_keep_streaming(sim, session):
    url = f"{sim.base_url}/marketdata/stream/quotes/AAPL,XYZ,SPY"
    async with session.get(url, headers=auth(sim)) as resp:
        messages = await read_messages(resp, 12, heartbeats=False)
    assert {"Symbol": "XYZ", "Error": "FAILED, INVALID SYMBOL"} in messages
    later = messages[3:]
    assert {m["Symbol"] for m in later} == {"AAPL", "SPY"}


async def test_at_most_100_symbols_per_quote_stream(sim, session):
    from tsdash.sim.universe import SYMBOLS

    names = list(SYMBOLS)
    url = f"{sim.base_url}/marketdata/stream/quotes/{','.join(names[:100])}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        first = await read_messages(resp, 100)
    assert [m["Symbol"] for m in first] == names[:100]
    url = f"{sim.base_url}/marketdata/stream/quotes/{','.join(names[:101])}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 400
        body = await resp.json()
    assert body["Error"] == "BadRequest" and "100" in body["Message"]
    validate(body, "ErrorResponse")


async def test_idle_stream_sends_heartbeats(sim, session):
    url = f"{sim.base_url}/marketdata/stream/quotes/NOSUCH1"
    async with session.get(url, headers=auth(sim)) as resp:
        messages = await read_messages(resp, 3, timeout=3)
    assert messages[0] == {"Symbol": "NOSUCH1", "Error": "FAILED, INVALID SYMBOL"}
    beats = messages[1:]
    assert [b["Heartbeat"] for b in beats] == [1, 2]
    for beat in beats:
        validate(beat, "Heartbeat")
        assert beat["Timestamp"].endswith("Z")


async def test_rest_quote_snapshot_lists_errors_separately(sim, session):
    url = f"{sim.base_url}/marketdata/quotes/MSFT,INVALID,spy"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("application/json")
        body = await resp.json()
    validate(body, "QuoteSnapshot")
    assert [q["Symbol"] for q in body["Quotes"]] == ["MSFT", "SPY"]
    assert body["Errors"] == [{"Symbol": "INVALID", "Error": "FAILED, INVALID SYMBOL"}]
    for quote in body["Quotes"]:
        has_fields(quote, *QUOTE_FULL_FIELDS)
