"""TradeStation's error forms inside 200 answers, injected with the account_error, symbol_failed
and not_entitled faults, seen from a plain aiohttp reader, checked against the OpenAPI schemas."""

from __future__ import annotations

import pytest
from sim_helpers import BROKERAGE_MEDIA, auth, read_messages, validate

from tsdash.sim.faults import FAULT_HELP, FaultInjector, apply_fault_spec

MARGIN, CASH = "SIM1234567M", "SIM1234568C"
ACCOUNTS = f"{MARGIN},{CASH}"
FAILED_ENTRY = {"AccountID": MARGIN, "Error": "Failed",
                "Message": "Account data is unavailable right now."}
END = {"StreamStatus": "EndSnapshot"}
NOT_ENTITLED_BODY = {"Error": "Failed", "Message": "Not entitled to data for this symbol"}


async def get_json(session, sim, path):
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        assert resp.status == 200
        return await resp.json()


@pytest.mark.parametrize("stream, field, schema", [
    ("balances", "Balances", "Balances"),
    ("positions", "Positions", "Positions"),
    ("orders", "Orders", "Orders"),
])
async def test_account_error_replaces_one_accounts_rest_data_while_it_holds(
        make_sim, session, stream, field, schema):
    sim = await make_sim(clock="fixed", seed=5)  # the demo trader: both accounts have data
    fault = sim.faults.account_error(stream=stream, times=2)
    path = f"/brokerage/accounts/{ACCOUNTS}/{stream}"
    for _ in range(2):
        body = await get_json(session, sim, path)
        validate(body, schema)
        assert body["Errors"] == [FAILED_ENTRY]
        assert {item["AccountID"] for item in body[field]} == {CASH}, "the other account stays"
    assert fault.fired == 2 and sim.faults.armed == []
    body = await get_json(session, sim, path)
    assert body["Errors"] == [] and MARGIN in {item["AccountID"] for item in body[field]}


async def test_account_error_names_an_account_and_a_stream(fixed_sim, session):
    sim = fixed_sim
    sim.faults.account_error(stream="balances", account=CASH)
    positions = await get_json(session, sim, f"/brokerage/accounts/{ACCOUNTS}/positions")
    assert positions["Errors"] == [], "a balances fault leaves positions alone"
    body = await get_json(session, sim, f"/brokerage/accounts/{ACCOUNTS}/balances")
    assert body["Errors"] == [{**FAILED_ENTRY, "AccountID": CASH}]
    assert [b["AccountID"] for b in body["Balances"]] == [MARGIN]


@pytest.mark.parametrize("stream, schema", [("orders", "StreamOrderErrorResponse"),
                                            ("positions", "StreamPositionsErrorResponse")])
async def test_account_error_on_an_account_stream(make_sim, session, stream, schema):
    sim = await make_sim(clock="fixed", seed=5)
    sim.faults.account_error(stream=stream)
    headers = auth(sim, Accept=BROKERAGE_MEDIA)
    url = f"{sim.base_url}/brokerage/stream/accounts/{ACCOUNTS}/{stream}"
    async with session.get(url, headers=headers) as resp:
        messages = await read_messages(resp, until=lambda m: m == END, heartbeats=False)
        assert messages[0] == FAILED_ENTRY
        validate(messages[0], schema)
        data = messages[1:-1]
        assert data and {m["AccountID"] for m in data} == {CASH}
        sim.advance(40)  # the demo trader trades both accounts: only the other one is streamed
        later = await read_messages(resp, timeout=1.0, heartbeats=False)
        assert later and {m["AccountID"] for m in later} == {CASH}
    # the next connection has the account's data again
    async with session.get(url, headers=headers) as resp:
        messages = await read_messages(resp, until=lambda m: m == END, heartbeats=False)
    assert MARGIN in {m.get("AccountID") for m in messages} and FAILED_ENTRY not in messages


