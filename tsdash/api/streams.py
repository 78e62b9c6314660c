"""The stream transports: one ``Stream`` interface, ``HttpStream`` and ``WebSocketStream``.

TradeStation's v3 streams are long-lived HTTP GETs with a chunked body of newline-delimited JSON;
``HttpStream`` frames that body itself (a JSON object may span chunks, a chunk may hold many
objects), bounds the line length and watches for silence. ``WebSocketStream`` is the seed
document's transport (connect, send JSON, messages to a callback, close) for servers that speak
WebSocket, such as the embedded simulator's ``/v3/ws``.

Both deliver each parsed message to callbacks:

- data messages go to ``callback(msg)`` exactly as parsed;
- ``Heartbeat`` messages only count as life;
- ``GoAway`` (either shape) ends ``run()`` with :class:`GoAway`;
- other ``StreamStatus`` messages (``EndSnapshot``) go to ``status_callback(value)``;
- ``{"Error": ...}`` messages and malformed lines go to ``error_callback(TSError)``.

A Stream is one slot: it can connect, run, disconnect and connect again (that is a reconnect);
``close()`` ends it for good. aiohttp is imported lazily so ``import tsdash.api`` stays light.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from .errors import (
    ClosedError,
    EntitlementError,
    ProtocolError,
    StreamConnectionError,
    TSError,
    error_for_status,
    stream_error_from_message,
)

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp

log = logging.getLogger("tsdash.api.streams")

#: Accept media types TradeStation uses for its streams.
MARKET_DATA_MEDIA_TYPE = "application/vnd.tradestation.streams.v2+json"
BROKERAGE_MEDIA_TYPE = "application/vnd.tradestation.streams.v3+json"

#: A line (one JSON object) longer than this is a protocol error.
MAX_LINE = 1024 * 1024

#: Seconds allowed for the TCP connect; the read watchdog is ours (read_timeout).
SOCK_CONNECT_TIMEOUT = 10.0

DataCallback = Callable[[dict], Awaitable[Any]]
ErrorCallback = Callable[[TSError], Awaitable[Any]]
StatusCallback = Callable[[str], Awaitable[Any]]

_ids = itertools.count(1)
_monotonic = time.monotonic


class GoAway(StreamConnectionError):
    """The server asked for a new request (``StreamStatus: GoAway`` or ``Error: GoAway``).

    Raised by :meth:`Stream.run`; the current response is left open so the caller can open the
    new request first and then close the old one (:meth:`Stream.connect` does that).
    """

    def __init__(self, msg: dict, what: str) -> None:
        super().__init__(f"TradeStation asked to restart {what} (GoAway); reconnecting.")
        self.raw = msg


async def _log_error(error: TSError) -> None:
    log.warning("%s", error)


async def _ignore(_value: Any) -> None:
    return None


def _truncate(raw: bytes | str, limit: int = 200) -> bytes | str:
    return raw[:limit]


class Stream:
    """The interface both transports implement (and what StreamManager tracks).

    Lifecycle: ``await connect(headers)`` opens (returns once the server answered 200 / the
    socket opened, raises a TSError otherwise); ``await run()`` reads until the connection ends
    and always raises (StreamConnectionError, GoAway, ...) or is cancelled; ``await disconnect()``
    closes the current connection (the stream may connect again); ``await close()`` ends it.
    ``start()`` is the seed's convenience: connect and read in a background task.
    """

    transport = "abstract"

    def __init__(
        self,
        url: str,
        *,
        session: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        read_timeout: float = 30.0,
        callback: DataCallback | None = None,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        stream_id: str | None = None,
        description: str | None = None,
    ) -> None:
        self.url = url
        self.params = dict(params) if params else None
        self.headers = dict(headers) if headers else {}
        self.read_timeout = float(read_timeout)
        self.id = stream_id or f"{self.transport}-{next(_ids)}"
        self.description = description or f"the stream {url}"
        #: time.monotonic() of the newest data message (None before the first).
        self.last_message_at: float | None = None
        #: True once a data message or EndSnapshot arrived on the current connection.
        self.progress = False
        #: the error that ended a background reader started with start(), if any.
        self.exception: BaseException | None = None
        self._session_source = session
        self._own_session: aiohttp.ClientSession | None = None
        self._on_data: DataCallback = callback or _ignore
        self._on_error: ErrorCallback = error_callback or _log_error
        self._on_status: StatusCallback = status_callback or _ignore
        self._closed = False
        self._task: asyncio.Task | None = None
        self._close_hooks: list[Callable[[Stream], Any]] = []

    # -- configuration -------------------------------------------------------------------------
    def set_callback(self, callback: DataCallback) -> None:
        """Async callback receiving each data message (a dict, exactly as parsed)."""
        self._on_data = callback

    def set_error_callback(self, callback: ErrorCallback) -> None:
        self._on_error = callback

    def set_status_callback(self, callback: StatusCallback) -> None:
        self._on_status = callback

    def add_close_hook(self, hook: Callable[[Stream], Any]) -> None:
        self._close_hooks.append(hook)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def connected(self) -> bool:  # pragma: no cover - overridden
        return False

    def _session(self) -> aiohttp.ClientSession:
        source = self._session_source
        if source is None:
            if self._own_session is None or self._own_session.closed:
                import aiohttp

                self._own_session = aiohttp.ClientSession()
            return self._own_session
        if callable(source):
            return source()
        return source

    # -- interface -----------------------------------------------------------------------------
    async def connect(self, headers: dict[str, str] | None = None) -> None:
        raise NotImplementedError

    async def run(self) -> None:
        raise NotImplementedError

    async def disconnect(self) -> None:
        raise NotImplementedError

    async def send(self, message: Any) -> None:
        raise TSError(
            f"{self.description} cannot send messages: over HTTP the subscription is the URL."
        )

    async def start(self, headers: dict[str, str] | None = None) -> None:
        """Connect, then read in a background task until the stream ends or is closed."""
        if self._task is not None and not self._task.done():
            raise TSError(f"{self.description} is already running.")
        await self.connect(headers)
        self._task = asyncio.get_running_loop().create_task(
            self._run_background(), name=f"tsdash.api {self.id}")

    async def _run_background(self) -> None:
        try:
            await self.run()
        except TSError as exc:
            self.exception = exc
            if not self._closed:
                log.info("%s ended: %s", self.id, exc)

    async def wait_closed(self) -> BaseException | None:
        """Wait for a reader started with start() to end; returns what ended it."""
        task = self._task
        if task is not None:
            await asyncio.wait([task])
        return self.exception

    async def close(self) -> None:
        """End the stream for good: cancel a background reader, close the connection."""
        if self._closed:
            return
        self._closed = True
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()
            await asyncio.wait([task])
        await self.disconnect()
        if self._own_session is not None:
            await self._own_session.close()
            self._own_session = None
        hooks, self._close_hooks = self._close_hooks, []
        for hook in hooks:
            hook(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {'closed' if self._closed else 'open'}>"

    # -- shared message handling ---------------------------------------------------------------
    async def _control(self, msg: Any) -> None:
        """Everything that is not a plain data message (the rare path)."""
        if type(msg) is not dict:
            await self._report(
                ProtocolError(
                    f"{self.description} sent a JSON value that is not an object; skipped it.",
                    raw=_truncate(json.dumps(msg)),
                )
            )
            return
        if "Heartbeat" in msg:
            return
        status = msg.get("StreamStatus")
        error = msg.get("Error")
        if status == "GoAway" or error == "GoAway":
            raise GoAway(msg, self.description)
        if error is not None:
            reported = stream_error_from_message(msg, self.description)
            if isinstance(reported, EntitlementError) and reported.symbol is None:
                raise reported  # the whole stream refused, for good: the subscription fails
            await self._report(reported)
            return
        if status is not None:
            if status == "EndSnapshot":
                self.progress = True
            try:
                await self._on_status(status)
            except Exception:
                log.exception("status callback of %s failed", self.id)
            return
        # a dict carrying a control key we do not know with a falsy value: it is data
        self.last_message_at = _monotonic()
        self.progress = True
        await self._deliver(msg)

    async def _dispatch(self, lines: Iterable[str | bytes], now: float) -> None:
        """The per-message hot path of both transports: parse each line, hand data messages to
        the callback and the rest to ``_control``. Kept to one loop with locals (see
        benchmarks/bench_stream.py): it runs once per chunk, not once per message."""
        loads = json.loads
        on_data = self._on_data
        for line in lines:
            try:
                msg = loads(line)
            except ValueError:
                await self._bad_line(line)
                continue
            if (
                msg.__class__ is dict
                and "Heartbeat" not in msg
                and "Error" not in msg
                and "StreamStatus" not in msg
            ):
                self.last_message_at = now
                self.progress = True
                try:
                    await on_data(msg)
                except Exception:
                    log.exception("data callback of %s failed; the stream goes on", self.id)
            else:
                await self._control(msg)

    async def _deliver(self, msg: dict) -> None:
        try:
            await self._on_data(msg)
        except Exception:
            log.exception("data callback of %s failed on a message; the stream goes on", self.id)

    async def _report(self, error: TSError) -> None:
        try:
            await self._on_error(error)
        except Exception:
            log.exception("error callback of %s failed", self.id)

    async def _bad_line(self, line: bytes | str) -> None:
        if not line.strip():
            return
        log.warning("%s: skipped a malformed line (%d bytes)", self.id, len(line))
        await self._report(
            ProtocolError(
                f"{self.description} sent a line that is not valid JSON; skipped it and kept "
                "streaming.",
                raw=_truncate(line),
            )
        )

    async def _overlong_line(self, size: int) -> None:
        log.warning("%s: skipped a line longer than %d bytes", self.id, MAX_LINE)
        await self._report(
            ProtocolError(
                f"{self.description} sent a line longer than {MAX_LINE} bytes (at least {size}); "
                "skipped it and kept streaming."
            )
        )


class HttpStream(Stream):
    """A TradeStation HTTP stream: GET with a Bearer token, chunked NDJSON body.

    Framing is ours (bytes from ``readany()`` into a buffer, split on ``b"\\n"``), independent of
    chunk boundaries and of the aiohttp version. A line over ``max_line`` bytes is reported as a
    ProtocolError and skipped without buffering it. A watchdog ends the read with a
    StreamConnectionError after ``read_timeout`` seconds without a single byte (heartbeats and a
    slowly trickling object both count as life; time spent in our own callbacks does not count
    as silence, nor does time the event loop itself did not run, e.g. a process stopped with
    SIGSTOP: the server may have kept talking into the socket all along).
    """

    transport = "http"

    def __init__(
        self,
        url: str,
        *,
        accept: str = MARKET_DATA_MEDIA_TYPE,
        max_line: int = MAX_LINE,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, **kwargs)
        self.accept = accept
        self.max_line = max_line
        self._resp: aiohttp.ClientResponse | None = None
        self._waiting = False
        self._chunks = 0
        self._wd_handle: asyncio.TimerHandle | None = None
        self._wd_seen = 0
        self._wd_alive_at = 0.0
        self._wd_due = 0.0

    @property
    def connected(self) -> bool:
        return self._resp is not None

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        """Open the request; return once the server answered 200 (else raise a TSError).

        If a previous response is still open (after a GoAway) it is closed once the new request
        has been answered, or when the new request fails.
        """
        if self._closed:
            raise ClosedError(f"{self.description} was closed; open a new subscription.")
        import aiohttp

        old = self._resp
        hdrs = {"Accept": self.accept, **self.headers, **(headers or {})}
        timeout = aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=SOCK_CONNECT_TIMEOUT, sock_read=None
        )
        resp = None
        try:
            session = self._session()
            try:
                # the answer (status line and headers) must come within connect + read_timeout
                async with asyncio.timeout(SOCK_CONNECT_TIMEOUT + self.read_timeout):
                    resp = await session.get(
                        self.url, params=self.params, headers=hdrs, timeout=timeout,
                        allow_redirects=False,
                    )
            except TimeoutError:
                raise StreamConnectionError(
                    f"TradeStation did not answer in time when opening {self.description}. "
                    "Check your network and reconnect."
                ) from None
            except aiohttp.ClientError as exc:
                raise StreamConnectionError(
                    f"Could not connect to TradeStation for {self.description} "
                    f"({type(exc).__name__}: {exc}). Check your network and reconnect."
                ) from None
            if resp.status != 200:
                body = await _read_error_body(resp)
                resp.close()
                raise error_for_status(resp.status, resp.headers, body, self.description)
            if self._closed:  # closed while connecting
                resp.close()
                raise ClosedError(f"{self.description} was closed.")
            self._resp = resp
            self._chunks = 0
            self._waiting = False
            self.progress = False
            self._arm_watchdog()
            log.info("%s: connected %s", self.id, self.description)
        except BaseException:
            if resp is not None and self._resp is not resp:
                resp.close()
            if old is not None and self._resp is old:
                self._resp = None
                self._disarm_watchdog()
            if old is not None:
                old.close()
            raise
        if old is not None:
            old.close()

    async def disconnect(self) -> None:
        """Close the current response (the server sees the connection end)."""
        self._disarm_watchdog()
        resp, self._resp = self._resp, None
        if resp is not None:
            resp.close()

    # -- the watchdog (runs on the loop's timer, costs the hot path two attribute stores) ---
    def _arm_watchdog(self) -> None:
        self._disarm_watchdog()
        loop = asyncio.get_running_loop()
        self._wd_period = min(max(self.read_timeout / 4.0, 0.02), 1.0)
        now = loop.time()
        self._watchdog_alive(now)
        self._watchdog_rearm(loop, now)

    def _watchdog_alive(self, now: float) -> None:
        """The stream showed life (bytes, or the reader busy with them) at ``now``."""
        self._wd_seen = self._chunks
        self._wd_alive_at = now

    def _watchdog_rearm(self, loop: asyncio.AbstractEventLoop, now: float) -> None:
        self._wd_due = now + self._wd_period
        self._wd_handle = loop.call_later(self._wd_period, self._watchdog)

    def _disarm_watchdog(self) -> None:
        handle, self._wd_handle = self._wd_handle, None
        if handle is not None:
            handle.cancel()

    def _watchdog(self) -> None:
        self._wd_handle = None
        resp = self._resp
        if resp is None:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        late = now - self._wd_due
        if self._chunks != self._wd_seen or not self._waiting:
            # bytes arrived, or we are busy with what arrived: alive
            self._watchdog_alive(now)
        else:
            if late > self._wd_period:
                # the loop itself did not run (process stopped, loop blocked): that time is not
                # the server's silence, and what it sent meanwhile has not been read yet
                log.info("%s: the event loop did not run for %.1f s; not counted as silence",
                         self.id, late)
                self._wd_alive_at = min(now, self._wd_alive_at + late)
            if now - self._wd_alive_at >= self.read_timeout:
                # before calling it a stall, let the reader take what is waiting: bytes read in
                # this loop turn wake the reader only in the next one (after this timer)
                self._wd_handle = loop.call_later(0, self._watchdog_confirm, resp, self._chunks)
                return
        self._watchdog_rearm(loop, now)

    def _watchdog_confirm(self, resp: aiohttp.ClientResponse, chunks: int) -> None:
        """One loop turn after the deadline passed: a stall only if the reader still got nothing."""
        self._wd_handle = None
        if self._resp is not resp:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._chunks != chunks or not self._waiting:
            self._watchdog_alive(now)
            self._watchdog_rearm(loop, now)
            return
        log.warning("%s: no bytes for %.1f s, the stream is stalled", self.id,
                    now - self._wd_alive_at)
        resp.content.set_exception(
            StreamConnectionError(
                f"No data from TradeStation for {self.read_timeout:g} s on "
                f"{self.description} (read_timeout); the connection looks stalled. "
                "Reconnect to resume."
            )
        )

    # -- the hot path ---------------------------------------------------------------------------
    async def run(self) -> None:
        """Read and dispatch until the connection ends; always ends with an exception.

        StreamConnectionError: the server ended the body, the connection dropped, or it
        stalled. GoAway: the server asked for a new request (the response stays open for
        :meth:`connect` to close). CancelledError: closed by the owner.
        """
        resp = self._resp
        if resp is None:
            raise StreamConnectionError(f"{self.description} is not connected.")
        import aiohttp

        content = resp.content
        readany = content.readany
        max_line = self.max_line
        monotonic = _monotonic
        pending: list[bytes] = []
        plen = 0
        skipping = False
        goaway = False
        try:
            while True:
                self._waiting = True
                chunk = await readany()
                self._waiting = False
                if not chunk:
                    if pending and not skipping:
                        await self._bad_line(b"".join(pending))
                    raise StreamConnectionError(
                        f"TradeStation ended {self.description}. Reconnect to resume."
                    )
                self._chunks += 1
                nl = chunk.rfind(b"\n")
                if nl < 0:
                    # no complete line yet: keep (bounded) or keep skipping an overlong line
                    if skipping:
                        continue
                    plen += len(chunk)
                    if plen > max_line:
                        pending.clear()
                        skipping = True
                        await self._overlong_line(plen)
                        plen = 0
                        continue
                    pending.append(chunk)
                    continue
                if skipping:
                    first = chunk.find(b"\n")
                    skipping = False
                    if first == nl:
                        rest = chunk[nl + 1:]
                        if rest:
                            pending.append(rest)
                            plen = len(rest)
                        continue
                    body = chunk[first + 1:nl + 1]
                elif pending:
                    pending.append(chunk[:nl + 1])
                    body = b"".join(pending)
                    pending.clear()
                else:
                    body = chunk if nl + 1 == len(chunk) else chunk[:nl + 1]
                plen = 0
                if nl + 1 < len(chunk):
                    rest = chunk[nl + 1:]
                    plen = len(rest)
                    if plen > max_line:
                        skipping = True
                        plen = 0
                        await self._overlong_line(len(rest))
                    else:
                        pending.append(rest)
                now = monotonic()
                try:
                    text = body.decode()
                except UnicodeDecodeError:
                    lines = body.split(b"\n")
                    lines.pop()
                    await self._dispatch_lines_slow(lines, max_line)
                    continue
                lines = text.split("\n")
                lines.pop()  # body ends with a newline: the last item is empty
                if len(body) > max_line:
                    await self._dispatch_lines_slow(lines, max_line)
                    continue
                await self._dispatch(lines, now)
        except GoAway:
            goaway = True
            log.info("%s: GoAway received on %s", self.id, self.description)
            raise
        except TSError:
            raise
        except (aiohttp.ClientError, RuntimeError, OSError) as exc:
            raise StreamConnectionError(
                f"The connection to TradeStation was lost on {self.description} "
                f"({type(exc).__name__}{': ' + str(exc) if str(exc) else ''}). Reconnect to resume."
            ) from None
        finally:
            self._waiting = False
            if not goaway and self._resp is resp:
                await self.disconnect()

    async def _dispatch_lines_slow(self, lines: list, max_line: int) -> None:
        """Lines that need checking one by one (a huge chunk or invalid UTF-8)."""
        now = _monotonic()
        for line in lines:
            if len(line) > max_line:
                await self._overlong_line(len(line))
            else:
                await self._dispatch((line,), now)


async def _read_error_body(resp: Any) -> Any:
    """The (bounded) body of an error answer, parsed as JSON when it is JSON."""
    try:
        async with asyncio.timeout(5.0):
            raw = await resp.content.read(64 * 1024)
    except Exception:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        try:
            return raw.decode("utf-8", "replace")
        except Exception:  # pragma: no cover
            return None


class WebSocketStream(Stream):
    """The seed's transport: a WebSocket carrying one JSON message per text frame.

    ``connect()`` opens the socket (Bearer token on the upgrade request) and sends
    ``subscribe_message`` if one was given (again on every reconnect); ``send()`` sends JSON;
    messages go to the callbacks like HttpStream's; ``close()`` closes the socket.
    ``read_timeout`` seconds without any frame (heartbeats included) mark it stalled (after one
    last look at frames already queued, see ``_last_look``).
    """

    transport = "ws"

    def __init__(
        self,
        url: str,
        *,
        subscribe_message: dict | None = None,
        unsubscribe_message: dict | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, **kwargs)
        self.subscribe_message = subscribe_message
        self.unsubscribe_message = unsubscribe_message
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        if self._closed:
            raise ClosedError(f"{self.description} was closed; open a new subscription.")
        import aiohttp

        old, self._ws = self._ws, None
        try:
            hdrs = {**self.headers, **(headers or {})}
            session = self._session()
            try:
                async with asyncio.timeout(SOCK_CONNECT_TIMEOUT + self.read_timeout):
                    ws = await session.ws_connect(
                        self.url, headers=hdrs, params=self.params, autoping=True,
                        timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=5.0),
                    )
            except aiohttp.WSServerHandshakeError as exc:
                raise error_for_status(exc.status, exc.headers, None, self.description) from None
            except TimeoutError:
                raise StreamConnectionError(
                    f"TradeStation did not answer in time when opening {self.description}. "
                    "Check your network and reconnect."
                ) from None
            except aiohttp.ClientError as exc:
                raise StreamConnectionError(
                    f"Could not connect to {self.description} ({type(exc).__name__}: {exc}). "
                    "Check your network and reconnect."
                ) from None
            if self._closed:
                await ws.close()
                raise ClosedError(f"{self.description} was closed.")
            self._ws = ws
            self.progress = False
            if self.subscribe_message is not None:
                await self.send(self.subscribe_message)
            log.info("%s: connected %s", self.id, self.description)
        finally:
            if old is not None:
                await old.close()

    async def send(self, message: Any) -> None:
        """Send one JSON message (a text frame)."""
        ws = self._ws
        if ws is None or ws.closed:
            raise StreamConnectionError(f"{self.description} is not connected; cannot send.")
        try:
            await ws.send_str(json.dumps(message))
        except Exception as exc:
            raise StreamConnectionError(
                f"Could not send on {self.description} ({type(exc).__name__}: {exc})."
            ) from None

    async def disconnect(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            if self.unsubscribe_message is not None:
                try:
                    await ws.send_str(json.dumps(self.unsubscribe_message))
                except Exception:
                    pass
            try:
                async with asyncio.timeout(2.0):
                    await ws.close()
            except (Exception, TimeoutError):
                pass

    async def _last_look(self, ws: aiohttp.ClientWebSocketResponse, timeout: float) -> Any:
        """The receive timed out; but after a stopped process continues, the timeout fires in
        the very loop turn that read the frames waiting in the socket. They are queued: take
        one more look before calling it a stall."""
        try:
            return await ws.receive(timeout=min(0.1, timeout))
        except TimeoutError:
            raise StreamConnectionError(
                f"No data from {self.description} for {timeout:g} s (read_timeout); "
                "the connection looks stalled. Reconnect to resume."
            ) from None

    async def run(self) -> None:
        ws = self._ws
        if ws is None:
            raise StreamConnectionError(f"{self.description} is not connected.")
        import aiohttp

        TEXT, BINARY = aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY
        timeout = self.read_timeout
        goaway = False
        try:
            while True:
                try:
                    frame = await ws.receive(timeout=timeout)
                except TimeoutError:
                    frame = await self._last_look(ws, timeout)
                kind = frame.type
                if kind is TEXT or kind is BINARY:
                    data = frame.data
                    lines = data.splitlines() if ("\n" in data if kind is TEXT else b"\n" in data) \
                        else (data,)
                    await self._dispatch(lines, _monotonic())
                    continue
                if kind in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                            aiohttp.WSMsgType.CLOSED):
                    raise StreamConnectionError(
                        f"The server closed {self.description} (code {ws.close_code}). "
                        "Reconnect to resume."
                    )
                if kind is aiohttp.WSMsgType.ERROR:
                    raise StreamConnectionError(
                        f"The connection to {self.description} was lost ({ws.exception()}). "
                        "Reconnect to resume."
                    )
                # PING/PONG are handled by aiohttp (autoping)
        except GoAway:
            goaway = True
            raise
        except TSError:
            raise
        except (aiohttp.ClientError, RuntimeError, OSError) as exc:
            raise StreamConnectionError(
                f"The connection to {self.description} was lost ({type(exc).__name__}: {exc}). "
                "Reconnect to resume."
            ) from None
        finally:
            if not goaway and self._ws is ws:
                await self.disconnect()


__all__ = [
    "Stream",
    "HttpStream",
    "WebSocketStream",
    "GoAway",
    "MARKET_DATA_MEDIA_TYPE",
    "BROKERAGE_MEDIA_TYPE",
    "MAX_LINE",
]
