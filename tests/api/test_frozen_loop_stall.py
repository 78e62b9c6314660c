"""A process that was stopped and continued (SIGSTOP/SIGCONT) is not a stalled server
(issue 11, item 8). The simulator runs on its own thread and event loop here, so it keeps
sending heartbeats while the test blocks the client's loop with time.sleep(), which is what a
stopped process looks like to the loop: on waking, the bytes wait in the socket, unread, and
time.monotonic() has jumped past read_timeout."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from api_helpers import Recorder

from tsdash.api import StreamConnectionError


class ThreadedSim:
    """A simulator on a thread of its own (its own event loop)."""

    def __init__(self, **options: Any) -> None:
        from tsdash.sim import start_simulator

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sim", daemon=True)
        self.thread.start()
        options.setdefault("host", "127.0.0.1")
        options.setdefault("port", 0)
        options.setdefault("demo_trader", False)
        self.sim = self.run(start_simulator(**options))

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        async def call() -> Any:
            return fn(*args, **kwargs)

        return self.run(call())

    def stop(self) -> None:
        self.run(self.sim.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def threaded_sim() -> Iterator[ThreadedSim]:
    sim = ThreadedSim(heartbeat_interval=1.0)
    yield sim
    sim.stop()


async def test_a_frozen_loop_with_heartbeats_waiting_is_not_a_stall(threaded_sim,
                                                                   make_client):
    """read_timeout 2 s (the watchdog looks every 0.5 s), heartbeats every 1 s. The freeze
    starts 0.7 s after the snapshot, once the watchdog has seen it and before the next
    heartbeat: on waking, the watchdog's first look finds nothing read for 3 s although
    heartbeats wait in the socket."""
    client = make_client(threaded_sim.sim, read_timeout=2.0)
    rec = Recorder()
    sub = await client.order_execution.stream_order_updates(**rec.callbacks())
    await rec.wait_until(lambda: "snapshot_end" in rec.events, what="the snapshot")
    await asyncio.sleep(0.7)
    time.sleep(3.0)  # the process is "stopped": the loop does not run, the server goes on
    await asyncio.sleep(2.5)  # more than read_timeout of running loop
    time.sleep(3.0)  # and again, whatever the phase of the heartbeats now
    await asyncio.sleep(2.5)
    assert rec.errors == []
    assert sub.state == "live" and sub.last_error is None
    assert "disconnected" not in rec.events
    assert rec.events.count("live") == 1  # never reconnected


async def test_a_real_stall_across_a_frozen_loop_is_still_detected(threaded_sim, make_client):
    client = make_client(threaded_sim.sim, read_timeout=2.0)
    rec = Recorder()
    sub = await client.order_execution.stream_order_updates(**rec.callbacks())
    await rec.wait_until(lambda: "snapshot_end" in rec.events, what="the snapshot")
    threaded_sim.call(threaded_sim.sim.faults.stall, seconds=15, stream="orders")
    time.sleep(3.0)  # frozen while the server is silent too
    woke = time.monotonic()
    await rec.wait_until(lambda: sub.state == "disconnected", timeout=8, what="the stall")
    # within about read_timeout of the loop running again (bounded loosely for loaded machines)
    assert time.monotonic() - woke < 5.0
    assert isinstance(sub.last_error, StreamConnectionError)
    assert "read_timeout" in str(sub.last_error)


async def test_a_frozen_loop_is_not_a_stall_on_a_websocket(threaded_sim):
    import aiohttp

    from tsdash.api import WebSocketStream

    sim = threaded_sim.sim
    rec = Recorder()
    async with aiohttp.ClientSession() as session:
        ws = WebSocketStream(sim.base_url + "/ws", session=session, read_timeout=2.0)
        ws.set_callback(rec.on_data)
        ws.set_error_callback(rec.on_error)
        await ws.start({"Authorization": f"Bearer {threaded_sim.call(sim.issue_token)}"})
        await ws.send({"action": "subscribe", "id": "q1", "stream": "quotes",
                       "symbols": ["AAPL"]})
        await rec.wait_until(lambda: len(rec.messages) >= 2, what="quotes")
        time.sleep(3.0)  # frozen; quotes keep coming
        await asyncio.sleep(1.0)
        assert ws.exception is None and ws.connected
        n = len(rec.messages)
        await rec.wait_until(lambda: len(rec.messages) > n, what="more quotes")
        await ws.close()
    assert rec.errors == []


async def test_a_real_stall_on_a_websocket_is_still_detected(tsim):
    import aiohttp

    from tsdash.api import WebSocketStream

    rec = Recorder()
    async with aiohttp.ClientSession() as session:
        ws = WebSocketStream(tsim.base_url + "/ws", session=session, read_timeout=0.5)
        ws.set_callback(rec.on_data)
        await ws.start({"Authorization": f"Bearer {tsim.issue_token()}"})
        await ws.send({"action": "subscribe", "id": "q1", "stream": "quotes",
                       "symbols": ["AAPL"]})
        await rec.wait_until(lambda: len(rec.messages) >= 2, what="quotes")
        tsim.faults.stall(seconds=10, stream="ws")
        started = time.monotonic()
        assert await asyncio.wait_for(ws.wait_closed(), timeout=5) is not None
        assert time.monotonic() - started < 3.0
        assert isinstance(ws.exception, StreamConnectionError)
        assert "read_timeout" in str(ws.exception)
        await ws.close()
