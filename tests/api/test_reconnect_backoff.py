"""Every reconnect backs off while the server keeps refusing to stay up, a GoAway's included,
and the backoff resets only after a healthy connection (issue 11, item 2).

Runs against the simulator over loopback; the policies are small (tens of milliseconds) and
record the delays asked for, so the assertions are on those delays and on lower bounds of time."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_helpers import Recorder, stream_requests

from tsdash.api import BackoffPolicy, StreamConnectionError


class RecordingBackoff(BackoffPolicy):
    """No jitter (rng at its maximum) and a log of every delay the subscription asked for."""

    def __init__(self, base: float, cap: float, healthy_after: float) -> None:
        super().__init__(base=base, cap=cap, rng=lambda: 1.0, healthy_after=healthy_after)
        object.__setattr__(self, "delays", [])

    def delay(self, attempt, retry_after=None):
        d = super().delay(attempt, retry_after)
        self.delays.append(d)
        return d


def live_gaps(rec: Recorder) -> list[float]:
    """Seconds between consecutive "live" events."""
    times = [t for event, t in rec.event_times if event == "live"]
    return [b - a for a, b in zip(times, times[1:])]


async def test_goaway_storm_backs_off_with_growing_gaps(tsim, make_client):
    """The issue's repro: GoAway after a few messages on every connection. The first GoAway is
    answered at once, later ones wait, longer and longer, with the state saying why."""
    policy = RecordingBackoff(base=0.05, cap=0.4, healthy_after=5.0)
    client = make_client(tsim, auto_reconnect=False, backoff=policy)
    rec = Recorder()
    tsim.faults.goaway(after=3, stream="quotes", times=1000, shape="status")
    sub = await client.market_data.stream_quotes(["AAPL", "MSFT"], **rec.callbacks())
    # while it waits after a GoAway: reconnecting, with the next attempt's time and the reason
    await rec.wait_until(lambda: sub.state == "reconnecting" and sub.retry_at is not None,
                         what="a backoff after GoAways")
    assert sub.retry_at > time.monotonic() - 1.0
    assert isinstance(sub.last_error, StreamConnectionError)
    assert "GoAway" in str(sub.last_error) and "in a row" in str(sub.last_error)
    window_start = len(stream_requests(tsim, "stream/quotes"))
    await asyncio.sleep(2.0)
    in_window = len(stream_requests(tsim, "stream/quotes")) - window_start
    # without backoff this is hundreds; with it, the waits alone (0.4 s each by now) allow few
    assert in_window <= 8, f"{in_window} requests in 2 s"
    # the delays double up to the cap; the first GoAway cost none
    assert policy.delays[:5] == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.4])
    # each wait really happened: a gap between two "live"s is at least the delay before it
    gaps = live_gaps(rec)
    assert len(gaps) >= 4
    for gap, delay in zip(gaps[1:], policy.delays):
        assert gap >= delay * 0.9
    # a GoAway is not an error for the error callback, whatever the storm
    assert rec.errors == []
    assert "disconnected" not in rec.events and "failed" not in rec.events
    await sub.unsubscribe()
    assert sub.retry_at is None and sub.last_error is None


async def test_goaway_after_a_healthy_stream_reconnects_at_once_after_a_storm(tsim,
                                                                             make_client):
    """Three short-lived connections ended by GoAway back off; then a connection that stays up
    past healthy_after ends with GoAway too: that one is answered at once (the count reset)."""
    policy = RecordingBackoff(base=0.05, cap=0.4, healthy_after=0.5)
    client = make_client(tsim, backoff=policy)
    rec = Recorder()
    tsim.faults.goaway(after=2, stream="quotes", times=3, shape="status")
    long_one = tsim.faults.goaway(after=60, stream="quotes", times=1, shape="status")  # ~1.2 s
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    await rec.wait_until(lambda: long_one.fired == 1 and
                         len(stream_requests(tsim, "stream/quotes")) >= 5 and
                         sub.state == "live", timeout=10, what="live after the long stream")
    await asyncio.sleep(0.3)  # room for a wrong delay to be asked for
    # first GoAway at once, then 0.05 and 0.1; the GoAway after the healthy stream at once
    assert policy.delays == pytest.approx([0.05, 0.1])
    assert sub.state == "live" and sub.last_error is None
    assert rec.errors == []


async def test_auto_reconnect_resets_only_after_a_healthy_connection(tsim, make_client):
    """Five refused attempts grow the delay to its cap; a connection that drops after a few
    messages (up less than healthy_after) does not reset it; one that stayed up does."""
    policy = RecordingBackoff(base=0.02, cap=0.08, healthy_after=0.5)
    client = make_client(tsim, auto_reconnect=True, backoff=policy)
    rec = Recorder()
    tsim.faults.server_error(times=5, status=503, stream="quotes")
    tsim.faults.drop_mid_object(after=3, stream="quotes")    # ~0.06 s at 50 quotes/s
    tsim.faults.drop_mid_object(after=60, stream="quotes")   # ~1.2 s
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    assert sub.state == "reconnecting" and sub.last_error.status == 503
    assert sub.retry_at is not None
    await rec.wait_until(lambda: len(stream_requests(tsim, "stream/quotes")) >= 8 and
                         sub.state == "live", timeout=10, what="live after the faults")
    assert policy.delays == pytest.approx([0.02, 0.04, 0.08, 0.08, 0.08, 0.08, 0.02])
    assert "disconnected" not in rec.events
    assert sub.last_error is None and sub.retry_at is None


async def test_reconnecting_exposes_reason_and_next_attempt(tsim, make_client):
    """With auto_reconnect, while waiting: the reason (last_error) and when the next attempt is
    (retry_at); during the attempt itself retry_at is None again."""
    policy = BackoffPolicy(base=0.6, cap=0.6, rng=lambda: 1.0)
    client = make_client(tsim, auto_reconnect=True, backoff=policy)
    rec = Recorder()
    tsim.faults.server_error(times=2, status=503, stream="quotes")
    before = time.monotonic()
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    assert sub.state == "reconnecting"
    assert sub.last_error is not None and sub.last_error.status == 503
    assert sub.retry_at is not None and sub.retry_at >= before + 0.6
    await rec.wait_until(lambda: sub.state == "live", timeout=10, what="live again")
    assert sub.retry_at is None and sub.last_error is None
