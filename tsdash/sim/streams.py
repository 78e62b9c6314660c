"""Writing a feed to a client: TradeStation's framing, heartbeats, and the stream faults.

One `StreamRunner` per stream; a `Sink` per connection hides whether the bytes go into a chunked
HTTP response (one resp.write per HTTP chunk) or into WebSocket text frames. The runner counts data
messages per connection for the faults' `after`, sends a Heartbeat after `heartbeat_interval`
seconds without a write, and notices a client that went away within a quarter of a second.
"""

from __future__ import annotations

import asyncio
import logging
import random

from aiohttp import web

from .faults import SYMBOL_FAILED, Fault
from .feeds import GOAWAY_ERROR, GOAWAY_STATUS, ControlLine, Feed, control
from .market import encode

log = logging.getLogger("tsdash.sim")

MALFORMED_LINE = ControlLine(b'{"Symbol":"MSFT","Last":"212.85" this line is not JSON\n')
IDLE_CHECK_SECONDS = 0.25


class StreamClosed(Exception):
    """The runner ended the connection on purpose (GoAway, dropped mid-object)."""


def _data_count(lines: list[bytes]) -> int:
    return sum(1 for line in lines if type(line) is not ControlLine)


class Sink:
    """One client connection. Holds the per-connection data counter the faults look at."""

    kind = ""

    def __init__(self) -> None:
        self.count = 0
        self.fired: set[int] = set()

    def closed(self) -> bool:
        raise NotImplementedError

    async def send(self, lines: list[bytes], rechunk: bool = False) -> None:
        raise NotImplementedError

    async def drop(self, partial: bytes) -> None:
        """Write `partial` (half an object), make sure it left, then cut the connection."""
        raise NotImplementedError

    async def finish(self) -> None:
        raise NotImplementedError


