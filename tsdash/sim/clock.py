"""One shared clock for the whole simulator: discrete steps plus the timestamps shown on the wire.

The market and the demo trader only change when the step counter moves, so every stream sees the
same sequence of states whatever its timing. In "real" mode steps follow the wall clock from the
first /v3 request on; in "fixed" mode they move only when a test calls advance() and every "now"
timestamp is frozen, so headless screenshots are identical run after run.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

STEP_SECONDS = 0.1
FIXED_EPOCH = datetime(2026, 11, 25, 14, 30, tzinfo=UTC).timestamp()
CLOCK_MODES = ("real", "fixed")


def iso(epoch: float) -> str:
    """RFC 3339 UTC with whole seconds, the way TradeStation writes timestamps."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class Pulse:
    """Wakes every waiting stream when something changed (a step, an order, a shutdown).

    Each wait gets its own Event wait, so a waiter that times out never disturbs the others.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        event = self._event
        try:
            async with asyncio.timeout(max(0.0, timeout)):
                await event.wait()
        except TimeoutError:
            pass


class SimClock:
    """Step counter and timestamp source shared by market, trader and streams."""

    def __init__(self, mode: str = "real") -> None:
        if mode not in CLOCK_MODES:
            raise ValueError(f"clock must be one of {', '.join(CLOCK_MODES)}, not {mode!r}")
        self.mode = mode
        self.step = 0
        self.started = False
        # Unix time of step 0. Real mode resets it when the first /v3 request arrives.
        self.start_epoch = FIXED_EPOCH if mode == "fixed" else float(int(time.time()))
        self._stamp_step = -1
        self._stamp = ""

    @property
    def fixed(self) -> bool:
        return self.mode == "fixed"

    def start(self) -> bool:
        """Mark the first /v3 request; True the first time (the caller then starts ticking)."""
        if self.started:
            return False
        self.started = True
        if not self.fixed:
            self.start_epoch = float(int(time.time()))
            self._stamp_step = -1
        return True

    def shift(self, seconds: float) -> None:
        """Move step 0 later: real mode skips steps the process was too busy to run."""
        self.start_epoch += seconds
        self._stamp_step = -1

    def market_epoch(self, step: int | None = None) -> float:
        """Simulated time of a step; bar boundaries are measured on this."""
        return self.start_epoch + (self.step if step is None else step) * STEP_SECONDS

    def now_epoch(self) -> float:
        """Time for 'now' fields (trade times, order times): frozen in fixed mode."""
        return FIXED_EPOCH if self.fixed else self.market_epoch()

    @property
    def stamp(self) -> str:
        """RFC 3339 'now' for payloads, cached per step because every trade carries one."""
        if self._stamp_step != self.step:
            self._stamp_step = self.step
            self._stamp = iso(self.now_epoch())
        return self._stamp

    def heartbeat_stamp(self) -> str:
        """Heartbeats carry the wall clock (frozen in fixed mode)."""
        return iso(FIXED_EPOCH) if self.fixed else iso(time.time())
