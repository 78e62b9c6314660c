"""GET /v3/marketdata/quotes/{symbols} with bad symbols: TradeStation's partial success, a 200
with `Quotes` for the good symbols and one `Errors` entry (QuoteError) per bad one."""

from __future__ import annotations

from sim_helpers import auth, validate


async def snapshot(sim, session, symbols: str) -> dict:
    async with session.get(f"{sim.base_url}/marketdata/quotes/{symbols}",
                           headers=auth(sim)) as resp:
        assert resp.status == 200, await resp.text()
        body = await resp.json()
    validate(body, "QuoteSnapshot")
    for error in body["Errors"]:
        validate(error, "QuoteError")
        assert set(error) == {"Symbol", "Error"}
    return body


async def test_a_not_entitled_symbol_is_an_error_entry_beside_the_good_quotes(fixed_sim, session):
    fixed_sim.faults.not_entitled("AAPL")
    body = await snapshot(fixed_sim, session, "MSFT,AAPL,NOSUCH9,SPY")
    assert [q["Symbol"] for q in body["Quotes"]] == ["MSFT", "SPY"]
    assert body["Errors"] == [{"Symbol": "AAPL", "Error": "FAILED, NOT ENTITLED"},
                              {"Symbol": "NOSUCH9", "Error": "FAILED, INVALID SYMBOL"}]
    fixed_sim.faults.clear()
    body = await snapshot(fixed_sim, session, "MSFT,AAPL")
    assert [q["Symbol"] for q in body["Quotes"]] == ["MSFT", "AAPL"] and body["Errors"] == []


async def test_only_bad_symbols_is_still_a_200_with_errors(fixed_sim, session):
    fixed_sim.faults.not_entitled("ESZ26")
    body = await snapshot(fixed_sim, session, "ESZ26,NOSUCH9,@NOSUCH")
    assert body["Quotes"] == []
    assert [(e["Symbol"], e["Error"]) for e in body["Errors"]] == [
        ("ESZ26", "FAILED, NOT ENTITLED"), ("NOSUCH9", "FAILED, INVALID SYMBOL"),
        ("@NOSUCH", "FAILED, INVALID SYMBOL")]
