"""Backoff ends at once on unsubscribe or close, and a 429 is honoured."""

from __future__ import annotations

import time

import pytest
from api_helpers import Recorder, api_tasks

from tsdash.api import BackoffPolicy, RateLimitError


async def test_unsubscribe_interrupts_backoff_at_once(tsim, make_client):
    client = make_client(tsim, auto_reconnect=True,
                         backoff=BackoffPolicy(base=30.0, cap=30.0))
    rec = Recorder()
    tsim.faults.drop_mid_object(after=2, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    await rec.wait_until(lambda: sub.state == "reconnecting", what="reconnecting")
    assert sub.retry_at is not None and sub.retry_at - time.monotonic() > 10
    started = time.monotonic()
    await sub.unsubscribe()
    assert time.monotonic() - started < 0.5
    assert sub.state == "closed"


async def test_client_close_interrupts_backoff_at_once(tsim, make_client):
    client = make_client(tsim, auto_reconnect=True,
                         backoff=BackoffPolicy(base=30.0, cap=30.0))
    rec = Recorder()
    tsim.faults.server_error(times=1, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    assert sub.state == "reconnecting"
    started = time.monotonic()
    await client.close()
    assert time.monotonic() - started < 0.5
    assert sub.state == "closed"
    assert api_tasks() == []


async def test_429_backoff_honours_retry_after(tsim, make_client):
    client = make_client(tsim, auto_reconnect=True)
    rec = Recorder()
    tsim.faults.rate_limit(times=1, retry_after=1, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    assert sub.state == "reconnecting"
    (error,) = rec.errors
    assert isinstance(error, RateLimitError) and error.retry_after == pytest.approx(1.0)
    t_fail = dict(rec.event_times)["reconnecting"]
    await rec.wait_until(lambda: sub.state == "live", timeout=5, what="live after the 429")
    t_live = [t for e, t in rec.event_times if e == "live"][-1]
    assert t_live - t_fail >= 0.95  # not the 20 ms the backoff policy alone would give


async def test_429_without_auto_reconnect_is_disconnected(tsim, client, recorder):
    tsim.faults.rate_limit(times=1, retry_after=1, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "disconnected"
    assert isinstance(sub.last_error, RateLimitError)
    await sub.reconnect()
    assert sub.state == "live"
