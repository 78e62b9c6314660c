"""The order ticket's logic, without Textual (design.md "Trading").

What a person typed (:class:`TicketInput`, all text) is checked against the symbol's
SymbolDetail and the ``[trading]`` limits by :func:`check_ticket`: each problem is a message for
the field it concerns, and only a ticket with no problem becomes TradeStation's OrderRequest,
exactly as it will be sent. Prices are typed in the symbol's format (``117'16``) but sent as
plain decimals: TradeStation takes nothing else.

The TradeActions follow TradeStation's asset classes as the simulator enforces them: stocks
BUY/SELL/SELLSHORT/BUYTOCOVER, futures (and crypto) BUY/SELL, options BUY/SELL TO OPEN/CLOSE.

Nothing here imports Textual, so the checks are cheap to unit-test; tsdash.api.prices is imported
lazily, when a ticket is checked, to keep the dashboard's start-up light.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from tsdash.exchange_calendar import exchange_date
from tsdash.ui.models import decimal_or_none, first_leg, order_symbol, signed_quantity


class OrderType(StrEnum):
    """TradeStation's OrderType strings."""

    MARKET = "Market"
    LIMIT = "Limit"
    STOP_MARKET = "StopMarket"
    STOP_LIMIT = "StopLimit"


class Duration(StrEnum):
    """The TimeInForce durations a ticket offers."""

    DAY = "DAY"
    GTC = "GTC"
    GTD = "GTD"
    IOC = "IOC"
    FOK = "FOK"
    OPG = "OPG"
    CLO = "CLO"


class TradeAction(StrEnum):
    """TradeStation's TradeAction strings."""

    BUY = "BUY"
    SELL = "SELL"
    SELLSHORT = "SELLSHORT"
    BUYTOCOVER = "BUYTOCOVER"
    BUYTOOPEN = "BUYTOOPEN"
    BUYTOCLOSE = "BUYTOCLOSE"
    SELLTOOPEN = "SELLTOOPEN"
    SELLTOCLOSE = "SELLTOCLOSE"


class Side(StrEnum):
    """Which way a ticket trades: ``b`` opens a buy ticket, ``s`` a sell ticket."""

    BUY = "buy"
    SELL = "sell"


BUY_ACTIONS = frozenset({TradeAction.BUY, TradeAction.BUYTOCOVER, TradeAction.BUYTOOPEN,
                         TradeAction.BUYTOCLOSE})
STOCK_ACTIONS = (TradeAction.BUY, TradeAction.SELL, TradeAction.SELLSHORT,
                 TradeAction.BUYTOCOVER)
FUTURE_ACTIONS = (TradeAction.BUY, TradeAction.SELL)
OPTION_ACTIONS = (TradeAction.BUYTOOPEN, TradeAction.BUYTOCLOSE, TradeAction.SELLTOOPEN,
                  TradeAction.SELLTOCLOSE)
OPTION_ASSET_TYPES = frozenset({"STOCKOPTION", "INDEXOPTION", "FUTUREOPTION"})
#: traded with plain BUY and SELL: one side opens or closes whatever is held
BUY_SELL_ASSET_TYPES = frozenset({"FUTURE", "CRYPTO", "FOREX"})
#: TradeStation keeps GTC and GTD orders at most this many calendar days
MAX_DAYS = 90
DEFAULT_ROUTE = "Intelligent"

# A plain decimal as a person types it: no exponent, no separators, no sign (checked apart).
_NUMBER = re.compile(r"\d+\.?\d*|\.\d+")
_MAX_TYPED = 40


def side_of(action: TradeAction) -> Side:
    return Side.BUY if action in BUY_ACTIONS else Side.SELL


def _asset(asset_type: str | None, symbol: str) -> str:
    """The AssetType, or a guess from TradeStation's symbol forms when it is not known yet."""
    if asset_type:
        return asset_type.strip().upper()
    text = symbol.strip()
    if text.startswith("$"):
        return "INDEX"
    if text.startswith("@"):
        return "FUTURE"
    if " " in text:
        return "STOCKOPTION"
    return "STOCK"


def trade_actions(symbol: str, asset_type: str | None) -> list[TradeAction]:
    """The TradeActions TradeStation takes for the symbol's asset class (none for an index)."""
    kind = _asset(asset_type, symbol)
    if kind == "INDEX":
        return []
    if kind in OPTION_ASSET_TYPES:
        return list(OPTION_ACTIONS)
    if kind in BUY_SELL_ASSET_TYPES:
        return list(FUTURE_ACTIONS)
    return list(STOCK_ACTIONS)


