"""Fixtures for the simulator's own tests: more simulators on demand, and an HTTP session."""

from __future__ import annotations

import aiohttp
import pytest


@pytest.fixture
async def make_sim():
    """start_simulator() with fast-test defaults; every simulator is stopped at teardown."""
    from tsdash.sim import start_simulator

    sims = []

    async def factory(**options):
        options.setdefault("port", 0)
        options.setdefault("heartbeat_interval", 0.5)
        simulator = await start_simulator(**options)
        sims.append(simulator)
        return simulator

    yield factory
    for simulator in sims:
        await simulator.stop()


@pytest.fixture
async def fixed_sim(make_sim):
    """Fixed clock and no demo trader: nothing moves unless the test calls advance()."""
    return await make_sim(clock="fixed", demo_trader=False, seed=5)


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as http:
        yield http
