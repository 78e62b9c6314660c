"""The simulator's GoAway fault in market-data and brokerage shapes, also on an idle stream."""

from __future__ import annotations

import json

import pytest
from sim_helpers import (
    GOAWAY_ERROR,
    ORDERS,
    QUOTES,
    auth,
    raw_until_end,
    read_messages,
    validate,
    wait_for,
)


GOAWAY_STATUS = {"StreamStatus": "GoAway"}


async def test_goaway_market_data_shape_then_the_server_closes(sim, session):
    sim.faults.goaway(after=3, stream="quotes")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        data, error = await raw_until_end(resp)
    assert error is None, "GoAway ends the chunked body properly"
    lines = [json.loads(line) for line in data.splitlines()]
    assert len([m for m in lines if "Heartbeat" not in m]) == 4
    assert lines[-1] == GOAWAY_ERROR
    validate(lines[-1], "StreamErrorResponse")
    await wait_for(lambda: sim.open_streams == 0, what="the stream to be gone")


async def test_goaway_brokerage_shape_on_orders(sim, session):
    sim.faults.goaway(after=1, stream="orders")
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        data, error = await raw_until_end(resp)
    lines = [json.loads(line) for line in data.splitlines()]
    assert error is None
    assert "OrderID" in lines[0]
    assert lines[1:] == [GOAWAY_STATUS]
    validate(lines[1], "StreamStatus")


@pytest.mark.parametrize("shape, expected", [("status", GOAWAY_STATUS), ("error", GOAWAY_ERROR)])
async def test_goaway_shape_can_be_forced(sim, session, shape, expected):
    sim.faults.goaway(after=0, shape=shape)
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        data, _ = await raw_until_end(resp)
    assert [json.loads(line) for line in data.splitlines()] == [expected]


async def test_goaway_reaches_an_already_open_idle_stream(fixed_sim, session):
    sim = fixed_sim
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == {"StreamStatus": "EndSnapshot"})
        sim.faults.goaway(after=0, stream="orders")
        rest = await read_messages(resp, timeout=2)
    assert rest[-1] == GOAWAY_STATUS
