"""An explicit quote rate is really delivered."""

from __future__ import annotations

import json
import time

from sim_helpers import auth, read_messages

from tsdash.sim.universe import SYMBOLS


async def test_explicit_quote_rate_is_really_delivered(make_sim, session):
    sim = await make_sim(quote_rate=5000, demo_trader=False)
    symbols = list(SYMBOLS)[:100]
    url = f"{sim.base_url}/marketdata/stream/quotes/{','.join(symbols)}"
    async with session.get(url, headers=auth(sim)) as resp:
        full = await read_messages(resp, 100)
        assert [q["Symbol"] for q in full] == symbols
        count, started = 0, time.monotonic()
        while time.monotonic() - started < 1.0:
            line = await resp.content.readline()
            json.loads(line)
            count += 1
    assert count >= 3500, f"asked for 5000 quotes/s, got {count} in a second"
