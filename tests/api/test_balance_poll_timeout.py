"""A balance poll that gets no answer leaves "live" after read_timeout, like a silent stream
(issue 11, item 7): the simulator holds the balances answer (stall fault, stream="balances")."""

from __future__ import annotations

import time

from api_helpers import Recorder, stream_requests

from tsdash.api import StreamConnectionError


async def test_hung_balance_poll_disconnects_after_read_timeout(make_sim, make_client):
    sim = await make_sim(clock="fixed")
    client = make_client(sim, read_timeout=0.5)
    rec = Recorder()
    sub = await client.brokerage.stream_balance_changes(interval=0.1, **rec.callbacks())
    assert sub.state == "live"
    sim.faults.stall(stream="balances", seconds=30)
    started = time.monotonic()
    # the REST timeout is 30 s: without the poll's own timeout this stays live far longer
    await rec.wait_until(lambda: sub.state == "disconnected", timeout=8,
                         what="the hung poll to be noticed")
    assert time.monotonic() - started < 6.0
    assert isinstance(sub.last_error, StreamConnectionError)
    assert "read_timeout" in str(sub.last_error) and "balance" in str(sub.last_error)
    assert rec.errors == [sub.last_error]
    await sub.reconnect()  # the stall fired once: the next poll is answered
    assert sub.state == "live" and sub.last_error is None


async def test_hung_first_balance_poll_with_auto_reconnect_says_why_and_when(make_sim,
                                                                             make_client):
    sim = await make_sim(clock="fixed")
    client = make_client(sim, read_timeout=0.5, auto_reconnect=True)
    rec = Recorder()
    sim.faults.stall(stream="balances", seconds=30)
    sub = await client.brokerage.stream_balance_changes(interval=0.1, **rec.callbacks())
    # the first poll hung: reconnecting, with the reason and the next attempt's time
    assert sub.state == "reconnecting"
    assert isinstance(sub.last_error, StreamConnectionError)
    assert "read_timeout" in str(sub.last_error)
    assert sub.retry_at is not None
    await rec.wait_until(lambda: sub.state == "live", timeout=8, what="live again")
    assert rec.messages  # the balances came with the next poll
    assert len(stream_requests(sim, "/balances")) >= 2
