"""What each stream sends: a snapshot, then the changes as the shared clock moves.

A feed knows nothing about HTTP or WebSocket. `start()` runs synchronously in the request handler
(before any await, so a client's first request always sees the step the clock was at when it
arrived), `poll()` returns what is new, step by step and never merged across steps, and `wait()`
sleeps until something may be new. Lines are ready-to-send bytes; `ControlLine` marks messages
that are not data (errors, EndSnapshot) so fault counters can skip them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from .bars import BarSpec, WorkingBar
from .clock import STEP_SECONDS
from .faults import NOT_ENTITLED, NOT_ENTITLED_BARS
from .market import FastQuoteSource, encode

MARKET_MEDIA_TYPE = "application/vnd.tradestation.streams.v2+json"
BROKERAGE_MEDIA_TYPE = "application/vnd.tradestation.streams.v3+json"
INVALID_SYMBOL = "FAILED, INVALID SYMBOL"
GOAWAY_ERROR = {"Error": "GoAway", "Message": "The server is about to shut down."}
GOAWAY_STATUS = {"StreamStatus": "GoAway"}
END_SNAPSHOT = {"StreamStatus": "EndSnapshot"}
FAST_BATCH_SECONDS = 0.02


class ControlLine(bytes):
    """A line that is not a data message (does not count towards a fault's `after`)."""


def control(obj: dict) -> ControlLine:
    return ControlLine(encode(obj))


def symbol_error(symbol: str, error: str = INVALID_SYMBOL) -> ControlLine:
    return control({"Symbol": symbol, "Error": error})


class Feed:
    kind = ""  # the fault-injection name of the endpoint
    media_type = MARKET_MEDIA_TYPE
    goaway = GOAWAY_ERROR
    symbols: Sequence[str] = ()  # what a symbol fault (symbol_failed) can fire on

    def __init__(self, engine) -> None:
        self.engine = engine

    def start(self) -> list[bytes]:
        raise NotImplementedError

    def poll(self) -> list[bytes]:
        raise NotImplementedError

    async def wait(self, timeout: float) -> None:
        await self.engine.pulse.wait(timeout)


class QuoteFeed(Feed):
    """Full quote per symbol, then every quote/trade delta of those symbols, step by step."""

    kind = "quotes"

    def __init__(self, engine, symbols: list[str]) -> None:
        super().__init__(engine)
        self.symbols = symbols
        self.valid = [s for s in symbols if s in engine.market]
        self.refused = engine.faults.not_entitled_symbols(self.valid)  # the not_entitled fault
        self.valid = [s for s in self.valid if s not in self.refused]
        self.step = 0

    def start(self) -> list[bytes]:
        market = self.engine.market
        self.step = self.engine.clock.step
        return [encode(market.full_quote(s)) if s in market and s not in self.refused
                else symbol_error(s, NOT_ENTITLED if s in self.refused else INVALID_SYMBOL)
                for s in self.symbols]

    def poll(self) -> list[bytes]:
        market = self.engine.market
        now = self.engine.clock.step
        out: list[bytes] = []
        for record in market.records_after(self.step, now):
            if record is None:  # fell too far behind: start over from the current state
                self.step = now
                return out + [encode(market.full_quote(s)) for s in self.valid]
            self.step = record.step
            lines = record.lines
            for sym in self.valid:
                if sym in lines:
                    out.extend(lines[sym])
        return out


class FastQuoteFeed(QuoteFeed):
    """Quote stream paced at an explicit rate (messages per second), for benchmarks."""

    def __init__(self, engine, symbols: list[str], rate: float) -> None:
        super().__init__(engine, symbols)
        self.rate = rate
        self.source: FastQuoteSource | None = None
        self.sent = 0
        self.t0 = 0.0
        self.fixed = engine.clock.fixed
        self.step0 = 0

    def start(self) -> list[bytes]:
        lines = super().start()
        if self.valid:
            market = self.engine.market
            self.source = FastQuoteSource([market.states[s] for s in self.valid],
                                          market.seed, self.engine.clock)
        self.t0 = asyncio.get_running_loop().time()
        self.step0 = self.engine.clock.step
        return lines

    def _due(self) -> int:
        if self.fixed:
            return int((self.engine.clock.step - self.step0) * STEP_SECONDS * self.rate) - self.sent
        now = asyncio.get_running_loop().time()
        due = int((now - self.t0) * self.rate) - self.sent
        backlog = int(self.rate * 0.25)
        if due > backlog:  # the reader is slower than the rate: do not build up a burst
            self.t0 += (due - backlog) / self.rate
            due = backlog
        return due

    def poll(self) -> list[bytes]:
        if self.source is None:
            return []
        due = self._due()
        if due <= 0:
            return []
        self.sent += due
        return self.source.take(due)

    async def wait(self, timeout: float) -> None:
        if self.fixed or self.source is None:
            await self.engine.pulse.wait(timeout)
            return
        next_due = (self.sent + 1) / self.rate - (asyncio.get_running_loop().time() - self.t0)
        await asyncio.sleep(max(0.0, min(timeout, max(next_due, FAST_BATCH_SECONDS))))


class BarFeed(Feed):
    """History (the last bar flagged IsEndOfHistory), then the live bar as trades arrive."""

    kind = "barcharts"

    def __init__(self, engine, spec: BarSpec) -> None:
        super().__init__(engine)
        self.state = engine.market.states.get(spec.symbol)
        self.spec = spec if self.state is None else engine.bars.effective(self.state, spec)
        self.bar: WorkingBar | None = None
        self.index = 0
        self.step = 0

    def start(self) -> list[bytes]:
        clock = self.engine.clock
        self.step = clock.step
        if self.state is None:
            return [symbol_error(self.spec.symbol)]
        if self.engine.faults.not_entitled_symbols([self.spec.symbol]):  # TradeStation's 200 body
            return [control(NOT_ENTITLED_BARS)]
        factory = self.engine.bars
        history = factory.history(self.state, self.spec)
        if history:
            history[-1]["IsEndOfHistory"] = True
        if self.spec.lastdate is not None and factory.date_window(self.spec)[0] > 0:
            return [encode(b) for b in history]  # a window in the past: no live bar follows
        if self.spec.unit == "Minute":
            self.index = clock.step // self.spec.steps
            self.bar = factory.live_minute_bar(self.state, self.spec, self.index)
        else:
            self.bar = factory.period_bar(self.state, self.spec)
        return [encode(b) for b in history]

    def poll(self) -> list[bytes]:
        if self.bar is None:
            return []
        market = self.engine.market
        now = self.engine.clock.step
        minute = self.spec.unit == "Minute"
        out: list[bytes] = []
        while self.step < now:
            self.step += 1
            if minute:
                index = self.step // self.spec.steps
                if index != self.index:
                    if self.spec.in_session(self.bar.end_epoch):
                        out.append(encode(self.bar.to_dict("Closed", True, False,
                                                           self.state.text)))
                    self.index = index
                    self.bar = WorkingBar(self.bar.close,
                                          self.engine.bars.bar_end(self.spec, index))
            record = market.record(self.step)
            trades = record.trades.get(self.spec.symbol) if record is not None else None
            if trades:
                for price, size, direction in trades:
                    self.bar.add(price, size, direction)
                if self.spec.in_session(self.bar.end_epoch):
                    out.append(encode(self.bar.to_dict("Open", True, False, self.state.text)))
        return out


class _AccountFeed(Feed):
    """Snapshot of the accounts' orders or positions, EndSnapshot, then the book's log."""

    media_type = BROKERAGE_MEDIA_TYPE
    goaway = GOAWAY_STATUS
    log_kind = ""
    _faults_seen = -1  # the fault injector's version this connection last looked at

    def __init__(self, engine, accounts: list[str]) -> None:
        super().__init__(engine)
        book = engine.book
        self.accounts = [a for a in accounts if a in book.accounts]
        self.invalid = [a for a in accounts if a not in book.accounts]
        self.wanted = set(self.accounts)
        self.seq = 0

    def snapshot(self) -> list[bytes]:
        raise NotImplementedError

    def line_for(self, entry) -> bytes:
        return entry.line

    def start(self) -> list[bytes]:
        errors: list[bytes] = [
            control({"Error": "Forbidden", "Message": "Invalid Account ID.", "AccountID": a})
            for a in self.invalid]
        errors += self._account_faults()
        self.seq = self.engine.book.seq
        return errors + self.snapshot() + [control(END_SNAPSHOT)]

    def _account_faults(self) -> list[bytes]:
        """The account_error fault: the error instead of that account's data, for the rest of
        this connection (armed before it opened, or while it is open)."""
        faults = self.engine.faults
        self._faults_seen = faults.version
        failed = faults.take_account_errors(self.kind, self.accounts,
                                            next(iter(self.engine.book.accounts), None))
        if failed:
            self.accounts = [a for a in self.accounts if a not in failed]
            self.wanted.difference_update(failed)
        return [control(e) for e in failed.values()]

    def poll(self) -> list[bytes]:
        if self.engine.faults.version != self._faults_seen and (errors := self._account_faults()):
            return errors
        book = self.engine.book
        entries = book.since(self.seq)
        if entries is None:  # fell too far behind: a fresh snapshot replaces the old state
            self.seq = book.seq
            return self.snapshot() + [control(END_SNAPSHOT)]
        self.seq = book.seq
        return [self.line_for(e) for e in entries if self.wants(e) and not self.dropped(e)]

    def wants(self, entry) -> bool:
        """Whether a log entry belongs on this stream (a narrower stream adds its filter)."""
        return entry.kind == self.log_kind and entry.account_id in self.wanted

    def dropped(self, entry) -> bool:
        """Whether a stream fault swallows this update (the drop_order_frames fault)."""
        return False


class OrderFeed(_AccountFeed):
    kind = "orders"
    log_kind = "order"

    def snapshot(self) -> list[bytes]:
        book = self.engine.book
        return [encode(book.order_payload(o)) for o in book.orders_of(self.accounts)]

    def dropped(self, entry) -> bool:
        return self.engine.faults.take_order_frame_drop(entry.account_id)


class PositionFeed(_AccountFeed):
    kind = "positions"
    log_kind = "position"

    def __init__(self, engine, accounts: list[str], changes: bool) -> None:
        super().__init__(engine, accounts)
        self.changes = changes

    def snapshot(self) -> list[bytes]:
        return [encode(p) for p in self.engine.book.position_snapshot(self.wanted)]

    def line_for(self, entry) -> bytes:
        return entry.changes if self.changes and entry.changes is not None else entry.line
