"""The order ticket refuses bad input field by field (zero, negative, letters, a price or quantity
off the symbol's increments, over [trading] limits, an expired or malformed GTD date, a missing
price, a stop on the wrong side of the market) and sends nothing; a good ticket becomes
TradeStation's OrderRequest exactly as sent, valid by the OpenAPI document's schema and accepted
by the simulator for a stock, a future, 32nds and halves-of-32nds bond futures and an option.
Replace, close and the preview's limit check are tested the same way."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import aiohttp
import jsonschema  # type: ignore[import-untyped]
import pytest

from tsdash.api.prices import format_price, step_price
from tsdash.sim import start_simulator
from tsdash.sim.universe import SYMBOLS
from tsdash.ui.ticket import (
    ESTIMATED_VALUE,
    Duration,
    OrderType,
    Side,
    TicketInput,
    TicketLimits,
    TradeAction,
    check_ticket,
    close_position_input,
    default_action,
    preview_problem,
    replace_request,
    trade_actions,
)

MARGIN = "SIM1234567M"
CALL = "AAPL 261218C230"
TODAY = date(2026, 12, 1)
LIMITS = TicketLimits(max_order_value=25_000, max_quantity=1000)
WIDE = TicketLimits(max_order_value=10_000_000, max_quantity=1000)
# The component schemas of TradeStation's OpenAPI document, as the simulator's tests keep them.
SCHEMAS = Path(__file__).resolve().parents[1] / "sim" / "openapi_schemas.json"


@cache
def _components() -> dict:
    schemas = copy.deepcopy(json.loads(SCHEMAS.read_text())["components"]["schemas"])
    # The document types Expiration as an object, yet describes it (and TradeStation takes it)
    # as an RFC 3339 string such as 2023-01-01T23:30:30Z.
    schemas["Expiration"] = {"type": "string", "format": "date-time"}
    # Strict at the top: a request carries only the fields TradeStation documents.
    for name in ("OrderRequest", "OrderReplaceRequest", "TimeInForceRequest"):
        schemas[name]["additionalProperties"] = False
    return schemas


def validate(payload: dict, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}",
              "components": {"schemas": _components()}}
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(payload)


def detail(symbol: str) -> dict:
    return SYMBOLS[symbol].detail()


def ticket(symbol: str = "AAPL", **fields) -> TicketInput:
    values = {"account": MARGIN, "symbol": symbol, "action": TradeAction.BUY, "quantity": "10",
              "order_type": OrderType.LIMIT, "limit_price": "219.50"}
    values.update(fields)
    return TicketInput(**values)


def check(inp: TicketInput, info: dict | None = None, limits: TicketLimits = LIMITS,
          reference: str | None = "220.00"):
    info = detail(inp.symbol) if info is None and inp.symbol in SYMBOLS else info
    return check_ticket(inp, info, limits, today=TODAY,
                        reference_price=Decimal(reference) if reference else None)


def refused(inp: TicketInput, field: str, **kwargs) -> str:
    """The problem on ``field``; the ticket makes no request."""
    result = check(inp, **kwargs)
    assert result.request is None, result.request
    assert field in result.problems, result.problems
    return result.problems[field]


# ------------------------------------------------------------------------------------------------
# Bad input: a message beside the field, no request


def test_a_good_ticket_has_no_problem_and_a_request():
    result = check(ticket())
    assert result.problems == {}
    assert result.request == {
        "AccountID": MARGIN, "Symbol": "AAPL", "Quantity": "10", "OrderType": "Limit",
        "LimitPrice": "219.50", "TradeAction": "BUY", "TimeInForce": {"Duration": "DAY"},
        "Route": "Intelligent"}
    assert result.estimated_value == Decimal("2195.00")


def test_zero_quantity():
    assert refused(ticket(quantity="0"), "quantity") == "quantity must be a whole number above 0"


def test_negative_quantity():
    assert refused(ticket(quantity="-5"), "quantity") == "quantity must be a whole number above 0"


def test_letters_for_a_quantity():
    assert refused(ticket(quantity="ten"), "quantity") == "quantity must be a whole number above 0"


def test_a_fraction_of_a_share():
    assert refused(ticket(quantity="1.5"), "quantity") == (
        "1.5 is not a quantity of AAPL: it trades in steps of 1")


def test_crypto_takes_fractions_to_its_quantity_increment():
    good = check(ticket("BTCUSD", quantity="0.25", limit_price="96850.00"))
    assert good.problems == {} and good.request["Quantity"] == "0.25"
    assert refused(ticket("BTCUSD", quantity="0.000000001", limit_price="96850.00"),
                   "quantity") == (
        "0.000000001 is not a quantity of BTCUSD: it trades in steps of 0.00000001")
    assert refused(ticket("BTCUSD", quantity="abc", limit_price="96850.00"), "quantity") == (
        "quantity must be a number above 0")


def test_a_quantity_over_the_limit():
    assert refused(ticket(quantity="1001"), "quantity") == (
        "over the limit of 1000 ([trading] max_quantity)")


def test_a_value_over_the_limit():
    assert refused(ticket(quantity="125", limit_price="250.00"), ESTIMATED_VALUE) == (
        "estimated value $31,250.00 is over the limit of $25,000.00 ([trading] max_order_value)")


def test_a_futures_value_counts_its_point_value():
    result = check(ticket("@ES", quantity="1", limit_price="6000.00"), reference="6001.00")
    assert result.estimated_value == Decimal("300000.00")  # 6000 x $50 a point
    assert ESTIMATED_VALUE in result.problems and result.request is None


def test_a_market_orders_value_is_priced_at_the_reference():
    result = check(ticket(quantity="200", order_type=OrderType.MARKET, limit_price=""),
                   reference="150.00")
    assert result.problems[ESTIMATED_VALUE].startswith("estimated value $30,000.00 is over")
    assert result.request is None


def test_a_market_order_with_no_price_known_is_not_sent():
    assert refused(ticket(order_type=OrderType.MARKET, limit_price=""), ESTIMATED_VALUE,
                   reference=None) == (
        "no price of AAPL yet to check the order's value against the limit of $25,000.00")


def test_a_missing_limit_price():
    assert refused(ticket(limit_price=""), "limit_price") == "enter a limit price"


def test_letters_for_a_price():
    assert refused(ticket(limit_price="abc"), "limit_price") == (
        "abc is not a price of AAPL (write it like 123.45)")
    assert refused(ticket("@US", quantity="1", limit_price="117'40"), "limit_price") == (
        "117'40 is not a price of @US (write it like 117'16)")


def test_a_zero_or_negative_price():
    assert refused(ticket(limit_price="0"), "limit_price") == "the limit price must be above 0"
    assert refused(ticket(limit_price="-219.50"), "limit_price") == (
        "the limit price must be above 0")


def test_a_price_off_the_increment():
    assert refused(ticket("@ES", quantity="1", limit_price="6012.30"), "limit_price",
                   limits=WIDE) == (
        "6012.30 is not a price of @ES: it moves in steps of 0.25 (nearest 6012.25 or 6012.50)")


def test_a_price_is_not_sent_unchecked_when_the_increment_is_unknown():
    info = detail("AAPL")
    info["PriceFormat"] = {k: v for k, v in info["PriceFormat"].items()
                           if k not in ("Increment", "IncrementStyle", "IncrementSchedule")}
    assert "cannot be checked" in refused(ticket(), "limit_price", info=info)


def test_a_missing_stop_price():
    assert refused(ticket(order_type=OrderType.STOP_LIMIT), "stop_price") == (
        "a stop price is needed for a StopLimit order")


def test_a_buy_stop_below_the_market():
    assert refused(ticket(order_type=OrderType.STOP_MARKET, limit_price="",
                          stop_price="219.00"), "stop_price") == (
        "a buy stop must be above the market (220.00): at or below it the order would trigger "
        "at once")


def test_a_sell_stop_above_the_market():
    assert refused(ticket(action=TradeAction.SELL, order_type=OrderType.STOP_MARKET,
                          limit_price="", stop_price="221.00"), "stop_price") == (
        "a sell stop must be below the market (220.00): at or above it the order would trigger "
        "at once")


def test_an_expired_gtd_date():
    assert refused(ticket(duration=Duration.GTD, expiration="2026-11-30"), "expiration") == (
        "the expiration date 2026-11-30 has passed")


def test_a_gtd_date_that_is_not_a_date():
    for text in ("2026-13-01", "tomorrow", "12/24/2026", "2026-12-1"):
        assert refused(ticket(duration=Duration.GTD, expiration=text), "expiration") == (
            f"{text} is not a date: write it as YYYY-MM-DD")
    assert refused(ticket(duration=Duration.GTD), "expiration") == (
        "enter the date a GTD order is good through (YYYY-MM-DD)")


def test_a_gtd_date_past_ninety_days():
    assert refused(ticket(duration=Duration.GTD, expiration="2027-03-15"), "expiration") == (
        "the expiration date 2027-03-15 is more than 90 days ahead")


def test_at_the_opening_is_for_stocks_only():
    assert refused(ticket("@ES", quantity="1", limit_price="6000.00", duration=Duration.OPG),
                   "duration", limits=WIDE) == "OPG (at the opening) is for stocks only"


def test_an_action_of_another_asset_class():
    assert refused(ticket("@ES", quantity="1", limit_price="6000.00",
                          action=TradeAction.SELLSHORT), "action", limits=WIDE) == (
        "SELLSHORT is not an action for @ES: use BUY, SELL")


def test_an_index_is_not_traded():
    assert refused(ticket("$SPX.X", limit_price="6000.00"), "symbol") == (
        "$SPX.X is an index: it is quoted but not traded")


def test_no_details_no_order():
    result = check_ticket(ticket("AAPL"), None, LIMITS, today=TODAY,
                          reference_price=Decimal("220.00"))
    assert result.request is None
    assert result.problems["symbol"] == "no details for AAPL yet: its prices cannot be checked"


def test_a_missing_account():
    assert refused(ticket(account=" "), "account") == "choose an account"


# ------------------------------------------------------------------------------------------------
# Actions by asset class (the simulator's rules)


def test_trade_actions_by_asset_class():
    assert trade_actions("AAPL", "STOCK") == ["BUY", "SELL", "SELLSHORT", "BUYTOCOVER"]
    assert trade_actions("@ES", "FUTURE") == ["BUY", "SELL"]
    assert trade_actions("BTCUSD", "CRYPTO") == ["BUY", "SELL"]
    assert trade_actions(CALL, "STOCKOPTION") == [
        "BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN", "SELLTOCLOSE"]
    assert trade_actions("$SPX.X", "INDEX") == []
    assert trade_actions(CALL, None) == trade_actions(CALL, "STOCKOPTION")


@pytest.mark.parametrize("side,asset,held,action", [
    (Side.SELL, "STOCK", 100, "SELL"), (Side.SELL, "STOCK", 0, "SELLSHORT"),
    (Side.BUY, "STOCK", -30, "BUYTOCOVER"), (Side.BUY, "STOCK", 0, "BUY"),
    (Side.BUY, "STOCKOPTION", 0, "BUYTOOPEN"), (Side.BUY, "STOCKOPTION", -2, "BUYTOCLOSE"),
    (Side.SELL, "STOCKOPTION", 3, "SELLTOCLOSE"), (Side.SELL, "STOCKOPTION", 0, "SELLTOOPEN"),
    (Side.SELL, "FUTURE", 0, "SELL"), (Side.BUY, "FUTURE", -1, "BUY"),
    (Side.SELL, "CRYPTO", 0.5, "SELL"),
])
def test_default_action_closes_what_is_held_else_opens(side, asset, held, action):
    assert default_action(side, asset, held) == action


# ------------------------------------------------------------------------------------------------
# Good requests: the OpenAPI schema, then the simulator


@pytest.mark.parametrize("inp", [
    ticket(),
    ticket("@US", quantity="2", action=TradeAction.SELL, order_type=OrderType.STOP_LIMIT,
           stop_price="117'08", limit_price="117'04", duration=Duration.GTD,
           expiration="2026-12-10"),
    ticket("@TY", quantity="1", limit_price="110'165", duration=Duration.GTC),
    ticket(CALL, quantity="3", action=TradeAction.BUYTOOPEN, limit_price="5.05",
           duration=Duration.IOC),
    ticket("BTCUSD", quantity="0.125", limit_price="96850.01", order_type=OrderType.LIMIT),
    ticket(quantity="5", order_type=OrderType.MARKET, limit_price="", duration=Duration.OPG),
], ids=["stock", "bond-stoplimit-gtd", "note", "option", "crypto", "market"])
def test_good_requests_match_the_order_request_schema(inp):
    result = check(inp, limits=WIDE, reference="118.00" if inp.symbol == "@US" else "220.00")
    assert result.problems == {}
    validate(result.request, "OrderRequest")
    for name in ("LimitPrice", "StopPrice"):
        if name in result.request:
            Decimal(result.request[name])  # plain decimals: TradeStation takes no 117'16


def test_fraction_prices_are_sent_as_decimals_to_the_increments_places():
    result = check(ticket("@US", quantity="1", limit_price="117'16"), limits=WIDE)
    assert result.request["LimitPrice"] == "117.50000"
    result = check(ticket("@TY", quantity="1", limit_price="110'165"), limits=WIDE)
    assert result.request["LimitPrice"] == "110.515625"
    result = check(ticket(duration=Duration.GTD, expiration="2026-12-10"))
    assert result.request["TimeInForce"] == {"Duration": "GTD",
                                             "Expiration": "2026-12-10T00:00:00Z"}


@pytest.fixture
async def sim():
    """A fixed clock and no demo trader: the market stays where the test read it."""
    simulator = await start_simulator(port=0, clock="fixed", demo_trader=False, seed=5,
                                      heartbeat_interval=0.5)
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as http:
        yield http


def _path(symbol: str) -> str:
    return symbol.replace(" ", "%20")


async def call(sim, session, method: str, path: str, body=None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {sim.issue_token()}"}
    async with session.request(method, sim.base_url + path, headers=headers, json=body) as resp:
        return resp.status, await resp.json()


async def symbol_detail(sim, session, symbol: str) -> dict:
    status, body = await call(sim, session, "GET", f"/marketdata/symbols/{_path(symbol)}")
    assert status == 200, body
    (info,) = body["Symbols"]
    return info


async def last_price(sim, session, symbol: str) -> Decimal:
    status, body = await call(sim, session, "GET", f"/marketdata/quotes/{_path(symbol)}")
    assert status == 200, body
    return Decimal(body["Quotes"][0]["Last"])


def typed(price: Decimal, info: dict) -> str:
    """A price as a person reads it on screen and types it back: 117'12, 110'155."""
    return format_price(price, info)


async def sim_ticket(sim, session, symbol: str, action: TradeAction, order_type: OrderType,
                     quantity: str, limit_steps: int | None, stop_steps: int | None,
                     **fields):
    """A ticket priced some increments away from the simulator's last price, checked with the
    simulator's own SymbolDetail and date."""
    info = await symbol_detail(sim, session, symbol)
    last = await last_price(sim, session, symbol)
    limit = "" if limit_steps is None else typed(step_price(last, info, limit_steps), info)
    stop = "" if stop_steps is None else typed(step_price(last, info, stop_steps), info)
    inp = TicketInput(account=MARGIN, symbol=symbol, action=action, quantity=quantity,
                      order_type=order_type, limit_price=limit, stop_price=stop, **fields)
    result = check_ticket(inp, info, WIDE, today=sim.engine.book.today(), reference_price=last)
    assert result.problems == {}, result.problems
    validate(result.request, "OrderRequest")
    return result


