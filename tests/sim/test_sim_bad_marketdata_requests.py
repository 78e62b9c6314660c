"""Empty symbol lists and bad bar parameters are 400s in TradeStation's shape."""

from __future__ import annotations

import pytest
from sim_helpers import auth


@pytest.mark.parametrize("path", ["/marketdata/stream/quotes/", "/marketdata/stream/quotes/,,",
                                  "/marketdata/quotes/"])
async def test_empty_symbol_lists_are_bad_requests(sim, session, path):
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        assert resp.status == 400
        assert (await resp.json())["Error"] == "BadRequest"


@pytest.mark.parametrize("query, words", [
    ("unit=Hourly", "unit"), ("interval=0&unit=Minute", "interval"),
    ("interval=1441&unit=Minute", "1440"), ("interval=2&unit=Daily", "interval"),
    ("barsback=57601&unit=Minute", "57600"), ("barsback=abc", "barsback"),
])
async def test_bad_bar_parameters_are_400_in_tradestation_shape(sim, session, query, words):
    for path in ("/marketdata/stream/barcharts/SPY", "/marketdata/barcharts/SPY"):
        async with session.get(f"{sim.base_url}{path}?{query}", headers=auth(sim)) as resp:
            assert resp.status == 400, path
            body = await resp.json()
        assert body["Error"] == "BadRequest"
        assert words in body["Message"]
