"""/v3/orderexecution: place (POST) and cancel (DELETE) orders in the simulated book."""

from __future__ import annotations

import json

from aiohttp import web

from .book import DURATIONS, ORDER_TYPES, TRADE_ACTIONS, OrderError, parse_price, parse_quantity
from .errors import TSHTTPError
from .keys import ENGINE
from .market import money

_REQUIRED = ("AccountID", "Symbol", "Quantity", "OrderType", "TradeAction", "TimeInForce")


def _field(body: dict, name: str):
    """Field names match case-insensitively (TradeStation's examples mix AccountID/AccountId)."""
    for key, value in body.items():
        if key.lower() == name.lower():
            return value
    return None


async def place_order(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    try:
        body = await request.json(loads=json.loads)
    except ValueError:
        raise TSHTTPError(400, "The request body must be a JSON order object.") from None
    if not isinstance(body, dict):
        raise TSHTTPError(400, "The request body must be a JSON order object.")
    if _field(body, "Legs") or _field(body, "OSOs"):
        raise TSHTTPError(400, "Multi-leg and OSO orders are not supported by the simulator.")
    missing = [name for name in _REQUIRED if _field(body, name) in (None, "")]
    if missing:
        raise TSHTTPError(400, f"Missing required field(s): {', '.join(missing)}.")
    order_type = str(_field(body, "OrderType"))
    canonical = {t.lower(): t for t in ORDER_TYPES}.get(order_type.lower())
    if canonical is None:
        raise TSHTTPError(400, f"Unsupported OrderType '{order_type}'. The simulator accepts "
                               "Market and Limit.")
    action = str(_field(body, "TradeAction")).upper()
    if action not in TRADE_ACTIONS:
        raise TSHTTPError(400, f"Invalid TradeAction '{action}'. Expected one of "
                               f"{', '.join(TRADE_ACTIONS)}.")
    tif = _field(body, "TimeInForce")
    duration = str(_field(tif, "Duration") if isinstance(tif, dict) else "").upper()
    if duration not in DURATIONS:
        raise TSHTTPError(400, f"Invalid TimeInForce.Duration '{duration}'.")
    try:
        quantity = parse_quantity(_field(body, "Quantity"))
        limit = None
        if canonical == "Limit":
            raw_limit = _field(body, "LimitPrice")
            if raw_limit in (None, ""):
                raise TSHTTPError(400, "LimitPrice is required for a Limit order.")
            limit = parse_price(raw_limit, "LimitPrice")
        order = engine.book.place(str(_field(body, "AccountID")).strip(),
                                  str(_field(body, "Symbol")).strip().upper(), action, quantity,
                                  canonical, duration, limit)
    except OrderError as exc:
        raise TSHTTPError(exc.status, exc.message, exc.error) from None
    price = "Market" if limit is None else money(limit)
    summary = f"{TRADE_ACTIONS[action]} {quantity} {order.symbol} @ {price}"
    if order.status == "REJ":
        return web.json_response({"Errors": [{"Error": "FAILED", "OrderID": order.order_id,
                                              "Message": order.reject_reason}]})
    return web.json_response({"Orders": [{"Message": f"Sent order: {summary}",
                                          "OrderID": order.order_id}]})


async def cancel_order(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    order_id = request.match_info["order_id"].replace("-", "")
    try:
        engine.book.cancel(order_id)
    except OrderError as exc:
        raise TSHTTPError(exc.status, exc.message, exc.error) from None
    return web.json_response({"OrderID": order_id, "Message": "Cancel request sent"})


ROUTES = [
    web.post("/v3/orderexecution/orders", place_order, name="place-order"),
    web.delete("/v3/orderexecution/orders/{order_id}", cancel_order, name="cancel-order"),
]
