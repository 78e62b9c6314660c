"""A 401 on a stream refreshes the token once; tokens stay out of logs; close closes the token
session."""

from __future__ import annotations

import asyncio

from api_helpers import Recorder, stream_requests

from tsdash.api import AuthError


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
