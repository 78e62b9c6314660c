"""The simulator accepts the Accept headers real clients send and refuses one without JSON."""

from __future__ import annotations

import pytest
from sim_helpers import MARKET_MEDIA, auth, read_messages


@pytest.mark.parametrize("accept", [None, "application/json", "*/*",
                                    "application/vnd.tradestation.streams.v2+json",
                                    "application/vnd.tradestation.streams.v3+json",
                                    "text/html, application/json;q=0.9"])
async def test_accept_headers_real_clients_send(sim, session, accept):
    headers = auth(sim) if accept is None else auth(sim, Accept=accept)
    if accept is None:
        session.headers.pop("Accept", None)
    url = f"{sim.base_url}/marketdata/stream/quotes/SPY"
    async with session.get(url, headers=headers, skip_auto_headers=["Accept"]) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == MARKET_MEDIA
        (first,) = await read_messages(resp, 1)
    assert first["Symbol"] == "SPY"


async def test_an_accept_header_without_json_is_refused_in_tradestation_shape(sim, session):
    url = f"{sim.base_url}/marketdata/quotes/SPY"
    async with session.get(url, headers=auth(sim, Accept="text/html")) as resp:
        assert resp.status == 406
        assert (await resp.json())["Error"] == "NotAcceptable"
