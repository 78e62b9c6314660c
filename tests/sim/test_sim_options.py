"""Options: expirations, strikes, spread types, risk/reward, option chain and quote streams."""

from __future__ import annotations

from math import exp

import pytest
from sim_helpers import MARKET_MEDIA, auth, read_messages, validate


async def get(session, sim, path: str) -> tuple[int, dict]:
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        return resp.status, await resp.json()


async def test_expirations(fixed_sim, session):
    status, body = await get(session, fixed_sim, "/marketdata/options/expirations/aapl")
    assert status == 200
    validate(body, "Expirations")
    dates = [(e["Date"], e["Type"]) for e in body["Expirations"]]
    assert ("2026-12-18T00:00:00Z", "Monthly") in dates
    assert ("2026-11-27T00:00:00Z", "Weekly") in dates
    status, body = await get(session, fixed_sim,
                             "/marketdata/options/expirations/AAPL?strikePrice=230")
    assert status == 200 and len(body["Expirations"]) == len(dates)
    status, body = await get(session, fixed_sim,
                             "/marketdata/options/expirations/AAPL?strikePrice=231")
    assert status == 200 and body["Expirations"] == []


async def test_spread_types_are_tradestations(fixed_sim, session):
    status, body = await get(session, fixed_sim, "/marketdata/options/spreadtypes")
    assert status == 200
    validate(body, "SpreadTypes")
    names = [t["Name"] for t in body["SpreadTypes"]]
    assert names[:4] == ["Single", "Straddle", "Vertical", "Strangle"]
    assert {"Butterfly", "IronCondor", "Calendar", "Diagonal"} <= set(names)
    by_name = {t["Name"]: t for t in body["SpreadTypes"]}
    assert by_name["Calendar"]["ExpirationInterval"] is True
    assert by_name["Single"]["StrikeInterval"] is False


@pytest.mark.parametrize("query, first", [
    ("", ["200"]),
    ("?spreadType=Butterfly&expiration=12-18-2026", ["200", "205", "210"]),
    ("?spreadType=Vertical&strikeInterval=2&expiration=2026-12-18", ["200", "210"]),
    ("?spreadType=Calendar&expiration=12-18-2026&expiration2=01-15-2027", ["200"]),
])
async def test_strikes(fixed_sim, session, query, first):
    status, body = await get(session, fixed_sim, f"/marketdata/options/strikes/AAPL{query}")
    assert status == 200
    validate(body, "Strikes")
    assert body["Strikes"][0] == first
    widths = {len(s) for s in body["Strikes"]}
    assert widths == {len(first)}


@pytest.mark.parametrize("path, words", [
    ("/marketdata/options/expirations/NOSUCH", "underlying"),
    ("/marketdata/options/expirations/AAPL?strikePrice=abc", "strikePrice"),
    ("/marketdata/options/strikes/AAPL?spreadType=Sandwich", "spreadType"),
    ("/marketdata/options/strikes/AAPL?strikeInterval=0", "strikeInterval"),
    ("/marketdata/options/strikes/AAPL?expiration=12-19-2026", "expiration"),
    ("/marketdata/options/strikes/AAPL?spreadType=Calendar", "expiration2"),
    ("/marketdata/stream/options/chains/AAPL?strikeProximity=-1", "strikeProximity"),
    ("/marketdata/stream/options/chains/AAPL?optionType=Both", "optionType"),
    ("/marketdata/stream/options/chains/AAPL?strikeRange=Near", "strikeRange"),
    ("/marketdata/stream/options/chains/AAPL?enableGreeks=maybe", "enableGreeks"),
    ("/marketdata/stream/options/chains/AAPL?riskFreeRate=x", "riskFreeRate"),
    ("/marketdata/stream/options/quotes", "leg"),
    ("/marketdata/stream/options/quotes?legs[1].Symbol=AAPL%20261218C230", "sequential"),
    ("/marketdata/stream/options/quotes?legs[0].Symbol=NOSUCH", "NOSUCH"),
    ("/marketdata/stream/options/quotes?legs[0].Symbol=AAPL%20261218C230&legs[0].Ratio=0",
     "Ratio"),
])
async def test_bad_option_parameters_are_400(fixed_sim, session, path, words):
    status, body = await get(session, fixed_sim, path)
    assert status == 400
    validate(body, "ErrorResponse")
    assert body["Error"] == "BadRequest" and words in body["Message"]


