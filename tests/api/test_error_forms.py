"""TradeStation's error forms inside 200 answers reach error_callback as they hold: per-account
Errors (balances, positions, orders), per-symbol FAILED on quotes, not-entitled bars."""

from __future__ import annotations

import asyncio

import pytest

from tsdash.api import EntitlementError, StreamError

MARGIN, CASH = "SIM1234567M", "SIM1234568C"


async def test_a_balance_error_is_reported_on_every_poll_and_its_balance_comes_back(
        make_sim, make_client, recorder):
    sim = await make_sim(clock="fixed")
    client = make_client(sim)
    await client.brokerage.stream_balance_changes(interval=0.05, **recorder.callbacks())
    await recorder.wait_until(lambda: len(recorder.messages) == 2, what="both balances")
    sim.faults.account_error(stream="balances", times=3)
    await recorder.wait_until(lambda: len(recorder.messages) == 3, what="the balance back")
    errors = recorder.errors_of(StreamError)
    assert len(errors) == 3, "reported on each poll it held, not once"
    assert all(e.account_id == MARGIN and e.error == "Failed" for e in errors)
    assert errors[0].detail == "Account data is unavailable right now."
    assert "SIM1234567M: Failed: Account data is unavailable right now." in str(errors[0])
    # unchanged, and still delivered again: that is how the consumer knows it cleared
    assert recorder.messages[2] == recorder.messages[0] and recorder.messages[0]["AccountID"] \
        == MARGIN
    await asyncio.sleep(0.2)
    assert len(recorder.messages) == 3 and len(recorder.errors) == 3


@pytest.mark.parametrize("stream", ["positions", "orders"])
async def test_an_account_streams_error_names_the_account_and_the_others_stream(
        make_sim, make_client, recorder, stream):
    sim = await make_sim(clock="fixed", demo_trader=True)
    client = make_client(sim)
    sim.faults.account_error(stream=stream)
    if stream == "positions":
        sub = await client.brokerage.stream_position_changes(**recorder.callbacks())
    else:
        sub = await client.order_execution.stream_order_updates(**recorder.callbacks())
    await recorder.wait_until(lambda: "snapshot_end" in recorder.events, what="the snapshot")
    [error] = recorder.errors_of(StreamError)
    assert error.account_id == MARGIN and error.error == "Failed"
    assert error.detail == "Account data is unavailable right now."
    assert recorder.messages and {m["AccountID"] for m in recorder.messages} == {CASH}
    assert sub.state == "live"
    # a new connection without the fault: the account's data comes again
    await sub.reconnect()
    await recorder.wait_until(lambda: MARGIN in {m.get("AccountID") for m in recorder.messages},
                              what="the account's data again")


async def test_quote_symbol_errors_carry_the_symbol_and_the_stream_goes_on(
        make_sim, make_client, recorder):
    sim = await make_sim(clock="fixed", quote_rate=None)
    client = make_client(sim)
    sim.faults.not_entitled(symbol="MSFT")
    sim.faults.symbol_failed(symbol="AAPL", after=2)  # after the full quotes of AAPL and NVDA
    sub = await client.market_data.stream_quotes(["AAPL", "MSFT", "NVDA", "NOSUCH"],
                                                 **recorder.callbacks())
    await recorder.wait_until(lambda: len(recorder.errors) == 3, what="three symbol errors")
    by_symbol = {e.symbol: e for e in recorder.errors}
    assert isinstance(by_symbol["MSFT"], EntitlementError)
    assert by_symbol["MSFT"].error == "FAILED, NOT ENTITLED"
    assert "does not entitle" in str(by_symbol["MSFT"])
    assert type(by_symbol["AAPL"]) is StreamError and by_symbol["AAPL"].error == "FAILED"
    assert type(by_symbol["NOSUCH"]) is StreamError
    assert by_symbol["NOSUCH"].error == "FAILED, INVALID SYMBOL"
    seen = len(recorder.messages)
    sim.advance(30)
    await recorder.wait_until(lambda: any(m["Symbol"] == "AAPL"
                                          for m in recorder.messages[seen:]),
                              what="AAPL quotes after its FAILED")
    assert sub.state == "live"


@pytest.mark.parametrize("transport", ["http", "ws"])
async def test_not_entitled_bars_fail_the_subscription_without_retrying(
        make_sim, make_client, recorder, transport):
    sim = await make_sim(clock="fixed")
    client = make_client(sim, auto_reconnect=True)
    sim.faults.not_entitled(symbol="MSFT")
    sub = await client.market_data.stream_bars("MSFT", interval="1", unit="Minute", barsback=5,
                                               transport=transport, **recorder.callbacks())
    await recorder.wait_until(lambda: sub.state == "failed", what="failed")
    [error] = recorder.errors
    assert isinstance(error, EntitlementError) and error.symbol is None
    assert error.detail == "Not entitled to data for this symbol"
    assert sub.last_error is error and recorder.messages == []
    opened = len(sim.requests)
    await asyncio.sleep(0.3)
    assert len(sim.requests) == opened, "a lasting refusal is not retried"
    assert len(recorder.errors) == 1
    # the user's retry once the entitlement is there
    sim.faults.clear()
    await sub.reconnect()
    assert sub.state == "live"
    await recorder.wait_until(lambda: len(recorder.messages) >= 5, what="the bars")
