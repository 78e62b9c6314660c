"""sessiontemplate on minute bars of US stocks: only the template's session, ignored elsewhere."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sim_helpers import auth, read_messages, validate

# The fixed clock starts at 2026-11-25T14:30:00Z: Wednesday 09:30 Eastern, the regular open.


async def stamps(session, sim, symbol: str, query: str) -> list[str]:
    url = f"{sim.base_url}/marketdata/barcharts/{quote(symbol, safe='@')}?unit=Minute&{query}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        body = await resp.json()
    validate(body, "Bars")
    return [b["TimeStamp"] for b in body["Bars"]]


async def test_default_session_skips_the_night(fixed_sim, session):
    got = await stamps(session, fixed_sim, "MSFT", "barsback=5&sessiontemplate=Default")
    assert got == ["2026-11-24T20:57:00Z", "2026-11-24T20:58:00Z", "2026-11-24T20:59:00Z",
                   "2026-11-24T21:00:00Z", "2026-11-25T14:31:00Z"]


async def test_pre_market_template_keeps_the_morning(fixed_sim, session):
    got = await stamps(session, fixed_sim, "MSFT", "barsback=3&sessiontemplate=USEQPre")
    assert got == ["2026-11-25T14:29:00Z", "2026-11-25T14:30:00Z", "2026-11-25T14:31:00Z"]
    got = await stamps(session, fixed_sim, "MSFT", "barsback=2&sessiontemplate=usEQpOST"
                       "&lastdate=2026-11-25T03:00:00Z")
    assert got == ["2026-11-25T00:59:00Z", "2026-11-25T01:00:00Z"]  # post-market ends 20:00 ET


async def test_default_session_over_a_weekend(fixed_sim, session):
    got = await stamps(session, fixed_sim, "AAPL", "sessiontemplate=Default"
                       "&firstdate=2026-11-20T20:58:30Z&lastdate=2026-11-23T14:32:00Z")
    assert got == ["2026-11-20T20:59:00Z", "2026-11-20T21:00:00Z", "2026-11-23T14:31:00Z",
                   "2026-11-23T14:32:00Z"]


@pytest.mark.parametrize("symbol, template", [("@ES", "Default"), ("BTCUSD", "Default"),
                                              ("MSFT", "USEQ24Hour")])
async def test_templates_ignored_for_other_symbols_and_24_hours(fixed_sim, session, symbol,
                                                                 template):
    got = await stamps(session, fixed_sim, symbol, f"barsback=3&sessiontemplate={template}")
    assert got == ["2026-11-25T14:29:00Z", "2026-11-25T14:30:00Z", "2026-11-25T14:31:00Z"]


async def test_stream_with_a_template(fixed_sim, session):
    sim = fixed_sim
    url = (f"{sim.base_url}/marketdata/stream/barcharts/MSFT?unit=Minute&barsback=2"
           "&sessiontemplate=Default")
    async with session.get(url, headers=auth(sim)) as resp:
        history = await read_messages(resp, 2)
        sim.advance(100)
        live = await read_messages(resp, 1, heartbeats=False)
    assert [b["TimeStamp"] for b in history] == ["2026-11-24T21:00:00Z", "2026-11-25T14:31:00Z"]
    assert history[-1]["IsEndOfHistory"] is True
    assert live and live[0]["TimeStamp"] == "2026-11-25T14:31:00Z" and live[0]["IsRealtime"]