async def test_symbol_failed_is_a_bare_failed_then_the_quotes_go_on(fixed_sim, session):
    sim = fixed_sim
    sim.faults.symbol_failed(symbol="msft", after=2)
    sim.faults.symbol_failed(symbol="NVDA")  # not on this stream: never fires here
    async with session.get(sim.base_url + "/marketdata/stream/quotes/AAPL,MSFT",
                           headers=auth(sim)) as resp:
        messages = await read_messages(resp, 3, heartbeats=False)
        assert [m["Symbol"] for m in messages[:2]] == ["AAPL", "MSFT"]
        assert messages[2] == {"Symbol": "MSFT", "Error": "FAILED"}
        validate(messages[2], "QuoteStream")
        sim.advance(30)
        later = await read_messages(resp, timeout=1.0, heartbeats=False)
    assert any(m.get("Symbol") == "MSFT" and "Error" not in m for m in later)
    assert [f.symbol for f in sim.faults.armed] == ["NVDA"]


async def test_not_entitled_on_quotes_and_bars_until_cleared(fixed_sim, session):
    sim = fixed_sim
    sim.faults.not_entitled(symbol="MSFT")
    async with session.get(sim.base_url + "/marketdata/stream/quotes/AAPL,MSFT,NOSUCH",
                           headers=auth(sim)) as resp:
        messages = await read_messages(resp, 3, heartbeats=False)
        assert messages[1:] == [{"Symbol": "MSFT", "Error": "FAILED, NOT ENTITLED"},
                                {"Symbol": "NOSUCH", "Error": "FAILED, INVALID SYMBOL"}]
        validate(messages[1], "QuoteStream")
        sim.advance(30)
        later = await read_messages(resp, timeout=1.0, heartbeats=False)
    assert later and all(m["Symbol"] == "AAPL" for m in later), "then silence for MSFT"
    bars = "/marketdata/stream/barcharts/MSFT?interval=1&unit=Minute&barsback=5"
    async with session.get(sim.base_url + bars, headers=auth(sim)) as resp:
        assert resp.status == 200
        messages = await read_messages(resp, timeout=1.0, heartbeats=False)
    assert messages == [NOT_ENTITLED_BODY]
    validate(messages[0], "StreamErrorResponse")
    body = await get_json(session, sim, "/marketdata/barcharts/MSFT?barsback=5")
    assert body == NOT_ENTITLED_BODY
    sim.faults.clear()
    body = await get_json(session, sim, "/marketdata/barcharts/MSFT?barsback=5")
    assert len(body["Bars"]) == 5


def test_the_error_form_faults_are_listed_and_parsed():
    for line in ("account_error:stream=balances|positions|orders,account=ID,times=T",
                 "symbol_failed:symbol=SYM,after=N,times=T", "not_entitled:symbol=SYM"):
        assert line in FAULT_HELP
    faults = FaultInjector()
    apply_fault_spec(faults, f"account_error:stream=orders,account={CASH},times=3")
    apply_fault_spec(faults, "symbol_failed:symbol=aapl,after=4")
    apply_fault_spec(faults, "not_entitled:symbol=@ES")
    first, second, third = faults.armed
    assert (first.kind, first.stream, first.account, first.times) == ("account_error", "orders",
                                                                     CASH, 3)
    assert (second.kind, second.symbol, second.after) == ("symbol_failed", "AAPL", 4)
    assert (third.kind, third.symbol) == ("not_entitled", "@ES")
    for spec, why in (("account_error:stream=quotes", "stream must be one of balances"),
                      ("symbol_failed", "needs symbol=SYM"),
                      ("not_entitled:times=2", "not_entitled takes symbol")):
        with pytest.raises(ValueError, match=why):
            apply_fault_spec(faults, spec)


async def test_account_error_reaches_an_already_open_account_stream(make_sim, session):
    sim = await make_sim(clock="fixed", seed=5)
    headers = auth(sim, Accept=BROKERAGE_MEDIA)
    url = f"{sim.base_url}/brokerage/stream/accounts/{ACCOUNTS}/positions"
    async with session.get(url, headers=headers) as resp:
        await read_messages(resp, until=lambda m: m == END, heartbeats=False)
        sim.faults.account_error(stream="positions", account=CASH)
        [error] = await read_messages(resp, 1, heartbeats=False)
        assert error == {**FAILED_ENTRY, "AccountID": CASH}
        sim.advance(40)
        later = await read_messages(resp, timeout=1.0, heartbeats=False)
    assert later and {m["AccountID"] for m in later} == {MARGIN}
