"""Starting, stopping, client disconnects, request records, errors that never leak a traceback,
and the explicit quote rate."""

from __future__ import annotations

import asyncio
import errno
import gc
import json
import time
import warnings

import pytest
from sim_helpers import auth, read_messages, wait_for

from tsdash.sim import start_simulator
from tsdash.sim.universe import SYMBOLS

QUOTES = "/marketdata/stream/quotes/SPY,QQQ"


async def test_urls(sim):
    assert sim.base_url == f"http://127.0.0.1:{sim.port}/v3"
    assert sim.root_url == f"http://127.0.0.1:{sim.port}"
    assert sim.token_url == sim.root_url + "/oauth/token"


async def test_open_streams_drop_within_a_second_of_a_client_leaving(sim, session):
    resp = await session.get(sim.base_url + QUOTES, headers=auth(sim))
    await read_messages(resp, 2)
    other = await session.get(sim.base_url + "/brokerage/stream/accounts/SIM1234567M/orders",
                              headers=auth(sim))
    await read_messages(other, 1)
    assert sim.open_streams == 2
    resp.close()
    started = time.monotonic()
    await wait_for(lambda: sim.open_streams == 1, timeout=2, what="the quote stream to end")
    assert time.monotonic() - started < 1.0
    other.close()
    await wait_for(lambda: sim.open_streams == 0, timeout=2, what="the orders stream to end")


async def test_stop_ends_open_streams_and_leaves_no_task_behind(session):
    sim = await start_simulator(port=0, heartbeat_interval=0.5)
    resp = await session.get(sim.base_url + QUOTES, headers=auth(sim))
    await read_messages(resp, 2)
    ws = await session.ws_connect(sim.base_url + "/ws", headers=auth(sim))
    await ws.send_json({"action": "subscribe", "id": "q", "stream": "quotes", "symbols": ["SPY"]})
    await ws.receive()
    assert sim.open_streams == 2
    await sim.stop()
    assert sim.open_streams == 0
    rest = await read_messages(resp, timeout=2)
    assert resp.content.at_eof()
    assert all("Symbol" in m or "Heartbeat" in m for m in rest)
    closing = await ws.receive()
    assert ws.closed or closing.type.name in ("CLOSE", "CLOSING", "CLOSED")
    resp.close()
    await ws.close()
    await sim.stop()  # idempotent
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert pending == []


async def test_stop_leaves_no_resource_warning(session):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with await start_simulator(port=0) as sim:
            resp = await session.get(sim.base_url + QUOTES, headers=auth(sim))
            await read_messages(resp, 3)
            resp.close()
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


async def test_port_in_use_raises_eaddrinuse():
    first = await start_simulator(port=0)
    try:
        with pytest.raises(OSError) as info:
            await start_simulator(port=first.port)
        assert info.value.errno == errno.EADDRINUSE
    finally:
        await first.stop()


async def test_requests_are_recorded(sim, session):
    async with session.get(sim.base_url + "/marketdata/barcharts/SPY?unit=Minute&barsback=2",
                           headers=auth(sim)) as resp:
        assert resp.status == 200
    async with session.get(sim.base_url + "/brokerage/accounts") as resp:
        assert resp.status == 401
    first, second = sim.requests[-2:]
    assert (first.method, first.path, first.query, first.authorized) == (
        "GET", "/v3/marketdata/barcharts/SPY", {"unit": "Minute", "barsback": "2"}, True)
    assert (second.path, second.authorized) == ("/v3/brokerage/accounts", False)


@pytest.mark.parametrize("method, path, status, error", [
    ("GET", "/v3/nowhere", 404, "NotFound"),
    ("GET", "/v3/marketdata/stream/optionchains/SPY", 404, "NotFound"),
    ("GET", "/elsewhere", 404, "NotFound"),
    ("PUT", "/v3/brokerage/accounts", 405, "MethodNotAllowed"),
])
async def test_unknown_paths_and_methods_answer_json(sim, session, method, path, status, error):
    async with session.request(method, sim.root_url + path, headers=auth(sim)) as resp:
        assert resp.status == status
        body = await resp.json()
    assert body["Error"] == error and body["Message"]


async def test_unexpected_exceptions_become_500_json(sim, session, monkeypatch, caplog):
    def boom(*args):
        raise RuntimeError("model bug")

    monkeypatch.setattr(sim.engine.book, "balance_payload", boom)
    async with session.get(sim.base_url + "/brokerage/accounts/SIM1234567M/balances",
                           headers=auth(sim)) as resp:
        assert resp.status == 500
        body = await resp.json()
    assert body["Error"] == "InternalServerError" and "Traceback" not in body["Message"]
    assert any("model bug" in r.getMessage() or r.exc_info for r in caplog.records)


async def test_an_exception_inside_a_stream_ends_it_with_an_error_object(sim, session,
                                                                        monkeypatch):
    resp = await session.get(sim.base_url + QUOTES, headers=auth(sim))
    await read_messages(resp, 2)

    def broken(step):
        raise RuntimeError("model bug")

    monkeypatch.setattr(sim.engine.market, "record", broken)
    rest = await read_messages(resp, timeout=3)
    resp.close()
    assert rest[-1] == {"Error": "InternalServerError",
                        "Message": "The simulator hit an internal error."}


async def test_explicit_quote_rate_is_really_delivered(make_sim, session):
    sim = await make_sim(quote_rate=5000, demo_trader=False)
    symbols = list(SYMBOLS)[:100]
    url = f"{sim.base_url}/marketdata/stream/quotes/{','.join(symbols)}"
    async with session.get(url, headers=auth(sim)) as resp:
        full = await read_messages(resp, 100)
        assert [q["Symbol"] for q in full] == symbols
        count, started = 0, time.monotonic()
        while time.monotonic() - started < 1.0:
            line = await resp.content.readline()
            json.loads(line)
            count += 1
    assert count >= 3500, f"asked for 5000 quotes/s, got {count} in a second"
