"""Each fault on its own, injected by the simulator (sim.faults): rechunking, GoAway in both
shapes, dropped connection, auto-reconnect backoff, stall, malformed and over-long lines, 401,
429, close during backoff."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_helpers import Recorder, api_tasks, stream_requests, wait_for

from tsdash.api import (
    AuthError,
    BackoffPolicy,
    ProtocolError,
    RateLimitError,
    StreamConnectionError,
)


def quote_ok(m: dict) -> bool:
    return isinstance(m, dict) and isinstance(m.get("Symbol"), str) and len(m) >= 2


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


# backoff growth, cap and reset after a healthy connection: test_reconnect_backoff.py


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


async def test_401_then_success_after_one_refresh(tsim, client, recorder):
    await client._auth.token()  # a token in hand before the fault
    refreshes = client.token_manager.refresh_count
    tsim.faults.unauthorized(times=1, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "live"
    assert recorder.errors == []
    assert client.token_manager.refresh_count == refreshes + 1
    reqs = stream_requests(tsim, "stream/quotes")
    assert len(reqs) == 2
    await recorder.wait_until(lambda: recorder.messages)


async def test_401_twice_fails_with_auth_error(tsim, client, recorder):
    tsim.faults.unauthorized(times=2, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "failed" and not sub.is_active()
    (error,) = recorder.errors
    assert isinstance(error, AuthError) and "tsdash login" in str(error)
    assert sub.last_error is error
    assert client.token_manager.access_token not in str(error)
    assert recorder.events[-1] == "failed"
    assert len(stream_requests(tsim, "stream/quotes")) == 2


async def test_401_with_fixed_token_is_not_retried(tsim, make_client):
    client = make_client(tsim, access_token=tsim.issue_token(), token_manager=None,
                         auto_reconnect=True)
    rec = Recorder()
    tsim.expire_tokens()
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    assert sub.state == "failed"
    (error,) = rec.errors
    assert isinstance(error, AuthError) and "tsdash login" in str(error)
    await asyncio.sleep(0.2)
    assert len(stream_requests(tsim, "stream/quotes")) == 1  # no retry, no auto-reconnect


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


async def test_server_error_is_disconnected_then_reconnect_works(tsim, client, recorder):
    tsim.faults.server_error(times=1, status=503, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "disconnected" and sub.last_error.status == 503
    await sub.reconnect()
    assert sub.state == "live"


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


async def test_reconnect_asks_for_a_fresh_token(make_sim, make_client):
    sim = await make_sim(token_expires_in=2)  # refreshed 1 s before expiry
    client = make_client(sim)
    rec = Recorder()
    sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    assert client.token_manager.refresh_count == 1
    first_token = client.token_manager.access_token
    await asyncio.sleep(1.1)
    await sub.reconnect()
    assert client.token_manager.refresh_count == 2
    assert client.token_manager.access_token != first_token
    assert all(r.authorized for r in stream_requests(sim, "stream/quotes"))


async def test_tokens_never_reach_logs_or_errors(tsim, client, recorder, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    tsim.faults.unauthorized(times=3, stream="quotes")
    sub = await client.market_data.stream_quotes(["AAPL"], **recorder.callbacks())
    assert sub.state == "failed"
    tm = client.token_manager
    secrets = [tm.access_token, tm.refresh_token]
    text = caplog.text + " ".join(str(e) for e in recorder.errors) + repr(tm) + repr(client)
    assert all(s and s not in text for s in secrets)


async def test_close_closes_the_token_managers_session(tsim, make_client):
    client = make_client(tsim)
    rec = Recorder()
    await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
    session = client.token_manager._session
    assert session is not None and not session.closed
    await client.close()
    assert session.closed
