"""The seeded market model: one random walk per symbol with spreads, sizes, volume and trade prints.

Every symbol has its own random.Random seeded from (seed, symbol), and every symbol advances once
per clock step whether anyone watches it or not. So the state at step N depends only on the seed
and N: two processes with one seed agree, and a late client sees the same market as an early one.
Each step's changes are kept as per-symbol quote deltas (encoded once, when a stream first reads
them, and shared by all streams) and trade prints (for bars), in a short log that streams replay
step by step.
"""

from __future__ import annotations

import json
import math
import random
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .clock import STEP_SECONDS, SimClock, iso
from .universe import SYMBOLS, AssetType, SymbolInfo

STEPS_PER_MINUTE = int(round(60 / STEP_SECONDS))
LOG_STEPS = 600  # steps of history kept for streams that fall behind (a minute)
TRADE_SHARE = 0.4  # fraction of market events that are trades (the rest move the quote)
VENUES = ("NSDQ", "ARCX", "BATS", "EDGX", "IEXG", "NYSE", "BATY", "EDGA", "MEMX", "XNGS")
_SESSION_SECONDS = 23_400
OPTION_REPRICE_STEPS = 5  # options follow their underlying at most twice a second

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def rng_for(seed: int, *purpose: object) -> random.Random:
    """A generator for one purpose; string seeding is stable across processes and hash seeds."""
    return random.Random(":".join([str(seed), *map(str, purpose)]))