def default_action(side: Side, asset_type: str | None, position_quantity: float) -> TradeAction:
    """The action a ticket opens with: it closes what is held on the other side, else opens.

    A stock sold while long is SELL, while flat or short SELLSHORT; bought while short
    BUYTOCOVER. An option opens or closes by the position the same way; a future or crypto is
    BUY or SELL whatever is held."""
    kind = _asset(asset_type, "")
    buying = side is Side.BUY
    if kind in BUY_SELL_ASSET_TYPES:
        return TradeAction.BUY if buying else TradeAction.SELL
    if kind in OPTION_ASSET_TYPES:
        if buying:
            return TradeAction.BUYTOCLOSE if position_quantity < 0 else TradeAction.BUYTOOPEN
        return TradeAction.SELLTOCLOSE if position_quantity > 0 else TradeAction.SELLTOOPEN
    if buying:
        return TradeAction.BUYTOCOVER if position_quantity < 0 else TradeAction.BUY
    return TradeAction.SELL if position_quantity > 0 else TradeAction.SELLSHORT


@dataclass
class TicketInput:
    """What the person typed: text, except the choices made from a list."""

    account: str = ""
    symbol: str = ""
    action: TradeAction = TradeAction.BUY
    quantity: str = ""
    order_type: OrderType = OrderType.LIMIT
    limit_price: str = ""
    stop_price: str = ""
    duration: Duration = Duration.DAY
    expiration: str = ""  # YYYY-MM-DD, for GTD
    route: str = DEFAULT_ROUTE


@dataclass(frozen=True)
class TicketLimits:
    """``[trading]`` max_order_value (dollars) and max_quantity."""

    max_order_value: float
    max_quantity: float


#: the key of a problem with the order as a whole (its estimated value), beside the fields'
ESTIMATED_VALUE = "estimated_value"


@dataclass
class TicketCheck:
    """The verdict on a ticket.

    ``problems`` maps a TicketInput field name (or :data:`ESTIMATED_VALUE`) to what to fix;
    ``request`` is the OrderRequest to send, present only when there is no problem."""

    problems: dict[str, str] = field(default_factory=dict)
    request: dict[str, Any] | None = None
    estimated_value: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.request is not None


# ------------------------------------------------------------------------------------------------
# Fields


