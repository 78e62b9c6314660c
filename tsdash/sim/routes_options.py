"""/v3/marketdata/options: expirations, strikes, spread types, risk/reward, and the option chain
and option quote streams."""

from __future__ import annotations

import re

from aiohttp import web

from .errors import TSHTTPError
from .feeds import Feed
from .keys import ENGINE
from .market import encode
from .options import RATE
from .spreads import (
    Leg,
    LegView,
    SpreadError,
    build_spreads,
    expiration_or_next,
    expirations_payload,
    leg_views,
    number,
    positive_int,
    risk_reward,
    spread_payload,
    spread_type,
    spread_types_payload,
    strikes_payload,
    underlying_of,
)
from .streams import serve_http_stream

CHAIN_EVERY_STEPS = 10  # a chain or spread stream recomputes at most once a second
# Bounds on the numeric query parameters (a 400 naming the parameter beyond them): past these
# the greeks and payoffs stop meaning anything (a ratio of 10**23 contracts, a rate of 1e308).
MAX_RATIO = 1000  # |legs[i].Ratio|: contracts or shares of a leg relative to the others
MAX_STRIKE_STEPS = 1000  # strikeInterval and strikeProximity, counted in strikes
MAX_RATE = 1.0  # riskFreeRate is a decimal (0.02 for 2%): from -1 to 1
MAX_PRICE = 10_000_000.0  # priceCenter and strikePrice, as order prices (book.MAX_PRICE)
MAX_LEG_QUANTITY = 100_000  # riskreward Legs[i].Quantity (a share leg counts shares)
_LEG_PARAM = re.compile(r"^legs\[(\d+)\]\.(symbol|ratio)$", re.IGNORECASE)


def _bad(exc: Exception) -> TSHTTPError:
    return TSHTTPError(400, str(exc))


def _flag(query, name: str, default: bool) -> bool:
    text = query.get(name)
    if text is None:
        return default
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise SpreadError(f"Invalid {name} '{text}'. Expected true or false.")


def _choice(query, name: str, allowed: tuple[str, ...]) -> str:
    text = query.get(name, allowed[0])
    for value in allowed:
        if value.lower() == text.lower():
            return value
    raise SpreadError(f"Invalid {name} '{text}'. Valid values are: {', '.join(allowed)}.")


#: fault stream names (`stream=`) of the two option streams
OPTION_CHAINS = "optionchains"
OPTION_QUOTES = "optionquotes"


class SpreadFeed(Feed):
    """Spreads (each a list of legs) as Spread objects, then the ones that changed.

    The legs follow the market's per-step log; changes are gathered and the spreads recomputed
    on every CHAIN_EVERY_STEPS-th step, so the sequence depends on the seed alone.
    """

    def __init__(self, engine, spreads: list[list[Leg]], rate: float, greeks: bool,
                 kind: str) -> None:
        super().__init__(engine)
        self.kind = kind  # the fault name: OPTION_CHAINS or OPTION_QUOTES
        self.spreads = spreads
        self.rate = rate
        self.greeks = greeks
        self.views: dict[str, LegView] = {}
        self.spread_views = [leg_views(engine.market, legs, self.views) for legs in spreads]
        self.last: list[dict] = []
        self.step = 0
        self.pending = False

    def _payloads(self, step: int) -> list[dict]:
        market = self.engine.market
        return [spread_payload(market, legs, step, self.rate, self.greeks, views)
                for legs, views in zip(self.spreads, self.spread_views, strict=True)]

    def _changed(self, step: int) -> list[bytes]:
        fresh = self._payloads(step)
        out = [encode(new) for new, old in zip(fresh, self.last, strict=True) if new != old]
        self.last = fresh
        return out

    def start(self) -> list[bytes]:
        self.step = self.engine.clock.step
        self.last = self._payloads(self.step)
        return [encode(p) for p in self.last]

    def poll(self) -> list[bytes]:
        market = self.engine.market
        now = self.engine.clock.step
        out: list[bytes] = []
        for record in market.records_after(self.step, now):
            if record is None:  # fell too far behind: start over from the current market
                self.step = now
                for symbol, view in self.views.items():
                    view.resync(market.states[symbol])
                self.pending = False
                return out + self._changed(now)
            self.step = record.step
            for symbol, view in self.views.items():
                lines = record.lines.get(symbol)
                if lines:
                    for line in lines:
                        view.apply(line)
                    self.pending = True
            if self.pending and self.step % CHAIN_EVERY_STEPS == 0:
                self.pending = False
                out.extend(self._changed(self.step))
        return out