def money(cents: int) -> str:
    """Cents as TradeStation's decimal string ("-2.39")."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def encode(obj: dict) -> bytes:
    """Compact JSON plus the newline that frames it."""
    return (_dumps(obj) + "\n").encode()


@dataclass(slots=True)
class MinuteBar:
    """One minute of trading since the simulator started; bars of any interval are made of these."""

    open: int
    high: int
    low: int
    close: int
    volume: int = 0
    up_ticks: int = 0
    down_ticks: int = 0
    up_volume: int = 0
    down_volume: int = 0

    def add(self, price: int, size: int, direction: int) -> None:
        first = self.volume == 0 and self.up_ticks == 0 and self.down_ticks == 0
        add_trade(self, price, size, direction, first)


def add_trade(bar: Any, price: int, size: int, direction: int, first: bool) -> None:
    """One trade into an OHLCV accumulator in cents (a MinuteBar, a bars stream's WorkingBar);
    ``first``: the bar had no trade yet, so the trade opens it."""
    if first:
        bar.open = bar.high = bar.low = price
    bar.high = max(bar.high, price)
    bar.low = min(bar.low, price)
    bar.close = price
    bar.volume += size
    if direction >= 0:
        bar.up_ticks += 1
        bar.up_volume += size
    else:
        bar.down_ticks += 1
        bar.down_volume += size


class SymbolState:
    """The live quote of one symbol, all prices in integer cents."""

    __slots__ = ("info", "symbol", "rng", "anchor", "mid", "sigma", "prev_close", "open", "high",
                 "low", "last", "last_size", "last_venue", "bid", "ask", "bid_size", "ask_size",
                 "volume", "prev_volume", "pv", "high52", "low52", "high52_days", "low52_days",
                 "trade_epoch", "trade_age", "direction", "minutes", "p_one", "p_two",
                 "hard_to_borrow", "prefix", "text", "lot", "venues")

    def __init__(self, info: SymbolInfo, seed: int, clock: SimClock) -> None:
        self.info = info
        self.symbol = info.symbol
        rng = self.rng = rng_for(seed, "symbol", info.symbol)
        self.text = info.price_text  # ticks -> TradeStation's decimal string
        lot = self.lot = info.lot
        vol = info.volatility
        price = info.price * info.ticks_per_point
        self.prev_close = round(price * math.exp(rng.gauss(0, vol)))
        self.open = round(self.prev_close * math.exp(rng.gauss(0, vol * 0.4)))
        self.last = round(self.open * math.exp(rng.gauss(0, vol * 0.6)))
        self.high = round(max(self.open, self.last) * (1 + abs(rng.gauss(0, vol * 0.3))))
        self.low = round(min(self.open, self.last) * (1 - abs(rng.gauss(0, vol * 0.3))))
        self.anchor = float(self.last)
        self.mid = float(self.last)
        self.bid = self.last - info.spread_cents // 2
        self.ask = self.bid + info.spread_cents
        self.bid_size = lot * rng.randint(1, 20)
        self.ask_size = lot * rng.randint(1, 20)
        self.last_size = lot * rng.randint(1, 5)
        # Stocks print on many venues; a future or a coin on its one exchange (same draws).
        self.venues = VENUES if info.asset_type is AssetType.STOCK \
            else (info.exchange,) * len(VENUES)
        self.last_venue = self.venues[rng.randrange(len(VENUES))]
        self.volume = int(info.avg_volume * rng.uniform(0.25, 0.55))
        self.prev_volume = int(info.avg_volume * rng.uniform(0.7, 1.3))
        self.pv = self.volume * (self.open + self.high + self.low + self.last) / 4
        self.high52 = max(self.high, round(price * rng.uniform(1.12, 1.6)))
        self.low52 = min(self.low, round(price * rng.uniform(0.55, 0.88)))
        self.high52_days = rng.randint(3, 360)
        self.low52_days = rng.randint(3, 360)
        self.hard_to_borrow = rng.random() < 0.05
        self.trade_age = rng.uniform(0.2, 4.0)  # the last print came this long before step 0
        self.trade_epoch: float | None = None
        self.direction = 1
        self.minutes: list[MinuteBar] = []
        events_per_step = info.events_per_second * STEP_SECONDS
        self.p_one = events_per_step
        self.p_two = events_per_step * events_per_step / 2
        # Per-event log-return volatility that gives the symbol its daily volatility.
        quote_events_per_day = info.events_per_second * (1 - TRADE_SHARE) * _SESSION_SECONDS
        self.sigma = vol / math.sqrt(quote_events_per_day) * 1.6
        self.prefix = '{"Symbol":' + json.dumps(self.symbol)

    # -- the model ------------------------------------------------------------------------------

    def advance(self, step: int, clock: SimClock) -> tuple[list[Delta], list[tuple[int, int, int]]]:
        """Run one step: zero, one or two events. Returns (quote deltas, trade prints)."""
        r = self.rng.random()
        if r >= self.p_one:
            return [], []
        return self.events(r, step, clock)

    def events(self, r: float, step: int, clock: SimClock
               ) -> tuple[list[Delta], list[tuple[int, int, int]]]:
        """The step's events once its first draw `r` said there are some (Market.advance draws
        it itself: most symbols have no event in most steps)."""
        count = 2 if r < self.p_two else 1
        deltas: list[Delta] = []
        trades: list[tuple[int, int, int]] = []
        for _ in range(count):
            if self.rng.random() < TRADE_SHARE:
                deltas.append(self._trade(step, clock, trades))
            else:
                delta = self._requote()
                if delta is not None:
                    deltas.append(delta)
        return deltas, trades

    def _requote(self) -> QuoteDelta | None:
        rng = self.rng
        # Random walk on the mid, pulled very gently back towards the opening level.
        pull = (self.anchor - self.mid) / self.anchor * 2e-4
        self.mid *= math.exp(rng.gauss(0, self.sigma) + pull)
        spread = self.info.spread_cents + (1 if rng.random() < 0.15 else 0)
        bid = max(1, int(self.mid - spread / 2 + 0.5))
        ask = bid + spread
        new_bid = new_ask = new_bid_size = new_ask_size = None
        if bid != self.bid:
            new_bid = self.bid = bid
        if ask != self.ask:
            new_ask = self.ask = ask
        side = rng.random()
        if side < 0.6 or new_bid is not None:
            size = self.lot * rng.randint(1, 25)
            if size != self.bid_size:
                new_bid_size = self.bid_size = size
        if side >= 0.4 or new_ask is not None:
            size = self.lot * rng.randint(1, 25)
            if size != self.ask_size:
                new_ask_size = self.ask_size = size
        if new_bid is None and new_ask is None and new_bid_size is None and new_ask_size is None:
            return None
        return QuoteDelta(self.text, new_bid, new_ask, new_bid_size, new_ask_size)

    def _trade(self, step: int, clock: SimClock,
               trades: list[tuple[int, int, int]]) -> TradeDelta:
        rng = self.rng
        r = rng.random()
        if r < 0.46:
            price = self.ask
        elif r < 0.92:
            price = self.bid
        else:  # a print inside the spread (midpoint / hidden liquidity)
            price = (self.bid + self.ask) // 2
        r = rng.random()
        if r < 0.55:
            size = 100 * rng.randint(1, 8)
        elif r < 0.85:
            size = rng.randint(1, 99)
        elif r < 0.98:
            size = 100 * rng.randint(9, 40)
        else:
            size = 100 * rng.randint(50, 300)
        if self.lot != 100:  # contracts, coins, index prints: the same draw in their own lots
            size = self.lot * max(1, size // 100)
        if price > self.last:
            self.direction = 1
        elif price < self.last:
            self.direction = -1
        high = price > self.high
        if high:
            self.high = price
        low = price < self.low
        if low:
            self.low = price
        self.last = price
        self.last_size = size
        self.last_venue = self.venues[rng.randrange(len(VENUES))]
        self.volume += size
        self.pv += price * size
        self.trade_epoch = clock.now_epoch()
        trades.append((price, size, self.direction))
        self._add_to_minute(step, price, size)
        return TradeDelta(self.info, self.text, high, low, price, size, self.last_venue,
                          clock.stamp, self.volume, self.prev_close, self.pv)

    def _add_to_minute(self, step: int, price: int, size: int) -> None:
        minute = step // STEPS_PER_MINUTE
        minutes = self.minutes
        while len(minutes) <= minute:
            close = minutes[-1].close if minutes else price
            minutes.append(MinuteBar(close, close, close, close))
        minutes[minute].add(price, size, self.direction)

    # -- views ----------------------------------------------------------------------------------

    def net_change_pct(self) -> str:
        return net_change_pct(self.last, self.prev_close)

    def vwap(self) -> str:
        return vwap_text(self.info, self.text, self.pv, self.volume, self.last)

    def full_quote(self, clock: SimClock) -> dict:
        """Every QuoteStream field TradeStation sends (first message of a stream), prices in the
        symbol's own increments."""
        text = self.text
        day0 = clock.start_epoch - clock.start_epoch % 86_400
        return {
            "Symbol": self.symbol,
            "Open": text(self.open),
            "High": text(self.high),
            "Low": text(self.low),
            "PreviousClose": text(self.prev_close),
            "Last": text(self.last),
            "Ask": text(self.ask),
            "AskSize": str(self.ask_size),
            "Bid": text(self.bid),
            "BidSize": str(self.bid_size),
            "NetChange": text(self.last - self.prev_close),
            "NetChangePct": self.net_change_pct(),
            "High52Week": text(self.high52),
            "High52WeekTimestamp": iso(day0 - self.high52_days * 86_400),
            "Low52Week": text(self.low52),
            "Low52WeekTimestamp": iso(day0 - self.low52_days * 86_400),
            "Volume": str(self.volume),
            "PreviousVolume": str(self.prev_volume),
            "Close": text(self.last),
            "DailyOpenInterest": str(self.open_interest()),
            "TradeTime": iso(clock.now_epoch() if clock.fixed
                             else self.trade_epoch or clock.start_epoch - self.trade_age),
            "TickSizeTier": "0",
            "MarketFlags": {
                "IsDelayed": False,
                "IsHardToBorrow": self.hard_to_borrow,
                "IsBats": False,
                "IsHalted": False,
            },
            "LastSize": str(self.last_size),
            "LastVenue": self.last_venue,
            "VWAP": self.vwap(),
        }


    def open_interest(self) -> int:
        return 0