@pytest.mark.parametrize("symbol,action,order_type,quantity,limit_steps,stop_steps", [
    ("AAPL", TradeAction.BUY, OrderType.LIMIT, "10", -5, None),
    ("@ES", TradeAction.SELL, OrderType.STOP_LIMIT, "2", -6, -4),
    ("@US", TradeAction.SELL, OrderType.STOP_MARKET, "1", None, -4),
    ("@TY", TradeAction.BUY, OrderType.LIMIT, "1", -3, None),
    (CALL, TradeAction.BUYTOOPEN, OrderType.LIMIT, "2", -1, None),
    ("SNDL", TradeAction.BUY, OrderType.MARKET, "100", None, None),
], ids=["stock", "future", "bond-32nds", "note-64ths", "option", "penny-market"])
async def test_the_simulator_accepts_the_tickets_requests(sim, session, symbol, action,
                                                          order_type, quantity, limit_steps,
                                                          stop_steps):
    today = sim.engine.book.today()
    result = await sim_ticket(sim, session, symbol, action, order_type, quantity, limit_steps,
                              stop_steps, duration=Duration.GTD,
                              expiration=(today + timedelta(days=10)).isoformat())
    status, preview = await call(sim, session, "POST", "/orderexecution/orderconfirm",
                                 result.request)
    assert status == 200, preview
    assert preview_problem(preview["Confirmations"][0], WIDE) is None
    status, answer = await call(sim, session, "POST", "/orderexecution/orders", result.request)
    assert status == 200 and "Errors" not in answer, answer
    order = sim.engine.book.orders[answer["Orders"][0]["OrderID"]]
    assert (order.symbol, order.action, order.quantity, order.order_type) == (
        symbol, action, int(quantity), order_type)
    assert order.expiration == today + timedelta(days=10)
    info = SYMBOLS[symbol]
    for sent, held in (("LimitPrice", order.limit), ("StopPrice", order.stop)):
        if sent in result.request:
            assert held == info.to_ticks(float(result.request[sent]))


