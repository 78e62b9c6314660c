"""Stall detection for a stream read: silence longer than ``read_timeout`` ends the read.

The watchdog runs on the event loop's timer, so the read loop pays two attribute stores per
chunk (``waiting`` and ``chunks``) instead of a timeout per read. Life is any byte (heartbeats and
a slowly trickling object count); time the reader spends in callbacks is not silence (``waiting``
is False then), nor is time the event loop itself did not run (a process stopped with SIGSTOP,
a blocked loop): the server may have kept talking into the socket all along.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger("tsdash.api.streams")


class StallWatchdog:
    """Calls ``on_stall()`` once the reader waited ``read_timeout`` seconds and no chunk came.

    The reader sets ``waiting`` around each read and counts ``chunks``; ``arm()`` when a
    connection opens, ``disarm()`` when it closes. ``name`` labels the log lines.
    """

    __slots__ = ("read_timeout", "name", "chunks", "waiting", "_on_stall", "_handle", "_period",
                 "_seen", "_alive_at", "_due", "_generation")

    def __init__(self, read_timeout: float, on_stall: Callable[[], None], name: str) -> None:
        self.read_timeout = read_timeout
        self.name = name
        #: chunks read on this connection (the reader adds one per chunk)
        self.chunks = 0
        #: True while the reader is blocked waiting for bytes
        self.waiting = False
        self._on_stall = on_stall
        self._handle: asyncio.TimerHandle | None = None
        self._period = min(max(read_timeout / 4.0, 0.02), 1.0)
        self._seen = 0
        self._alive_at = 0.0
        self._due = 0.0
        self._generation = 0  # one per arm(): a late timer of an older connection does nothing

    @property
    def armed(self) -> bool:
        return self._handle is not None

    def arm(self) -> None:
        """Start watching a new connection."""
        self.disarm()
        self.chunks = 0
        self.waiting = False
        self._generation += 1
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._alive(now)
        self._rearm(loop, now)

    def disarm(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.cancel()
        self.waiting = False

    def _alive(self, now: float) -> None:
        """The stream showed life (bytes, or the reader busy with them) at ``now``."""
        self._seen = self.chunks
        self._alive_at = now

    def _rearm(self, loop: asyncio.AbstractEventLoop, now: float) -> None:
        self._due = now + self._period
        self._handle = loop.call_later(self._period, self._tick)

    def _tick(self) -> None:
        self._handle = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        late = now - self._due
        if self.chunks != self._seen or not self.waiting:
            # bytes arrived, or we are busy with what arrived: alive
            self._alive(now)
        else:
            if late > self._period:
                # the loop itself did not run (process stopped, loop blocked): that time is not
                # the server's silence, and what it sent meanwhile has not been read yet
                log.info("%s: the event loop did not run for %.1f s; not counted as silence",
                         self.name, late)
                self._alive_at = min(now, self._alive_at + late)
            if now - self._alive_at >= self.read_timeout:
                # before calling it a stall, let the reader take what is waiting: bytes read in
                # this loop turn wake the reader only in the next one (after this timer)
                self._handle = loop.call_later(0, self._confirm, self._generation, self.chunks)
                return
        self._rearm(loop, now)

    def _confirm(self, generation: int, chunks: int) -> None:
        """One loop turn after the deadline passed: a stall only if the reader still got nothing."""
        self._handle = None
        if generation != self._generation:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self.chunks != chunks or not self.waiting:
            self._alive(now)
            self._rearm(loop, now)
            return
        log.warning("%s: no bytes for %.1f s, the stream is stalled", self.name,
                    now - self._alive_at)
        self._on_stall()


__all__ = ["StallWatchdog"]
