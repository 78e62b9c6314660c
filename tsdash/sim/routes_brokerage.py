"""/v3/brokerage: accounts, balances (current and beginning of day), positions, orders (today's,
historical, by id) over REST, and the account streams (orders, orders by id, positions).
"""

from __future__ import annotations

import asyncio
import base64
import re
from datetime import UTC, date, datetime, timedelta

from aiohttp import web

from .book import MAX_ACCOUNTS_PER_REQUEST, MAX_DAYS, Order
from .errors import TSHTTPError, comma_list
from .faults import ACCOUNT_ERROR_ROUTES
from .feeds import OrderFeed, PositionFeed, control
from .keys import ENGINE
from .market import encode
from .streams import serve_http_stream

INVALID_ACCOUNT = "Invalid Account ID."
MAX_ORDER_IDS = 50
MAX_PAGE_SIZE = 600
ORDER_NOT_FOUND = "Order not found."
_SINCE_FORMATS = ("%Y-%m-%d", "%m-%d-%Y", "%Y/%m/%d", "%m/%d/%Y")


def parse_accounts(text: str) -> list[str]:
    """Comma-separated account ids, 1 to 25 of them (TradeStation's limit)."""
    return comma_list(text, noun="account ID", limit=MAX_ACCOUNTS_PER_REQUEST)


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
    matches = symbol_filter(request)
    positions = [p for p in book.position_snapshot(valid) if matches is None
                 or matches(p["Symbol"])]
    return web.json_response({"Positions": positions, "Errors": errors})


def parse_order_ids(text: str) -> list[str]:
    """Comma-separated order ids, 1 to 50 of them; dashes are dropped as TradeStation does."""
    return comma_list(text, noun="order ID", limit=MAX_ORDER_IDS,
                      clean=lambda part: part.replace("-", ""))