async def test_crypto_requests_pass_every_field_check_of_the_simulator(sim, session):
    """The simulator quotes crypto pairs but takes no orders for them (and whole quantities
    only): a whole-coin request gets as far as that refusal, past every field's check."""
    result = await sim_ticket(sim, session, "BTCUSD", TradeAction.BUY, OrderType.LIMIT, "1", -2,
                              None)
    status, answer = await call(sim, session, "POST", "/orderexecution/orders", result.request)
    assert status == 400
    assert "BTCUSD is not tradable in this simulator" in answer["Message"]


async def test_the_preview_is_held_to_the_value_limit(sim, session):
    result = await sim_ticket(sim, session, "AAPL", TradeAction.BUY, OrderType.LIMIT, "100", -1,
                              None)
    status, preview = await call(sim, session, "POST", "/orderexecution/orderconfirm",
                                 result.request)
    assert status == 200, preview
    confirmation = preview["Confirmations"][0]
    cost = Decimal(confirmation["EstimatedCost"])
    tight = TicketLimits(max_order_value=float(cost) - 1, max_quantity=1000)
    assert preview_problem(confirmation, tight) == (
        f"estimated cost ${cost:,.2f} is over the limit of ${cost - 1:,.2f} "
        "([trading] max_order_value)")
    assert preview_problem(confirmation, TicketLimits(float(cost), 1000)) is None
    assert preview_problem({}, WIDE).startswith("TradeStation's preview gave no estimated cost")


