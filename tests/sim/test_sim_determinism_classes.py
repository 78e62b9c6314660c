"""Same seed, same payloads for every asset class: futures, options, indices, crypto, depth.

Streams that recompute (option chains, depth) follow the market's per-step log, so their later
updates are compared too.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from sim_helpers import auth, read_messages, without_timestamps

SYMBOLS = ["@ES", "6EZ26", "@TY", "AAPL 261218C230", "SPY 261218P595", "$SPX.X", "BTCUSD",
           "SNDL"]
QUOTES = "/marketdata/stream/quotes/" + ",".join(quote(s, safe="@$") for s in SYMBOLS)
CHAIN = "/marketdata/stream/options/chains/TSLA?strikeProximity=1&spreadType=Vertical"
DEPTH = "/marketdata/stream/marketdepth/aggregates/@NQ?maxlevels=4"


async def first(sim, session, path: str, count: int) -> list[dict]:
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        assert resp.status == 200
        return without_timestamps(await read_messages(resp, count, heartbeats=False))


def no_depth_times(book: dict) -> dict:
    return {side: [{k: v for k, v in row.items() if not k.endswith("Time")
                    and k != "TimeStamp"} for row in rows] for side, rows in book.items()}


async def test_every_class_streams_the_same_for_one_seed(make_sim, session):
    for path, count in ((QUOTES, 30), (CHAIN, 4), (DEPTH, 3)):
        runs = []
        for index in range(2):
            sim = await make_sim(seed=9)
            if index:
                await asyncio.sleep(0.2)
            # The first request of a simulator starts its clock: the snapshot is at step 0.
            messages = await first(sim, session, path, count)
            runs.append([no_depth_times(m) if path == DEPTH else m for m in messages])
        assert len(runs[0]) == count, path
        assert runs[0] == runs[1], path


async def test_different_seeds_price_futures_and_options_differently(make_sim, session):
    one = await first(await make_sim(seed=1), session, QUOTES, len(SYMBOLS))
    two = await first(await make_sim(seed=2), session, QUOTES, len(SYMBOLS))
    assert one != two
