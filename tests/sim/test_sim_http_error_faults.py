"""The 401, 429 and 5xx faults answer as TradeStation does."""

from __future__ import annotations

import pytest
from sim_helpers import ORDERS, QUOTES, auth


async def test_unauthorized_answers_401_once(sim, session):
    sim.faults.unauthorized(times=1, stream="quotes")
    headers = auth(sim)
    async with session.get(sim.base_url + QUOTES, headers=headers) as resp:
        assert resp.status == 401
        assert (await resp.json())["Error"] == "Unauthorized"
    async with session.get(sim.base_url + QUOTES, headers=headers) as resp:
        assert resp.status == 200


async def test_rate_limit_answers_429_with_tradestation_headers(sim, session):
    sim.faults.rate_limit(times=1, retry_after=3)
    url = sim.base_url + "/brokerage/accounts"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 429
        assert await resp.json() == {"Error": "TooManyRequests", "Message": "Rate quota exceeded"}
        for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                       "X-RateLimit-Resource"):
            assert header in resp.headers
        assert resp.headers["Retry-After"] == "3"
        assert resp.headers["X-RateLimit-Remaining"] == "0"
        assert resp.headers["X-RateLimit-Resource"] == "Accounts"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200


@pytest.mark.parametrize("status, name", [(503, "ServiceUnavailable"),
                                          (500, "InternalServerError"), (504, "GatewayTimeout")])
async def test_server_error(sim, session, status, name):
    sim.faults.server_error(times=1, status=status, stream="orders")
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        assert resp.status == status
        assert (await resp.json())["Error"] == name
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        assert resp.status == 200
