"""/v3/marketdata: quote and bar snapshots (REST) and streams."""

from __future__ import annotations

from aiohttp import web

from .bars import BarParamError, parse_bar_params
from .depth import DEFAULT_LEVELS, MAX_LEVELS, DepthFeed
from .errors import TSHTTPError, comma_list
from .faults import NOT_ENTITLED, NOT_ENTITLED_BARS
from .feeds import INVALID_SYMBOL, BarFeed, FastQuoteFeed, QuoteFeed
from .keys import ENGINE
from .streams import serve_http_stream
from .universe import SYMBOLS, AssetType, lookup

MAX_SYMBOLS = 100
MAX_DETAIL_SYMBOLS = 50


def parse_symbols(text: str, limit: int = MAX_SYMBOLS) -> list[str]:
    """Comma-separated, case-insensitive, duplicates dropped; 1 to `limit` of them."""
    return comma_list(text, noun="symbol", limit=limit, clean=str.upper)


def _bar_spec(request: web.Request):
    symbol = request.match_info.get("symbol", "").strip().upper()
    if not symbol:
        raise TSHTTPError(400, "A symbol is required.")
    try:
        spec = parse_bar_params(symbol, request.query)
        request.app[ENGINE].bars.date_window(spec)  # a firstdate too early is a 400 too
    except BarParamError as exc:
        raise TSHTTPError(400, str(exc)) from None
    return spec


async def stream_quotes(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    symbols = parse_symbols(request.match_info.get("symbols", ""))
    feed: QuoteFeed
    if engine.quote_rate:
        feed = FastQuoteFeed(engine, symbols, engine.quote_rate)
    else:
        feed = QuoteFeed(engine, symbols)
    return await serve_http_stream(request, engine, feed)


async def stream_bars(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    return await serve_http_stream(request, engine, BarFeed(engine, _bar_spec(request)))


async def get_quotes(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    market = engine.market
    symbols = parse_symbols(request.match_info.get("symbols", ""))
    # As TradeStation: 200 with the good symbols' quotes and one QuoteError per bad symbol, in
    # the order asked; a not_entitled fault refuses its symbol as the quote stream does.
    refused = engine.faults.not_entitled_symbols([s for s in symbols if s in market])
    errors = {s: NOT_ENTITLED if s in refused else INVALID_SYMBOL
              for s in symbols if s not in market or s in refused}
    return web.json_response({
        "Quotes": [market.full_quote(s) for s in symbols if s not in errors],
        "Errors": [{"Symbol": s, "Error": error} for s, error in errors.items()],
    })


async def get_bars(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    spec = _bar_spec(request)
    state = engine.market.states.get(spec.symbol)
    if state is None:
        raise TSHTTPError(404, f"Invalid symbol '{spec.symbol}'.")
    if engine.faults.not_entitled_symbols([spec.symbol]):  # TradeStation answers 200 with it
        return web.json_response(NOT_ENTITLED_BARS)
    return web.json_response({"Bars": engine.bars.history(state, spec)})


async def get_symbol_details(request: web.Request) -> web.Response:
    """GET /v3/marketdata/symbols/{symbols}: SymbolDetail per known symbol, Errors for the rest."""
    symbols = parse_symbols(request.match_info.get("symbols", ""), MAX_DETAIL_SYMBOLS)
    known = [s for s in symbols if lookup(s) is not None]
    return web.json_response({
        "Symbols": [SYMBOLS[s].detail() for s in known],
        "Errors": [{"Symbol": s, "Error": "NotFound", "Message": f"Invalid symbol: {s}"}
                   for s in symbols if lookup(s) is None],
    })


def _max_levels(request: web.Request) -> int:
    text = request.query.get("maxlevels")
    if text is None:
        return DEFAULT_LEVELS
    try:
        levels = int(text)
    except ValueError:
        levels = 0
    if not 1 <= levels <= MAX_LEVELS:
        raise TSHTTPError(400, f"Invalid maxlevels '{text}'. It must be a whole number from 1 "
                               f"to {MAX_LEVELS}.")
    return levels


async def _stream_depth(request: web.Request, aggregate: bool) -> web.StreamResponse:
    engine = request.app[ENGINE]
    symbol = request.match_info.get("symbol", "").strip().upper()
    if not symbol:
        raise TSHTTPError(400, "A symbol is required.")
    feed = DepthFeed(engine, symbol, _max_levels(request), aggregate)
    return await serve_http_stream(request, engine, feed)


async def stream_depth_quotes(request: web.Request) -> web.StreamResponse:
    return await _stream_depth(request, aggregate=False)


async def stream_depth_aggregates(request: web.Request) -> web.StreamResponse:
    return await _stream_depth(request, aggregate=True)


async def get_crypto_names(request: web.Request) -> web.Response:
    return web.json_response({"SymbolNames": [s for s, info in SYMBOLS.items()
                                              if info.asset_type is AssetType.CRYPTO]})


async def _no_symbols(request: web.Request) -> web.Response:
    raise TSHTTPError(400, "At least one symbol is required.")


ROUTES = [
    web.get("/v3/marketdata/stream/quotes/{symbols}", stream_quotes, name="quotes"),
    web.get("/v3/marketdata/stream/quotes/", _no_symbols, name="quotes-empty"),
    web.get("/v3/marketdata/stream/barcharts/{symbol}", stream_bars, name="barcharts"),
    web.get("/v3/marketdata/stream/barcharts/", _no_symbols, name="barcharts-empty"),
    web.get("/v3/marketdata/quotes/{symbols}", get_quotes, name="rest-quotes"),
    web.get("/v3/marketdata/quotes/", _no_symbols, name="rest-quotes-empty"),
    web.get("/v3/marketdata/barcharts/{symbol}", get_bars, name="rest-barcharts"),
    web.get("/v3/marketdata/symbols/{symbols}", get_symbol_details, name="symbols"),
    web.get("/v3/marketdata/symbols/", _no_symbols, name="symbols-empty"),
    web.get("/v3/marketdata/stream/marketdepth/quotes/{symbol}", stream_depth_quotes,
            name="marketdepth-quotes"),
    web.get("/v3/marketdata/stream/marketdepth/aggregates/{symbol}", stream_depth_aggregates,
            name="marketdepth-aggregates"),
    web.get("/v3/marketdata/symbollists/cryptopairs/symbolnames", get_crypto_names,
            name="cryptopairs"),
    web.get("/v3/marketdata/barcharts/", _no_symbols, name="rest-barcharts-empty"),
]
