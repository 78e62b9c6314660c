"""The simulator records the requests it served, for tests to check."""

from __future__ import annotations

from sim_helpers import auth


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
