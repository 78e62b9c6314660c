"""Junk, huge, negative and non-finite values in every numeric parameter of the option, depth,
bar and v2 routes: a 400 naming the parameter or a working answer, never a 500 and never a stream
that breaks off with an error (absurd greeks from an unbounded option-quote ratio included)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import pytest
from sim_helpers import auth

OPTION = "AAPL 261218C230"
JUNK = ["abc", "", "-1", "0", "1.5", "nan", "inf", "-inf", "1e400", "1e308", "-1e308",
        "99999999999999999999999", "9" * 5000, "0x10", " "]

# (path under the server root, the parameter, extra query it needs). A path parameter is written
# as {param} in the path; the others go in the query string.
ROUTES = [
    ("/v3/marketdata/options/expirations/AAPL", "strikePrice", {}),
    ("/v3/marketdata/options/strikes/AAPL", "strikeInterval", {}),
    ("/v3/marketdata/stream/options/chains/AAPL", "strikeInterval", {}),
    ("/v3/marketdata/stream/options/chains/AAPL", "strikeProximity", {}),
    ("/v3/marketdata/stream/options/chains/AAPL", "priceCenter", {}),
    ("/v3/marketdata/stream/options/chains/AAPL", "riskFreeRate", {}),
    ("/v3/marketdata/stream/options/quotes", "legs[0].Ratio", {"legs[0].Symbol": OPTION}),
    ("/v3/marketdata/stream/options/quotes", "legs[1].Ratio",
     {"legs[0].Symbol": OPTION, "legs[1].Symbol": "AAPL"}),
    ("/v3/marketdata/stream/options/quotes", "riskFreeRate", {"legs[0].Symbol": OPTION}),
    ("/v3/marketdata/stream/marketdepth/quotes/MSFT", "maxlevels", {}),
    ("/v3/marketdata/stream/marketdepth/aggregates/MSFT", "maxlevels", {}),
    ("/v3/marketdata/barcharts/MSFT", "interval", {"unit": "Minute"}),
    ("/v3/marketdata/barcharts/MSFT", "barsback", {"unit": "Minute"}),
    ("/v3/marketdata/barcharts/MSFT", "barsback", {"unit": "Daily"}),
    ("/v3/marketdata/stream/barcharts/MSFT", "interval", {"unit": "Minute"}),
    ("/v3/marketdata/stream/barcharts/MSFT", "barsback", {"unit": "Minute"}),
    ("/v2/data/symbols/suggest/MS", "$top", {}),
    ("/v2/data/symbols/search/C=SO&R=AAPL&Exd={Exd}", "Exd", {}),
    ("/v2/stream/tickbars/MSFT/{interval}/5", "interval", {}),
    ("/v2/stream/tickbars/MSFT/10/{barsBack}", "barsBack", {}),
]


def url_of(sim, path: str, param: str, value: str, extra: dict) -> str:
    if "{" + param + "}" in path:
        return sim.root_url + path.replace("{" + param + "}", quote(value, safe="") or "%20")
    query = {**extra, param: value}
    return sim.root_url + path + "?" + "&".join(
        f"{quote(k, safe='[].$')}={quote(v, safe='')}" for k, v in query.items())


async def first_line(resp) -> dict | None:
    """The first NDJSON message of a stream (None if it sent nothing in time)."""
    try:
        async with asyncio.timeout(5):
            line = await resp.content.readline()
    except TimeoutError:
        return None
    return json.loads(line) if line else None


@pytest.mark.parametrize("path,param,extra", ROUTES,
                         ids=[f"{p.split('/')[-2]}/{p.split('/')[-1]}:{n}" for p, n, _ in ROUTES])
async def test_no_value_of_a_numeric_parameter_breaks_a_route(fixed_sim, session, path, param,
                                                              extra):
    sim = fixed_sim
    for value in JUNK:
        async with session.get(url_of(sim, path, param, value, extra),
                               headers=auth(sim)) as resp:
            status = resp.status
            if status != 200:
                body = await resp.json()
                if path.startswith("/v2"):  # v2's error shape
                    body = {"Message": body["Message"]}
                assert status in (400, 404), (value, status, body)
                if status == 400:
                    assert param.split(".")[-1].lower() in body["Message"].lower(), (value, body)
                continue
            if "stream" in path:
                message = await first_line(resp)
                assert message is not None and "Error" not in message, (value, message)
            else:
                await resp.read()


@pytest.mark.parametrize("ratio", ["99999999999999999999999", "1001", "-1001", "1.5", "0",
                                   "-0", "abc"])
async def test_an_option_quote_leg_ratio_is_bounded(fixed_sim, session, ratio):
    sim = fixed_sim
    url = url_of(sim, "/v3/marketdata/stream/options/quotes", "legs[0].Ratio", ratio,
                 {"legs[0].Symbol": OPTION})
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 400
        body = await resp.json()
    assert body["Message"].startswith(f"Invalid legs[0].Ratio '{ratio}'.")
    assert "1 to 1000" in body["Message"]


@pytest.mark.parametrize("ratio", ["1000", "-1000", "-2", "+3"])
async def test_an_option_quote_leg_ratio_within_the_bound_streams(fixed_sim, session, ratio):
    sim = fixed_sim
    url = url_of(sim, "/v3/marketdata/stream/options/quotes", "legs[0].Ratio", ratio,
                 {"legs[0].Symbol": OPTION})
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        message = await first_line(resp)
    assert message is not None and "Delta" in message
    assert abs(float(message["Delta"])) <= abs(int(ratio))


def not_json(name: str):
    raise AssertionError(f"{name} is not JSON")


@pytest.mark.parametrize("price", [1e308, -1e308, 1e30, 0.24])
@pytest.mark.parametrize("quantity", [10**30, 100_001, 1])
async def test_risk_reward_numbers_are_bounded(fixed_sim, session, price, quantity):
    """Huge numbers in a riskreward body are a 400 naming the field, never a 500, an "inf"
    amount or Infinity (not JSON)."""
    sim = fixed_sim
    body = {"SpreadPrice": price, "Legs": [
        {"Symbol": OPTION, "Quantity": quantity, "TradeAction": "BUY"}]}
    async with session.post(f"{sim.base_url}/marketdata/options/riskreward", headers=auth(sim),
                            json=body) as resp:
        status, text = resp.status, await resp.text()
    answer = json.loads(text, parse_constant=not_json)  # strict JSON: no Infinity or NaN
    if abs(price) > 10_000_000:
        assert status == 400 and "SpreadPrice" in answer["Message"]
    elif quantity > 100_000:
        assert status == 400 and "Legs[0].Quantity" in answer["Message"]
    else:
        assert status == 200, answer
        assert "inf" not in answer["AdjustedMaxGain"] + answer["AdjustedMaxLoss"]


@pytest.mark.parametrize("exd", ["0", "-1", "-99999999999999999999", "x"])
async def test_option_search_needs_at_least_one_expiration(fixed_sim, session, exd):
    sim = fixed_sim
    async with session.get(f"{sim.root_url}/v2/data/symbols/search/C=SO&R=AAPL&Exd={exd}",
                           headers=auth(sim)) as resp:
        assert resp.status == 400
        body = await resp.json()
    assert body["Message"].startswith(f"Invalid Exd '{exd}'. Expected a whole number")