def dollars(amount: object) -> str:
    """$1,234.50 (-$12.00): an amount of money as a ticket shows it; text that is not a number
    is shown as it came."""
    try:
        number = Decimal(str(amount).replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(amount)
    return f"{'-' if number < 0 else ''}${abs(number):,}"


def _limit_text(value: float) -> str:
    number = Decimal(str(value))
    return f"{number:f}" if number != number.to_integral_value() else str(int(number))


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 10, 0.5."""
    return f"{number.normalize():f}"


def _field_decimal(fmt: dict[str, Any], name: str) -> Decimal | None:
    """A QuantityFormat field above zero, else None."""
    number = decimal_or_none(fmt.get(name))
    return number if number is not None and number > 0 else None


def _symbol_name(inp: TicketInput, detail: dict[str, Any] | None) -> str:
    if detail is not None and isinstance(detail.get("Symbol"), str) and detail["Symbol"]:
        return str(detail["Symbol"])
    return inp.symbol.strip().upper()


def _quantity(text: str, detail: dict[str, Any] | None, symbol: str, limits: TicketLimits,
              problems: dict[str, str], key: str = "quantity") -> Decimal | None:
    """The quantity typed, by the symbol's QuantityFormat; a problem under ``key`` if not."""
    fmt = detail.get("QuantityFormat") if detail is not None else None
    fmt = fmt if isinstance(fmt, dict) else {}
    decimals = _field_decimal(fmt, "Decimals")
    whole = decimals is None or decimals == 0
    wanted = ("quantity must be a whole number above 0" if whole
              else "quantity must be a number above 0")
    typed = text.strip().replace(",", "")
    if not typed or len(typed) > _MAX_TYPED or not _NUMBER.fullmatch(typed):
        problems[key] = wanted
        return None
    quantity = Decimal(typed)
    if quantity <= 0:
        problems[key] = wanted
        return None
    increment = _field_decimal(fmt, "Increment") or (
        Decimal(1).scaleb(-int(decimals)) if decimals is not None else Decimal(1))
    if quantity % increment:
        problems[key] = (f"{typed} is not a quantity of {symbol}: it trades in steps of "
                         f"{_plain(increment)}")
        return None
    minimum = _field_decimal(fmt, "MinimumTradeQuantity")
    if minimum is not None and quantity < minimum:
        problems[key] = f"the smallest quantity of {symbol} is {_plain(minimum)}"
        return None
    if quantity > Decimal(str(limits.max_quantity)):
        problems[key] = (f"over the limit of {_limit_text(limits.max_quantity)} "
                         "([trading] max_quantity)")
        return None
    return quantity


def _price(text: str, label: str, detail: dict[str, Any] | None, symbol: str,
           problems: dict[str, str], key: str) -> Decimal | None:
    """A price typed in the symbol's format, on its increment, above zero; else a problem."""
    from tsdash.api.prices import format_price, increment_problem, parse_price, step_price

    typed = text.strip()
    if not typed:
        problems[key] = f"enter a {label} price"
        return None
    price = parse_price(typed, detail)
    if price is None:
        example = format_price("117.5" if _fractional(detail) else "123.45", detail)
        problems[key] = f"{typed[:_MAX_TYPED]} is not a price of {symbol} (write it like {example})"
        return None
    if price <= 0:
        problems[key] = f"the {label} price must be above 0"
        return None
    if detail is not None:
        if step_price(price, detail, 0) is None:  # no increment to check the price against
            problems[key] = (f"the price increments of {symbol} are not known, so the "
                             f"{label} price cannot be checked; it is not sent")
            return None
        problem = increment_problem(price, detail)
        if problem:
            problems[key] = problem
            return None
    return price


def _fractional(detail: dict[str, Any] | None) -> bool:
    fmt = detail.get("PriceFormat") if detail is not None else None
    return isinstance(fmt, dict) and fmt.get("Format") in ("Fraction", "SubFraction")


def _wire_price(price: Decimal, detail: dict[str, Any] | None) -> str:
    """A price as sent: a plain decimal to the increment's places ("117.50000", "6012.25")."""
    from tsdash.api.prices import round_to_increment

    rounded = round_to_increment(price, detail) if detail is not None else price
    return f"{rounded if rounded is not None else price:f}"


#: where TradeStation's US markets keep their calendar: a GTD order expires by its date
def exchange_today() -> date:
    """Today's date on the exchange's calendar (a machine in Tokyo is a day ahead of it)."""
    return exchange_date()


def _expiration(text: str, today: date, problems: dict[str, str]) -> date | None:
    typed = text.strip()
    if not typed:
        problems["expiration"] = "enter the date a GTD order is good through (YYYY-MM-DD)"
        return None
    try:
        day = date.fromisoformat(typed) if len(typed) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems["expiration"] = f"{typed[:_MAX_TYPED]} is not a date: write it as YYYY-MM-DD"
        return None
    if day < today:
        problems["expiration"] = f"the expiration date {day.isoformat()} has passed"
        return None
    if day > today + timedelta(days=MAX_DAYS):
        problems["expiration"] = (f"the expiration date {day.isoformat()} is more than "
                                  f"{MAX_DAYS} days ahead")
        return None
    return day


def _point_value(detail: dict[str, Any] | None) -> Decimal:
    fmt = detail.get("PriceFormat") if detail is not None else None
    value = _field_decimal(fmt, "PointValue") if isinstance(fmt, dict) else None
    return value if value is not None else Decimal(1)


def _stop_side_problem(action: TradeAction, stop: Decimal, reference: Decimal | None,
                       detail: dict[str, Any] | None) -> str | None:
    """A buy stop at or below the market (a sell stop at or above it) would trigger at once."""
    if reference is None:
        return None
    from tsdash.api.prices import format_price

    market = format_price(reference, detail) if detail is not None else f"{reference:f}"
    if side_of(action) is Side.BUY and stop <= reference:
        return (f"a buy stop must be above the market ({market}): at or below it the order "
                "would trigger at once")
    if side_of(action) is Side.SELL and stop >= reference:
        return (f"a sell stop must be below the market ({market}): at or above it the order "
                "would trigger at once")
    return None


# ------------------------------------------------------------------------------------------------
# The ticket


def _stop_price(inp: TicketInput, order_type: str, detail: dict[str, Any] | None, symbol: str,
                reference_price: Decimal | None, problems: dict[str, str]) -> Decimal | None:
    """The ticket's stop price, or None with the problem filed: missing, not a price of the
    symbol, or on the wrong side of the market for the action."""
    if not inp.stop_price.strip():
        problems["stop_price"] = f"a stop price is needed for a {order_type} order"
        return None
    stop = _price(inp.stop_price, "stop", detail, symbol, problems, "stop_price")
    if stop is None:
        return None
    wrong_side = _stop_side_problem(inp.action, stop, reference_price, detail)
    if wrong_side:
        problems["stop_price"] = wrong_side
        return None
    return stop


def _no_details(symbol: str) -> str:
    return f"no details for {symbol} yet: its prices cannot be checked"


def check_ticket(inp: TicketInput, detail: dict[str, Any] | None, limits: TicketLimits, *,
                 today: date, reference_price: Decimal | None) -> TicketCheck:
    """Every problem of the ticket, by field, and the OrderRequest when there is none.

    ``detail`` is the symbol's SymbolDetail (None while it is not known: nothing can be
    checked, so nothing is sent); ``reference_price`` the last, bid or ask the screen shows,
    which prices a Market order's estimated value and places the stop on its side of the
    market; ``today`` the exchange's date, for a GTD expiration."""
    check = TicketCheck()
    problems = check.problems
    symbol = _symbol_name(inp, detail)
    if not inp.account.strip():
        problems["account"] = "choose an account"
    if not inp.symbol.strip():
        problems["symbol"] = "enter a symbol"
    elif detail is None:
        problems["symbol"] = _no_details(symbol)
    asset = detail.get("AssetType") if detail is not None else None
    actions = trade_actions(symbol, asset if isinstance(asset, str) else None)
    if not actions:
        problems["symbol"] = f"{symbol} is an index: it is quoted but not traded"
    elif inp.action not in actions:
        problems["action"] = (f"{inp.action} is not an action for {symbol}: use "
                              f"{', '.join(actions)}")
    quantity = _quantity(inp.quantity, detail, symbol, limits, problems)
    limit = stop = None
    if inp.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        limit = _price(inp.limit_price, "limit", detail, symbol, problems, "limit_price")
    if inp.order_type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT):
        stop = _stop_price(inp, str(inp.order_type), detail, symbol, reference_price, problems)
    expiration = None
    if inp.duration is Duration.GTD:
        expiration = _expiration(inp.expiration, today, problems)
    kind = _asset(asset if isinstance(asset, str) else None, symbol)
    if inp.duration is Duration.OPG and kind != "STOCK":
        # the document's Duration: "OPG - At the opening; only valid for listed stocks"
        problems["duration"] = "OPG (at the opening) is for stocks only"
    priced_at = limit if limit is not None else stop if stop is not None else (
        reference_price if inp.order_type is OrderType.MARKET else None)
    if quantity is not None and priced_at is not None:
        check.estimated_value = (quantity * priced_at * _point_value(detail)).quantize(
            Decimal("0.01"))
        if check.estimated_value > Decimal(str(limits.max_order_value)):
            problems[ESTIMATED_VALUE] = (
                f"estimated value {dollars(check.estimated_value)} is over the limit of "
                f"{dollars(limits.max_order_value)} ([trading] max_order_value)")
    elif quantity is not None and inp.order_type is OrderType.MARKET:
        problems[ESTIMATED_VALUE] = (f"no price of {symbol} yet to check the order's value "
                                     f"against the limit of {dollars(limits.max_order_value)}")
    if problems or quantity is None:
        return check
    time_in_force: dict[str, str] = {"Duration": str(inp.duration)}
    if expiration is not None:
        # RFC 3339 as the document's Expiration asks: "only the date portion is relevant"
        time_in_force["Expiration"] = f"{expiration.isoformat()}T00:00:00Z"
    request: dict[str, Any] = {
        "AccountID": inp.account.strip(),
        "Symbol": symbol,
        "Quantity": _plain(quantity),
        "OrderType": str(inp.order_type),
        "TradeAction": str(inp.action),
        "TimeInForce": time_in_force,
        "Route": inp.route.strip() or DEFAULT_ROUTE,
    }
    if limit is not None:
        request["LimitPrice"] = _wire_price(limit, detail)
    if stop is not None:
        request["StopPrice"] = _wire_price(stop, detail)
    check.request = request
    return check