async def test_option_chain_stream(fixed_sim, session):
    sim = fixed_sim
    status, body = await get(session, sim, "/marketdata/quotes/AAPL%20261218C230")
    quote = body["Quotes"][0]
    url = (f"{sim.base_url}/marketdata/stream/options/chains/AAPL?expiration=12-18-2026"
           "&strikeProximity=2&priceCenter=230")
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == MARKET_MEDIA
        first = await read_messages(resp, 8)
        sim.advance(200)
        later = await read_messages(resp, 1, heartbeats=False)
    for spread in first + later:
        validate(spread, "Spread")
    assert [(s["Strikes"], s["Side"]) for s in first] == [
        (["220"], "Call"), (["220"], "Put"), (["225"], "Call"), (["225"], "Put"),
        (["230"], "Call"), (["230"], "Put"), (["235"], "Call"), (["235"], "Put")]
    assert later, "the chain updates as the underlying moves"
    calls = [s for s in first if s["Side"] == "Call"]
    puts = [s for s in first if s["Side"] == "Put"]
    assert all(0 < float(c["Delta"]) < 1 for c in calls)
    assert all(-1 < float(p["Delta"]) < 0 for p in puts)
    assert all(float(s["Gamma"]) > 0 and float(s["Theta"]) < 0 for s in first)
    # Delta of a call minus that of its put is one (same strike, no dividends).
    for call, put in zip(calls, puts, strict=True):
        assert abs(float(call["Delta"]) - float(put["Delta"]) - 1) < 0.002
    # The chain and the plain quote of a leg agree (both taken before the clock moved).
    (chain_row,) = [s for s in first if s["Legs"][0]["Symbol"] == "AAPL 261218C230"]
    assert chain_row["Bid"] == quote["Bid"] and chain_row["Ask"] == quote["Ask"]


async def test_chain_filters(fixed_sim, session):
    sim = fixed_sim
    url = (f"{sim.base_url}/marketdata/stream/options/chains/AAPL?expiration=12-18-2026"
           "&strikeProximity=3&optionType=Put&strikeRange=ITM&enableGreeks=false"
           "&spreadType=Single")
    async with session.get(url, headers=auth(sim)) as resp:
        rows = await read_messages(resp, 3, timeout=1.5, heartbeats=False)
    assert rows and all(r["Side"] == "Put" and float(r["IntrinsicValue"]) > 0 for r in rows)
    assert all("Delta" not in r for r in rows)
    url = (f"{sim.base_url}/marketdata/stream/options/chains/AAPL?expiration=12-18-2026"
           "&strikeProximity=1&spreadType=Butterfly&strikeInterval=2&priceCenter=230")
    async with session.get(url, headers=auth(sim)) as resp:
        rows = await read_messages(resp, 2)
    for row in rows:
        validate(row, "Spread")
        assert [leg["Ratio"] for leg in row["Legs"]] == [1, -2, 1]
    # One spread starting below the center and one at or above it.
    assert [r["Strikes"] for r in rows] == [["225", "235", "245"], ["230", "240", "250"]]


async def test_option_quote_stream_for_a_vertical(fixed_sim, session):
    sim = fixed_sim
    url = (f"{sim.base_url}/marketdata/stream/options/quotes?legs[1].Ratio=-1"
           "&legs[0].Symbol=AAPL%20261218C230&legs[1].Symbol=AAPL%20261218C240"
           "&riskFreeRate=0.04")
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        (spread,) = await read_messages(resp, 1)
    validate(spread, "Spread")
    status, body = await get(session, sim,
                             "/marketdata/quotes/AAPL%20261218C230,AAPL%20261218C240")
    low, high = body["Quotes"]
    assert float(spread["Bid"]) == pytest.approx(float(low["Bid"]) - float(high["Ask"]))
    assert float(spread["Ask"]) == pytest.approx(float(low["Ask"]) - float(high["Bid"]))
    assert [leg["Ratio"] for leg in spread["Legs"]] == [1, -1]
    assert 0 < float(spread["Delta"]) < 1


