"""The balances poller sends everything first, then only changes, and recovers from failures."""

from __future__ import annotations

import asyncio

from api_helpers import Recorder, stream_requests, wait_for


async def test_balances_poller_first_all_then_only_changes(make_sim, make_client):
    sim = await make_sim(clock="fixed")
    client = make_client(sim)
    rec = Recorder()
    accounts = [a["AccountID"] for a in await client.brokerage.get_accounts()]
    sub = await client.brokerage.stream_balance_changes(interval=0.1, **rec.callbacks())
    assert sub.state == "live"
    assert client.stream_manager.active_count == 0  # a poller holds no stream slot
    await rec.wait_until(lambda: len(rec.messages) >= len(accounts), what="first poll")
    assert sorted(b["AccountID"] for b in rec.messages) == sorted(accounts)
    polls = len(stream_requests(sim, "/balances"))
    await wait_for(lambda: len(stream_requests(sim, "/balances")) >= polls + 3,
                   what="three more polls")
    assert len(rec.messages) == len(accounts)  # nothing changed, nothing delivered
    before = {b["AccountID"]: b for b in rec.messages}
    sim.faults.clear()
    # move the market (and with it the positions' market value) until a balance changes
    for _ in range(50):
        sim.advance(20)
        await asyncio.sleep(0.15)
        if len(rec.messages) > len(accounts):
            break
    changed = rec.messages[len(accounts):]
    assert changed, "no balance change was delivered"
    for b in changed:
        assert b != before[b["AccountID"]]
    assert sub.state == "live"


async def test_balances_poller_failure_and_recovery(make_sim, make_client):
    sim = await make_sim(clock="fixed")
    client = make_client(sim)
    rec = Recorder()
    sub = await client.brokerage.stream_balance_changes(interval=0.1, **rec.callbacks())
    sim.faults.server_error(times=1, status=503)
    await rec.wait_until(lambda: sub.state == "disconnected", what="a failed poll")
    assert sub.last_error.status == 503
    await sub.reconnect()
    assert sub.state == "live"
