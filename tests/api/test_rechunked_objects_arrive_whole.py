"""Objects split across or packed into chunks by the server arrive whole and in order."""

from __future__ import annotations

import asyncio

from api_helpers import Recorder, quote_ok


async def test_rechunked_objects_arrive_whole_and_in_order(make_sim, make_client):
    """Objects split across chunks and packed several per chunk: same dicts as unsplit."""
    plain_sim = await make_sim(seed=5, clock="fixed", demo_trader=True)
    split_sim = await make_sim(seed=5, clock="fixed", demo_trader=True)
    split_sim.faults.rechunk(True)
    results = []
    for sim in (plain_sim, split_sim):
        rec = Recorder()
        client = make_client(sim)
        await client.brokerage.stream_position_changes(**rec.callbacks())
        await client.order_execution.stream_order_updates(**rec.callbacks())
        await client.market_data.stream_bars("SPY", "1", "Minute", 50, **rec.callbacks())
        await rec.wait_until(lambda: len(rec.messages) >= 50 and rec.events.count(
            "snapshot_end") >= 2, what="snapshots and 50 bars")
        await asyncio.sleep(0.2)
        assert rec.errors == []
        results.append(rec.messages)
    plain, split = results
    # the same payloads, in the same order per stream
    key = lambda ms, k: [m for m in ms if k in m]  # noqa: E731
    for k in ("PositionID", "OrderID", "TimeStamp"):
        assert key(split, k) == key(plain, k) and key(plain, k)


async def test_rechunked_quote_stream_delivers_only_whole_dicts(tsim, client, recorder):
    tsim.faults.rechunk(True)
    sub = await client.market_data.stream_quotes(["AAPL", "MSFT", "SPY"], **recorder.callbacks())
    await recorder.wait_until(lambda: len(recorder.messages) >= 60, what="60 quotes")
    assert all(quote_ok(m) and m["Symbol"] in ("AAPL", "MSFT", "SPY")
               for m in recorder.messages)
    assert recorder.errors == [] and sub.state == "live"