def net_change_pct(last: int, prev_close: int) -> str:
    """Decimal fraction, as the QuoteStream schema documents it (3.5 % is "0.035")."""
    if not prev_close:  # a far out-of-the-money option that closed at zero
        return "0.000000"
    return f"{(last - prev_close) / prev_close:.6f}"


def vwap_text(info: SymbolInfo, text: Callable[[int], str], pv: float, volume: int,
              last: int) -> str:
    if not volume:
        return text(last)
    decimals = max(4, info.wire_decimals)
    return f"{pv / volume / info.ticks_per_point:.{decimals}f}"


@dataclass(slots=True)
class QuoteDelta:
    """A quote change as ticks and sizes (None: unchanged); its message is only made, text and
    all, if a stream reads the symbol."""

    text: Callable[[int], str]
    bid: int | None
    ask: int | None
    bid_size: int | None = None
    ask_size: int | None = None

    def message(self, symbol: str) -> dict:
        delta: dict = {"Symbol": symbol}
        if self.bid is not None:
            delta["Bid"] = self.text(self.bid)
        if self.ask is not None:
            delta["Ask"] = self.text(self.ask)
        if self.bid_size is not None:
            delta["BidSize"] = str(self.bid_size)
        if self.ask_size is not None:
            delta["AskSize"] = str(self.ask_size)
        return delta