class HttpSink(Sink):
    """A chunked HTTP response; each resp.write() goes out as one HTTP chunk."""

    def __init__(self, request: web.Request, response: web.StreamResponse) -> None:
        super().__init__()
        self.request = request
        self.response = response
        self._rng = random.Random()

    def closed(self) -> bool:
        transport = self.request.transport
        return transport is None or transport.is_closing()

    async def send(self, lines: list[bytes], rechunk: bool = False) -> None:
        data = b"".join(lines)
        if not rechunk:
            await self.response.write(data)
            return
        # Pieces from one byte to a few objects long: objects split across chunks, and several
        # objects (or their ends and starts) sharing one chunk.
        average = max(8, len(data) // max(1, len(lines)))
        pos = 0
        while pos < len(data):
            size = self._rng.randint(1, max(2, average // 2)) if self._rng.random() < 0.5 \
                else self._rng.randint(average, 3 * average)
            await self.response.write(data[pos:pos + size])
            pos += size
            await asyncio.sleep(0)

    async def drop(self, partial: bytes) -> None:
        await self.response.write(partial)
        transport = self.request.transport
        if transport is None:
            return
        for _ in range(100):  # let the half object reach the socket before cutting it
            if transport.is_closing() or transport.get_write_buffer_size() == 0:
                break
            await asyncio.sleep(0.01)
        transport.abort()

    async def finish(self) -> None:
        if not self.closed():
            await self.response.write_eof()


class StreamRunner:
    """Runs one feed over one sink until the client leaves, a fault ends it, or the sim stops."""

    def __init__(self, engine, feed: Feed, sink: Sink, fault_stream: str | None = None) -> None:
        self.engine = engine
        self.feed = feed
        self.sink = sink
        self.fault_stream = fault_stream or feed.kind
        self.heartbeats = 0
        self._loop = asyncio.get_running_loop()
        self.last_write = self._loop.time()
        self._faults_version = -1
        self._pending: list[Fault] = []

    # -- writing --------------------------------------------------------------------------------

    async def _write(self, lines: list[bytes]) -> None:
        await self.sink.send(lines, rechunk=self.engine.faults.rechunking)
        self.last_write = self._loop.time()

    async def emit(self, lines: list[bytes]) -> None:
        """Send lines, firing any fault whose `after` is reached between two data messages."""
        self._refresh_faults()
        if not self._pending:
            if lines:
                self.sink.count += _data_count(lines)
                await self._write(lines)
            return
        buffer: list[bytes] = []
        for line in lines:
            if type(line) is not ControlLine:
                due = self._due_fault()
                if due is not None:
                    if buffer:
                        await self._write(buffer)
                        buffer = []
                    await self._fire(due, line)
                    self._refresh_faults()
                self.sink.count += 1
            buffer.append(line)
        if buffer:
            await self._write(buffer)
        await self.fire_due()

    async def heartbeat(self) -> None:
        self.heartbeats += 1
        await self._write([control({"Heartbeat": self.heartbeats,
                                    "Timestamp": self.engine.clock.heartbeat_stamp()})])

    # -- faults ---------------------------------------------------------------------------------

    def _refresh_faults(self) -> None:
        faults = self.engine.faults
        if faults.version != self._faults_version:
            self._faults_version = faults.version
            self._pending = sorted(
                (f for f in faults.stream_faults(self.fault_stream, self.feed.symbols)
                 if f.id not in self.sink.fired),
                key=lambda f: f.after)

    def _due_fault(self) -> Fault | None:
        if self._pending and self._pending[0].after <= self.sink.count:
            return self._pending[0]
        return None

    async def fire_due(self) -> None:
        self._refresh_faults()
        while (fault := self._due_fault()) is not None:
            await self._fire(fault, None)
            self._refresh_faults()

    async def _fire(self, fault: Fault, next_line: bytes | None) -> None:
        self._pending.remove(fault)
        if fault.id in self.sink.fired:  # another subscription on this socket fired it already
            return
        self.sink.fired.add(fault.id)
        if not self.engine.faults.consume(fault):
            return
        log.info("fault %s fires on a %s stream after %d messages", fault.kind,
                 self.fault_stream, self.sink.count)
        if fault.kind == "goaway":
            shape = fault.shape
            message = (self.feed.goaway if shape == "auto"
                       else GOAWAY_STATUS if shape == "status" else GOAWAY_ERROR)
            await self._write([control(message)])
            await self.sink.finish()
            raise StreamClosed("goaway")
        if fault.kind == "drop_mid_object":
            whole = next_line or encode({"Heartbeat": self.heartbeats + 1,
                                         "Timestamp": self.engine.clock.heartbeat_stamp()})
            await self.sink.drop(whole[: max(1, len(whole) // 2)])
            raise StreamClosed("dropped")
        if fault.kind == "stall":
            deadline = self._loop.time() + fault.seconds
            while self._loop.time() < deadline and not self._should_stop():
                await asyncio.sleep(min(0.05, max(0.0, deadline - self._loop.time())))
            self.last_write = self._loop.time()
            return
        if fault.kind == "malformed_line":
            await self._write([MALFORMED_LINE])
            return
        if fault.kind == "overlong_line":
            head, tail = b'{"Padding":"', b'"}\n'
            filler = b"x" * max(0, fault.size - len(head) - len(tail))
            await self._write([ControlLine(head + filler + tail)])
            return
        if fault.kind == "symbol_failed":  # transient: the symbol's quotes go on after it
            await self._write([control({"Symbol": fault.symbol, "Error": SYMBOL_FAILED})])
            return

    # -- the loop -------------------------------------------------------------------------------

    def _should_stop(self) -> bool:
        return self.engine.stopping or self.sink.closed()

    async def run(self, initial: list[bytes]) -> None:
        """Snapshot, then changes and heartbeats. Returns quietly when the client goes away."""
        interval = self.engine.heartbeat_interval
        try:
            await self.fire_due()
            await self.emit(initial)
            while not self._should_stop():
                lines = self.feed.poll()
                if lines:
                    await self.emit(lines)
                    continue
                await self.fire_due()
                idle = self._loop.time() - self.last_write
                if idle >= interval:
                    await self.heartbeat()
                    continue
                await self.feed.wait(min(interval - idle, IDLE_CHECK_SECONDS))
        except (StreamClosed, ConnectionError):
            return
        if self.engine.stopping and not self.sink.closed():
            try:
                await self.sink.finish()
            except ConnectionError:
                pass


async def serve_http_stream(request: web.Request, engine, feed: Feed) -> web.StreamResponse:
    """Answer one streaming GET: 200, chunked, the feed's media type, until someone stops."""
    initial = feed.start()  # before the first await: the snapshot is taken at this very step
    response = web.StreamResponse(headers={"Content-Type": feed.media_type,
                                           "Cache-Control": "no-cache"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    sink = HttpSink(request, response)
    engine.open_streams += 1
    try:
        await StreamRunner(engine, feed, sink).run(initial)
    except Exception:
        # The status line is gone already: say so in TradeStation's stream error shape and end.
        log.exception("stream %s failed", request.path)
        try:
            await sink.send([control({"Error": "InternalServerError",
                                      "Message": "The simulator hit an internal error."})])
            await sink.finish()
        except ConnectionError:
            pass
    finally:
        engine.open_streams -= 1
    return response
