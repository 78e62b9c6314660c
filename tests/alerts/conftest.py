"""Fixtures for the alert tests: a simulator whose market moves only when stepped, clients on it."""

from __future__ import annotations

import pytest

from tsdash.api import BackoffPolicy, TradeStationClient
from tsdash.sim import start_simulator


@pytest.fixture
async def market():
    """Fixed clock, no demo trader: quotes change only on ``advance()``."""
    simulator = await start_simulator(port=0, seed=11, clock="fixed", demo_trader=False,
                                      heartbeat_interval=0.5)
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
async def make_client():
    clients: list[TradeStationClient] = []

    def factory(simulator, **options) -> TradeStationClient:
        client = TradeStationClient(base_url=simulator.base_url,
                                    access_token=simulator.issue_token(), read_timeout=2.0,
                                    backoff=BackoffPolicy(base=0.02, cap=0.08, rng=lambda: 1.0),
                                    **options)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()
