"""Same seed, same payloads (timestamps aside) whenever the client connects; the fixed clock."""

from __future__ import annotations

import asyncio

from sim_helpers import auth, read_messages, without_timestamps

QUOTES = "/marketdata/stream/quotes/SPY,AAPL,MSFT,TSLA,NVDA,QQQ,IWM,AMD,META,AMZN"
POSITIONS = "/brokerage/stream/accounts/SIM1234567M,SIM1234568C/positions?changes=true"
BARS = "/marketdata/stream/barcharts/AAPL?unit=Minute&barsback=20"


async def first_messages(sim, session, path: str, count: int) -> list[dict]:
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        assert resp.status == 200
        return without_timestamps(await read_messages(resp, count, heartbeats=False))


async def test_same_seed_same_sequence_whatever_the_connection_delay(make_sim, session):
    early = await make_sim(seed=7)
    late = await make_sim(seed=7)
    first = await first_messages(early, session, QUOTES, 80)
    await asyncio.sleep(0.4)  # the clock starts at the first /v3 request, not at start-up
    second = await first_messages(late, session, QUOTES, 80)
    assert len(first) == 80
    assert first == second


async def test_same_seed_same_account_streams_and_bars(make_sim, session):
    sims = [await make_sim(seed=11), await make_sim(seed=11)]
    runs = []
    for index, sim in enumerate(sims):
        if index:
            await asyncio.sleep(0.3)
        positions = await first_messages(sim, session, POSITIONS, 30)
        runs.append(positions)
    assert runs[0] == runs[1]
    assert {"StreamStatus": "EndSnapshot"} in runs[0]
    bars = [await first_messages(sim, session, BARS, 20) for sim in sims]
    assert bars[0][:19] == bars[1][:19]  # the live bar may have traded already


async def test_different_seeds_differ(make_sim, session):
    one = await first_messages(await make_sim(seed=1), session, QUOTES, 10)
    two = await first_messages(await make_sim(seed=2), session, QUOTES, 10)
    assert one != two


async def test_fixed_clock_freezes_time_and_moves_only_on_advance(make_sim, session):
    sims = [await make_sim(seed=3, clock="fixed"), await make_sim(seed=3, clock="fixed")]
    url = "/marketdata/quotes/AAPL,SPY"
    snapshots = []
    for sim in sims:
        async with session.get(sim.base_url + url, headers=auth(sim)) as resp:
            before = await resp.json()
        await asyncio.sleep(0.3)
        async with session.get(sim.base_url + url, headers=auth(sim)) as resp:
            assert await resp.json() == before, "nothing moves without advance()"
        sim.advance(50)
        async with session.get(sim.base_url + url, headers=auth(sim)) as resp:
            after = await resp.json()
        assert after != before
        assert {q["TradeTime"] for q in after["Quotes"]} == {"2026-11-25T14:30:00Z"}
        snapshots.append(after)
    assert snapshots[0] == snapshots[1], "fixed clock: identical, timestamps included"


async def test_fixed_clock_heartbeats_and_orders_carry_the_frozen_time(make_sim, session):
    sim = await make_sim(seed=3, clock="fixed")
    async with session.get(sim.base_url + "/marketdata/stream/quotes/NOSUCH",
                           headers=auth(sim)) as resp:
        _, beat = await read_messages(resp, 2)
    assert beat == {"Heartbeat": 1, "Timestamp": "2026-11-25T14:30:00Z"}
    sim.advance(100)
    async with session.get(sim.base_url + "/brokerage/accounts/SIM1234567M/orders",
                           headers=auth(sim)) as resp:
        orders = (await resp.json())["Orders"]
    assert orders and {o["OpenedDateTime"] for o in orders} == {"2026-11-25T14:30:00Z"}