async def test_closing_a_position_in_the_simulator(sim, session):
    """TSLA is held short in the margin account: ``x`` buys it all back to cover, at market."""
    status, body = await call(sim, session, "GET", f"/brokerage/accounts/{MARGIN}/positions")
    assert status == 200, body
    (position,) = [p for p in body["Positions"] if p["Symbol"] == "TSLA"]
    assert position["LongShort"] == "Short"
    inp = close_position_input(position, "another")
    assert (inp.account, inp.action, inp.quantity, inp.order_type) == (
        MARGIN, TradeAction.BUYTOCOVER, position["Quantity"].lstrip("-"), OrderType.MARKET)
    info = await symbol_detail(sim, session, "TSLA")
    last = await last_price(sim, session, "TSLA")
    result = check_ticket(inp, info, WIDE, today=sim.engine.book.today(), reference_price=last)
    assert result.problems == {}, result.problems
    status, answer = await call(sim, session, "POST", "/orderexecution/orders", result.request)
    assert status == 200 and "Errors" not in answer, answer
    assert "TSLA" not in sim.engine.book.accounts[MARGIN].positions


def test_closing_long_positions_sells_them():
    long_call = {"Symbol": CALL, "Quantity": "3", "LongShort": "Long",
                 "AssetType": "STOCKOPTION", "AccountID": MARGIN}
    assert close_position_input(long_call, MARGIN).action == TradeAction.SELLTOCLOSE
    future = {"Symbol": "ESZ26", "Quantity": "-2", "LongShort": "Short",
              "AssetType": "FUTURE", "AccountID": MARGIN}
    inp = close_position_input(future, MARGIN)
    assert (inp.action, inp.quantity) == (TradeAction.BUY, "2")


