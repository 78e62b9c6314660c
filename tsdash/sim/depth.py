"""Market depth (level 2): per-participant quotes and per-price aggregates around the live quote.

The book is rebuilt from the symbol's quote at every step the quote changes: level 0 is the quote
itself (its bid/ask sizes split among participants), deeper levels step away one increment at a
time. The feed follows the quote through the market's per-step log (not the live state), and sizes
and participants come from a generator seeded by (seed, symbol, step), so one seed gives the same
sequence of books in every process, however late or slow the reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from .clock import iso
from .feeds import Feed, control
from .market import VENUES, SymbolState, encode, rng_for
from .universe import AssetType

# maxlevels, per TradeStation's document: "The maximum number of market depth levels to return"
# (default 20). What each stream returns is one entry per level, a side: the quotes stream one
# quote per price, side and participant (so maxlevels=2 is at most two bids and two asks, the
# best price first, not two prices with all their participants), the aggregates stream one
# aggregate per price and side.
DEFAULT_LEVELS = 20
MAX_LEVELS = 100
_FUTURES_VENUES = ("CME", "GLBX")


@dataclass(frozen=True, slots=True)
class Top:
    """The top of the book in ticks and sizes, as the quote stream last told it."""

    bid: int
    ask: int
    bid_size: int
    ask_size: int

    @classmethod
    def of(cls, state: SymbolState) -> Top:
        return cls(state.bid, state.ask, state.bid_size, state.ask_size)

    def updated(self, state: SymbolState, line: bytes) -> Top:
        """This top after one quote-stream delta line of the symbol."""
        delta = json.loads(line)
        changes = {}
        for field, name in (("bid", "Bid"), ("ask", "Ask")):
            if name in delta:
                changes[field] = state.info.to_ticks(float(delta[name]))
        for field, name in (("bid_size", "BidSize"), ("ask_size", "AskSize")):
            if name in delta:
                changes[field] = int(delta[name])
        return replace(self, **changes) if changes else self


def _participants(state: SymbolState, top: Top, seed: int, step: int, levels: int, now: float,
                  rows_per_side: int | None = None) -> tuple[list[dict], list[dict]]:
    """(bids, asks): one entry per price, side and participant, best price first; `levels`
    prices a side, and at most `rows_per_side` entries a side when given (the last price then
    has fewer participants, and the best price's sizes still add up to the quote's)."""
    rng = rng_for(seed, "depth", state.symbol, step)
    info = state.info
    venues = _FUTURES_VENUES if info.asset_type is AssetType.FUTURE else VENUES
    lot = max(1, state.lot)
    sides: list[list[dict]] = []
    for side, best, top_size, direction in (("Bid", top.bid, top.bid_size, -1),
                                            ("Ask", top.ask, top.ask_size, 1)):
        rows: list[dict] = []
        for level in range(levels):
            price = best + direction * level
            if price <= 0:
                break
            count = 1 + rng.randrange(min(3, len(venues)))
            if rows_per_side is not None:
                if len(rows) >= rows_per_side:
                    break
                count = min(count, rows_per_side - len(rows))
            names = rng.sample(venues, count)
            if level == 0:
                total = max(lot, top_size)
                shares = [total // count] * count
                shares[0] += total - sum(shares)
            else:
                shares = [lot * rng.randint(1, 30) for _ in names]
            for name, size in zip(names, shares, strict=True):
                rows.append({"TimeStamp": iso(now - rng.randint(0, 90)), "Side": side,
                             "Price": info.price_text(price), "Size": str(size),
                             "OrderCount": max(1, size // (lot * 3)), "Name": name})
        sides.append(rows)
    return sides[0], sides[1]


def depth_quotes(state: SymbolState, top: Top, seed: int, step: int, levels: int,
                 now: float) -> dict:
    bids, asks = _participants(state, top, seed, step, levels, now, rows_per_side=levels)
    return {"Bids": bids, "Asks": asks}


def depth_aggregates(state: SymbolState, top: Top, seed: int, step: int, levels: int,
                     now: float) -> dict:
    out: dict = {}
    for key, rows in zip(("Bids", "Asks"), _participants(state, top, seed, step, levels, now),
                         strict=True):
        by_price: dict[str, list[dict]] = {}
        for row in rows:
            by_price.setdefault(row["Price"], []).append(row)
        out[key] = [{
            "EarliestTime": min(r["TimeStamp"] for r in group),
            "LatestTime": max(r["TimeStamp"] for r in group),
            "Side": group[0]["Side"], "Price": price,
            "TotalSize": str(sum(int(r["Size"]) for r in group)),
            "BiggestSize": str(max(int(r["Size"]) for r in group)),
            "SmallestSize": str(min(int(r["Size"]) for r in group)),
            "NumParticipants": len(group),
            "TotalOrderCount": sum(r["OrderCount"] for r in group),
        } for price, group in by_price.items()]
    return out


class DepthFeed(Feed):
    """The whole book (up to maxlevels a side), again whenever the symbol's quote changes."""

    kind = "marketdepth"

    def __init__(self, engine, symbol: str, levels: int, aggregate: bool) -> None:
        super().__init__(engine)
        self.symbol = symbol
        self.levels = levels
        self.build = depth_aggregates if aggregate else depth_quotes
        state = engine.market.states.get(symbol)
        has_book = state is not None and state.info.asset_type is not AssetType.INDEX
        self.state = state if has_book else None
        self.top: Top | None = None
        self.step = 0

    def _book(self, state: SymbolState, top: Top, step: int) -> bytes:
        return encode(self.build(state, top, self.engine.market.seed, step,
                                 self.levels, self.engine.clock.now_epoch()))

    def start(self) -> list[bytes]:
        self.step = self.engine.clock.step
        if self.state is None:
            return [control({"Error": "BadRequest",
                             "Message": f"Invalid symbol '{self.symbol}': no market depth for "
                                        "it (depth covers stocks, futures, options and crypto)."})]
        self.top = Top.of(self.state)
        return [self._book(self.state, self.top, self.step)]

    def poll(self) -> list[bytes]:
        state, top = self.state, self.top
        if state is None or top is None:  # no book for this symbol (or not started)
            return []
        market = self.engine.market
        now = self.engine.clock.step
        out: list[bytes] = []
        for record in market.records_after(self.step, now):
            if record is None:  # fell too far behind: start over from the current quote
                self.step = now
                self.top = Top.of(state)
                return out + [self._book(state, self.top, now)]
            self.step = record.step
            lines = record.lines.get(self.symbol)
            if lines:
                moved = top
                for line in lines:
                    moved = moved.updated(state, line)
                if moved != top:
                    top = self.top = moved
                    out.append(self._book(state, top, self.step))
        return out
