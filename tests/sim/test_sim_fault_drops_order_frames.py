"""The drop_order_frames fault: the orders streams lose order updates (new orders, status
changes, fills) while their heartbeats go on, and REST orders still tell the truth, which is
what the app's reconciliation by REST has to catch."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from order_helpers import CASH, END_SNAPSHOT, MARGIN, get_json, place_ok
from sim_helpers import auth, read_messages

from tsdash.sim.faults import FAULT_HELP, FaultInjector, apply_fault_spec, parse_fault_spec

RESTING = {"OrderType": "Limit", "LimitPrice": "1.00", "TimeInForce": {"Duration": "GTC"}}


async def rest_statuses(sim, session, account: str = MARGIN) -> dict[str, str]:
    body = await get_json(sim, session, f"/brokerage/accounts/{account}/orders")
    return {o["OrderID"]: o["Status"] for o in body["Orders"]}


async def test_order_frames_vanish_while_heartbeats_go_on(fixed_sim, session):
    sim = fixed_sim
    fault = sim.faults.drop_order_frames()
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        resting = await place_ok(sim, session, **RESTING)
        filled = await place_ok(sim, session, Quantity="3")  # a market order: fills at once
        seen = await read_messages(resp, timeout=1.5)
    assert seen and all("Heartbeat" in m for m in seen), seen
    statuses = await rest_statuses(sim, session)
    assert (statuses[resting], statuses[filled]) == ("OPN", "FLL")
    assert fault.fired >= 3 and fault in sim.faults.armed, "it lasts until cleared"


async def test_times_counts_dropped_frames_then_the_stream_carries_on(fixed_sim, session):
    sim = fixed_sim
    fault = sim.faults.drop_order_frames(times=2)
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        order_id = await place_ok(sim, session, **RESTING)  # received and working: both lost
        async with session.delete(f"{sim.base_url}/orderexecution/orders/{order_id}",
                                  headers=auth(sim)) as cancel:
            assert cancel.status == 200
        (update,) = await read_messages(resp, 1, heartbeats=False)
    assert (update["OrderID"], update["Status"]) == (order_id, "CAN")
    assert fault.fired == 2 and fault not in sim.faults.armed


async def test_only_the_named_account_loses_frames(fixed_sim, session):
    sim = fixed_sim
    sim.faults.drop_order_frames(account=CASH)
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN},{CASH}/orders"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        lost = await place_ok(sim, session, AccountID=CASH, **RESTING)
        kept = await place_ok(sim, session, **RESTING)
        updates = await read_messages(resp, 2, heartbeats=False)
        more = await read_messages(resp, timeout=0.8, heartbeats=False)
    assert [(u["OrderID"], u["Status"]) for u in updates] == [(kept, "ACK"), (kept, "OPN")]
    assert more == []
    assert (await rest_statuses(sim, session, CASH))[lost] == "OPN"


async def test_the_orders_by_id_stream_loses_them_too_and_a_new_snapshot_is_whole(fixed_sim,
                                                                                  session):
    sim = fixed_sim
    order_id = await place_ok(sim, session, **RESTING)
    sim.faults.drop_order_frames()
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders/{order_id}"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        async with session.delete(f"{sim.base_url}/orderexecution/orders/{order_id}",
                                  headers=auth(sim)) as cancel:
            assert cancel.status == 200
        assert await read_messages(resp, timeout=0.8, heartbeats=False) == []
    async with session.get(url, headers=auth(sim)) as resp:
        snapshot = await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
    assert [(m["OrderID"], m["Status"]) for m in snapshot if "OrderID" in m] == [
        (order_id, "CAN")]


async def test_the_websocket_orders_stream_loses_them_too(fixed_sim, session):
    sim = fixed_sim
    sim.faults.drop_order_frames(times=2)

    async def next_data(ws) -> dict:
        async with asyncio.timeout(3):
            while True:
                msg = await ws.receive()
                assert msg.type == aiohttp.WSMsgType.TEXT, msg
                payload = json.loads(msg.data)
                if "Heartbeat" not in payload:
                    return payload

    async with session.ws_connect(sim.base_url + "/ws", headers=auth(sim)) as ws:
        await ws.send_json({"action": "subscribe", "id": "o", "stream": "orders",
                            "accounts": [MARGIN]})
        while await next_data(ws) != END_SNAPSHOT:
            pass
        order_id = await place_ok(sim, session, **RESTING)
        async with session.delete(f"{sim.base_url}/orderexecution/orders/{order_id}",
                                  headers=auth(sim)) as cancel:
            assert cancel.status == 200
        update = await next_data(ws)
    assert (update["OrderID"], update["Status"]) == (order_id, "CAN")


async def test_clear_brings_the_frames_back(fixed_sim, session):
    sim = fixed_sim
    sim.faults.drop_order_frames()
    url = f"{sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders"
    async with session.get(url, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == END_SNAPSHOT)
        await place_ok(sim, session, **RESTING)
        assert await read_messages(resp, timeout=0.6, heartbeats=False) == []
        sim.faults.clear()
        order_id = await place_ok(sim, session, **RESTING)
        updates = await read_messages(resp, 2, heartbeats=False)
    assert [(u["OrderID"], u["Status"]) for u in updates] == [(order_id, "ACK"), (order_id, "OPN")]


def test_the_cli_spec_and_the_fault_list():
    assert parse_fault_spec("drop_order_frames:times=3,account=SIM1234568C") == (
        "drop_order_frames", {"times": 3, "account": "SIM1234568C"})
    injector = FaultInjector()
    apply_fault_spec(injector, "drop_order_frames")
    (fault,) = injector.armed
    assert (fault.kind, fault.until_cleared, fault.account) == ("drop_order_frames", True, None)
    assert "drop_order_frames:times=T,account=ID" in FAULT_HELP


@pytest.mark.parametrize("spec, words", [
    ("drop_order_frames:times=0", "times"), ("drop_order_frames:after=2", "takes"),
    ("drop_order_frames:account=", "account"), ("drop_order_frames:times=x", "number"),
])
def test_bad_specs_explain_themselves(spec, words):
    with pytest.raises(ValueError, match=words):
        apply_fault_spec(FaultInjector(), spec)
