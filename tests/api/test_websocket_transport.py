"""The WebSocket transport streams from the simulator and needs a token."""

from __future__ import annotations

import pytest
from api_helpers import Recorder

from tsdash.api import AuthError, WebSocketStream


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
