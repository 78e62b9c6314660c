"""The client against the simulator over loopback: quotes, bars, time and sales, WebSocket,
stream limit, sharding over 100 symbols, reconnect, unsubscribe/close, REST helpers."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_helpers import Recorder, api_tasks, stream_requests, wait_for

from tsdash.api import (
    AuthError,
    ClosedError,
    StreamLimitError,
    TradeStationClient,
    WebSocketStream,
)


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


async def test_stream_limit(tsim, make_client):
    client = make_client(tsim, max_concurrent_streams=2)
    assert client.stream_manager.max_concurrent_streams == 2
    rec = Recorder()
    a = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    await client.market_data.stream_bars("SPY", "1", "Minute", 2, **rec.callbacks())
    assert client.stream_manager.active_count == 2
    with pytest.raises(StreamLimitError) as info:
        await client.market_data.stream_quotes(["MSFT"], **rec.callbacks())
    assert isinstance(info.value, ValueError)
    assert "max_concurrent_streams=2" in str(info.value)
    assert len(stream_requests(tsim, "/stream/")) == 2  # nothing was opened for the third
    await a.unsubscribe()
    assert client.stream_manager.active_count == 1
    c = await client.market_data.stream_quotes(["MSFT"], **rec.callbacks())
    assert c.state == "live"


async def test_more_than_100_symbols_use_one_stream_per_100(tsim, make_client):
    from tsdash.sim.universe import SYMBOLS  # type: ignore[attr-defined]

    symbols = list(SYMBOLS)[:150]
    assert len(symbols) == 150
    client = make_client(tsim, max_concurrent_streams=3)
    rec = Recorder()
    sub = await client.market_data.stream_quotes(symbols, **rec.callbacks())
    assert client.stream_manager.active_count == 2 and len(sub.streams) == 2
    reqs = stream_requests(tsim, "marketdata/stream/quotes")
    assert sorted(len(r.path.rsplit("/", 1)[1].split(",")) for r in reqs) == [50, 100]
    await wait_for(lambda: tsim.open_streams == 2, what="2 open streams on the server")
    await rec.wait_until(lambda: len({m["Symbol"] for m in rec.messages} - set(symbols[:100]))
                         > 0, timeout=10, what="a quote from the second stream")
    assert sub.state == "live"
    # too few free slots: StreamLimitError before any stream is opened
    with pytest.raises(StreamLimitError):
        await client.market_data.stream_quotes(symbols, **rec.callbacks())
    assert len(stream_requests(tsim, "marketdata/stream/quotes")) == 2
    assert client.stream_manager.active_count == 2
    await sub.unsubscribe()
    assert client.stream_manager.active_count == 0
    await wait_for(lambda: tsim.open_streams == 0, what="server-side streams to end")


async def test_reconnect_from_live_opens_a_new_request(tsim, client, recorder):
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    await recorder.wait_until(lambda: recorder.messages)
    await sub.reconnect()
    assert sub.state == "live"
    assert len(stream_requests(tsim, "marketdata/stream/quotes")) == 2
    await wait_for(lambda: tsim.open_streams == 1, what="the old response to be closed")
    n = len(recorder.messages)
    await recorder.wait_until(lambda: len(recorder.messages) > n, what="quotes after reconnect")
    assert recorder.events[-2:] == ["connecting", "live"]


async def test_unsubscribe_ends_the_server_side_stream_and_is_idempotent(tsim, client, recorder):
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    await wait_for(lambda: tsim.open_streams == 1, what="the server to see the stream")
    await sub.unsubscribe()
    assert sub.state == "closed" and not sub.is_active()
    assert recorder.events[-1] == "closed"
    assert client.stream_manager.active_count == 0
    await wait_for(lambda: tsim.open_streams == 0, what="the server to see the stream end")
    await sub.unsubscribe()  # idempotent
    assert recorder.events.count("closed") == 1
    with pytest.raises(ClosedError):
        await sub.reconnect()
    n = len(recorder.messages)
    await asyncio.sleep(0.2)
    assert len(recorder.messages) == n  # nothing after unsubscribe


async def test_close_ends_everything_promptly_and_leaves_no_task(tsim, make_client):
    client = make_client(tsim)
    rec = Recorder()
    subs = [
        await client.market_data.stream_quotes(["AAPL", "MSFT"], **rec.callbacks()),
        await client.market_data.stream_bars("SPY", "1", "Minute", 3, **rec.callbacks()),
        await client.order_execution.stream_order_updates(**rec.callbacks()),
        await client.brokerage.stream_balance_changes(interval=0.2, **rec.callbacks()),
    ]
    await wait_for(lambda: tsim.open_streams == 3, what="3 streams open on the server")
    started = time.monotonic()
    await client.close()  # while every stream is in the middle of a read
    assert time.monotonic() - started < 0.5
    assert all(s.state == "closed" for s in subs)
    assert client.stream_manager.active_count == 0
    assert api_tasks() == []
    await client.close()  # idempotent
    await wait_for(lambda: tsim.open_streams == 0, what="the server to see the streams end")
    with pytest.raises(ClosedError):
        await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())


async def test_close_all_streams_keeps_the_client_usable(tsim, client, recorder):
    await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    await client.market_data.stream_quotes(["MSFT"], **recorder.callbacks())
    assert client.stream_manager.active_count == 2
    await client.close_all_streams()
    assert client.stream_manager.active_count == 0
    await wait_for(lambda: tsim.open_streams == 0, what="the server to see the streams end")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "live"


async def test_async_context_manager(tsim):
    from api_helpers import token_manager_for

    rec = Recorder()
    async with TradeStationClient(base_url=tsim.base_url,
                                  token_manager=token_manager_for(tsim)) as client:
        sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
        await rec.wait_until(lambda: rec.messages)
    assert sub.state == "closed" and client.closed


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


# -- WebSocket -------------------------------------------------------------------------------
async def test_websocket_stream_against_the_simulator(tsim):
    """The seed's usage: connect, send a subscribe message, parsed messages reach the async
    callback, close."""
    import aiohttp

    rec = Recorder()
    async with aiohttp.ClientSession() as session:
        ws = WebSocketStream(tsim.base_url + "/ws", session=session, read_timeout=2.0)
        ws.set_callback(rec.on_data)
        ws.set_error_callback(rec.on_error)
        await ws.start({"Authorization": f"Bearer {tsim.issue_token()}"})
        assert ws.connected
        await ws.send({"action": "subscribe", "id": "q1", "stream": "quotes",
                       "symbols": ["AAPL", "MSFT"]})
        await rec.wait_until(lambda: len(rec.messages) >= 5, what="5 quotes over WebSocket")
        assert {m["Symbol"] for m in rec.messages} <= {"AAPL", "MSFT"}
        assert not any("Heartbeat" in m for m in rec.messages)
        await ws.send({"action": "subscribe", "id": "x", "stream": "nonsense"})
        await rec.wait_until(lambda: rec.errors, what="the BadRequest error")
        assert rec.errors[0].error == "BadRequest"
        await ws.send({"action": "unsubscribe", "id": "q1"})
        await ws.close()
        assert ws.closed and not ws.connected
    assert len(rec.errors) == 1


async def test_stream_manager_seed_style_open_and_close(tsim, client):
    """StreamManager.open_stream creates, connects and reads in the background; the transport
    does not matter to it."""
    manager = client.stream_manager
    rec = Recorder()
    headers = {"Authorization": f"Bearer {tsim.issue_token()}"}
    http = await manager.open_stream(client.url("marketdata/stream/quotes/AAPL"),
                                     headers=headers, callback=rec.on_data)
    ws = await manager.open_stream(client.url("ws"), transport="ws", headers=headers,
                                   callback=rec.on_data,
                                   subscribe_message={"action": "subscribe", "id": "q",
                                                      "stream": "quotes", "symbols": ["MSFT"]})
    assert manager.active_count == 2 and set(manager.streams) == {http.id, ws.id}
    await rec.wait_until(lambda: {"AAPL", "MSFT"} <= {m["Symbol"] for m in rec.messages},
                         what="quotes on both transports")
    await manager.close_stream(http.id)
    await manager.close_stream(ws)
    assert manager.active_count == 0
    await wait_for(lambda: tsim.open_streams == 0, what="the server to see both end")


async def test_websocket_needs_a_token(tsim):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        ws = WebSocketStream(tsim.base_url + "/ws", session=session)
        with pytest.raises(AuthError) as info:
            await ws.connect()
        assert info.value.status == 401 and "tsdash login" in str(info.value)
        await ws.close()


async def test_subscription_over_websocket_transport(tsim, client, recorder):
    """StreamManager and Subscription do not care about the transport."""
    sub = await client.market_data.stream_quotes(["AAPL"], transport="ws",
                                                 **recorder.callbacks())
    assert isinstance(sub.streams[0], WebSocketStream)
    assert client.stream_manager.active_count == 1
    await recorder.wait_until(lambda: len(recorder.messages) >= 3, what="quotes over ws")
    await sub.reconnect()
    assert sub.state == "live"
    n = len(recorder.messages)
    await recorder.wait_until(lambda: len(recorder.messages) > n, what="quotes after reconnect")
    await sub.unsubscribe()
    assert client.stream_manager.active_count == 0
