"""/v3/brokerage: accounts, balances, positions and orders (REST) and the two account streams."""

from __future__ import annotations

import asyncio

from aiohttp import web

from .book import MAX_ACCOUNTS_PER_REQUEST
from .errors import TSHTTPError
from .faults import ACCOUNT_ERROR_ROUTES
from .feeds import OrderFeed, PositionFeed
from .keys import ENGINE
from .streams import serve_http_stream

INVALID_ACCOUNT = "Invalid Account ID."


def parse_accounts(text: str) -> list[str]:
    """Comma-separated account ids, 1 to 25 of them (TradeStation's limit)."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        if part.strip():
            seen.setdefault(part.strip(), None)
    accounts = list(seen)
    if not accounts:
        raise TSHTTPError(400, "At least one account ID is required.")
    if len(accounts) > MAX_ACCOUNTS_PER_REQUEST:
        raise TSHTTPError(400, f"Too many accounts: {len(accounts)} requested, the maximum is "
                               f"{MAX_ACCOUNTS_PER_REQUEST} per request.")
    return accounts


def _split(request: web.Request) -> tuple[list[str], list[dict]]:
    """Known accounts, and TradeStation's per-account errors for the unknown ones."""
    book = request.app[ENGINE].book
    accounts = parse_accounts(request.match_info.get("accounts", ""))
    errors = [{"AccountID": a, "Error": "Forbidden", "Message": INVALID_ACCOUNT}
              for a in accounts if a not in book.accounts]
    valid = [a for a in accounts if a in book.accounts]
    # the account_error fault: that account's items give way to its Errors entry
    failed = request.app[ENGINE].faults.take_account_errors(
        ACCOUNT_ERROR_ROUTES.get(request.match_info.route.name or ""), valid,
        next(iter(book.accounts), None))
    return [a for a in valid if a not in failed], errors + list(failed.values())


async def get_accounts(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    return web.json_response({"Accounts": [book.account_payload(a) for a in book.accounts]})


async def _stall(request: web.Request, seconds: float) -> None:
    """Hold the answer (no bytes at all) for `seconds`, until the client leaves or the sim stops."""
    engine = request.app[ENGINE]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline and not engine.stopping:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(min(0.05, max(0.0, deadline - loop.time())))


async def get_balances(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    stall = request.app[ENGINE].faults.take_rest_stall("balances")
    if stall is not None:
        await _stall(request, stall.seconds)
    valid, errors = _split(request)
    return web.json_response({"Balances": [book.balance_payload(a) for a in valid],
                              "Errors": errors})


async def get_positions(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    valid, errors = _split(request)
    return web.json_response({"Positions": book.position_snapshot(valid), "Errors": errors})


async def get_orders(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    valid, errors = _split(request)
    return web.json_response({"Orders": [book.order_payload(o) for o in book.orders_of(valid)],
                              "Errors": errors})


def _changes(request: web.Request) -> bool:
    value = request.query.get("changes", "false").strip().lower()
    if value not in ("true", "false"):
        raise TSHTTPError(400, f"Invalid changes '{request.query['changes']}'. "
                               "Expected true or false.")
    return value == "true"


async def stream_orders(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    accounts = parse_accounts(request.match_info.get("accounts", ""))
    return await serve_http_stream(request, engine, OrderFeed(engine, accounts))


async def stream_positions(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    accounts = parse_accounts(request.match_info.get("accounts", ""))
    changes = _changes(request)
    return await serve_http_stream(request, engine, PositionFeed(engine, accounts, changes))


ROUTES = [
    web.get("/v3/brokerage/accounts", get_accounts, name="accounts"),
    web.get("/v3/brokerage/accounts/{accounts}/balances", get_balances, name="balances"),
    web.get("/v3/brokerage/accounts/{accounts}/positions", get_positions, name="rest-positions"),
    web.get("/v3/brokerage/accounts/{accounts}/orders", get_orders, name="rest-orders"),
    web.get("/v3/brokerage/stream/accounts/{accounts}/orders", stream_orders, name="orders"),
    web.get("/v3/brokerage/stream/accounts/{accounts}/positions", stream_positions,
            name="positions"),
]
