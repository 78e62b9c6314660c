"""Fault specs from the CLI, their counts and stream filters, and clearing them."""

from __future__ import annotations

import pytest
from sim_helpers import GOAWAY_ERROR, QUOTES, auth, read_messages

from tsdash.sim.faults import FAULT_HELP, FaultInjector, apply_fault_spec, parse_fault_spec


async def test_times_and_stream_filter(sim, session):
    fault = sim.faults.goaway(after=0, stream="quotes", times=2)
    for _ in range(2):
        async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
            assert await read_messages(resp, 2) == [GOAWAY_ERROR]
    assert fault.fired == 2 and sim.faults.armed == []
    sim.faults.goaway(after=0, stream="orders")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        messages = await read_messages(resp, 3)
    assert all("Symbol" in m for m in messages), "an orders fault leaves quotes alone"


async def test_clear_disarms_everything(sim, session):
    sim.faults.goaway(after=0)
    sim.faults.rechunk(True)
    sim.faults.clear()
    assert sim.faults.armed == [] and not sim.faults.rechunking
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        messages = await read_messages(resp, 6)
    assert [m["Symbol"] for m in messages] == ["SPY", "QQQ", "AAPL", "MSFT", "NVDA", "TSLA"]


def test_cli_specs():
    assert parse_fault_spec("goaway:after=50,stream=quotes") == (
        "goaway", {"after": 50, "stream": "quotes"})
    assert parse_fault_spec("stall:after=3,seconds=2.5") == ("stall", {"after": 3, "seconds": 2.5})
    assert parse_fault_spec("429:times=2") == ("rate_limit", {"times": 2})
    assert parse_fault_spec("stall:stream=balances,seconds=40") == (
        "stall", {"stream": "balances", "seconds": 40.0})
    assert parse_fault_spec("rechunk") == ("rechunk", {})
    injector = FaultInjector()
    apply_fault_spec(injector, "drop:after=7,stream=orders,times=3")
    (fault,) = injector.armed
    assert (fault.kind, fault.after, fault.stream, fault.times) == (
        "drop_mid_object", 7, "orders", 3)
    apply_fault_spec(injector, "rechunk")
    assert injector.rechunking


def test_fault_list_names_the_balances_stall():
    """`tsdash sim --faults` prints FAULT_HELP: the balances stall is listed."""
    assert "stream=balances" in FAULT_HELP


@pytest.mark.parametrize("spec, words", [
    ("explode", "unknown fault"), ("goaway:after", "key=value"), ("goaway:after=x", "number"),
    ("goaway:seconds=2", "takes"), ("goaway:stream=trades", "stream must be"),
    ("goaway:shape=round", "shape"), ("server_error:status=404", "500..599"),
    ("stall:times=0", "times"), ("goaway:stream=balances", "stream must be"),
])
def test_bad_cli_specs_explain_themselves(spec, words):
    with pytest.raises(ValueError, match=words):
        apply_fault_spec(FaultInjector(), spec)
