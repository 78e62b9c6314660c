"""/v3/orderexecution: confirm, place, replace and cancel orders and order groups; routes and
activation triggers.

One request places exactly one order (or one group). Requests TradeStation refuses outright (a
missing field, an unknown symbol, an index) are 400 `{"Error", "Message"}`; business rejections
(buying power, a price off the increment or absurdly far) are placed, rejected (REJ) and answered
200 with an `Errors` entry, as TradeStation does. Confirmations place nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypedDict

from aiohttp import web

from .book import (
    ASSET_CATEGORIES,
    DATED_DURATIONS,
    DURATIONS,
    ORDER_TYPES,
    TRADE_ACTIONS,
    Book,
    Order,
    OrderError,
    asset_type,
    cents_per_tick,
    increment_problem,
    is_future,
    is_option,
    margin_cents,
    on_increment,
    parse_expiration,
    parse_price,
    parse_quantity,
    price_increment,
    to_ticks,
    usd,
)
from .errors import TSHTTPError
from .keys import ENGINE

_REQUIRED = ("AccountID", "Symbol", "Quantity", "OrderType", "TradeAction", "TimeInForce")
GROUP_TYPES = ("OCO", "BRK", "NORMAL")
MAX_GROUP_ORDERS = 50


class Route(TypedDict):
    Id: str
    Name: str
    AssetTypes: list[str]


# The document's Routes schema describes one route; its example (followed here) wraps them in
# {"Routes": [...]}.
ROUTES_LIST: list[Route] = [
    {"Id": "Intelligent", "Name": "Intelligent",
     "AssetTypes": ["STOCK", "FUTURE", "STOCKOPTION", "INDEXOPTION"]},
    {"Id": "AMEX", "Name": "AMEX", "AssetTypes": ["STOCK"]},
    {"Id": "ARCA", "Name": "ARCX", "AssetTypes": ["STOCK"]},
    {"Id": "BATS", "Name": "BATS", "AssetTypes": ["STOCK"]},
    {"Id": "EDGX", "Name": "EDGX", "AssetTypes": ["STOCK"]},
    {"Id": "IEX", "Name": "IEX", "AssetTypes": ["STOCK"]},
    {"Id": "NSDQ", "Name": "NSDQ", "AssetTypes": ["STOCK"]},
    {"Id": "NYSE", "Name": "NYSE", "AssetTypes": ["STOCK"]},
]
_ROUTE_IDS = {r["Id"].lower(): r["Id"] for r in ROUTES_LIST}
ACTIVATION_TRIGGERS = [
    ("STT", "Single Trade Tick",
     "One trade tick must print within your stop price to trigger your stop."),
    ("STTN", "Single Trade Tick Within NBBO",
     ("One trade tick within the National Best Bid or Offer must print within your stop price to "
      "trigger your stop.")),
    ("SBA", "Single Bid/Ask Tick",
     ("Buy/Cover Orders: One Ask tick must print within your stop price to trigger your stop. "
      "Sell/Short Orders: One Bid tick must print within your stop price to trigger your stop.")),
    ("SAB", "Single Ask/Bid Tick",
     ("Buy/Cover Orders: One Bid tick must print within your stop price to trigger your stop. "
      "Sell/Short Orders: One Ask tick must print within your stop price to trigger your stop.")),
    ("DTT", "Double Trade Tick",
     "Two consecutive trade ticks must print within your stop price to trigger your stop."),
    ("DTTN", "Double Trade Tick Within NBBO",
     ("Two consecutive trade ticks within the National Best Bid or Offer must print within your "
      "stop price to trigger your stop.")),
    ("DBA", "Double Bid/Ask Tick",
     ("Buy/Cover Orders: Two consecutive Ask ticks must print within your stop price to trigger "
      "your stop. Sell/Short Orders: Two consecutive Bid ticks must print within your stop price "
      "to trigger your stop.")),
    ("DAB", "Double Ask/Bid Tick",
     ("Buy/Cover Orders: Two consecutive Bid ticks must print within your stop price to trigger "
      "your stop. Sell/Short Orders: Two consecutive Ask ticks must print within your stop price "
      "to trigger your stop.")),
    ("TTT", "Twice Trade Tick",
     "Two trade ticks must print within your stop price to trigger your stop."),
    ("TTTN", "Twice Trade Tick Within NBBO",
     ("Two trade ticks within the National Best Bid or Offer must print within your stop price to "
      "trigger your stop.")),
    ("TBA", "Twice Bid/Ask Tick",
     ("Buy/Cover Orders: Two Ask ticks must print within your stop price to trigger your stop. "
      "Sell/Short Orders: Two Bid ticks must print within your stop price to trigger your stop.")),
    ("TAB", "Twice Ask/Bid Tick",
     ("Buy/Cover Orders: Two Bid ticks must print within your stop price to trigger your stop. "
      "Sell/Short Orders: Two Ask ticks must print within your stop price to trigger your stop.")),
]


def _field(body: dict, name: str):
    """Field names match case-insensitively (TradeStation's examples mix AccountID/AccountId)."""
    for key, value in body.items():
        if key.lower() == name.lower():
            return value
    return None


@dataclass(slots=True)
class OrderSpec:
    """One OrderRequest, checked and parsed; prices exactly as sent (Decimal)."""

    account_id: str
    symbol: str
    action: str
    quantity: int
    order_type: str
    duration: str
    limit: Decimal | None
    stop: Decimal | None
    expiration: date | None
    route: str
    confirm_id: str | None
    trail_amount: Decimal | None = None  # AdvancedOptions.TrailingStop
    trail_percent: Decimal | None = None

    def price_problem(self) -> str | None:
        for name, price in (("Limit price", self.limit), ("Stop price", self.stop),
                            ("Trailing amount", self.trail_amount)):
            if price is not None:
                problem = increment_problem(price, self.symbol, name)
                if problem:
                    return problem
        return None

    def shown(self, price: Decimal | None) -> str:
        """A price with the decimals of the symbol's increment ("500" -> "500.00")."""
        assert price is not None
        step = price_increment(self.symbol)
        return str(price.quantize(step)) if on_increment(price, self.symbol) else str(price)

    def summary(self) -> str:
        """TradeStation's wording: "Buy 10 MSFT @ 132.52 Limit"."""
        head = f"{TRADE_ACTIONS[self.action]} {self.quantity} {self.symbol} @ "
        if self.order_type == "Market":
            return head + "Market"
        if self.order_type == "Limit":
            return head + f"{self.shown(self.limit)} Limit"
        if self.trail_amount is not None or self.trail_percent is not None:
            trail = (self.shown(self.trail_amount) if self.trail_amount is not None
                     else f"{self.trail_percent}%")
            kind = "Stop Market" if self.order_type == "StopMarket" else \
                f"Stop {self.shown(self.limit)} Limit"
            return head + f"Trailing {trail} {kind}"
        if self.order_type == "StopMarket":
            return head + f"{self.shown(self.stop)} Stop Market"
        return head + f"{self.shown(self.stop)} Stop {self.shown(self.limit)} Limit"

    def draft(self, book: Book) -> Order:
        return book.draft_order(*self._args(), **self._options())

    def place(self, book: Book) -> Order:
        return book.new_order(*self._args(), **self._options())

    def _options(self) -> dict:
        return {"stop": self._ticks(self.stop), "expiration": self.expiration,
                "trail_amount": self._ticks(self.trail_amount),
                "trail_percent": self.trail_percent}

    def _args(self) -> tuple:
        return (self.account_id, self.symbol, self.action, self.quantity, self.order_type,
                self.duration, self._ticks(self.limit))

    def _ticks(self, price: Decimal | None) -> int | None:
        """A price in the symbol's ticks (cents for a stock, quarter points for @ES)."""
        return None if price is None else to_ticks(price, self.symbol)


async def _json_object(request: web.Request, what: str) -> dict:
    try:
        body = await request.json(loads=json.loads)
    except ValueError:
        raise TSHTTPError(400, f"The request body must be a JSON {what} object.") from None
    if not isinstance(body, dict):
        raise TSHTTPError(400, f"The request body must be a JSON {what} object.")
    return body


def parse_order(body, book: Book, where: str = "") -> OrderSpec:
    """An OrderRequest as TradeStation checks it; TSHTTPError 400 says what is wrong."""
    if not isinstance(body, dict):
        raise TSHTTPError(400, f"{where}Each order must be a JSON object.")
    if _field(body, "Legs") or _field(body, "OSOs"):
        raise TSHTTPError(400, f"{where}Multi-leg and OSO orders are not supported by the "
                               "simulator; send single-leg orders or an order group.")
    missing = [name for name in _REQUIRED if _field(body, name) in (None, "")]
    if missing:
        raise TSHTTPError(400, f"{where}Missing required field(s): {', '.join(missing)}.")
    order_type = str(_field(body, "OrderType"))
    canonical = {t.lower(): t for t in ORDER_TYPES}.get(order_type.lower())
    if canonical is None:
        raise TSHTTPError(400, f"{where}Unsupported OrderType '{order_type}'. Expected one of "
                               f"{', '.join(ORDER_TYPES)}.")
    action = str(_field(body, "TradeAction")).upper()
    if action not in TRADE_ACTIONS:
        raise TSHTTPError(400, f"{where}Invalid TradeAction '{action}'. Expected one of "
                               f"{', '.join(TRADE_ACTIONS)}.")
    tif = _field(body, "TimeInForce")
    duration = str(_field(tif, "Duration") if isinstance(tif, dict) else "").upper()
    if duration not in DURATIONS:
        raise TSHTTPError(400, f"{where}Invalid TimeInForce.Duration '{duration}'. Expected one "
                               f"of {', '.join(sorted(DURATIONS))}.")
    route_text = str(_field(body, "Route") or "Intelligent").strip()
    route = _ROUTE_IDS.get(route_text.lower())
    if route is None:
        raise TSHTTPError(400, f"{where}Invalid Route '{route_text}'. The valid routes are "
                               "listed by GET /v3/orderexecution/routes.")
    confirm_id = _field(body, "OrderConfirmID")
    if confirm_id is not None and not (isinstance(confirm_id, str) and 1 <= len(confirm_id) <= 22):
        raise TSHTTPError(400, f"{where}OrderConfirmID must be a string of 1 to 22 characters.")
    try:
        quantity = parse_quantity(_field(body, "Quantity"))
        limit = stop = None
        if canonical in ("Limit", "StopLimit"):
            raw = _field(body, "LimitPrice")
            if raw in (None, ""):
                raise TSHTTPError(400, f"{where}LimitPrice is required for a {canonical} order.")
            limit = parse_price(raw, "LimitPrice")
        trail_amount, trail_percent = _trailing_stop(body, canonical, where)
        if canonical in ("StopMarket", "StopLimit") and trail_amount is None \
                and trail_percent is None:
            raw = _field(body, "StopPrice")
            if raw in (None, ""):
                raise TSHTTPError(400, f"{where}StopPrice is required for a {canonical} order "
                                       "(or AdvancedOptions.TrailingStop).")
            stop = parse_price(raw, "StopPrice")
        expiration = None
        if duration in DATED_DURATIONS:
            raw = _field(tif, "Expiration")
            if raw in (None, ""):
                raise TSHTTPError(400, f"{where}TimeInForce.Expiration is required for a "
                                       f"{duration} order (the date it is good through).")
            expiration = parse_expiration(raw, book.today())
        account_id = str(_field(body, "AccountID")).strip()
        symbol = str(_field(body, "Symbol")).strip().upper()
        book.check_symbol(account_id, symbol)
        book.check_action(symbol, action)
    except OrderError as exc:
        raise TSHTTPError(exc.status, where + exc.message, exc.error) from None
    return OrderSpec(account_id, symbol, action, quantity, canonical, duration, limit, stop,
                     expiration, route, confirm_id, trail_amount, trail_percent)


def _trailing_stop(body: dict, order_type: str,
                   where: str) -> tuple[Decimal | None, Decimal | None]:
    """AdvancedOptions.TrailingStop: exactly one of Amount or Percent, on a stop order."""
    options = _field(body, "AdvancedOptions")
    trailing = _field(options, "TrailingStop") if isinstance(options, dict) else None
    if trailing is None:
        return None, None
    if not isinstance(trailing, dict):
        raise TSHTTPError(400, f"{where}AdvancedOptions.TrailingStop must be an object with "
                               "Amount or Percent.")
    if order_type not in ("StopMarket", "StopLimit"):
        raise TSHTTPError(400, f"{where}A TrailingStop applies to StopMarket and StopLimit "
                               f"orders, not to a {order_type} order.")
    amount, percent = _field(trailing, "Amount"), _field(trailing, "Percent")
    if (amount in (None, "")) == (percent in (None, "")):
        raise TSHTTPError(400, f"{where}AdvancedOptions.TrailingStop needs exactly one of "
                               "Amount or Percent.")
    try:
        if amount not in (None, ""):
            return parse_price(amount, "TrailingStop.Amount"), None
        value = parse_price(percent, "TrailingStop.Percent")
    except OrderError as exc:
        raise TSHTTPError(400, where + exc.message) from None
    if value >= 100:
        raise TSHTTPError(400, f"{where}TrailingStop.Percent {value} must be below 100.")
    return None, value


def _check_confirm_id(request: web.Request, specs: list[OrderSpec]) -> None:
    """An OrderConfirmID places at most one order: a resent request is refused, not doubled."""
    used = request.app[ENGINE].used_confirm_ids
    for spec in specs:
        if spec.confirm_id is not None and spec.confirm_id in used:
            raise TSHTTPError(400, f"An order with OrderConfirmID '{spec.confirm_id}' was "
                                   "already placed; it was not placed again.")
    for spec in specs:
        if spec.confirm_id is not None:
            used.add(spec.confirm_id)


def _answer(pairs: list[tuple[OrderSpec, Order]]) -> dict:
    """OrderResponses: Orders for what was sent, Errors (FAILED) for what was rejected. The
    document types the body as an array; its examples (followed here) send one object."""
    sent = [{"Message": f"Sent order: {spec.summary()}", "OrderID": order.order_id}
            for spec, order in pairs if order.status != "REJ"]
    failed = [{"Error": "FAILED", "Message": order.reject_reason or "Order failed.",
               "OrderID": order.order_id} for _, order in pairs if order.status == "REJ"]
    body: dict = {}
    if sent:
        body["Orders"] = sent
    if failed:
        body["Errors"] = failed
    return body


async def place_order(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    spec = parse_order(await _json_object(request, "order"), book)
    _check_confirm_id(request, [spec])
    problem = spec.price_problem()  # before the order exists: nothing may fail after that
    try:
        order = spec.place(book)
    except OrderError as exc:
        raise TSHTTPError(exc.status, exc.message, exc.error) from None
    book.submit(order, problem)
    book.publish_positions()
    return web.json_response(_answer([(spec, order)]))


def _confirmation(request: web.Request, spec: OrderSpec) -> dict:
    """OrderConfirmResponse: TradeStation's estimates; a would-be rejection is a 400."""
    engine = request.app[ENGINE]
    book = engine.book
    try:
        order = spec.draft(book)
    except OrderError as exc:
        raise TSHTTPError(exc.status, exc.message, exc.error) from None
    problem = spec.price_problem() or book.rejection(order)
    if problem:
        raise TSHTTPError(400, problem)
    price = order.price_for_bp
    initial: float
    debit: float
    cost = price * spec.quantity * cents_per_tick(spec.symbol)  # by the point value
    margin = book.accounts[spec.account_id].account_type == "Margin"
    if is_future(spec.symbol):
        # A future is not paid for: the initial margin is what the order debits.
        initial = margin_cents(spec.symbol) * spec.quantity
        debit = initial * order.side  # held whether the order buys or sells
    else:
        initial = cost // 2 if margin and not is_option(spec.symbol) else cost  # options: paid
        debit = cost
    engine.confirmations += 1
    digest = hashlib.sha256(f"{engine.seed}:confirm:{engine.confirmations}".encode()).digest()
    confirm_id = digest.hex()[:22]
    body: dict = {
        "AccountID": spec.account_id,
        "Currency": "USD",
        "DebitCreditEstimatedCost": usd(debit if order.side > 0 else -debit),
        "EstimatedCommission": "0.00",
        "EstimatedCost": usd(cost),
        "EstimatedPrice": book.market.price_text(spec.symbol, price),
        "InitialMarginDisplay": usd(initial),
        "OrderAssetCategory": ASSET_CATEGORIES.get(asset_type(spec.symbol), "EQUITY"),
        "OrderConfirmID": confirm_id,
        "Route": spec.route,
        "SummaryMessage": spec.summary(),
        "TimeInForce": {"Duration": spec.duration},
    }
    if spec.limit is not None:
        body["LimitPrice"] = spec.shown(spec.limit)
    if spec.stop is not None:
        body["StopPrice"] = spec.shown(spec.stop)
    if spec.expiration is not None:
        body["TimeInForce"]["Expiration"] = f"{spec.expiration.isoformat()}T00:00:00Z"
    return body


async def confirm_order(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    spec = parse_order(await _json_object(request, "order"), book)
    return web.json_response({"Confirmations": [_confirmation(request, spec)]})


def _parse_group(body: dict, book: Book) -> tuple[str, list[OrderSpec]]:
    group_type = str(_field(body, "Type") or "").strip().upper()
    if group_type not in GROUP_TYPES:
        raise TSHTTPError(400, f"Invalid group Type '{_field(body, 'Type')}'. Expected one of "
                               f"{', '.join(GROUP_TYPES)}.")
    orders = _field(body, "Orders")
    if not isinstance(orders, list) or not orders:
        raise TSHTTPError(400, "Orders must be a non-empty list of order requests.")
    if len(orders) > MAX_GROUP_ORDERS:
        raise TSHTTPError(400, f"Too many orders in the group: {len(orders)}, the maximum is "
                               f"{MAX_GROUP_ORDERS}.")
    if group_type in ("OCO", "BRK") and len(orders) < 2:
        raise TSHTTPError(400, f"An {group_type} group needs at least two orders.")
    specs = [parse_order(o, book, f"Orders[{i}]: ") for i, o in enumerate(orders)]
    if group_type == "BRK":
        first = specs[0]
        account = book.accounts[first.account_id]
        pos = account.positions.get(first.symbol)
        held = pos.quantity if pos else 0
        if is_future(first.symbol):
            closing = "SELL" if held > 0 else "BUY"
        elif is_option(first.symbol):
            closing = "SELLTOCLOSE" if held > 0 else "BUYTOCLOSE"
        else:
            closing = "SELL" if held > 0 else "BUYTOCOVER"
        if any((s.account_id, s.symbol) != (first.account_id, first.symbol)
               or s.action != closing for s in specs) or held == 0:
            raise TSHTTPError(400, "Bracket (BRK) orders must all be for one account and symbol, "
                                   "on the same side, and close an open position "
                                   f"({closing} for this one).")
    return group_type, specs


async def place_group(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    group_type, specs = _parse_group(await _json_object(request, "order group"), book)
    _check_confirm_id(request, specs)
    problems = [spec.price_problem() for spec in specs]  # before any order exists
    try:
        orders = [spec.place(book) for spec in specs]
    except OrderError as exc:
        raise TSHTTPError(exc.status, exc.message, exc.error) from None
    book.link_group(group_type, orders)
    for problem, order in zip(problems, orders, strict=True):
        book.submit(order, problem, work=False)
    for order in orders:
        book.work(order)
    book.publish_positions()
    return web.json_response(_answer(list(zip(specs, orders, strict=True))))


async def confirm_group(request: web.Request) -> web.Response:
    book = request.app[ENGINE].book
    _, specs = _parse_group(await _json_object(request, "order group"), book)
    return web.json_response({"Confirmations": [_confirmation(request, s) for s in specs]})


def _order_id(request: web.Request) -> str:
    return request.match_info["order_id"].replace("-", "")


async def replace_order(request: web.Request) -> web.Response:
    """OrderReplaceRequest: Quantity, LimitPrice, StopPrice, or OrderType "Market"."""
    book = request.app[ENGINE].book
    order_id = _order_id(request)
    body = await _json_object(request, "replace")
    quantity = limit = stop = None
    to_market = False
    try:
        known = book.orders.get(order_id)
        symbol = known.symbol if known is not None else ""
        raw = _field(body, "OrderType")
        if raw not in (None, ""):
            if str(raw).lower() != "market":
                raise TSHTTPError(400, f"OrderType can only be replaced with Market, not '{raw}'.")
            to_market = True
        if _field(body, "Quantity") not in (None, ""):
            quantity = parse_quantity(_field(body, "Quantity"))
        for name in ("LimitPrice", "StopPrice"):
            raw = _field(body, name)
            if raw in (None, ""):
                continue
            price = parse_price(raw, name)
            problem = increment_problem(price, symbol, name[:-5] + " price") if symbol else None
            if problem:
                raise TSHTTPError(400, problem)
            ticks = to_ticks(price, symbol) if symbol else 0
            if name == "LimitPrice":
                limit = ticks
            else:
                stop = ticks
        if (quantity, limit, stop) == (None, None, None) and not to_market:
            raise TSHTTPError(400, "Nothing to replace: send at least one of Quantity, "
                                   "LimitPrice, StopPrice or OrderType.")
        book.replace(order_id, quantity=quantity, limit=limit, stop=stop, to_market=to_market)
    except OrderError as exc:
        raise TSHTTPError(exc.status, exc.message, exc.error) from None
    return web.json_response({"Message": "Cancel/Replace order sent.", "OrderID": order_id})


async def cancel_order(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    order_id = _order_id(request)
    try:
        engine.book.cancel(order_id)
    except OrderError as exc:
        raise TSHTTPError(exc.status, exc.message, exc.error) from None
    return web.json_response({"OrderID": order_id, "Message": "Cancel request sent"})


async def get_routes(request: web.Request) -> web.Response:
    return web.json_response({"Routes": ROUTES_LIST})


async def get_activation_triggers(request: web.Request) -> web.Response:
    return web.json_response({"ActivationTriggers": [
        {"Key": key, "Name": name, "Description": text} for key, name, text in ACTIVATION_TRIGGERS
    ]})


ROUTES = [
    web.post("/v3/orderexecution/orders", place_order, name="place-order"),
    web.post("/v3/orderexecution/orderconfirm", confirm_order, name="confirm-order"),
    web.post("/v3/orderexecution/ordergroups", place_group, name="place-group"),
    web.post("/v3/orderexecution/ordergroupconfirm", confirm_group, name="confirm-group"),
    web.put("/v3/orderexecution/orders/{order_id}", replace_order, name="replace-order"),
    web.delete("/v3/orderexecution/orders/{order_id}", cancel_order, name="cancel-order"),
    web.get("/v3/orderexecution/routes", get_routes, name="routes"),
    web.get("/v3/orderexecution/activationtriggers", get_activation_triggers,
            name="activation-triggers"),
]
