"""Shared fixtures. `sim`: a fresh simulator on a free loopback port, tuned for fast tests."""

from __future__ import annotations

import pytest


@pytest.fixture
async def sim():
    """Real clock, seed 1, demo trader on, 0.5 s heartbeats; stopped after the test."""
    from tsdash.sim import start_simulator

    simulator = await start_simulator(host="127.0.0.1", port=0, seed=1, heartbeat_interval=0.5)
    try:
        yield simulator
    finally:
        await simulator.stop()
