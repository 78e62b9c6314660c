"""Opening, reconnecting, unsubscribing and closing streams and the client leave nothing behind."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_helpers import Recorder, api_tasks, stream_requests, wait_for

from tsdash.api import ClosedError, TradeStationClient


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