def _common(query) -> tuple[float, bool]:
    rate = number(query.get("riskFreeRate"), "riskFreeRate")
    if rate is not None and not -MAX_RATE <= rate <= MAX_RATE:
        raise SpreadError(f"Invalid riskFreeRate '{query['riskFreeRate']}'. Expected a decimal "
                          f"rate from {-MAX_RATE:g} to {MAX_RATE:g} (0.02 for 2%).")
    return (RATE if rate is None else rate), _flag(query, "enableGreeks", True)


def _steps(query, name: str, default: int) -> int:
    """strikeInterval or strikeProximity: a whole number of strikes, 1 to MAX_STRIKE_STEPS."""
    value = positive_int(query.get(name), name, default)
    if value > MAX_STRIKE_STEPS:
        raise SpreadError(f"Invalid {name} '{query[name]}'. It must be a whole number from 1 to "
                          f"{MAX_STRIKE_STEPS}.")
    return value


def _price(query, name: str) -> float | None:
    """priceCenter or strikePrice: a positive price, at most MAX_PRICE."""
    value = number(query.get(name), name)
    if value is not None and not 0 < value <= MAX_PRICE:
        raise SpreadError(f"Invalid {name} '{query[name]}'. Expected a positive price of at "
                          f"most {MAX_PRICE:.0f}.")
    return value


def _ratio(text: str, index: int) -> int:
    """legs[i].Ratio: a whole number of contracts or shares, 1 to MAX_RATIO either way
    (negative to sell)."""
    try:
        ratio = int(text)
    except ValueError:
        ratio = 0
    if not 1 <= abs(ratio) <= MAX_RATIO:
        raise SpreadError(f"Invalid legs[{index}].Ratio '{text}'. Expected a whole number from "
                          f"1 to {MAX_RATIO}, or -1 to -{MAX_RATIO} to sell.")
    return ratio


async def get_expirations(request: web.Request) -> web.Response:
    market = request.app[ENGINE].market
    try:
        underlying = underlying_of(request.match_info["underlying"])
        strike = _price(request.query, "strikePrice")
    except SpreadError as exc:
        raise _bad(exc) from None
    return web.json_response(expirations_payload(market, underlying, strike))


async def get_strikes(request: web.Request) -> web.Response:
    market = request.app[ENGINE].market
    query = request.query
    try:
        underlying = underlying_of(request.match_info["underlying"])
        kind = spread_type(query.get("spreadType"))
        interval = _steps(query, "strikeInterval", 1)
        expiration = expiration_or_next(query.get("expiration"))
        exp2 = query.get("expiration2")
        expiration2 = None if exp2 is None else expiration_or_next(exp2, "expiration2")
        payload = strikes_payload(market, underlying, kind, expiration, expiration2, interval)
    except SpreadError as exc:
        raise _bad(exc) from None
    return web.json_response(payload)


async def get_spread_types(request: web.Request) -> web.Response:
    return web.json_response(spread_types_payload())


def _check_risk_numbers(body: object) -> None:
    """Bounds the numbers of a riskreward body before the payoff math (a SpreadPrice of 1e308
    answered an AdjustedMaxGain of "-inf"); the shape itself is risk_reward's to check."""
    if not isinstance(body, dict):
        return
    price = body.get("SpreadPrice")
    if isinstance(price, int | float) and not isinstance(price, bool) \
            and not abs(price) <= MAX_PRICE:
        raise SpreadError(f"Invalid SpreadPrice {price}. Expected a price from -{MAX_PRICE:.0f} "
                          f"to {MAX_PRICE:.0f}.")
    legs = body.get("Legs")
    for i, leg in enumerate(legs if isinstance(legs, list) else ()):
        quantity = leg.get("Quantity") if isinstance(leg, dict) else None
        if isinstance(quantity, int) and not isinstance(quantity, bool) \
                and quantity > MAX_LEG_QUANTITY:
            raise SpreadError(f"Legs[{i}].Quantity must be a whole number from 1 to "
                              f"{MAX_LEG_QUANTITY}.")


