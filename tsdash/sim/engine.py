"""The simulation itself, without the web server: clock, market, bars, book, trader, faults.

Everything moves in `step_once()`: the market first, then the book works its orders and re-prices
positions, then the demo trader acts. In real mode a ticker task runs the steps that wall time says
are due; in fixed mode only `advance()` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .bars import BarFactory
from .book import Book
from .clock import STEP_SECONDS, Pulse, SimClock
from .faults import FaultInjector
from .market import Market
from .trader import DemoTrader

log = logging.getLogger("tsdash.sim")
MAX_CATCH_UP_STEPS = 20  # beyond this the process was stalled: the clock pauses instead


class Engine:
    def __init__(self, seed: int = 1, clock: str = "real", heartbeat_interval: float = 5.0,
                 demo_trader: bool = True, quote_rate: float | None = None) -> None:
        if heartbeat_interval <= 0:
            raise ValueError(f"heartbeat_interval must be > 0, not {heartbeat_interval!r}")
        if quote_rate is not None and quote_rate <= 0:
            raise ValueError(f"quote_rate must be > 0 (or None), not {quote_rate!r}")
        self.seed = seed
        self.heartbeat_interval = float(heartbeat_interval)
        self.quote_rate = quote_rate
        self.clock = SimClock(clock)
        self.pulse = Pulse()
        self.market = Market(seed, self.clock)
        self.bars = BarFactory(seed, self.clock)
        self.book = Book(self.market, self.clock, seed, on_change=self.pulse.fire)
        self.trader = DemoTrader(self.book, self.market, seed) if demo_trader else None
        self.faults = FaultInjector()
        self.used_confirm_ids: set[str] = set()  # OrderConfirmIDs already placed
        self.confirmations = 0  # order confirmations answered (their ids count from the seed)
        self.stopping = False
        self.open_streams = 0
        self._ticker: asyncio.Task | None = None

    def step_once(self) -> None:
        self.clock.step += 1
        record = self.market.advance()
        self.book.on_step(record)
        if self.trader is not None:
            self.trader.on_step(self.clock.step)

    def advance(self, n: int = 1) -> None:
        """Move the market and the trader n steps (the fixed clock's only way forward)."""
        if n < 0:
            raise ValueError("advance() cannot go back in time")
        for _ in range(n):
            self.step_once()
        self.pulse.fire()

    def start_clock(self) -> None:
        """Called on every /v3 request; the first one starts time (real mode: the ticker)."""
        if self.clock.start() and not self.clock.fixed and not self.stopping:
            self._ticker = asyncio.get_running_loop().create_task(self._tick(),
                                                                  name="tsdash-sim-ticker")

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        while not self.stopping:
            due = int((loop.time() - t0) / STEP_SECONDS)
            behind = due - self.clock.step
            if behind > MAX_CATCH_UP_STEPS:
                skipped = behind - MAX_CATCH_UP_STEPS
                t0 += skipped * STEP_SECONDS
                self.clock.shift(skipped * STEP_SECONDS)
                log.warning("simulator fell %.1f s behind; its clock paused",
                            skipped * STEP_SECONDS)
                due -= skipped
            if due > self.clock.step:
                try:
                    while self.clock.step < due:
                        self.step_once()
                except Exception:
                    log.exception("the simulated market failed; its clock stops here")
                    return
                finally:
                    self.pulse.fire()
            await asyncio.sleep(max(0.0, t0 + (self.clock.step + 1) * STEP_SECONDS - loop.time()))

    async def stop(self) -> None:
        self.stopping = True
        self.pulse.fire()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
