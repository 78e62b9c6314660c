"""Option spreads: spread types, their strikes, their quotes and greeks, and risk/reward.

A spread is a list of legs (symbol, ratio); its quote, greeks and probabilities are sums over
the legs' Black-Scholes values (options.py), so an option chain, an option quote stream and the
plain quote stream of one option all agree.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from .market import Market, SymbolState
from .options import RATE, OptionState, black_scholes, years_to_expiry
from .universe import OPTION_EXPIRATIONS, OPTION_UNDERLYINGS, SYMBOLS, option_symbol


class SpreadError(ValueError):
    """A bad spread request; the message is the 400 answer's."""


@dataclass(frozen=True, slots=True)
class LegShape:
    ratio: int
    call: bool | None  # None: the underlying itself (100 shares a ratio unit)
    offset: int  # strike steps (times strikeInterval) from the spread's first strike
    far: bool = False  # on the second expiration (Calendar, Diagonal)


def _legs(*items: tuple) -> tuple[LegShape, ...]:
    return tuple(LegShape(*item) for item in items)


# name -> (legs, StrikeInterval applies, ExpirationInterval applies); "Single" is one leg of
# the side asked for (both sides in a chain).
SPREAD_TYPES: dict[str, tuple[tuple[LegShape, ...], bool, bool]] = {
    "Single": (_legs((1, True, 0)), False, False),
    "Straddle": (_legs((1, True, 0), (1, False, 0)), False, False),
    "Vertical": (_legs((1, True, 0), (-1, True, 1)), True, False),
    "Strangle": (_legs((1, False, 0), (1, True, 1)), True, False),
    "RatioBack1x2": (_legs((-1, True, 0), (2, True, 1)), True, False),
    "RatioBack1x3": (_legs((-1, True, 0), (3, True, 1)), True, False),
    "RatioBack2x3": (_legs((-2, True, 0), (3, True, 1)), True, False),
    "Butterfly": (_legs((1, True, 0), (-2, True, 1), (1, True, 2)), True, False),
    "IronButterfly": (_legs((1, False, 0), (-1, False, 1), (-1, True, 1), (1, True, 2)), True,
                      False),
    "Condor": (_legs((1, True, 0), (-1, True, 1), (-1, True, 2), (1, True, 3)), True, False),
    "IronCondor": (_legs((1, False, 0), (-1, False, 1), (-1, True, 2), (1, True, 3)), True,
                   False),
    "Covered": (_legs((100, None, 0), (-1, True, 0)), False, False),
    "Collar": (_legs((100, None, 0), (1, False, 0), (-1, True, 1)), True, False),
    "Combo": (_legs((1, True, 0), (-1, False, 0)), False, False),
    "Calendar": (_legs((-1, True, 0), (1, True, 0, True)), False, True),
    "Diagonal": (_legs((-1, True, 0), (1, True, 1, True)), True, True),
}


def spread_types_payload() -> dict:
    return {"SpreadTypes": [{"Name": name, "StrikeInterval": strike, "ExpirationInterval": exp}
                            for name, (_, strike, exp) in SPREAD_TYPES.items()]}


def spread_type(name: str | None) -> str:
    if name is None:
        return "Single"
    for known in SPREAD_TYPES:
        if known.lower() == name.lower():
            return known
    raise SpreadError(f"Invalid spreadType '{name}'. Valid values are: "
                      f"{', '.join(SPREAD_TYPES)}.")


def underlying_of(symbol: str) -> str:
    und = symbol.strip().upper()
    if und not in OPTION_UNDERLYINGS:
        raise SpreadError(f"Invalid underlying '{symbol}': the simulator lists options on "
                          f"{', '.join(OPTION_UNDERLYINGS)}.")
    return und