@dataclass(slots=True)
class TradeDelta:
    """A trade print and what it moved, as numbers taken when it happened; the message is made
    only if a stream reads the symbol."""

    info: SymbolInfo
    text: Callable[[int], str]
    high: bool
    low: bool
    price: int
    size: int
    venue: str
    stamp: str
    volume: int
    prev_close: int
    pv: float

    def message(self, symbol: str) -> dict:
        text, price = self.text, self.price
        delta: dict = {"Symbol": symbol}
        if self.high:
            delta["High"] = text(price)
        if self.low:
            delta["Low"] = text(price)
        delta.update(
            Last=text(price),
            LastSize=str(self.size),
            LastVenue=self.venue,
            TradeTime=self.stamp,
            Volume=str(self.volume),
            Close=text(price),
            NetChange=text(price - self.prev_close),
            NetChangePct=net_change_pct(price, self.prev_close),
            VWAP=vwap_text(self.info, text, self.pv, self.volume, price),
        )
        return delta


Delta = QuoteDelta | TradeDelta


class StepLines(Mapping[str, list[bytes]]):
    """One step's quote deltas per symbol as wire lines, encoded the first time a stream reads a
    symbol's (then shared by every stream): most symbols are watched by nobody, and encoding
    every delta of every symbol was a large part of a step's cost."""

    __slots__ = ("_deltas", "_lines")

    def __init__(self) -> None:
        self._deltas: dict[str, list[Delta]] = {}
        self._lines: dict[str, list[bytes]] = {}

    def add(self, symbol: str, deltas: list[Delta]) -> None:
        """The symbol's deltas (an alias quotes its front contract's deltas as its own)."""
        self._deltas[symbol] = deltas

    def __getitem__(self, symbol: str) -> list[bytes]:
        lines = self._lines.get(symbol)
        if lines is None:
            lines = self._lines[symbol] = [encode(d.message(symbol))
                                           for d in self._deltas[symbol]]
        return lines

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._deltas

    def __iter__(self) -> Iterator[str]:
        return iter(self._deltas)

    def __len__(self) -> int:
        return len(self._deltas)


@dataclass(slots=True)
class StepRecord:
    """What changed in one step: quote deltas per symbol (encoded once, on demand, shared by
    every stream) and trade prints (price, size, tick direction) for bars."""

    step: int
    lines: StepLines = field(default_factory=StepLines)
    trades: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)


