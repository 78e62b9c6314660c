"""Reconnect delays: exponential backoff with equal jitter.

``delay = c/2 + rng() * c/2`` with ``c = min(cap, base * factor**attempt)``: about 1 s doubling to
30 s by default, never a tight loop, never two clients in lock step. A server's Retry-After is a
floor. Base, cap and rng are injectable so tests can check growth and cap quickly.
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


DEFAULT_BACKOFF = BackoffPolicy()

__all__ = ["BackoffPolicy", "DEFAULT_BACKOFF"]
