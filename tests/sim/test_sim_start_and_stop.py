"""The simulator starts on its URLs, drops a leaving client's streams, and stops leaving nothing
behind."""

from __future__ import annotations

import asyncio
import errno
import gc
import time
import warnings

import pytest
from sim_helpers import SPY_QQQ_QUOTES, auth, read_messages, wait_for

from tsdash.sim import start_simulator


async def test_urls(sim):
    assert sim.base_url == f"http://127.0.0.1:{sim.port}/v3"
    assert sim.root_url == f"http://127.0.0.1:{sim.port}"
    assert sim.token_url == sim.root_url + "/oauth/token"


async def test_open_streams_drop_within_a_second_of_a_client_leaving(sim, session):
    resp = await session.get(sim.base_url + SPY_QQQ_QUOTES, headers=auth(sim))
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
    resp = await session.get(sim.base_url + SPY_QQQ_QUOTES, headers=auth(sim))
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
            resp = await session.get(sim.base_url + SPY_QQQ_QUOTES, headers=auth(sim))
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