class Market:
    """All symbols, advanced together one step at a time, with a short log of per-step changes."""

    def __init__(self, seed: int, clock: SimClock) -> None:
        from .options import OptionState

        self.seed = seed
        self.clock = clock
        # Instruments with their own random walk; a continuous future (@ES) is the very state of
        # its front contract (ESZ26) under a second name; options are priced off their underlying.
        self.states: dict[str, SymbolState] = {}
        self.aliases: dict[str, list[str]] = {}  # front contract -> its continuous symbols
        self._walkers: list[SymbolState] = []
        self.options: dict[str, list[OptionState]] = {}  # underlying -> its option states
        for sym, info in SYMBOLS.items():
            if info.alias_of or info.is_option:
                continue
            state = self.states[sym] = SymbolState(info, seed, clock)
            self._walkers.append(state)
        for sym, info in SYMBOLS.items():
            if info.alias_of:
                self.states[sym] = self.states[info.alias_of]
                self.aliases.setdefault(info.alias_of, []).append(sym)
            elif info.is_option:
                option = OptionState(info, self.states[info.underlying], seed)
                self.states[sym] = option
                self.options.setdefault(info.underlying, []).append(option)
        self._moved: set[str] = set()  # underlyings that moved since their options were priced
        self._log: deque[StepRecord] = deque(maxlen=LOG_STEPS)

    def info(self, symbol: str) -> SymbolInfo:
        """The symbol's static facts under the name asked for (@ES is not ESZ26)."""
        return SYMBOLS[symbol]

    def is_tradable(self, symbol: str) -> bool:
        """False for indices and crypto pairs: TradeStation quotes them but takes no orders."""
        info = SYMBOLS.get(symbol)
        return info is not None and info.tradable

    def price_text(self, symbol: str, ticks: int) -> str:
        """A price of `symbol` given in its ticks, as TradeStation's decimal string."""
        return SYMBOLS[symbol].price_text(ticks)

    def __contains__(self, symbol: str) -> bool:
        return symbol in self.states

    def advance(self) -> StepRecord:
        """Apply the clock's current step to every symbol and log what changed."""
        step = self.clock.step
        clock = self.clock
        record = StepRecord(step)
        lines = record.lines
        for state in self._walkers:
            r = state.rng.random()  # SymbolState.advance, without a call for a quiet symbol
            if r >= state.p_one:
                continue
            deltas, trades = state.events(r, step, clock)
            if not deltas:
                continue
            sym = state.symbol
            lines.add(sym, deltas)
            if trades:
                record.trades[sym] = trades
            for alias in self.aliases.get(sym, ()):
                lines.add(alias, deltas)
                if trades:
                    record.trades[alias] = trades
            if sym in self.options:
                self._moved.add(sym)
        if step % OPTION_REPRICE_STEPS == 0 and self._moved:
            for sym in sorted(self._moved):
                for option in self.options[sym]:
                    o_deltas, o_trades = option.reprice(step, self.clock)
                    if o_deltas:
                        lines.add(option.symbol, o_deltas)
                    if o_trades:
                        record.trades[option.symbol] = o_trades
            self._moved.clear()
        self._log.append(record)
        return record

    def record(self, step: int) -> StepRecord | None:
        """The log entry for a step, or None once it has aged out (the caller resyncs)."""
        if not self._log:
            return None
        index = step - self._log[0].step
        if 0 <= index < len(self._log):
            return self._log[index]
        return None

    def records_after(self, step: int, now: int) -> Iterator[StepRecord | None]:
        """The log entries of the steps after ``step`` up to ``now``, in order, for a stream
        catching up; a None stands for the first one that has aged out, and ends the walk (the
        stream starts over from the current state)."""
        for at in range(step + 1, now + 1):
            record = self.record(at)
            yield record
            if record is None:
                return

    def full_quote(self, symbol: str) -> dict:
        quote = self.states[symbol].full_quote(self.clock)
        quote["Symbol"] = symbol
        return quote


class FastQuoteSource:
    """A high-rate quote feed for one stream: exactly `rate` messages a second, cheaply made.

    With an explicit quote_rate (benchmarks) each stream gets its own deterministic micro-ticks,
    starting from the shared market's state when the stream opened; lines are formatted directly
    instead of going through dicts and json.dumps.
    """

    def __init__(self, states: list[SymbolState], seed: int, clock: SimClock) -> None:
        self.clock = clock
        self.rng = rng_for(seed, "fast", ",".join(s.symbol for s in states))
        self.symbols = [s.prefix for s in states]
        self.bid = [s.bid for s in states]
        self.spread = [s.ask - s.bid for s in states]
        self.volume = [s.volume for s in states]
        self.prev_close = [s.prev_close for s in states]
        self.text = [s.text for s in states]
        self.index = 0

    def take(self, count: int) -> list[bytes]:
        """The next `count` messages, in order, one line each."""
        rng = self.rng.random
        n = len(self.symbols)
        stamp = self.clock.stamp
        out: list[str] = []
        append = out.append
        i = self.index
        for _ in range(count):
            k = i % n
            i += 1
            r = rng()
            bid = self.bid[k]
            if r < 0.3:
                price = bid + self.spread[k] if r < 0.15 else bid
                size = 100 * (1 + int(r * 40) % 7)
                vol = self.volume[k] = self.volume[k] + size
                pc = self.prev_close[k]
                text = self.text[k]
                append(f'{self.symbols[k]},"Last":"{text(price)}","LastSize":"{size}",'
                       f'"LastVenue":"{VENUES[i % 10]}","TradeTime":"{stamp}","Volume":"{vol}",'
                       f'"Close":"{text(price)}","NetChange":"{text(price - pc)}"}}\n')
            else:
                if r < 0.5:
                    bid += 1
                elif r < 0.7:
                    bid = max(1, bid - 1)
                self.bid[k] = bid
                size = 100 * (1 + int(r * 100) % 20)
                text = self.text[k]
                append(f'{self.symbols[k]},"Bid":"{text(bid)}","BidSize":"{size}",'
                       f'"Ask":"{text(bid + self.spread[k])}","AskSize":"{size + 100}"}}\n')
        self.index = i
        return [line.encode() for line in out]
