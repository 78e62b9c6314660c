"""Reconnect delays: exponential backoff with equal jitter, and when a stream counts as healthy.

``delay = c/2 + rng() * c/2`` with ``c = min(cap, base * factor**attempt)``: about 1 s doubling to
30 s by default, never a tight loop, never two clients in lock step. A server's Retry-After is a
floor. Base, cap and rng are injectable so tests can check growth and cap quickly.

Every reconnect goes through this policy, a GoAway's included: the attempt count grows while the
server keeps refusing to stay up and goes back to 0 only after a connection was healthy (it sent
data and stayed up ``healthy_after`` seconds). The first GoAway after a healthy connection is
answered at once (design.md: "GoAway ... the Subscription reconnects at once"); a GoAway that
follows a short-lived connection waits like any other reconnect, so a server sending GoAway after
every few messages cannot drive a client into a tight request loop (an account rate-limited).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BackoffPolicy:
    base: float = 1.0
    cap: float = 30.0
    factor: float = 2.0
    rng: Callable[[], float] = field(default=random.random, compare=False)
    #: seconds a connection must stay up (with data) before the attempt count resets
    healthy_after: float = 10.0

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay for the given attempt (0 = first retry)."""
        if attempt < 0:
            attempt = 0
        # avoid float overflow for long outages
        if attempt > 64:
            return self.cap
        return min(self.cap, self.base * self.factor**attempt)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based); at least ``retry_after``."""
        c = self.ceiling(attempt)
        d = c / 2.0 + self.rng() * (c / 2.0)
        if retry_after is not None and retry_after > d:
            d = float(retry_after)
        return d

    def goaway_delay(self, attempt: int) -> float:
        """Seconds to wait before answering a GoAway, ``attempt`` reconnects after the last
        healthy connection: none for the first (0), then the ordinary backoff of attempt - 1."""
        if attempt <= 0:
            return 0.0
        return self.delay(attempt - 1)

    def is_healthy(self, up_for: float, progress: bool) -> bool:
        """Did a connection that stayed up ``up_for`` seconds earn a reset of the attempt
        count? Only with data (or a snapshot end) on it: a mute stream is not healthy."""
        return progress and up_for >= self.healthy_after


DEFAULT_BACKOFF = BackoffPolicy()

__all__ = ["BackoffPolicy", "DEFAULT_BACKOFF"]
