"""The stream interface: ``Stream`` (an ABC both transports implement) and ``GoAway``.

TradeStation's v3 streams are long-lived HTTP GETs with a chunked body of newline-delimited JSON
(:mod:`.http_stream`, framed by :mod:`.framing`, watched by :mod:`.watchdog`); the seed
document's transport is a WebSocket (:mod:`.ws_stream`), which the embedded simulator speaks at
``/v3/ws``.

Both deliver each parsed message to callbacks:

- data messages go to ``callback(msg)`` exactly as parsed;
- ``Heartbeat`` messages only count as life;
- ``GoAway`` (either shape) ends ``run()`` with :class:`GoAway`;
- other ``StreamStatus`` messages (``EndSnapshot``) go to ``status_callback(value)``;
- ``{"Error": ...}`` messages and malformed lines go to ``error_callback(TSError)``.

A Stream is one slot: it can connect, run, disconnect and connect again (that is a reconnect);
``close()`` ends it for good. aiohttp is imported lazily (inside the methods that talk to a
server) so ``import tsdash.api`` stays cheap at start-up.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from .errors import (
    EntitlementError,
    ProtocolError,
    StreamConnectionError,
    TSError,
    stream_error_from_message,
)
from .framing import MAX_LINE, RAW_LIMIT
from .seams import DataCallback, ErrorCallback, JSONObject, StreamStatusCallback

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp

log = logging.getLogger("tsdash.api.streams")

#: Accept media types TradeStation uses for its streams.
MARKET_DATA_MEDIA_TYPE = "application/vnd.tradestation.streams.v2+json"
BROKERAGE_MEDIA_TYPE = "application/vnd.tradestation.streams.v3+json"

#: Seconds allowed for the TCP connect; the read watchdog is ours (read_timeout).
SOCK_CONNECT_TIMEOUT = 10.0

#: An aiohttp session, or a zero-argument callable returning one (the client makes its session
#: lazily inside the running loop).
SessionSource: TypeAlias = "aiohttp.ClientSession | Callable[[], aiohttp.ClientSession] | None"

_ids = itertools.count(1)


class GoAway(StreamConnectionError):
    """The server asked for a new request (``StreamStatus: GoAway`` or ``Error: GoAway``).

    Raised by :meth:`Stream.run`; the current response is left open so the caller can open the
    new request first and then close the old one (:meth:`Stream.connect` does that).
    """

    def __init__(self, msg: JSONObject, what: str) -> None:
        super().__init__(f"TradeStation asked to restart {what} (GoAway); reconnecting.")
        self.raw = msg


async def _log_error(error: TSError) -> None:
    log.warning("%s", error)


async def _ignore(_value: object) -> None:
    return None


class Stream(ABC):
    """The interface both transports implement (and what StreamManager tracks); a
    :class:`~tsdash.api.seams.Feed`.

    Lifecycle: ``await connect(headers)`` opens (returns once the server answered 200 / the
    socket opened, raises a TSError otherwise); ``await run()`` reads until the connection ends
    and always raises (StreamConnectionError, GoAway, ...) or is cancelled; ``await disconnect()``
    closes the current connection (the stream may connect again); ``await close()`` ends it.
    ``start()`` is the seed's convenience: connect and read in a background task.
    """

    transport: str = "abstract"  # a Transport in the two transports
    #: a Stream takes its Authorization header from the Subscription on each connect
    manages_auth = False

    def __init__(
        self,
        url: str,
        *,
        session: SessionSource = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        read_timeout: float = 30.0,
        callback: DataCallback | None = None,
        error_callback: ErrorCallback | None = None,
        status_callback: StreamStatusCallback | None = None,
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
        self._on_status: StreamStatusCallback = status_callback or _ignore
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._close_hooks: list[Callable[[Stream], object]] = []

    # -- configuration -------------------------------------------------------------------------
    def set_callback(self, callback: DataCallback) -> None:
        """Async callback receiving each data message (a dict, exactly as parsed)."""
        self._on_data = callback

    def set_error_callback(self, callback: ErrorCallback) -> None:
        self._on_error = callback

    def set_status_callback(self, callback: StreamStatusCallback) -> None:
        self._on_status = callback

    def add_close_hook(self, hook: Callable[[Stream], object]) -> None:
        self._close_hooks.append(hook)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    @abstractmethod
    def connected(self) -> bool:
        """True while a connection is open."""

    def _session(self) -> aiohttp.ClientSession:
        source = self._session_source
        if source is None:
            if self._own_session is None or self._own_session.closed:
                import aiohttp  # lazy: start-up cost (see the module doc)

                self._own_session = aiohttp.ClientSession()
            return self._own_session
        if callable(source):
            return source()
        return source

    # -- interface -----------------------------------------------------------------------------
    @abstractmethod
    async def connect(self, headers: dict[str, str] | None = None) -> None:
        """Open a connection (``headers`` add to the stream's own, e.g. Authorization)."""

    @abstractmethod
    async def run(self) -> None:
        """Read and deliver until the connection ends; always ends with an exception."""

    @abstractmethod
    async def disconnect(self) -> None:
        """Close the current connection; the stream may connect again."""

    async def send(self, message: object) -> None:
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

    def _opening_failed(self, exc: Exception, target: str) -> StreamConnectionError:
        """The error for a connect that got no answer in time (TimeoutError) or failed in
        aiohttp; ``target`` names what could not be reached."""
        if isinstance(exc, TimeoutError):
            return StreamConnectionError(
                f"TradeStation did not answer in time when opening {self.description}. "
                "Check your network and reconnect."
            )
        return StreamConnectionError(
            f"Could not connect to {target} ({type(exc).__name__}: {exc}). "
            "Check your network and reconnect."
        )

    # -- shared message handling ---------------------------------------------------------------
    async def _dispatch(self, items: Iterable[object], now: float) -> None:
        """The per-message hot path of both transports: data messages to the callback, the rest
        (control messages, non-objects, the framer's ProtocolErrors) to ``_control``. Kept to one
        loop with locals (see benchmarks/bench_stream.py): it runs once per chunk."""
        on_data = self._on_data
        for msg in items:
            if (
                type(msg) is dict
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

    async def _control(self, msg: object) -> None:
        """Everything that is not a plain data message (the rare path)."""
        if isinstance(msg, ProtocolError):
            await self._report(msg)
            return
        if type(msg) is not dict:
            await self._report(
                ProtocolError(
                    f"{self.description} sent a JSON value that is not an object; skipped it.",
                    raw=json.dumps(msg)[:RAW_LIMIT],
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
        self.last_message_at = time.monotonic()
        self.progress = True
        try:
            await self._on_data(msg)
        except Exception:
            log.exception("data callback of %s failed on a message; the stream goes on", self.id)

    async def _report(self, error: TSError) -> None:
        try:
            await self._on_error(error)
        except Exception:
            log.exception("error callback of %s failed", self.id)


__all__ = [
    "Stream",
    "GoAway",
    "MARKET_DATA_MEDIA_TYPE",
    "BROKERAGE_MEDIA_TYPE",
    "MAX_LINE",
    "SOCK_CONNECT_TIMEOUT",
    "SessionSource",
]
