"""client.market_data.get_symbol_details: batches of 50, cached per client, unknown symbols
absent and logged, raising only for transport and auth failures (design.md "Symbols and
prices"). A small loopback server answers TradeStation's documented SymbolDetailsResponse."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web

from tsdash.api import AuthError, HTTPStatusError, StreamConnectionError, TradeStationClient

UNKNOWN = {"BOGUS", "NOPE1"}


def detail_for(symbol: str) -> dict:
    """A SymbolDetail as TradeStation documents it (plus a field the client must keep as sent)."""
    return {"AssetType": "STOCK", "Country": "United States", "Currency": "USD",
            "Description": f"{symbol} Corp", "Exchange": "NASDAQ", "Symbol": symbol.upper(),
            "Root": symbol.upper(),
            "PriceFormat": {"Format": "Decimal", "Decimals": "2", "IncrementStyle": "Simple",
                            "Increment": "0.01", "PointValue": "1"},
            "QuantityFormat": {"Format": "Decimal", "Decimals": "0", "IncrementStyle": "Simple",
                               "Increment": "1", "MinimumTradeQuantity": "1"},
            "Unexpected": {"kept": [1, 2]}}


class DetailsServer:
    """Answers GET /v3/marketdata/symbols/{symbols}; records each request's raw path."""

    def __init__(self) -> None:
        self.raw_paths: list[str] = []
        self.status = 200
        self.delay = 0.0
        self.odd = False
        self.unreadable: set[str] = set()  # a request naming one of these is refused with 400
        self.runner: web.AppRunner | None = None
        self.base_url = ""

    def symbols_asked(self) -> list[list[str]]:
        return [unquote(p.rsplit("/", 1)[1]).split(",") for p in self.raw_paths]

    async def handle(self, request: web.Request) -> web.Response:
        self.raw_paths.append(request.raw_path)
        if self.delay:
            await asyncio.sleep(self.delay)
        asked = set(unquote(request.match_info["symbols"]).split(","))
        if self.status != 200 or asked & self.unreadable:
            status = self.status if self.status != 200 else 400
            return web.json_response({"Error": "X", "Message": "refused"}, status=status)
        if self.odd:
            return web.json_response(["not", "a", "SymbolDetailsResponse"])
        symbols = request.match_info["symbols"].split(",")
        return web.json_response({
            "Symbols": [detail_for(s) for s in symbols if s.upper() not in UNKNOWN],
            "Errors": [{"Symbol": s, "Error": "INVALID SYMBOL", "Message": "Invalid symbol."}
                       for s in symbols if s.upper() in UNKNOWN],
        })

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v3/marketdata/symbols/{symbols}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/v3"


@pytest.fixture
async def server() -> AsyncIterator[DetailsServer]:
    server = DetailsServer()
    await server.start()
    yield server
    assert server.runner is not None
    await server.runner.cleanup()


@pytest.fixture
async def client(server: DetailsServer) -> AsyncIterator[TradeStationClient]:
    client = TradeStationClient(base_url=server.base_url, access_token="t")
    yield client
    await client.close()


async def test_120_symbols_are_asked_for_in_3_batches_of_at_most_50(server, client):
    symbols = [f"S{n:03d}" for n in range(120)]
    details = await client.market_data.get_symbol_details(symbols)
    assert [len(batch) for batch in server.symbols_asked()] == [50, 50, 20]
    assert [s for batch in server.symbols_asked() for s in batch] == symbols
    assert list(details) == symbols
    assert details["S007"] == detail_for("S007")  # exactly as sent, unknown fields too


async def test_a_symbol_asked_for_once_is_not_asked_again(server, client):
    symbols = [f"S{n:03d}" for n in range(120)]
    first = await client.market_data.get_symbol_details(symbols)
    assert len(server.raw_paths) == 3
    again = await client.market_data.get_symbol_details(symbols)
    assert len(server.raw_paths) == 3 and again == first
    more = await client.market_data.get_symbol_details(["S001", "NEW1", "S002", "NEW2"])
    assert server.symbols_asked()[3:] == [["NEW1", "NEW2"]]
    assert list(more) == ["S001", "NEW1", "S002", "NEW2"]


async def test_calls_at_once_ask_once(server, client):
    server.delay = 0.05
    one, two = await asyncio.gather(client.market_data.get_symbol_details(["AAPL", "MSFT"]),
                                    client.market_data.get_symbol_details("MSFT,AAPL"))
    assert len(server.raw_paths) == 1 and one == two


