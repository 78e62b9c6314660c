"""The balances stall holds REST answers and only them; a client leaving ends it."""

from __future__ import annotations

import asyncio
import time

import pytest
from sim_helpers import auth


BALANCES = "/brokerage/accounts/SIM1234567M,SIM1234568C/balances"


async def test_stall_on_balances_holds_the_rest_answer_after_n(sim, session):
    """stream="balances": the balances REST answer (what the balance poller asks) waits; the
    answers before `after` and after the stall are immediate; other streams are not touched."""
    sim.faults.stall(after=1, seconds=1.0, stream="balances")

    async def timed_get() -> tuple[float, dict]:
        started = time.monotonic()
        async with session.get(sim.base_url + BALANCES, headers=auth(sim)) as resp:
            assert resp.status == 200
            body = await resp.json()
        return time.monotonic() - started, body

    first, _ = await timed_get()
    held, body = await timed_get()
    last, _ = await timed_get()
    assert held >= 0.95, "the second request waits out the stall"
    assert first < 0.9 and last < 0.9
    assert [b["AccountID"] for b in body["Balances"]] == ["SIM1234567M", "SIM1234568C"]
    assert sim.faults.armed == []


async def test_stall_for_any_stream_leaves_balances_alone(sim, session):
    sim.faults.stall(seconds=5)
    started = time.monotonic()
    async with session.get(sim.base_url + BALANCES, headers=auth(sim)) as resp:
        assert resp.status == 200
    assert time.monotonic() - started < 2.0
    assert len(sim.faults.armed) == 1


async def test_a_client_leaving_a_stalled_balances_request_ends_it(sim, session):
    sim.faults.stall(seconds=30, stream="balances")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await session.get(sim.base_url + BALANCES, headers=auth(sim))
    started = time.monotonic()
    await sim.stop()  # no handler left waiting out the 30 s
    assert time.monotonic() - started < 1.5