def _page(request: web.Request, items: list[dict]) -> dict:
    """pageSize (1 to 600) and nextToken (an opaque offset) as TradeStation pages orders."""
    raw_size = request.query.get("pageSize")
    size = MAX_PAGE_SIZE
    if raw_size is not None:
        try:
            size = int(raw_size)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise TSHTTPError(400, f"Invalid pageSize '{raw_size}'. Expected a whole number from "
                                   f"1 to {MAX_PAGE_SIZE}.")
    start = 0
    token = request.query.get("nextToken")
    if token is not None:
        try:
            start = int(base64.urlsafe_b64decode(token.encode() + b"==").decode())
        except (ValueError, UnicodeDecodeError):
            raise TSHTTPError(400, "Invalid nextToken: use the one the previous page returned.") \
                from None
    page = items[start:start + size]
    body: dict = {"Orders": page}
    if raw_size is not None and start + size < len(items):
        body["NextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return body


async def get_orders(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    valid, errors = _split(request)
    body = _page(request, [book.order_payload(o) for o in book.orders_latest_first(valid)])
    body["Errors"] = errors
    return web.json_response(body)


def _id_errors(valid: list[str], ids: list[str], found: set[str]) -> list[dict]:
    return [{"AccountID": ",".join(valid), "OrderID": oid, "Error": "NotFound",
             "Message": ORDER_NOT_FOUND} for oid in ids if oid not in found]


async def get_orders_by_id(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    valid, errors = _split(request)
    ids = parse_order_ids(request.match_info["order_ids"])
    wanted = set(ids)
    orders = [o for o in book.orders_latest_first(valid) if o.order_id in wanted]
    found = {o.order_id for o in orders}
    return web.json_response({"Orders": [book.order_payload(o) for o in orders],
                              "Errors": errors + _id_errors(valid, ids, found)})


def parse_since(request: web.Request, today: date) -> date:
    """`since` (required): a date in one of TradeStation's four forms, at most 90 days back."""
    raw = request.query.get("since", "").strip()
    if not raw:
        raise TSHTTPError(400, "The since parameter is required, e.g. since="
                               f"{(today - timedelta(days=7)).isoformat()}.")
    for form in _SINCE_FORMATS:
        try:
            day = datetime.strptime(raw, form).date()
            break
        except ValueError:
            continue
    else:
        raise TSHTTPError(400, f"Invalid since '{raw}'. Expected a date like 2006-01-13, "
                               "01-13-2006, 2006/01/13 or 01/13/2006.")
    if day < today - timedelta(days=MAX_DAYS):
        raise TSHTTPError(400, f"since {day.isoformat()} is too far back: historical orders are "
                               f"limited to {MAX_DAYS} days before today.")
    return day


def _historical(request: web.Request, valid: list[str]) -> list[Order]:
    """Closed orders of these accounts since the date, latest closed first."""
    book = request.app[ENGINE].book
    since = parse_since(request, book.today())
    start = datetime(since.year, since.month, since.day, tzinfo=UTC).timestamp()
    wanted = set(valid)
    orders = [o for o in book.closed_log if o.account_id in wanted
              and (o.closed_epoch or 0) >= start]
    orders.sort(key=lambda o: -(o.closed_epoch or 0))
    return orders


async def get_historical_orders(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    valid, errors = _split(request)
    body = _page(request, [book.order_payload(o) for o in _historical(request, valid)])
    body["Errors"] = errors
    return web.json_response(body)


async def get_historical_orders_by_id(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    valid, errors = _split(request)
    ids = parse_order_ids(request.match_info["order_ids"])
    wanted = set(ids)
    orders = [o for o in _historical(request, valid) if o.order_id in wanted]
    found = {o.order_id for o in orders}
    return web.json_response({"Orders": [book.order_payload(o) for o in orders],
                              "Errors": errors + _id_errors(valid, ids, found)})


async def get_bod_balances(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    valid, errors = _split(request)
    return web.json_response({"BODBalances": [book.bod_balance_payload(a) for a in valid],
                              "Errors": errors})


def symbol_filter(request: web.Request):
    """`symbol=MSFT,MSFT *,AAPL`: TradeStation's list with * wildcards (** is a literal *);
    None when absent."""
    raw = request.query.get("symbol")
    if raw is None:
        return None
    patterns = []
    for part in raw.split(","):
        part = part.strip().upper()
        if not part:
            continue
        pieces = [re.escape(p).replace(r"\*", ".*") for p in part.split("**")]
        patterns.append(re.compile(r"\*".join(pieces) + r"\Z"))
    if not patterns:
        raise TSHTTPError(400, "The symbol parameter is empty: give symbols such as "
                               "symbol=MSFT,AAPL (* is a wildcard).")
    return lambda symbol: any(p.match(symbol) for p in patterns)


class SymbolPositionFeed(PositionFeed):
    """The positions stream narrowed by `symbol=`."""

    def __init__(self, engine, accounts: list[str], changes: bool, matches) -> None:
        super().__init__(engine, accounts, changes)
        self.matches = matches

    def snapshot(self) -> list[bytes]:
        return [encode(p) for p in self.engine.book.position_snapshot(self.wanted)
                if self.matches(p["Symbol"])]

    def wants(self, entry) -> bool:
        return super().wants(entry) and self.matches(entry.key)


class OrderIdFeed(OrderFeed):
    """The orders stream of some order ids: a NotFound error object for ids the accounts do
    not have, the snapshot of the others, then their changes."""

    def __init__(self, engine, accounts: list[str], order_ids: list[str]) -> None:
        super().__init__(engine, accounts)
        self.order_ids = order_ids
        self.wanted_ids = set(order_ids)

    def snapshot(self) -> list[bytes]:
        book = self.engine.book
        return [encode(book.order_payload(o)) for o in book.orders_of(self.accounts)
                if o.order_id in self.wanted_ids]

    def start(self) -> list[bytes]:
        lines = super().start()
        known = {o.order_id for o in self.engine.book.orders_of(self.accounts)}
        missing = [control({"Error": "NotFound", "Message": ORDER_NOT_FOUND, "OrderID": oid})
                   for oid in self.order_ids if oid not in known]
        return missing + lines

    def wants(self, entry) -> bool:
        return super().wants(entry) and entry.key in self.wanted_ids


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
    matches = symbol_filter(request)
    feed = (PositionFeed(engine, accounts, changes) if matches is None
            else SymbolPositionFeed(engine, accounts, changes, matches))
    return await serve_http_stream(request, engine, feed)


async def stream_orders_by_id(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    accounts = parse_accounts(request.match_info.get("accounts", ""))
    ids = parse_order_ids(request.match_info["order_ids"])
    return await serve_http_stream(request, engine, OrderIdFeed(engine, accounts, ids))


ROUTES = [
    web.get("/v3/brokerage/accounts", get_accounts, name="accounts"),
    web.get("/v3/brokerage/accounts/{accounts}/balances", get_balances, name="balances"),
    web.get("/v3/brokerage/accounts/{accounts}/positions", get_positions, name="rest-positions"),
    web.get("/v3/brokerage/accounts/{accounts}/orders", get_orders, name="rest-orders"),
    web.get("/v3/brokerage/accounts/{accounts}/bodbalances", get_bod_balances,
            name="bodbalances"),
    web.get("/v3/brokerage/accounts/{accounts}/orders/{order_ids}", get_orders_by_id,
            name="rest-orders-by-id"),
    web.get("/v3/brokerage/accounts/{accounts}/historicalorders", get_historical_orders,
            name="historicalorders"),
    web.get("/v3/brokerage/accounts/{accounts}/historicalorders/{order_ids}",
            get_historical_orders_by_id, name="historicalorders-by-id"),
    web.get("/v3/brokerage/stream/accounts/{accounts}/orders", stream_orders, name="orders"),
    web.get("/v3/brokerage/stream/accounts/{accounts}/orders/{order_ids}", stream_orders_by_id,
            name="orders-by-id"),
    web.get("/v3/brokerage/stream/accounts/{accounts}/positions", stream_positions,
            name="positions"),
]