# ------------------------------------------------------------------------------------------------
# Replace


WORKING = {"OrderID": "7", "OrderType": "Limit", "LimitPrice": "219.50",
           "Legs": [{"Symbol": "AAPL", "QuantityOrdered": "10", "BuyOrSell": "Buy"}]}


def test_a_replace_sends_only_what_changed():
    changes, problems = replace_request(WORKING, ticket(quantity="10", limit_price="219.40"),
                                        detail=detail("AAPL"), limits=LIMITS)
    assert (changes, problems) == ({"LimitPrice": "219.40"}, {})
    validate(changes, "OrderReplaceRequest")
    changes, problems = replace_request(WORKING, ticket(quantity="5", limit_price="219.50"),
                                        detail=detail("AAPL"), limits=LIMITS)
    assert (changes, problems) == ({"Quantity": "5"}, {})


def test_a_replace_that_changes_nothing_is_a_problem():
    changes, problems = replace_request(WORKING, ticket(quantity="10", limit_price="219.5"),
                                        detail=detail("AAPL"), limits=LIMITS)
    assert changes == {}
    assert problems == {"quantity": "change the quantity or a price first"}


def test_a_replace_without_the_symbols_details_is_not_sent():
    changes, problems = replace_request(WORKING, ticket(quantity="10", limit_price="219.40"),
                                        detail=None, limits=LIMITS)
    assert changes == {}
    assert problems == {"symbol": "no details for AAPL yet: its prices cannot be checked"}


