"""A stream cut mid-object, stalled, or ended by a server error is disconnected and reconnects."""

from __future__ import annotations

import time

from api_helpers import Recorder, quote_ok, wait_for

from tsdash.api import StreamConnectionError


async def test_dropped_mid_object_then_reconnect(tsim, client, recorder):
    tsim.faults.drop_mid_object(after=5, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL", "MSFT"], **recorder.callbacks())
    await recorder.wait_until(lambda: sub.state == "disconnected", what="disconnected")
    assert len(recorder.messages) == 5  # the half object was not delivered
    assert all(quote_ok(m) for m in recorder.messages)
    assert isinstance(sub.last_error, StreamConnectionError)
    assert recorder.errors == [sub.last_error]
    assert not sub.is_active()
    await wait_for(lambda: tsim.open_streams == 0, what="the dropped stream to be gone")
    await sub.reconnect()
    assert sub.state == "live" and sub.last_error is None
    await recorder.wait_until(lambda: len(recorder.messages) >= 10, what="quotes after reconnect")
    assert all(quote_ok(m) for m in recorder.messages)
    assert recorder.events == ["connecting", "live", "disconnected", "connecting", "live"]


async def test_stall_longer_than_read_timeout_disconnects(tsim, make_client):
    client = make_client(tsim, read_timeout=0.6)
    rec = Recorder()
    tsim.faults.stall(after=3, seconds=5, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    started = time.monotonic()
    await rec.wait_until(lambda: sub.state == "disconnected", timeout=3, what="stall detected")
    assert time.monotonic() - started < 2.0
    assert isinstance(sub.last_error, StreamConnectionError)
    assert "read_timeout" in str(sub.last_error)
    assert len(rec.messages) == 3
    await sub.reconnect()
    assert sub.state == "live"
    n = len(rec.messages)
    await rec.wait_until(lambda: len(rec.messages) > n, what="quotes after reconnect")


async def test_server_error_is_disconnected_then_reconnect_works(tsim, client, recorder):
    tsim.faults.server_error(times=1, status=503, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "disconnected" and sub.last_error.status == 503
    await sub.reconnect()
    assert sub.state == "live"