def parse_expiration(text: str | None, name: str = "expiration") -> str | None:
    """MM-DD-YYYY (the document's form), YYYY-MM-DD or an RFC 3339 date-time, as YYYY-MM-DD."""
    if text is None:
        return None
    for fmt in ("%m-%d-%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    raise SpreadError(f"Invalid {name} '{text}'. Expected a date such as 12-18-2026.")


def expiration_or_next(text: str | None, name: str = "expiration") -> str:
    date = parse_expiration(text, name)
    if date is None:
        return OPTION_EXPIRATIONS[0]
    if date not in OPTION_EXPIRATIONS:
        raise SpreadError(f"Invalid {name} '{text}': not an expiration date. Valid ones are "
                          f"{', '.join(OPTION_EXPIRATIONS)}.")
    return date


def expiration_type(date: str) -> str:
    day = datetime.strptime(date, "%Y-%m-%d")
    if 15 <= day.day <= 21 and day.weekday() == 4:
        return "Monthly"
    return "Weekly"


def strikes_of(market: Market, underlying: str) -> list[float]:
    return sorted({o.strike for o in market.options[underlying]})


def expirations_payload(market: Market, underlying: str, strike: float | None) -> dict:
    if strike is not None and strike not in strikes_of(market, underlying):
        return {"Expirations": []}
    return {"Expirations": [{"Date": f"{d}T00:00:00Z", "Type": expiration_type(d)}
                            for d in OPTION_EXPIRATIONS]}


def positive_int(text: str | None, name: str, default: int) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise SpreadError(f"Invalid {name} '{text}'. It must be a whole number of at least 1.")
    return value


def number(text: str | None, name: str) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise SpreadError(f"Invalid {name} '{text}'. Expected a number.") from None
    if not math.isfinite(value):
        raise SpreadError(f"Invalid {name} '{text}'. Expected a number.")
    return value


def strike_text(strike: float) -> str:
    return str(int(strike)) if strike == int(strike) else f"{strike:g}"


@dataclass(frozen=True, slots=True)
class Leg:
    symbol: str
    ratio: int


def build_spreads(market: Market, underlying: str, kind: str, expiration: str,
                  expiration2: str | None, interval: int, side: bool | None = None
                  ) -> list[tuple[list[Leg], list[float]]]:
    """Every spread of `kind` on the listed strikes: (legs, distinct strikes)."""
    shapes, _, needs_two = SPREAD_TYPES[kind]
    if needs_two and expiration2 is None:
        raise SpreadError(f"expiration2 is required for {kind} spreads.")
    strikes = strikes_of(market, underlying)
    width = max(s.offset for s in shapes) * interval
    out: list[tuple[list[Leg], list[float]]] = []
    sides = (True, False) if kind == "Single" and side is None else (side,)
    for start in range(len(strikes) - width):
        for single_side in sides:
            legs: list[Leg] = []
            used: list[float] = []
            for shape in shapes:
                strike = strikes[start + shape.offset * interval]
                if shape.call is None:
                    legs.append(Leg(underlying, shape.ratio))
                    continue
                call = shape.call if kind != "Single" or single_side is None else single_side
                exp = expiration2 if shape.far and expiration2 is not None else expiration
                legs.append(Leg(option_symbol(underlying, exp, call, strike), shape.ratio))
                if strike not in used:
                    used.append(strike)
            out.append((legs, used))
    return out


def strikes_payload(market: Market, underlying: str, kind: str, expiration: str,
                    expiration2: str | None, interval: int) -> dict:
    spreads = build_spreads(market, underlying, kind, expiration, expiration2, interval, True)
    return {"SpreadType": kind,
            "Strikes": [[strike_text(s) for s in strikes] for _, strikes in spreads]}


# -- spread values ----------------------------------------------------------------------------

def _fmt(value: float, places: int = 4) -> str:
    text = f"{value:.{places}f}"
    return "0" if float(text) == 0 else text


def _cents(value: int) -> str:
    return _fmt(value / 100, 2)


def _prob_above(spot: float, level: float, vol: float, years: float, rate: float) -> float:
    """Risk-neutral probability that the underlying ends above `level`."""
    if level <= 0:
        return 1.0
    if years <= 0 or vol <= 0:
        return 1.0 if spot > level else 0.0
    d2 = (math.log(spot / level) + (rate - vol * vol / 2) * years) / (vol * math.sqrt(years))
    return 0.5 * (1 + math.erf(d2 / math.sqrt(2)))


def _payoff(legs: list[tuple[Leg, LegView]], price: float) -> float:
    total = 0.0
    for leg, state in legs:
        if state.is_option:
            intrinsic = max(0.0, price - state.strike) if state.call \
                else max(0.0, state.strike - price)
            total += leg.ratio * intrinsic
        else:
            total += leg.ratio / 100 * price
    return total


class LegView:
    """What a spread stream knows of one symbol: the state when the stream began, then every
    quote-stream delta of it from the market's per-step log, so a stream's sequence depends on
    the seed and the steps only (never on when the reader happens to poll)."""

    __slots__ = ("info", "symbol", "is_option", "bid", "ask", "last", "open", "high", "low",
                 "prev_close", "volume", "oi", "bid_size", "ask_size", "strike", "call", "iv",
                 "expiration", "underlying")

    def __init__(self, state: SymbolState, underlying: LegView | None = None) -> None:
        self.info = state.info
        self.symbol = state.symbol
        self.is_option = isinstance(state, OptionState)
        self.underlying = underlying
        self.resync(state)

    def resync(self, state: SymbolState) -> None:
        self.bid, self.ask, self.last = state.bid, state.ask, state.last
        self.open, self.high, self.low = state.open, state.high, state.low
        self.prev_close, self.volume = state.prev_close, state.volume
        self.bid_size, self.ask_size = state.bid_size, state.ask_size
        if isinstance(state, OptionState):
            self.oi, self.strike, self.call = state.oi, state.strike, state.call
            self.iv, self.expiration = state.iv, state.expiration
        else:
            self.oi, self.strike, self.call, self.iv, self.expiration = 0, 0.0, False, 0.0, ""

    def apply(self, line: bytes) -> None:
        delta = json.loads(line)
        for name, attr in (("Bid", "bid"), ("Ask", "ask"), ("Last", "last"), ("High", "high"),
                           ("Low", "low")):
            if name in delta:
                setattr(self, attr, self.info.to_ticks(float(delta[name])))
        for name, attr in (("BidSize", "bid_size"), ("AskSize", "ask_size"),
                           ("Volume", "volume")):
            if name in delta:
                setattr(self, attr, int(delta[name]))

    def spot(self) -> float:
        """An option's underlying mid (the option's own mid for anything else)."""
        source = self.underlying or self
        return (source.bid + source.ask) / 2 / source.info.ticks_per_point


def leg_views(market: Market, legs: list[Leg], known: dict[str, LegView]) -> list[LegView]:
    """Views of the legs (and their underlyings), shared through `known` by symbol."""
    out = []
    for leg in legs:
        view = known.get(leg.symbol)
        if view is None:
            state = market.states[leg.symbol]
            under = None
            if isinstance(state, OptionState):
                und = state.underlying.symbol
                under = known.get(und) or known.setdefault(und, LegView(market.states[und]))
            view = known[leg.symbol] = LegView(state, under)
        out.append(view)
    return out


def spread_payload(market: Market, legs: list[Leg], step: int, rate: float = RATE,
                   greeks: bool = True, views: list[LegView] | None = None) -> dict:
    """The Spread object of the option chain / option quote streams for these legs."""
    if views is None:
        views = leg_views(market, legs, {})
    states = list(zip(legs, views, strict=True))
    # ints until a leg adds to them, as the payload has always shown an empty sum
    bid: float
    ask: float
    last: float
    open_: float
    high: float
    low: float
    prev: float
    bid = ask = last = open_ = high = low = prev = volume = oi = 0
    delta = gamma = theta = vega = rho = theo = 0.0
    spot = 0.0
    iv_weight = iv_sum = 0.0
    years = 0.0
    hist_vol = 0.0
    for leg, state in states:
        ratio = leg.ratio
        scale = 100 if state.is_option else 1  # a share leg: price per 100
        tpp = state.info.ticks_per_point
        conv = 100 / tpp / (1 if scale == 100 else 100)
        b, a = state.bid * conv, state.ask * conv
        bid += ratio * (b if ratio > 0 else a)
        ask += ratio * (a if ratio > 0 else b)
        last += ratio * state.last * conv
        open_ += ratio * state.open * conv
        high += ratio * state.high * conv
        low += ratio * state.low * conv
        prev += ratio * state.prev_close * conv
        if state.is_option:
            spot = state.spot()
            years = years_to_expiry(state.expiration, step)
            hist_vol = SYMBOLS[state.info.underlying].volatility * math.sqrt(252)
            g = black_scholes(spot, state.strike, years, state.iv, state.call, rate)
            delta += ratio * g.delta
            gamma += ratio * g.gamma
            theta += ratio * g.theta
            vega += ratio * g.vega
            rho += ratio * g.rho
            theo += ratio * g.value
            iv_weight += abs(ratio) * g.vega
            iv_sum += abs(ratio) * g.vega * state.iv
            volume += state.volume
            oi += state.oi
        else:
            spot = state.bid / tpp / 2 + state.ask / tpp / 2
            delta += ratio / 100
            theo += ratio / 100 * spot
    iv = iv_sum / iv_weight if iv_weight else 0.0
    mid = (bid + ask) / 2
    intrinsic = _payoff(states, spot)
    option_states = [s for _, s in states if s.is_option]
    sides = {s.call for s in option_states}
    out: dict = {}
    if greeks:
        out.update(Delta=_fmt(delta), Theta=_fmt(theta), Gamma=_fmt(gamma), Rho=_fmt(rho),
                   Vega=_fmt(vega), ImpliedVolatility=_fmt(iv))
    sd = iv * math.sqrt(max(years, 0.0))
    # Probabilities for the spread's payoff at expiry: ITM where it is worth something, BE where
    # it is worth more than it costs (the ask), each with the historical and the implied vol.
    probs = {}
    for suffix, vol in (("", hist_vol or iv), ("_IV", iv)):
        probs["ITM" + suffix] = _prob_payoff(states, spot, vol, years, rate, 0.0)
        probs["BE" + suffix] = _prob_payoff(states, spot, vol, years, rate, ask / 100)
    theo_iv = theo
    out.update(
        IntrinsicValue=_fmt(intrinsic, 2), ExtrinsicValue=_fmt(mid / 100 - intrinsic, 2),
        TheoreticalValue=_fmt(theo), ProbabilityITM=_fmt(probs["ITM"]),
        ProbabilityOTM=_fmt(1 - probs["ITM"]), ProbabilityBE=_fmt(probs["BE"]),
        ProbabilityITM_IV=_fmt(probs["ITM_IV"]), ProbabilityOTM_IV=_fmt(1 - probs["ITM_IV"]),
        ProbabilityBE_IV=_fmt(probs["BE_IV"]), TheoreticalValue_IV=_fmt(theo_iv),
        StandardDeviation=_fmt(sd), DailyOpenInterest=oi,
        Ask=_cents(round(ask)), Bid=_cents(round(bid)), Mid=_fmt(mid / 100, 3),
        AskSize=min((s.ask_size for s in option_states), default=0),
        BidSize=min((s.bid_size for s in option_states), default=0),
        Close=_cents(round(last)), High=_cents(round(high)), Last=_cents(round(last)),
        Low=_cents(round(low)), NetChange=_cents(round(last - prev)),
        NetChangePct=_fmt((last - prev) / abs(prev) if prev else 0.0),
        Open=_cents(round(open_)), PreviousClose=_cents(round(prev)), Volume=volume,
        Side="Both" if len(sides) > 1 else ("Call" if True in sides else "Put"),
        Strikes=[strike_text(s) for s in dict.fromkeys(s.strike for s in option_states)],
        Legs=[_leg_payload(leg, state) for leg, state in states],
    )
    return out


def _prob_payoff(states, spot: float, vol: float, years: float, rate: float,
                 threshold: float) -> float:
    """Probability that the payoff at expiry exceeds `threshold`: the payoff is piecewise
    linear between strikes, so the probability is summed over the intervals where it does."""
    points = sorted({0.0, *(s.strike for _, s in states if s.is_option)})
    points.append(points[-1] * 4 + 1)
    total = 0.0
    for lo, hi in zip(points, points[1:], strict=False):
        a, b = _payoff(states, lo) - threshold, _payoff(states, hi) - threshold
        if a > 0 and b > 0:
            total += _prob_above(spot, lo, vol, years, rate) - _prob_above(spot, hi, vol, years,
                                                                           rate)
        elif a > 0 or b > 0:
            cross = lo + (hi - lo) * (-a) / (b - a)
            if a > 0:
                total += _prob_above(spot, lo, vol, years, rate) - \
                    _prob_above(spot, cross, vol, years, rate)
            else:
                total += _prob_above(spot, cross, vol, years, rate) - \
                    _prob_above(spot, hi, vol, years, rate)
    # Beyond the last point the payoff keeps its final slope.
    end = points[-1]
    if _payoff(states, end) - threshold > 0:
        total += _prob_above(spot, end, vol, years, rate)
    return min(1.0, max(0.0, total))


def _leg_payload(leg: Leg, state: LegView) -> dict:
    if state.is_option:
        return {"Symbol": leg.symbol, "Ratio": leg.ratio, "StrikePrice": strike_text(state.strike),
                "Expiration": f"{state.expiration}T00:00:00Z",
                "OptionType": "Call" if state.call else "Put", "AssetType": "StockOption"}
    return {"Symbol": leg.symbol, "Ratio": leg.ratio, "AssetType": "Stock"}


# -- risk / reward ----------------------------------------------------------------------------

def risk_reward(market: Market, body: object) -> dict:
    """POST options/riskreward: max gain/loss (per spread, in dollars) and breakevens."""
    if not isinstance(body, dict):
        raise SpreadError("The body must be a JSON object with SpreadPrice and Legs.")
    unknown = set(body) - {"SpreadPrice", "Legs"}
    if unknown:
        raise SpreadError(f"Unknown field '{sorted(unknown)[0]}'; expected SpreadPrice and Legs.")
    price = body.get("SpreadPrice")
    if isinstance(price, bool) or not isinstance(price, int | float):
        raise SpreadError("SpreadPrice is required and must be a number.")
    raw_legs = body.get("Legs")
    if not isinstance(raw_legs, list) or not raw_legs:
        raise SpreadError("Legs is required: a list of {Symbol, Quantity, TradeAction}.")
    legs: list[tuple[Leg, SymbolState]] = []
    expirations = set()
    for i, raw in enumerate(raw_legs):
        if not isinstance(raw, dict) or not {"Symbol", "Quantity", "TradeAction"} <= set(raw):
            raise SpreadError(f"Legs[{i}] needs Symbol, Quantity and TradeAction.")
        symbol = str(raw["Symbol"]).strip().upper()
        quantity = raw["Quantity"]
        action = str(raw["TradeAction"]).upper()
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise SpreadError(f"Legs[{i}].Quantity must be a whole number of at least 1.")
        if action not in ("BUY", "SELL"):
            raise SpreadError(f"Legs[{i}].TradeAction must be BUY or SELL, "
                              f"not '{raw['TradeAction']}'.")
        state = market.states.get(symbol)
        if state is None or SYMBOLS[symbol].asset_type not in ("STOCK", "STOCKOPTION"):
            raise SpreadError(f"Legs[{i}].Symbol '{raw['Symbol']}' is not a stock or stock "
                              "option symbol.")
        if isinstance(state, OptionState):
            expirations.add(state.expiration)
        # A share leg's Quantity is shares: 100 of them weigh as much as one option.
        legs.append((Leg(symbol, quantity if action == "BUY" else -quantity), state))
    if len(expirations) > 1:
        raise SpreadError("Risk/reward is not available for legs with different expirations "
                          "(Calendar, Diagonal).")
    multiplier = 100

    def pnl(s: float) -> float:
        total = -price
        for leg, state in legs:
            if isinstance(state, OptionState):
                intrinsic = max(0.0, s - state.strike) if state.call \
                    else max(0.0, state.strike - s)
                total += leg.ratio * intrinsic
            else:
                total += leg.ratio / multiplier * (s - state.last / state.info.ticks_per_point)
        return total

    points = sorted({0.0, *(s.strike for _, s in legs if isinstance(s, OptionState))})
    top = points[-1] + 1
    slope = pnl(top + 1) - pnl(top)
    values = [pnl(p) for p in points] + [pnl(top)]
    gain_inf, loss_inf = slope > 1e-9, slope < -1e-9
    breakevens: list[str] = []
    xs = points + [top]
    for (x0, v0), (x1, v1) in zip(zip(xs, values, strict=False), zip(xs[1:], values[1:],
                                  strict=False), strict=False):
        if v0 == 0:
            breakevens.append(f"{x0:.2f}")
        elif v0 * v1 < 0:
            breakevens.append(f"{x0 + (x1 - x0) * (-v0) / (v1 - v0):.2f}")
    if values[-1] != 0 and abs(slope) > 1e-9 and (values[-1] > 0) != (slope > 0):
        breakevens.append(f"{top - values[-1] / slope:.2f}")
    return {
        "MaxGainIsInfinite": gain_inf,
        "AdjustedMaxGain": "0" if gain_inf else _dollars(max(values) * multiplier),
        "MaxLossIsInfinite": loss_inf,
        "AdjustedMaxLoss": "0" if loss_inf else _dollars(min(values) * multiplier),
        "BreakevenPoints": list(dict.fromkeys(breakevens)),
    }


def _dollars(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
