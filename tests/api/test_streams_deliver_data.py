"""Quote, bar and time-and-sales streams deliver dicts; heartbeats and per-symbol errors do not stop
them."""

from __future__ import annotations

import asyncio
import time

from api_helpers import Recorder, stream_requests


async def test_quotes_stream_delivers_quote_dicts(tsim, client, recorder):
    sub = await client.market_data.stream_quotes(["AAPL", "MSFT"], **recorder.callbacks())
    assert sub.state == "live" and sub.is_active()
    assert recorder.events[:2] == ["connecting", "live"]
    await recorder.wait_until(lambda: len(recorder.messages) >= 10, what="10 quotes")
    assert all(isinstance(m, dict) and m["Symbol"] in ("AAPL", "MSFT")
               for m in recorder.messages)
    assert recorder.errors == []
    assert sub.last_error is None
    assert sub.last_message_at is not None and sub.last_message_at <= time.monotonic()
    assert isinstance(sub.id, str) and sub.id
    (req,) = stream_requests(tsim, "marketdata/stream/quotes")
    assert req.path.endswith("/marketdata/stream/quotes/AAPL,MSFT") and req.authorized


async def test_heartbeats_keep_a_quiet_stream_alive_and_never_reach_callbacks(make_sim,
                                                                             make_client):
    # no demo trader: after its snapshot the order stream carries only heartbeats (every 0.2 s)
    sim = await make_sim(heartbeat_interval=0.2)
    client = make_client(sim, read_timeout=0.6)
    rec = Recorder()
    sub = await client.order_execution.stream_order_updates(**rec.callbacks())
    await rec.wait_until(lambda: "snapshot_end" in rec.events, what="snapshot_end")
    count = len(rec.messages)
    await asyncio.sleep(1.5)  # 2.5x read_timeout of nothing but heartbeats
    assert sub.state == "live"
    assert rec.errors == []
    assert len(rec.messages) == count
    assert not any("Heartbeat" in m for m in rec.messages)
    assert len(stream_requests(sim, "/orders")) == 1


async def test_bars_stream(tsim, client, recorder):
    sub = await client.market_data.stream_bars("SPY", interval="1", unit="Minute", barsback=5,
                                               **recorder.callbacks())
    await recorder.wait_until(lambda: len(recorder.messages) >= 5, what="5 bars")
    for bar in recorder.messages:
        assert {"Open", "High", "Low", "Close", "TimeStamp", "TotalVolume"} <= set(bar)
    (req,) = stream_requests(tsim, "marketdata/stream/barcharts")
    assert req.path.endswith("/barcharts/SPY")
    assert req.query == {"interval": "1", "unit": "Minute", "barsback": "5"}
    assert sub.state == "live"


async def test_time_and_sales_stream_delivers_prints(tsim, client, recorder):
    sub = await client.market_data.stream_time_and_sales("AAPL", **recorder.callbacks())
    await recorder.wait_until(lambda: len(recorder.messages) >= 3, timeout=10, what="3 prints")
    for p in recorder.messages:
        assert set(p) == {"Symbol", "Price", "Size", "Time", "Side"}
        assert p["Symbol"] == "AAPL" and p["Side"] in ("buy", "sell", "unknown")
    assert sub.kind == "timesales"


async def test_per_symbol_error_goes_to_error_callback_others_keep_streaming(tsim, client,
                                                                             recorder):
    sub = await client.market_data.stream_quotes(["AAPL", "NOSUCHSYM"], **recorder.callbacks())
    await recorder.wait_until(lambda: recorder.errors, what="the symbol error")
    (error,) = recorder.errors
    assert error.symbol == "NOSUCHSYM" and "NOSUCHSYM" in str(error)
    before = len(recorder.messages)
    await recorder.wait_until(lambda: len(recorder.messages) >= before + 5, what="more quotes")
    assert {m["Symbol"] for m in recorder.messages} == {"AAPL"}
    assert sub.state == "live" and sub.last_error is None
