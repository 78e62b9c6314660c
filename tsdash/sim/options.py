"""Stock options: Black-Scholes prices and greeks from the underlying's live quote.

An option has no random walk of its own: whenever its underlying's quote changes, it is repriced
from the underlying's mid with its own fixed implied volatility (a smile around the underlying's
volatility), so its quotes, greeks and implied volatility always agree with the underlying. Time
to expiry is measured from the universe's reference day plus the clock's steps, never the wall
clock, so one seed gives the same option quotes in every process.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from .clock import FIXED_EPOCH, STEP_SECONDS, SimClock
from .market import VENUES, Delta, QuoteDelta, SymbolState, rng_for
from .universe import SymbolInfo

RATE = 0.04  # risk-free rate, continuous
EXPIRY_HOUR_UTC = 21  # options stop trading at 16:00 ET
_MIN_YEARS = 1 / (365 * 24 * 60)  # a minute: at expiry an option is worth its intrinsic value
SECONDS_PER_YEAR = 365 * 86_400


def _cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _pdf(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


@dataclass(frozen=True, slots=True)
class Greeks:
    """Black-Scholes value and sensitivities: theta per day, vega and rho per volatility/rate
    point (1 %), the way option chains show them."""

    value: float
    delta: float
    gamma: float
    theta: float
    vega: float
    rho: float


def _terms(spot: float, strike: float, years: float, vol: float, rate: float
           ) -> tuple[float, float, float, float, float, float]:
    """(years, vol, sqrt(years), d1, d2, discount), shared by the value and the greeks."""
    years = max(years, _MIN_YEARS)
    vol = max(vol, 1e-4)
    root = math.sqrt(years)
    d1 = (math.log(spot / strike) + (rate + vol * vol / 2) * years) / (vol * root)
    d2 = d1 - vol * root
    return years, vol, root, d1, d2, math.exp(-rate * years)


def option_value(spot: float, strike: float, years: float, vol: float, call: bool,
                 rate: float = RATE) -> float:
    """`black_scholes(...).value` alone (what a quote needs), to the last bit."""
    _, _, _, d1, d2, discount = _terms(spot, strike, years, vol, rate)
    if call:
        value = spot * _cdf(d1) - strike * discount * _cdf(d2)
    else:
        value = strike * discount * _cdf(-d2) - spot * _cdf(-d1)
    return max(0.0, value)


def black_scholes(spot: float, strike: float, years: float, vol: float, call: bool,
                  rate: float = RATE) -> Greeks:
    years, vol, root, d1, d2, discount = _terms(spot, strike, years, vol, rate)
    pdf1 = _pdf(d1)
    gamma = pdf1 / (spot * vol * root)
    vega = spot * pdf1 * root / 100
    decay = -spot * pdf1 * vol / (2 * root)
    if call:
        cdf1, cdf2 = _cdf(d1), _cdf(d2)
        value = spot * cdf1 - strike * discount * cdf2
        delta = cdf1
        theta = (decay - rate * strike * discount * cdf2) / 365
        rho = strike * years * discount * cdf2 / 100
    else:
        cdf2 = _cdf(-d2)
        value = strike * discount * cdf2 - spot * _cdf(-d1)
        delta = _cdf(d1) - 1
        theta = (decay + rate * strike * discount * cdf2) / 365
        rho = -strike * years * discount * cdf2 / 100
    return Greeks(max(0.0, value), delta, gamma, theta, vega, rho)


@functools.cache
def expiry_epoch(expiration: str) -> float:
    """16:00 ET (21:00 UTC) on the expiration day."""
    day = datetime.strptime(expiration, "%Y-%m-%d").replace(tzinfo=UTC)
    return day.timestamp() + EXPIRY_HOUR_UTC * 3600


def years_to_expiry(expiration: str, step: int) -> float:
    """Model time, not wall time: the reference day's 14:30 UTC plus the clock's steps."""
    now = FIXED_EPOCH + step * STEP_SECONDS
    return max(0.0, (expiry_epoch(expiration) - now) / SECONDS_PER_YEAR)


def smile_vol(base_vol: float, spot: float, strike: float) -> float:
    """Implied volatility by strike: a skew (puts dearer) plus a smile."""
    m = math.log(strike / spot)
    return max(0.05, base_vol * (1 - 0.6 * m + 4.0 * m * m))


class OptionState(SymbolState):
    """One option's quote, in cents, repriced from its underlying (see module docstring)."""

    __slots__ = ("underlying", "iv", "call", "strike", "expiration", "theo", "oi")

    def __init__(self, info: SymbolInfo, underlying: SymbolState, seed: int) -> None:
        self.info = info
        self.symbol = info.symbol
        self.text = info.price_text
        self.lot = info.lot
        self.underlying = underlying
        rng = self.rng = rng_for(seed, "option", info.symbol)
        self.call = info.option_type == "Call"
        self.strike = info.strike
        self.expiration = info.expiration
        u_info = underlying.info
        anchor = u_info.price
        self.iv = smile_vol(info.volatility, anchor, info.strike)
        self.prev_close = self._cents(underlying.prev_close, -int(1 / STEP_SECONDS) * 86_400)
        self.open = self._cents(underlying.open, 0)
        self._price(0)
        self.last = self.theo
        self.high = max(self.open, self.last, self.prev_close)
        self.low = min(self.open, self.last, self.prev_close)
        self.anchor = self.mid = float(self.last)
        self.sigma = 0.0
        self._quote_around_theo()
        self.bid_size = rng.randint(1, 60)
        self.ask_size = rng.randint(1, 60)
        self.last_size = rng.randint(1, 10)
        self.venues = VENUES
        self.last_venue = VENUES[rng.randrange(len(VENUES))]
        self.oi = rng.randint(200, 40_000)
        self.volume = int(self.oi * rng.uniform(0.05, 0.4))
        self.prev_volume = int(self.oi * rng.uniform(0.05, 0.4))
        self.pv = self.volume * self.last
        self.high52 = max(self.high, round(self.last * rng.uniform(1.5, 4.0)) + 5)
        self.low52 = min(self.low, round(self.last * rng.uniform(0.1, 0.6)))
        self.high52_days = rng.randint(3, 360)
        self.low52_days = rng.randint(3, 360)
        self.hard_to_borrow = False
        self.trade_age = rng.uniform(5.0, 120.0)
        self.trade_epoch = None
        self.direction = 1
        self.minutes = []
        self.p_one = self.p_two = 0.0
        self.prefix = '{"Symbol":"' + info.symbol + '"'

    # -- pricing --------------------------------------------------------------------------------

    def spot(self) -> float:
        u = self.underlying
        return (u.bid + u.ask) / 2 / u.info.ticks_per_point

    def _cents(self, underlying_ticks: int, step: int) -> int:
        spot = underlying_ticks / self.underlying.info.ticks_per_point
        years = years_to_expiry(self.expiration, step)
        return round(option_value(spot, self.strike, years, self.iv, self.call) * 100)

    def _price(self, step: int) -> None:
        """The theoretical value at this step (the chain and spread streams work out greeks
        themselves, from the quote: a reprice needs only the value)."""
        value = option_value(self.spot(), self.strike, years_to_expiry(self.expiration, step),
                             self.iv, self.call)
        self.theo = round(value * 100)

    def _quote_around_theo(self) -> None:
        spread = max(1, min(25, round(self.theo * 0.015)))
        self.bid = max(0, self.theo - spread // 2)
        self.ask = self.bid + spread

    def advance(self, step: int, clock: SimClock) -> tuple[list[Delta], list[tuple[int, int, int]]]:
        """Options move with their underlying (Market calls reprice), not on their own."""
        return [], []

    def reprice(self, step: int, clock: SimClock) -> tuple[list[Delta], list[tuple[int, int, int]]]:
        """The underlying moved: new theoretical value, a new quote, now and then a trade."""
        self._price(step)
        old_bid, old_ask = self.bid, self.ask
        self._quote_around_theo()
        deltas: list[Delta] = []
        trades: list[tuple[int, int, int]] = []
        bid = self.bid if self.bid != old_bid else None
        ask = self.ask if self.ask != old_ask else None
        if bid is not None or ask is not None:
            deltas.append(QuoteDelta(self.text, bid, ask))
        if self.rng.random() < 0.04 and self.ask > 0:
            deltas.append(self._trade(step, clock, trades))
        return deltas, trades

    def open_interest(self) -> int:
        return self.oi

