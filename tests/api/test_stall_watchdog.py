"""StallWatchdog on its own: silence while the reader waits is a stall, bytes or a busy reader
are life (HttpStream over loopback is covered in test_http_stream.py and
test_frozen_loop_stall.py)."""

from __future__ import annotations

import asyncio
import time

from tsdash.api.watchdog import StallWatchdog


async def test_silence_while_the_reader_waits_is_reported_once_after_read_timeout():
    stalls: list[float] = []
    watchdog = StallWatchdog(0.2, lambda: stalls.append(time.monotonic()), "test")
    start = time.monotonic()
    watchdog.arm()
    watchdog.waiting = True
    await asyncio.sleep(0.6)
    assert len(stalls) == 1 and stalls[0] - start >= 0.2
    assert not watchdog.armed  # it does not keep firing


async def test_chunks_arriving_keep_it_alive():
    stalls: list[float] = []
    watchdog = StallWatchdog(0.2, lambda: stalls.append(time.monotonic()), "test")
    watchdog.arm()
    watchdog.waiting = True
    for _ in range(12):  # 0.6 s of trickle, a chunk well inside every read_timeout
        await asyncio.sleep(0.05)
        watchdog.chunks += 1
    watchdog.disarm()
    assert stalls == []


async def test_time_spent_in_callbacks_is_not_silence():
    stalls: list[float] = []
    watchdog = StallWatchdog(0.2, lambda: stalls.append(time.monotonic()), "test")
    watchdog.arm()
    watchdog.waiting = False  # the reader is busy with what it read
    await asyncio.sleep(0.5)
    watchdog.disarm()
    assert stalls == []


async def test_disarm_and_rearm_forget_the_old_connection():
    stalls: list[float] = []
    watchdog = StallWatchdog(0.2, lambda: stalls.append(time.monotonic()), "test")
    watchdog.arm()
    watchdog.waiting = True
    await asyncio.sleep(0.15)
    watchdog.arm()  # a new connection: its silence counts from now
    watchdog.waiting = True
    await asyncio.sleep(0.12)
    assert stalls == []
    watchdog.disarm()
    await asyncio.sleep(0.3)
    assert stalls == []
