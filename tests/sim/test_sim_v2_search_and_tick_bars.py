"""The /v2 operations the v3 document lists: symbol suggest, symbol search, tick-bar stream."""

from __future__ import annotations

import pytest
from sim_helpers import auth, read_messages, validate

V2_STREAM_MEDIA = "application/vnd.tradestation.streams+json"


async def get(session, sim, path: str, headers=None) -> tuple[int, object]:
    async with session.get(sim.root_url + path, headers=auth(sim) if headers is None
                           else headers) as resp:
        return resp.status, await resp.json()


async def test_suggest(fixed_sim, session):
    status, body = await get(session, fixed_sim, "/v2/data/symbols/suggest/AAP?$top=3")
    assert status == 200
    validate(body, "SymbolSuggestDefinition")
    assert body[0]["Name"] == "AAPL" and len(body) <= 3
    assert all(" " not in item["Name"] for item in body), "no options in suggestions"
    status, body = await get(session, fixed_sim,
                             "/v2/data/symbols/suggest/E?$filter=Category%20eq%20%27Future%27")
    assert status == 200
    validate(body, "SymbolSuggestDefinition")
    assert body and all(item["Category"] == "Future" for item in body)
    es = [item for item in body if item["Name"] == "ESZ26"][0]
    assert es["PointValue"] == 50 and es["MinMove"] == 25 and es["DisplayType"] == 3


async def test_search(fixed_sim, session):
    status, body = await get(session, fixed_sim, "/v2/data/symbols/search/N=MS&C=Stock")
    assert status == 200
    validate(body, "SymbolSearchDefinition")
    assert {"MSFT", "MS"} <= {item["Name"] for item in body}
    status, body = await get(session, fixed_sim,
                             "/v2/data/symbols/search/C=SO&R=AAPL&OT=Call&Exd=1")
    assert status == 200
    validate(body, "SymbolSearchDefinition")
    assert body and all(i["OptionType"] == "Calls" and i["Root"] == "AAPL" for i in body)
    assert {i["ExpirationDate"] for i in body} == {"2026-11-27T00:00:00Z"}
    status, body = await get(session, fixed_sim, "/v2/data/symbols/search/C=FU&R=US")
    assert status == 200
    assert {i["Name"] for i in body} >= {"@US", "USZ26"}
    assert all(i["DisplayType"] == 12 for i in body)


@pytest.mark.parametrize("path, status, words", [
    ("/v2/data/symbols/suggest/AAP?$top=zero", 400, "$top"),
    ("/v2/data/symbols/suggest/AAP?$filter=Category%20like%20x", 400, "$filter"),
    ("/v2/data/symbols/search/C=Stuff", 400, "category"),
    ("/v2/data/symbols/search/C=SO", 400, "R"),
    ("/v2/data/symbols/search/N=ZZZZZZ", 404, "No symbols"),
    ("/v2/stream/tickbars/MSFT/0/5", 400, "interval"),
    ("/v2/stream/tickbars/MSFT/10/11", 400, "barsBack"),
    ("/v2/stream/tickbars/NOSUCH/10/5", 404, "NOSUCH"),
])
async def test_v2_errors_in_v2_shape(fixed_sim, session, path, status, words):
    got, body = await get(session, fixed_sim, path)
    assert got == status
    validate(body, "Error")
    assert body["StatusCode"] == status and words in body["Message"]


async def test_v2_needs_a_token(fixed_sim, session):
    status, body = await get(session, fixed_sim, "/v2/data/symbols/suggest/AAP", headers={})
    assert status == 401
    validate(body, "Error")


async def test_tick_bar_stream(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.root_url}/v2/stream/tickbars/MSFT/3/4"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == V2_STREAM_MEDIA
        history = await read_messages(resp, 4)
        sim.advance(300)
        live = await read_messages(resp, 6, heartbeats=False)
    for bar in history + live:
        # The document types Status as an object of bits while describing it as "Integer value
        # representing values through bit mappings"; v2 sends the integer. Validate its bits.
        assert isinstance(bar["Status"], int)
        bits = {f"bit{i}": 1 for i in range(30) if bar["Status"] >> i & 1}
        validate({**bar, "Status": bits}, "TickbarDefinition")
        assert bar["TimeStamp"].startswith("/Date(")
    assert [b["Status"] for b in history] == [13] * 4
    assert len(live) == 6
    assert [bool(b["Status"] & 8) for b in live] == [False, False, True] * 2
    assert live[2]["TotalVolume"] > live[0]["TotalVolume"]