async def test_an_unknown_symbol_is_absent_logged_and_not_asked_again(server, client, caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.market_data")
    details = await client.market_data.get_symbol_details(["AAPL", "BOGUS", "MSFT"])
    assert list(details) == ["AAPL", "MSFT"]
    assert any("BOGUS" in r.getMessage() and "INVALID SYMBOL" in r.getMessage()
               for r in caplog.records)
    assert await client.market_data.get_symbol_details(["BOGUS"]) == {}
    assert len(server.raw_paths) == 1


async def test_every_symbol_form_is_escaped_in_the_path(server, client):
    symbols = ["AAPL 261218C230", "$SPX.X", "@ES", "ESZ26", "BTCUSD", "SPY 261218P582.5"]
    details = await client.market_data.get_symbol_details(symbols)
    assert list(details) == symbols
    (raw,) = server.raw_paths
    assert raw == ("/v3/marketdata/symbols/"
                   "AAPL%20261218C230,$SPX.X,@ES,ESZ26,BTCUSD,SPY%20261218P582.5")


async def test_a_symbol_answered_in_other_case_is_found(server, client):
    details = await client.market_data.get_symbol_details(["aapl"])
    assert details["aapl"]["Symbol"] == "AAPL"


async def test_no_symbols_asks_nothing(server, client):
    assert await client.market_data.get_symbol_details([]) == {}
    assert await client.market_data.get_symbol_details(" , ") == {}
    assert server.raw_paths == []


async def test_an_auth_failure_raises(server, client):
    server.status = 401
    with pytest.raises(AuthError):
        await client.market_data.get_symbol_details(["AAPL"])
    server.status = 200  # nothing was cached: asked again once the token is good
    assert list(await client.market_data.get_symbol_details(["AAPL"])) == ["AAPL"]


async def test_a_server_error_raises(server, client):
    server.status = 503
    with pytest.raises(HTTPStatusError):
        await client.market_data.get_symbol_details(["AAPL"])


@pytest.mark.parametrize("status", [400, 404])
async def test_a_batch_refused_whole_is_absent_and_logged(server, client, caplog, status):
    caplog.set_level(logging.WARNING, logger="tsdash.api.market_data")
    server.status = status
    assert await client.market_data.get_symbol_details(["AAPL", "MSFT"]) == {}
    assert any(f"HTTP {status}" in r.getMessage() and "refused" in r.getMessage()
               for r in caplog.records)
    # the batch, then each symbol alone; each refused alone is known to be unreadable
    assert server.symbols_asked() == [["AAPL", "MSFT"], ["AAPL"], ["MSFT"]]
    server.status = 200
    assert await client.market_data.get_symbol_details(["AAPL"]) == {}
    assert len(server.raw_paths) == 3


async def test_one_unreadable_symbol_does_not_cost_the_batch_its_details(server, client):
    server.unreadable = {"B@D"}
    details = await client.market_data.get_symbol_details(["AAPL", "B@D", "MSFT"])
    assert list(details) == ["AAPL", "MSFT"]
    assert server.symbols_asked() == [["AAPL", "B@D", "MSFT"], ["AAPL"], ["B@D"], ["MSFT"]]


async def test_no_server_raises_a_connection_error(server):
    port = server.runner.addresses[0][1]
    await server.runner.cleanup()
    client = TradeStationClient(base_url=f"http://127.0.0.1:{port}/v3", access_token="t")
    try:
        with pytest.raises(StreamConnectionError):
            await client.market_data.get_symbol_details(["AAPL"])
    finally:
        await client.close()
    await server.start()  # the fixture cleans up a running server


async def test_an_odd_answer_is_logged_and_asked_again(server, client, caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.api.market_data")
    server.odd = True
    assert await client.market_data.get_symbol_details(["AAPL"]) == {}
    assert any("not a SymbolDetailsResponse" in r.getMessage() for r in caplog.records)
    server.odd = False
    assert list(await client.market_data.get_symbol_details(["AAPL"])) == ["AAPL"]
    assert len(server.raw_paths) == 2


async def test_a_quote_stream_path_escapes_every_symbol_form(tsim: Any, make_client: Any):
    """Against the simulator over loopback: an option with its space, an index with "$", a
    continuous future with "@" reach the server as one escaped path segment and nothing
    crashes, whatever the simulator answers for them."""
    from api_helpers import Recorder, stream_requests

    client = make_client(tsim)
    rec = Recorder()
    symbols = ["AAPL 261218C230", "$SPX.X", "@ES", "AAPL"]
    sub = await client.market_data.stream_quotes(symbols, **rec.callbacks())
    try:
        await rec.wait_until(lambda: any(m.get("Symbol") == "AAPL" for m in rec.messages))
        (request,) = stream_requests(tsim, "/marketdata/stream/quotes/")
        assert request.path.endswith("/marketdata/stream/quotes/AAPL 261218C230,$SPX.X,@ES,AAPL")
    finally:
        await sub.unsubscribe()
