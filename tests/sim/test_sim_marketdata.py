"""Quotes and bars: paths, media types, chunked NDJSON framing, payload shapes, limits, errors."""

from __future__ import annotations

import json

import pytest
from sim_helpers import MARKET_MEDIA, auth, data_only, has_fields, read_messages, validate

QUOTE_FULL_FIELDS = ("Symbol", "Open", "High", "Low", "PreviousClose", "Last", "LastSize",
                     "LastVenue", "Ask", "AskSize", "Bid", "BidSize", "NetChange", "NetChangePct",
                     "Volume", "PreviousVolume", "VWAP", "TradeTime", "Close", "MarketFlags",
                     "High52Week", "Low52Week", "DailyOpenInterest", "TickSizeTier")
BAR_FIELDS = ("Open", "High", "Low", "Close", "TimeStamp", "TotalVolume", "Epoch", "BarStatus",
              "IsRealtime", "IsEndOfHistory", "UpTicks", "DownTicks", "UpVolume", "DownVolume",
              "TotalTicks")
PRICE_FIELDS = ("Open", "High", "Low", "Close", "Last", "Bid", "Ask", "PreviousClose",
                "NetChange", "Volume", "BidSize", "AskSize", "LastSize", "TotalVolume")


def assert_strings(msg: dict) -> None:
    for name in PRICE_FIELDS:
        if name in msg:
            assert isinstance(msg[name], str), f"{name} should be a string in {msg}"
            float(msg[name])


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


@pytest.mark.parametrize("accept", [None, "application/json", "*/*",
                                    "application/vnd.tradestation.streams.v2+json",
                                    "application/vnd.tradestation.streams.v3+json",
                                    "text/html, application/json;q=0.9"])
async def test_accept_headers_real_clients_send(sim, session, accept):
    headers = auth(sim) if accept is None else auth(sim, Accept=accept)
    if accept is None:
        session.headers.pop("Accept", None)
    url = f"{sim.base_url}/marketdata/stream/quotes/SPY"
    async with session.get(url, headers=headers, skip_auto_headers=["Accept"]) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == MARKET_MEDIA
        (first,) = await read_messages(resp, 1)
    assert first["Symbol"] == "SPY"


async def test_an_accept_header_without_json_is_refused_in_tradestation_shape(sim, session):
    url = f"{sim.base_url}/marketdata/quotes/SPY"
    async with session.get(url, headers=auth(sim, Accept="text/html")) as resp:
        assert resp.status == 406
        assert (await resp.json())["Error"] == "NotAcceptable"


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


@pytest.mark.parametrize("path", ["/marketdata/stream/quotes/", "/marketdata/stream/quotes/,,",
                                  "/marketdata/quotes/"])
async def test_empty_symbol_lists_are_bad_requests(sim, session, path):
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        assert resp.status == 400
        assert (await resp.json())["Error"] == "BadRequest"


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


async def test_bar_stream_history_then_live_bar_open_to_closed(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.base_url}/marketdata/stream/barcharts/AAPL?interval=1&unit=Minute&barsback=5"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == MARKET_MEDIA
        history = await read_messages(resp, 5)
        for bar in history:
            has_fields(bar, *BAR_FIELDS)
            validate(bar, "Bar")
            assert_strings(bar)
            assert bar["IsRealtime"] is False
        assert [b["IsEndOfHistory"] for b in history] == [False] * 4 + [True]
        assert [b["BarStatus"] for b in history] == ["Closed"] * 4 + ["Open"]
        epochs = [b["Epoch"] for b in history]
        assert epochs == sorted(epochs) and len(set(epochs)) == 5
        assert all(b - a == 60_000 for a, b in zip(epochs, epochs[1:], strict=False))
        assert history[-1]["TimeStamp"] == "2026-11-25T14:31:00Z"
        sim.advance(610)  # one minute is 600 steps of 0.1 s
        next_epoch = history[-1]["Epoch"] + 60_000
        live = await read_messages(resp, timeout=2.0, heartbeats=False,
                                   until=lambda m: m["Epoch"] == next_epoch)
    assert live, "the live bar should update as the market trades"
    current = [b for b in live if b["Epoch"] == history[-1]["Epoch"]]
    assert [b["BarStatus"] for b in current][-1] == "Closed"
    assert all(b["BarStatus"] == "Open" for b in current[:-1])
    following = [b for b in live if b["Epoch"] == history[-1]["Epoch"] + 60_000]
    assert following and all(b["BarStatus"] == "Open" for b in following)
    for bar in live:
        validate(bar, "Bar")
        assert bar["IsRealtime"] is True and bar["IsEndOfHistory"] is False
        assert float(bar["Low"]) <= float(bar["Open"]) <= float(bar["High"])
        assert float(bar["Low"]) <= float(bar["Close"]) <= float(bar["High"])
        assert bar["TotalTicks"] == bar["UpTicks"] + bar["DownTicks"]
        assert int(bar["TotalVolume"]) == bar["UpVolume"] + bar["DownVolume"]


