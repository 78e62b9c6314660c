"""The client keeps to the stream limit and splits more than 100 symbols over several streams."""

from __future__ import annotations

import pytest
from api_helpers import Recorder, stream_requests, wait_for

from tsdash.api import StreamLimitError


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
