"""The simulator's bars: history then a live bar, units, unknown symbols, REST barcharts."""

from __future__ import annotations

import pytest
from sim_helpers import MARKET_MEDIA, assert_strings, auth, has_fields, read_messages, validate


BAR_FIELDS = ("Open", "High", "Low", "Close", "TimeStamp", "TotalVolume", "Epoch", "BarStatus",
              "IsRealtime", "IsEndOfHistory", "UpTicks", "DownTicks", "UpVolume", "DownVolume",
              "TotalTicks")


async def test_bar_stream_history_then_live_bar_open_to_closed(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.base_url}/marketdata/stream/barcharts/AAPL?interval=1&unit=Minute&barsback=5"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == MARKET_MEDIA
        history = await read_messages(resp, 5)
        for bar in history:
            has_fields(bar, *BAR_FIELDS)
            validate(bar, "Bar")
            assert_strings(bar)
            assert bar["IsRealtime"] is False
        assert [b["IsEndOfHistory"] for b in history] == [False] * 4 + [True]
        assert [b["BarStatus"] for b in history] == ["Closed"] * 4 + ["Open"]
        epochs = [b["Epoch"] for b in history]
        assert epochs == sorted(epochs) and len(set(epochs)) == 5
        assert all(b - a == 60_000 for a, b in zip(epochs, epochs[1:], strict=False))
        assert history[-1]["TimeStamp"] == "2026-11-25T14:31:00Z"
        sim.advance(610)  # one minute is 600 steps of 0.1 s
        next_epoch = history[-1]["Epoch"] + 60_000
        live = await read_messages(resp, timeout=2.0, heartbeats=False,
                                   until=lambda m: m["Epoch"] == next_epoch)
    assert live, "the live bar should update as the market trades"
    current = [b for b in live if b["Epoch"] == history[-1]["Epoch"]]
    assert [b["BarStatus"] for b in current][-1] == "Closed"
    assert all(b["BarStatus"] == "Open" for b in current[:-1])
    following = [b for b in live if b["Epoch"] == history[-1]["Epoch"] + 60_000]
    assert following and all(b["BarStatus"] == "Open" for b in following)
    for bar in live:
        validate(bar, "Bar")
        assert bar["IsRealtime"] is True and bar["IsEndOfHistory"] is False
        assert float(bar["Low"]) <= float(bar["Open"]) <= float(bar["High"])
        assert float(bar["Low"]) <= float(bar["Close"]) <= float(bar["High"])
        assert bar["TotalTicks"] == bar["UpTicks"] + bar["DownTicks"]
        assert int(bar["TotalVolume"]) == bar["UpVolume"] + bar["DownVolume"]


@pytest.mark.parametrize("query", ["unit=Daily&barsback=3", "unit=weekly&barsback=2",
                                   "unit=Monthly&barsback=2", "interval=5&unit=minute&barsback=4"])
async def test_bar_units(sim, session, query):
    url = f"{sim.base_url}/marketdata/stream/barcharts/SPY?{query}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        barsback = int(query.rsplit("=", 1)[1])
        bars = await read_messages(resp, barsback)
    assert len(bars) == barsback
    assert bars[-1]["IsEndOfHistory"] is True
    for bar in bars:
        validate(bar, "Bar")


async def test_bar_stream_for_an_unknown_symbol_reports_it_and_stays_open(sim, session):
    url = f"{sim.base_url}/marketdata/stream/barcharts/XYZ?unit=Minute&barsback=3"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        messages = await read_messages(resp, 2, timeout=2)
    assert messages[0] == {"Symbol": "XYZ", "Error": "FAILED, INVALID SYMBOL"}
    assert "Heartbeat" in messages[1]


async def test_rest_barcharts(sim, session):
    url = f"{sim.base_url}/marketdata/barcharts/MSFT?interval=1&unit=Minute&barsback=10"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        body = await resp.json()
    validate(body, "Bars")
    assert len(body["Bars"]) == 10
    assert body["Bars"][-1]["BarStatus"] == "Open"
    async with session.get(f"{sim.base_url}/marketdata/barcharts/XYZ", headers=auth(sim)) as resp:
        assert resp.status == 404
        assert (await resp.json())["Error"] == "NotFound"


async def test_history_joins_the_market(fixed_sim, session):
    """The last historical bar closes where the live market starts (no gap at step 0)."""
    sim = fixed_sim
    url = f"{sim.base_url}/marketdata/barcharts/AAPL?unit=Minute&barsback=3"
    async with session.get(url, headers=auth(sim)) as resp:
        bars = (await resp.json())["Bars"]
    quote_url = f"{sim.base_url}/marketdata/quotes/AAPL"
    async with session.get(quote_url, headers=auth(sim)) as resp:
        quote = (await resp.json())["Quotes"][0]
    assert bars[-2]["Close"] == quote["Last"]