async def test_risk_reward_of_a_call_condor(fixed_sim, session):
    legs = [("AAPL 261218C225", "BUY"), ("AAPL 261218C230", "SELL"),
            ("AAPL 261218C235", "SELL"), ("AAPL 261218C240", "BUY")]
    payload = {"SpreadPrice": 0.24, "Legs": [{"Symbol": s, "Quantity": 1, "TradeAction": a}
                                             for s, a in legs]}
    validate(payload, "RiskRewardAnalysisInput")
    url = f"{fixed_sim.base_url}/marketdata/options/riskreward"
    async with session.post(url, json=payload, headers=auth(fixed_sim)) as resp:
        assert resp.status == 200
        body = await resp.json()
    validate(body, "RiskRewardAnalysisResult")
    assert body == {"MaxGainIsInfinite": False, "AdjustedMaxGain": "476",
                    "MaxLossIsInfinite": False, "AdjustedMaxLoss": "-24",
                    "BreakevenPoints": ["225.24", "239.76"]}
    naked = {"SpreadPrice": -3.0, "Legs": [{"Symbol": "AAPL 261218C230", "Quantity": 1,
                                          "TradeAction": "SELL"}]}
    async with session.post(url, json=naked, headers=auth(fixed_sim)) as resp:
        body = await resp.json()
    assert body["MaxLossIsInfinite"] is True and body["AdjustedMaxGain"] == "300"
    assert body["BreakevenPoints"] == ["233.00"]


@pytest.mark.parametrize("payload, words", [
    ({"Legs": []}, "SpreadPrice"),
    ({"SpreadPrice": 1, "Legs": []}, "Legs"),
    ({"SpreadPrice": 1, "Legs": [{"Symbol": "AAPL 261218C230", "Quantity": 1,
                                  "TradeAction": "HOLD"}]}, "TradeAction"),
    ({"SpreadPrice": 1, "Legs": [{"Symbol": "AAPL 261218C230", "Quantity": 1,
                                  "TradeAction": "BUY"},
                                 {"Symbol": "AAPL 270115C230", "Quantity": 1,
                                  "TradeAction": "SELL"}]}, "expirations"),
    ({"SpreadPrice": 1, "Legs": [{"Symbol": "@ES", "Quantity": 1, "TradeAction": "BUY"}]},
     "@ES"),
])
async def test_bad_risk_reward_requests_are_400(fixed_sim, session, payload, words):
    url = f"{fixed_sim.base_url}/marketdata/options/riskreward"
    async with session.post(url, json=payload, headers=auth(fixed_sim)) as resp:
        assert resp.status == 400
        body = await resp.json()
    assert body["Error"] == "BadRequest" and words in body["Message"]


def test_greeks_match_finite_differences():
    from tsdash.sim.options import black_scholes

    s, k, t, v = 228.0, 230.0, 0.064, 0.3
    g = black_scholes(s, k, t, v, True)
    h = 0.01
    up, down = black_scholes(s + h, k, t, v, True), black_scholes(s - h, k, t, v, True)
    assert g.delta == pytest.approx((up.value - down.value) / (2 * h), rel=1e-4)
    assert g.gamma == pytest.approx((up.delta - down.delta) / (2 * h), rel=1e-3)
    vega = (black_scholes(s, k, t, v + 0.005, True).value
            - black_scholes(s, k, t, v - 0.005, True).value)
    assert g.vega == pytest.approx(vega, rel=1e-3)
    day = black_scholes(s, k, t - 1 / 365, v, True).value - g.value
    assert g.theta == pytest.approx(day, rel=2e-2)
    put = black_scholes(s, k, t, v, False)
    assert g.value - put.value == pytest.approx(s - k * exp(-0.04 * t), abs=1e-9)
