"""Fixtures for the tsdash.api tests: a fast simulator, clients on it, a scripted server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from api_helpers import FAST_BACKOFF, Recorder, ScriptedServer, token_manager_for

from tsdash.api import TradeStationClient


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


# -- the simulator ---------------------------------------------------------------------------
SimFactory = Callable[..., Awaitable[Any]]


@pytest.fixture
async def make_sim() -> AsyncIterator[SimFactory]:
    """Start simulators tuned for fast tests (short heartbeat); all stopped at teardown."""
    from tsdash.sim import start_simulator

    sims: list[Any] = []

    async def factory(**options: Any) -> Any:
        options.setdefault("host", "127.0.0.1")
        options.setdefault("port", 0)
        options.setdefault("seed", 1)
        options.setdefault("heartbeat_interval", 0.5)
        options.setdefault("quote_rate", 50)
        options.setdefault("demo_trader", False)
        sim = await start_simulator(**options)
        sims.append(sim)
        return sim

    yield factory
    for sim in sims:
        await sim.stop()


@pytest.fixture
async def tsim(make_sim: SimFactory) -> Any:
    """A simulator with a 0.5 s heartbeat, 50 quotes/s per stream and no demo trader."""
    return await make_sim()


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., TradeStationClient]]:
    """Clients on a simulator (token manager by default); all closed at teardown."""
    clients: list[TradeStationClient] = []

    def factory(sim: Any, **options: Any) -> TradeStationClient:
        options.setdefault("base_url", sim.base_url)
        if "access_token" not in options:
            options.setdefault("token_manager", token_manager_for(sim))
        options.setdefault("read_timeout", 2.0)
        options.setdefault("backoff", FAST_BACKOFF)
        client = TradeStationClient(**options)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()


@pytest.fixture
async def client(tsim: Any, make_client: Callable[..., TradeStationClient]) -> TradeStationClient:
    return make_client(tsim)


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer()
    await server.start()
    yield server
    await server.stop()