async def post_risk_reward(request: web.Request) -> web.Response:
    market = request.app[ENGINE].market
    try:
        body = await request.json()
    except ValueError:
        raise TSHTTPError(400, "The body is not valid JSON.") from None
    try:
        _check_risk_numbers(body)
        return web.json_response(risk_reward(market, body))
    except SpreadError as exc:
        raise _bad(exc) from None


async def stream_chain(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    market = engine.market
    query = request.query
    try:
        underlying = underlying_of(request.match_info["underlying"])
        kind = spread_type(query.get("spreadType"))
        interval = _steps(query, "strikeInterval", 1)
        proximity = _steps(query, "strikeProximity", 5)
        expiration = expiration_or_next(query.get("expiration"))
        exp2 = query.get("expiration2")
        expiration2 = None if exp2 is None else expiration_or_next(exp2, "expiration2")
        center = _price(query, "priceCenter")
        rate, greeks = _common(query)
        strike_range = _choice(query, "strikeRange", ("All", "ITM", "OTM"))
        option_type = _choice(query, "optionType", ("All", "Call", "Put"))
        side = None if option_type == "All" else option_type == "Call"
        spreads = build_spreads(market, underlying, kind, expiration, expiration2, interval,
                                side)
    except SpreadError as exc:
        raise _bad(exc) from None
    if center is None:
        under = market.states[underlying]
        center = under.last / under.info.ticks_per_point
    below = [s for s in spreads if s[1][0] < center]
    above = [s for s in spreads if s[1][0] >= center]
    firsts_below = sorted({s[1][0] for s in below})[-proximity:]
    firsts_above = sorted({s[1][0] for s in above})[:proximity]
    chosen = [legs for legs, strikes in spreads if strikes[0] in firsts_below + firsts_above]
    if strike_range != "All":
        step = engine.clock.step
        itm = [float(spread_payload(market, legs, step, rate, False)["IntrinsicValue"]) > 0
               for legs in chosen]
        chosen = [legs for legs, flag in zip(chosen, itm, strict=True)
                  if flag == (strike_range == "ITM")]
    return await serve_http_stream(request, engine, SpreadFeed(engine, chosen, rate, greeks,
                                                           OPTION_CHAINS))


async def stream_option_quotes(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    market = engine.market
    query = request.query
    found: dict[int, dict[str, str]] = {}
    for name, value in query.items():
        match = _LEG_PARAM.match(name)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2).lower()] = value
    try:
        if not found:
            raise SpreadError("At least one leg is required: legs[0].Symbol=...")
        if sorted(found) != list(range(len(found))):
            raise SpreadError("Leg indexes must be sequential from 0: legs[0], legs[1], ...")
        legs: list[Leg] = []
        for index in range(len(found)):
            leg = found[index]
            symbol = leg.get("symbol", "").strip().upper()
            if not symbol:
                raise SpreadError(f"legs[{index}].Symbol is required.")
            info = market.states.get(symbol)
            if info is None or market.info(symbol).asset_type not in ("STOCK", "STOCKOPTION"):
                raise SpreadError(f"legs[{index}].Symbol '{leg['symbol']}' is not an option or "
                                  "stock symbol.")
            legs.append(Leg(symbol, _ratio(leg.get("ratio", "1"), index)))
        if all(market.info(leg.symbol).asset_type == "STOCK" for leg in legs):
            raise SpreadError("At least one leg must be an option.")
        rate, greeks = _common(query)
    except SpreadError as exc:
        raise _bad(exc) from None
    return await serve_http_stream(request, engine, SpreadFeed(engine, [legs], rate, greeks,
                                                           OPTION_QUOTES))


ROUTES = [
    web.get("/v3/marketdata/options/expirations/{underlying}", get_expirations,
            name="option-expirations"),
    web.get("/v3/marketdata/options/strikes/{underlying}", get_strikes, name="option-strikes"),
    web.get("/v3/marketdata/options/spreadtypes", get_spread_types, name="option-spreadtypes"),
    web.post("/v3/marketdata/options/riskreward", post_risk_reward, name="option-riskreward"),
    web.get("/v3/marketdata/stream/options/chains/{underlying}", stream_chain,
            name="option-chains"),
    web.get("/v3/marketdata/stream/options/quotes", stream_option_quotes, name="option-quotes"),
]
