"""reconnect() raises what stopped it and retries a failed stream."""

from __future__ import annotations

import pytest


async def test_reconnect_raises_what_stopped_it(tsim, client, recorder):
    tsim.faults.server_error(times=1, status=503, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    tsim.faults.server_error(times=1, status=502, stream="quotes")
    with pytest.raises(Exception) as info:
        await sub.reconnect()
    assert getattr(info.value, "status", None) == 502
    assert sub.state == "disconnected"
    await sub.reconnect()
    assert sub.state == "live"


async def test_reconnect_from_failed_is_a_retry(tsim, client, recorder):
    tsim.faults.unauthorized(times=2, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "failed"
    await sub.reconnect()  # the user signed in again, say
    assert sub.state == "live" and sub.last_error is None
    await recorder.wait_until(lambda: recorder.messages, what="quotes")
