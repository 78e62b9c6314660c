"""Bars by date: firstdate / lastdate (and the deprecated startdate) on GET and stream barcharts."""

from __future__ import annotations

import pytest
from sim_helpers import auth, read_messages, validate

# The fixed clock starts at 2026-11-25T14:30:00Z (a Wednesday).


async def bars_of(session, sim, query: str) -> tuple[int, dict]:
    async with session.get(f"{sim.base_url}/marketdata/barcharts/MSFT?{query}",
                           headers=auth(sim)) as resp:
        return resp.status, await resp.json()


async def test_minute_bars_between_firstdate_and_lastdate(fixed_sim, session):
    status, body = await bars_of(session, fixed_sim, "unit=Minute&interval=5"
                                 "&firstdate=2026-11-25T12:00:00Z&lastdate=2026-11-25T13:00:00Z")
    assert status == 200
    validate(body, "Bars")
    stamps = [b["TimeStamp"] for b in body["Bars"]]
    assert stamps[0] == "2026-11-25T12:00:00Z" and stamps[-1] == "2026-11-25T13:00:00Z"
    assert len(stamps) == 13
    assert all(b["BarStatus"] == "Closed" for b in body["Bars"])


async def test_firstdate_alone_runs_to_the_current_bar(fixed_sim, session):
    status, body = await bars_of(session, fixed_sim,
                                 "unit=Minute&firstdate=2026-11-25T14:00:00Z")
    assert status == 200
    stamps = [b["TimeStamp"] for b in body["Bars"]]
    assert stamps[0] == "2026-11-25T14:00:00Z" and stamps[-1] == "2026-11-25T14:31:00Z"
    assert body["Bars"][-1]["BarStatus"] == "Open"


async def test_daily_bars_by_date_skip_weekends(fixed_sim, session):
    status, body = await bars_of(session, fixed_sim, "unit=Daily&firstdate=2026-11-16"
                                 "&lastdate=2026-11-23")
    assert status == 200
    validate(body, "Bars")
    days = [b["TimeStamp"][:10] for b in body["Bars"]]
    assert days == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20",
                    "2026-11-23"]


@pytest.mark.parametrize("name", ["lastdate", "startdate"])
async def test_lastdate_with_barsback_ends_there(fixed_sim, session, name):
    status, body = await bars_of(session, fixed_sim,
                                 f"unit=Daily&barsback=3&{name}=2026-11-20T21:00:00Z")
    assert status == 200
    assert [b["TimeStamp"][:10] for b in body["Bars"]] == ["2026-11-18", "2026-11-19",
                                                            "2026-11-20"]


@pytest.mark.parametrize("query, words", [
    ("barsback=5&firstdate=2026-11-20", "mutually exclusive"),
    ("lastdate=2026-11-20&startdate=2026-11-20", "mutually exclusive"),
    ("firstdate=20-11-2026", "firstdate"),
    ("lastdate=yesterday", "lastdate"),
    ("firstdate=2026-11-24&lastdate=2026-11-20", "after"),
    ("unit=Minute&firstdate=1990-01-01", "firstdate"),
])
async def test_bad_dates_are_400(fixed_sim, session, query, words):
    for path in ("/marketdata/barcharts/MSFT", "/marketdata/stream/barcharts/MSFT"):
        async with session.get(f"{fixed_sim.base_url}{path}?{query}",
                               headers=auth(fixed_sim)) as resp:
            assert resp.status == 400, path
            body = await resp.json()
        validate(body, "ErrorResponse")
        assert body["Error"] == "BadRequest" and words in body["Message"]


async def test_stream_honours_firstdate_then_goes_live(fixed_sim, session):
    sim = fixed_sim
    url = (f"{sim.base_url}/marketdata/stream/barcharts/MSFT?unit=Minute"
           "&firstdate=2026-11-25T14:25:00Z")
    async with session.get(url, headers=auth(sim)) as resp:
        history = await read_messages(resp, 7)
        sim.advance(300)
        live = await read_messages(resp, 1, heartbeats=False)
    assert [b["TimeStamp"][11:16] for b in history] == ["14:25", "14:26", "14:27", "14:28",
                                                         "14:29", "14:30", "14:31"]
    assert history[-1]["IsEndOfHistory"] is True
    assert live and live[0]["IsRealtime"] is True


async def test_stream_with_a_past_lastdate_sends_only_that_history(fixed_sim, session):
    sim = fixed_sim
    url = (f"{sim.base_url}/marketdata/stream/barcharts/MSFT?unit=Minute&barsback=3"
           "&lastdate=2026-11-25T14:00:00Z")
    async with session.get(url, headers=auth(sim)) as resp:
        history = await read_messages(resp, 3)
        sim.advance(300)
        after = await read_messages(resp, 1, timeout=1.5)
    assert [b["TimeStamp"][11:16] for b in history] == ["13:58", "13:59", "14:00"]
    assert history[-1]["IsEndOfHistory"] is True
    assert after and "Heartbeat" in after[0]