def preview_problem(confirmation: dict[str, Any], limits: TicketLimits) -> str | None:
    """TradeStation's confirm answer checked against ``[trading] max_order_value``: its
    EstimatedCost is what the order will cost by TradeStation's reckoning, so it is checked
    again even when the ticket's own estimate passed. No estimate is a refusal too."""
    raw = confirmation.get("EstimatedCost")
    cost = decimal_or_none(raw.strip().lstrip("$") if isinstance(raw, str) else raw)
    if cost is None:
        return ("TradeStation's preview gave no estimated cost, so the limit of "
                f"{dollars(limits.max_order_value)} ([trading] max_order_value) cannot be checked")
    cost = abs(cost)
    if cost > Decimal(str(limits.max_order_value)):
        return (f"estimated cost {dollars(cost)} is over the limit of "
                f"{dollars(limits.max_order_value)} ([trading] max_order_value)")
    return None


# ------------------------------------------------------------------------------------------------
# Replace and close


def _order_quantity(order: dict[str, Any]) -> Decimal | None:
    for raw in (first_leg(order).get("QuantityOrdered"), order.get("Quantity")):
        number = decimal_or_none(raw)
        if number is not None:
            return number
    return None


def replace_request(original_order: dict[str, Any], inp: TicketInput, *,
                    detail: dict[str, Any] | None,
                    limits: TicketLimits | None = None,
                    reference_price: Decimal | None = None,
                    ) -> tuple[dict[str, Any], dict[str, str]]:
    """An OrderReplaceRequest for a working order: only what changed (Quantity, LimitPrice,
    StopPrice, or OrderType Market), and the problems by field as :func:`check_ticket` words
    them. Unchanged is a problem: there is nothing to send. Without the symbol's ``detail``
    nothing can be checked, so nothing is sent (as :func:`check_ticket`)."""
    problems: dict[str, str] = {}
    symbol = _symbol_name(inp, detail) or order_symbol(original_order)
    if detail is None:
        problems["symbol"] = _no_details(symbol)
    limits = limits or TicketLimits(max_order_value=float("inf"), max_quantity=float("inf"))
    original_type = str(original_order.get("OrderType", ""))
    changes: dict[str, Any] = {}
    quantity = _quantity(inp.quantity, detail, symbol, limits, problems)
    if quantity is not None and quantity != _order_quantity(original_order):
        changes["Quantity"] = _plain(quantity)
    to_market = inp.order_type is OrderType.MARKET and original_type != OrderType.MARKET
    if to_market:
        changes["OrderType"] = str(OrderType.MARKET)
    limit = stop = None
    if not to_market and original_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        limit = _price(inp.limit_price, "limit", detail, symbol, problems, "limit_price")
        if limit is not None and limit != decimal_or_none(original_order.get("LimitPrice")):
            changes["LimitPrice"] = _wire_price(limit, detail)
    if not to_market and original_type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT):
        stop = _stop_price(inp, original_type, detail, symbol, reference_price, problems)
        if stop is not None and stop != decimal_or_none(original_order.get("StopPrice")):
            changes["StopPrice"] = _wire_price(stop, detail)
    priced_at = limit if limit is not None else stop if stop is not None else reference_price
    if quantity is not None and priced_at is not None:
        value = quantity * priced_at * _point_value(detail)
        if value > Decimal(str(limits.max_order_value)):
            problems[ESTIMATED_VALUE] = (
                f"estimated value {dollars(value)} is over the limit of "
                f"{dollars(limits.max_order_value)} ([trading] max_order_value)")
    if not problems and not changes:
        problems["quantity"] = "change the quantity or a price first"
    return (changes if not problems else {}), problems


def close_position_input(position: dict[str, Any], account: str) -> TicketInput:
    """The ticket for ``x``: the other side of TradeStation's Position, its whole quantity, at
    the market, in the position's own account."""
    signed = signed_quantity(position) or Decimal(0)
    held = abs(signed)
    asset = position.get("AssetType")
    action = default_action(Side.SELL if signed > 0 else Side.BUY,
                            asset if isinstance(asset, str) else None, float(signed))
    owner = position.get("AccountID")
    return TicketInput(
        account=owner if isinstance(owner, str) and owner else account,
        symbol=str(position.get("Symbol", "")),
        action=action,
        quantity=_plain(held) if held else "",
        order_type=OrderType.MARKET,
        duration=Duration.DAY,
    )
