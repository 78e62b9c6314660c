"""Request and stream faults reach the option, market depth, orders-by-id and /v2 tick-bar
streams, each by its own `stream=` name."""

from __future__ import annotations

import asyncio
import json

import pytest
from sim_helpers import auth, raw_until_end, validate, wait_for

from tsdash.sim.faults import FAULT_HELP, STREAM_NAMES, FaultInjector, apply_fault_spec

OPTION_LEG = "AAPL%20261218C230"
# (path, fault stream name, X-RateLimit-Resource)
NEW_STREAMS = [
    ("/marketdata/stream/options/chains/AAPL?strikeProximity=1", "optionchains",
     "Option Chain Stream"),
    (f"/marketdata/stream/options/quotes?legs[0].Symbol={OPTION_LEG}", "optionquotes",
     "Option Quote Stream"),
    ("/marketdata/stream/marketdepth/quotes/MSFT?maxlevels=3", "marketdepth",
     "MarketDepth Stream"),
    ("/marketdata/stream/marketdepth/aggregates/MSFT?maxlevels=3", "marketdepth",
     "MarketDepth Stream"),
    ("/brokerage/stream/accounts/SIM1234567M/orders/777", "orders", "Order Stream by Order Id"),
    ("/v2/stream/tickbars/MSFT/10/5", "tickbars", "TickBar Stream"),
]
QUOTES = "/marketdata/stream/quotes/MSFT"


def url_of(sim, path: str) -> str:
    root = sim.base_url.removesuffix("/v3")
    return root + path if path.startswith("/v2/") else sim.base_url + path


async def status_of(sim, session, path: str) -> tuple[int, dict, dict]:
    """Status, headers and (for an error) body of a stream request; a 200 is closed at once."""
    async with session.get(url_of(sim, path), headers=auth(sim)) as resp:
        body = await resp.json() if resp.status != 200 else {}
        return resp.status, dict(resp.headers), body


@pytest.mark.parametrize("path, name, resource", NEW_STREAMS)
async def test_a_rate_limit_aimed_at_a_new_stream_answers_it_only(sim, session, path, name,
                                                                 resource):
    fault = sim.faults.rate_limit(times=1, retry_after=4, stream=name)
    assert (await status_of(sim, session, QUOTES))[0] == 200  # another stream: untouched
    status, headers, body = await status_of(sim, session, path)
    assert status == 429
    assert headers["X-RateLimit-Resource"] == resource and headers["Retry-After"] == "4"
    if path.startswith("/v2/"):  # v2's error shape
        validate(body, "Error")
        assert body["StatusCode"] == 429 and body["Message"] == "Rate quota exceeded"
    else:
        assert body == {"Error": "TooManyRequests", "Message": "Rate quota exceeded"}
    assert fault.fired == 1
    assert (await status_of(sim, session, path))[0] == 200


@pytest.mark.parametrize("kind", ["unauthorized", "server_error"])
async def test_unauthorized_and_server_error_by_new_stream_name(sim, session, kind):
    getattr(sim.faults, kind)(times=1, stream="optionchains")
    path = NEW_STREAMS[0][0]
    status, _, body = await status_of(sim, session, path)
    assert status == (401 if kind == "unauthorized" else 503)
    validate(body, "ErrorResponse")
    assert (await status_of(sim, session, path))[0] == 200


@pytest.mark.parametrize("path, name, _resource", NEW_STREAMS)
async def test_goaway_by_name_ends_a_new_stream(sim, session, path, name, _resource):
    quote_fault = sim.faults.goaway(after=0, stream="quotes")  # aimed elsewhere: never fires
    fault = sim.faults.goaway(after=0, stream=name)
    async with session.get(url_of(sim, path), headers=auth(sim)) as resp:
        assert resp.status == 200
        data, error = await raw_until_end(resp, timeout=10.0)
    assert error is None, "GoAway ends the chunked body properly"
    last = json.loads(data.splitlines()[-1])
    assert last in ({"StreamStatus": "GoAway"},
                    {"Error": "GoAway", "Message": "The server is about to shut down."})
    assert fault.fired == 1 and quote_fault.fired == 0
    await wait_for(lambda: sim.open_streams == 0, what="the stream to be gone")


async def test_malformed_line_on_market_depth(sim, session):
    sim.faults.malformed_line(after=1, stream="marketdepth")
    async with session.get(url_of(sim, NEW_STREAMS[2][0]), headers=auth(sim)) as resp:
        lines = []
        async with asyncio.timeout(10):
            while len(lines) < 3:
                line = await resp.content.readline()
                if line.strip():
                    lines.append(line)
    json.loads(lines[0])
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[1])
    assert "Bids" in json.loads(lines[2]) or "Heartbeat" in json.loads(lines[2])


def test_the_cli_knows_the_new_stream_names():
    injector = FaultInjector()
    for name in ("optionchains", "optionquotes", "marketdepth", "tickbars"):
        assert name in STREAM_NAMES and name in FAULT_HELP
        apply_fault_spec(injector, f"goaway:after=3,stream={name}")
        apply_fault_spec(injector, f"429:stream={name}")
    assert len(injector.armed) == 8