@pytest.mark.parametrize("query", ["unit=Daily&barsback=3", "unit=weekly&barsback=2",
                                   "unit=Monthly&barsback=2", "interval=5&unit=minute&barsback=4"])
async def test_bar_units(sim, session, query):
    url = f"{sim.base_url}/marketdata/stream/barcharts/SPY?{query}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        barsback = int(query.rsplit("=", 1)[1])
        bars = await read_messages(resp, barsback)
    assert len(bars) == barsback
    assert bars[-1]["IsEndOfHistory"] is True
    for bar in bars:
        validate(bar, "Bar")


@pytest.mark.parametrize("query, words", [
    ("unit=Hourly", "unit"), ("interval=0&unit=Minute", "interval"),
    ("interval=1441&unit=Minute", "1440"), ("interval=2&unit=Daily", "interval"),
    ("barsback=57601&unit=Minute", "57600"), ("barsback=abc", "barsback"),
])
async def test_bad_bar_parameters_are_400_in_tradestation_shape(sim, session, query, words):
    for path in ("/marketdata/stream/barcharts/SPY", "/marketdata/barcharts/SPY"):
        async with session.get(f"{sim.base_url}{path}?{query}", headers=auth(sim)) as resp:
            assert resp.status == 400, path
            body = await resp.json()
        assert body["Error"] == "BadRequest"
        assert words in body["Message"]


async def test_bar_stream_for_an_unknown_symbol_reports_it_and_stays_open(sim, session):
    url = f"{sim.base_url}/marketdata/stream/barcharts/XYZ?unit=Minute&barsback=3"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        messages = await read_messages(resp, 2, timeout=2)
    assert messages[0] == {"Symbol": "XYZ", "Error": "FAILED, INVALID SYMBOL"}
    assert "Heartbeat" in messages[1]


async def test_rest_barcharts(sim, session):
    url = f"{sim.base_url}/marketdata/barcharts/MSFT?interval=1&unit=Minute&barsback=10"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        body = await resp.json()
    validate(body, "Bars")
    assert len(body["Bars"]) == 10
    assert body["Bars"][-1]["BarStatus"] == "Open"
    async with session.get(f"{sim.base_url}/marketdata/barcharts/XYZ", headers=auth(sim)) as resp:
        assert resp.status == 404
        assert (await resp.json())["Error"] == "NotFound"


async def test_history_joins_the_market(fixed_sim, session):
    """The last historical bar closes where the live market starts (no gap at step 0)."""
    sim = fixed_sim
    url = f"{sim.base_url}/marketdata/barcharts/AAPL?unit=Minute&barsback=3"
    async with session.get(url, headers=auth(sim)) as resp:
        bars = (await resp.json())["Bars"]
    quote_url = f"{sim.base_url}/marketdata/quotes/AAPL"
    async with session.get(quote_url, headers=auth(sim)) as resp:
        quote = (await resp.json())["Quotes"][0]
    assert bars[-2]["Close"] == quote["Last"]


def test_schema_validation_is_strict():
    """The checks above can fail: invented fields and non-string prices are refused."""
    import jsonschema

    for payload, name in (({"Symbol": "A", "Invented": "x"}, "QuoteStream"),
                          ({"Symbol": "A", "Last": 5.0}, "QuoteStream"),
                          ({"PositionID": "1", "Extra": True}, "Position")):
        with pytest.raises(jsonschema.ValidationError):
            validate(payload, name)
