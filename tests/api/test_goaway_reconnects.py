"""A GoAway from the server reconnects at once, without an error, and brings a new snapshot."""

from __future__ import annotations

import pytest
from api_helpers import Recorder, stream_requests, wait_for


@pytest.mark.parametrize("shape,kind", [("error", "quotes"), ("status", "orders")])
async def test_goaway_reconnects_at_once_without_error(make_sim, make_client, shape, kind):
    """GoAway in both shapes: a second request, no error reported, live again, even without
    auto_reconnect."""
    sim = await make_sim(demo_trader=(kind == "orders"))
    client = make_client(sim, auto_reconnect=False)
    rec = Recorder()
    sim.faults.goaway(after=2, shape=shape, stream=kind)
    if kind == "quotes":
        sub = await client.market_data.stream_quotes(["AAPL", "MSFT"], **rec.callbacks())
        path = "marketdata/stream/quotes"
    else:
        sub = await client.order_execution.stream_order_updates(**rec.callbacks())
        path = "/orders"
    await wait_for(lambda: len(stream_requests(sim, path)) >= 2, what="the second request")
    await rec.wait_until(lambda: sub.state == "live" and "reconnecting" in rec.events,
                         what="live again after GoAway")
    assert rec.errors == []
    assert sub.last_error is None
    assert "disconnected" not in rec.events and "failed" not in rec.events
    assert rec.events.count("reconnecting") == 1
    assert not any("GoAway" in str(m) for m in rec.messages)
    await wait_for(lambda: sim.open_streams == 1, what="one open stream")
    assert len(stream_requests(sim, path)) == 2


async def test_goaway_on_the_order_stream_brings_a_new_snapshot(make_sim, make_client):
    sim = await make_sim(demo_trader=True)
    client = make_client(sim)
    rec = Recorder()
    sim.faults.goaway(after=1, shape="status", stream="orders")
    await client.order_execution.stream_order_updates(**rec.callbacks())
    await rec.wait_until(lambda: rec.events.count("snapshot_end") >= 1 and
                         rec.events.count("snapshot_start") >= 2, what="a second snapshot")
    assert rec.errors == []
