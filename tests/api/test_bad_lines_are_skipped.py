"""Malformed and overlong lines are reported and skipped; the stream goes on."""

from __future__ import annotations

from api_helpers import quote_ok, stream_requests

from tsdash.api import ProtocolError


async def test_malformed_line_is_reported_and_skipped(tsim, client, recorder):
    tsim.faults.malformed_line(after=4, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    await recorder.wait_until(lambda: len(recorder.messages) >= 10, what="10 quotes")
    (error,) = recorder.errors
    assert isinstance(error, ProtocolError) and error.raw
    assert all(quote_ok(m) for m in recorder.messages)
    assert sub.state == "live" and len(stream_requests(tsim, "stream/quotes")) == 1


async def test_overlong_line_is_reported_and_skipped(tsim, client, recorder):
    tsim.faults.overlong_line(after=4, size=2 * 1024 * 1024, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    await recorder.wait_until(lambda: len(recorder.messages) >= 10, what="10 quotes")
    (error,) = recorder.errors
    assert isinstance(error, ProtocolError) and "longer than" in str(error)
    assert all(quote_ok(m) and len(str(m)) < 10_000 for m in recorder.messages)
    assert sub.state == "live"