def test_a_replace_is_checked_like_a_ticket():
    changes, problems = replace_request(WORKING, ticket(quantity="0", limit_price="219.505"),
                                        detail=detail("AAPL"), limits=LIMITS)
    assert changes == {}
    assert problems == {
        "quantity": "quantity must be a whole number above 0",
        "limit_price": "219.505 is not a price of AAPL: it moves in steps of 0.01 "
                       "(nearest 219.50 or 219.51)"}
    _, problems = replace_request(WORKING, ticket(quantity="2000"), detail=detail("AAPL"),
                                  limits=LIMITS)
    assert problems == {"quantity": "over the limit of 1000 ([trading] max_quantity)"}


async def test_the_simulator_takes_the_replacement(sim, session):
    result = await sim_ticket(sim, session, "@US", TradeAction.BUY, OrderType.LIMIT, "1", -8,
                              None)
    status, answer = await call(sim, session, "POST", "/orderexecution/orders", result.request)
    assert status == 200 and "Errors" not in answer, answer
    order_id = answer["Orders"][0]["OrderID"]
    status, original = await call(sim, session, "GET",
                                  f"/brokerage/accounts/{MARGIN}/orders/{order_id}")
    assert status == 200, original
    info = await symbol_detail(sim, session, "@US")
    lower = step_price(result.request["LimitPrice"], info, -2)
    inp = TicketInput(account=MARGIN, symbol="@US", action=TradeAction.BUY, quantity="3",
                      order_type=OrderType.LIMIT, limit_price=typed(lower, info))
    changes, problems = replace_request(original["Orders"][0], inp, detail=info, limits=WIDE)
    assert problems == {}
    assert changes == {"Quantity": "3", "LimitPrice": f"{lower:f}"}
    status, answer = await call(sim, session, "PUT", f"/orderexecution/orders/{order_id}",
                                changes)
    assert status == 200, answer
    order = sim.engine.book.orders[order_id]
    assert (order.quantity, order.limit) == (3, SYMBOLS["@US"].to_ticks(float(lower)))
