"""Subscription: one logical feed, its state, reconnects and unsubscribe.

A Subscription owns one or more feeds (streams; a quote subscription over more than 100 symbols
owns one stream per 100, the balance poller owns a REST poller) and runs one supervisor task per
feed. The supervisor connects (asking the token source for a valid token each time, refreshing
once on a 401), reads until the connection ends, and then:

- on GoAway opens the new request whatever ``auto_reconnect`` says and reports no error: at once
  after a healthy connection (the old response is closed once the new one is answered), else
  after a backoff delay (``reconnecting``, ``retry_at`` set, ``last_error`` saying why), so a
  server that keeps sending GoAway soon after each connect cannot drive a request storm;
- on a final error (auth refused, 400/403/404) reports it and goes ``failed``;
- on anything else (5xx, 429, connection lost, stall) reports it and goes ``disconnected``, or
  with ``auto_reconnect`` ``reconnecting``: exponential backoff with equal jitter.

Both paths share one attempt count per feed, reset only after a healthy connection (data, and up
for ``BackoffPolicy.healthy_after`` seconds); backoff waits on an Event so ``unsubscribe()``
interrupts them at once.

``state`` is the worst state over the feeds: failed > disconnected > reconnecting > connecting >
live. ``status_callback(sub, event)`` gets every change of it, plus "snapshot_start" /
"snapshot_end" on order and position streams.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any, TypeVar, cast

from .backoff import DEFAULT_BACKOFF, BackoffPolicy
from .errors import (
    LOGIN_HINT,
    AuthError,
    ClosedError,
    RateLimitError,
    StreamConnectionError,
    TSError,
    is_final,
)
from .seams import (
    DataCallback,
    ErrorCallback,
    Feed,
    StatusCallback,
    StreamStatusCallback,
    TokenSource,
)
from .streams import GoAway

log = logging.getLogger("tsdash.api.subscription")


class SubscriptionState(StrEnum):
    """Where a Subscription is (design.md, "Details that callers depend on"); each member
    compares equal to the string design.md promises."""

    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"
    FAILED = "failed"


class SnapshotEvent(StrEnum):
    """The events a status callback gets on order and position streams besides state changes."""

    START = "snapshot_start"
    END = "snapshot_end"


CONNECTING = SubscriptionState.CONNECTING
LIVE = SubscriptionState.LIVE
RECONNECTING = SubscriptionState.RECONNECTING
DISCONNECTED = SubscriptionState.DISCONNECTED
CLOSED = SubscriptionState.CLOSED
FAILED = SubscriptionState.FAILED
STATES = tuple(SubscriptionState)
SNAPSHOT_START = SnapshotEvent.START
SNAPSHOT_END = SnapshotEvent.END

# worst first: the subscription shows the worst state of its feeds
_PRECEDENCE = (FAILED, DISCONNECTED, RECONNECTING, CONNECTING)

_ids = itertools.count(1)

#: What a feed's first attempt settled with: None (live) or the error it reported.
FirstAttempt = asyncio.Future[TSError | None]

_Callback = TypeVar("_Callback", bound=Callable[..., Awaitable[object]])


def _resolve(fut: FirstAttempt | None, value: TSError | None) -> None:
    if fut is not None and not fut.done():
        fut.set_result(value)


def as_async(fn: _Callback) -> _Callback:
    """Callbacks are meant to be async, but a caller may hand a plain function: it is wrapped
    once (and its result awaited if it is awaitable) so the per-message path stays one await.
    An async function, or an object with an async ``__call__``, is returned as it is."""
    given: object = fn  # callers reach here untyped too: check before trusting the type
    if not callable(given):
        raise TypeError(f"callbacks must be callable, not {type(given).__name__}")
    plain: Callable[..., object] = fn
    # an instance whose class has an async __call__ (TimeAndSales) is async too
    if inspect.iscoroutinefunction(plain) or inspect.iscoroutinefunction(type(plain).__call__):
        return fn

    async def wrapper(*args: Any) -> object:
        result = plain(*args)
        if inspect.isawaitable(result):
            result = await result
        return result

    return cast(_Callback, wrapper)  # fn's call signature, now always async


class Subscription:
    """One logical feed as the caller sees it (see the module doc)."""

    def __init__(
        self,
        *,
        kind: str,
        feeds: Sequence[Feed],
        callback: DataCallback,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        auth: TokenSource,
        auto_reconnect: bool = False,
        backoff: BackoffPolicy | None = None,
        snapshots: bool = False,
        release: Callable[[Feed], Awaitable[object]] | None = None,
        on_closed: Callable[[Subscription], object] | None = None,
        description: str | None = None,
    ) -> None:
        if not feeds:
            raise ValueError("a Subscription needs at least one feed")
        self.id = f"{kind}-{next(_ids)}"
        self.kind = kind
        self.description = description or kind
        self.auto_reconnect = bool(auto_reconnect)
        self.backoff = backoff or DEFAULT_BACKOFF
        self.snapshots = snapshots
        self._retry_at: dict[Feed, float] = {}  # per feed waiting in backoff: its next attempt
        self._feeds = list(feeds)
        self._callback = callback
        self._error_callback = error_callback
        self._status_callback = status_callback
        self._auth = auth
        self._release = release
        self._on_closed = on_closed
        self._state: SubscriptionState = CONNECTING
        self._announced = False  # the first state is reported too
        self._feed_state: dict[Feed, SubscriptionState] = {feed: CONNECTING for feed in self._feeds}
        self._last_error: TSError | None = None
        self._tasks: dict[Feed, asyncio.Task[None]] = {}
        self._snapshot_open: set[Feed] = set()
        self._closed = False
        self._stop = asyncio.Event()
        self._reconnect_lock = asyncio.Lock()
        for feed in self._feeds:
            feed.set_callback(callback)
            feed.set_error_callback(self._report)
            feed.set_status_callback(self._status_handler(feed))

    # -- what callers read --------------------------------------------------------------------
    @property
    def state(self) -> SubscriptionState:
        """connecting | live | reconnecting | disconnected | closed | failed"""
        return self._state

    @property
    def last_error(self) -> TSError | None:
        """The error that put the subscription in disconnected/reconnecting/failed (None when
        live or closed by the user)."""
        return self._last_error

    @property
    def retry_at(self) -> float | None:
        """time.monotonic() of the next automatic reconnect attempt while a feed waits in backoff
        (the earliest over the feeds), else None (live, or an attempt is under way)."""
        return min(self._retry_at.values()) if self._retry_at else None

    @property
    def last_message_at(self) -> float | None:
        """time.monotonic() of the newest data message on any of its feeds (None before)."""
        times = [f.last_message_at for f in self._feeds if f.last_message_at is not None]
        return max(times) if times else None

    @property
    def streams(self) -> list[Feed]:
        """The feeds (streams, or the balance poller) this subscription owns."""
        return list(self._feeds)

    def is_active(self) -> bool:
        """True while connecting, live or reconnecting by itself."""
        return self._state in (CONNECTING, LIVE, RECONNECTING)

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self._state} feeds={len(self._feeds)}>"

    # -- user actions -------------------------------------------------------------------------
    async def reconnect(self) -> None:
        """Close the current connection(s), open new request(s) and return once live.

        Works from live, disconnected, reconnecting and failed (a retry by the user). Raises the
        TSError that stopped a feed from coming back (with auto_reconnect the subscription then
        keeps retrying with backoff), or ClosedError after unsubscribe().
        """
        self._check_open()
        current = asyncio.current_task()
        if current is not None and current in self._tasks.values():
            raise TSError(
                "reconnect() cannot be awaited from inside this subscription's own callback; "
                "schedule it with asyncio.create_task(sub.reconnect())."
            )
        async with self._reconnect_lock:
            self._check_open()
            log.info("%s: reconnect requested", self.id)
            await self._stop_feeds()
            self._check_open()
            self._retry_at.clear()
            self._snapshot_open.clear()
            results = await self._start(CONNECTING)
            self._check_open()
            for error in results:
                if error is not None:
                    raise error

    async def unsubscribe(self) -> None:
        """Close the connection(s), free the stream slots and end for good (idempotent)."""
        await self._close(CLOSED)

    # -- internals ----------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise ClosedError(
                f"Subscription {self.id} ({self.description}) was unsubscribed or its client "
                "closed; subscribe again for a new one."
            )

    async def _close(self, final_state: SubscriptionState) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._retry_at.clear()
        try:
            await self._stop_feeds()
        finally:
            for feed in self._feeds:
                try:
                    if self._release is not None:
                        await self._release(feed)
                    else:
                        await feed.close()
                except Exception:  # pragma: no cover - closing must not fail the caller
                    log.exception("%s: closing feed %s failed", self.id, feed)
            if self._on_closed is not None:
                self._on_closed(self)
            self._last_error = None
            self._state = final_state
            log.info("%s: closed", self.id)
            await self._emit(final_state)

    async def _start(self, mode: SubscriptionState) -> list[TSError | None]:
        """Start one supervisor per feed; wait for each one's first attempt to settle."""
        loop = asyncio.get_running_loop()
        firsts: list[FirstAttempt] = []
        for feed in self._feeds:
            first = loop.create_future()
            self._tasks[feed] = loop.create_task(
                self._supervise(feed, first, mode), name=f"tsdash.api {self.id} {feed.id}"
            )
            firsts.append(first)
        return list(await asyncio.gather(*firsts))

    async def _stop_feeds(self) -> None:
        current = asyncio.current_task()
        tasks = [t for t in self._tasks.values() if t is not current and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for feed in self._feeds:
            await feed.disconnect()
        self._tasks = {f: t for f, t in self._tasks.items() if t is current}

    async def _emit(self, event: SubscriptionState | SnapshotEvent) -> None:
        callback = self._status_callback
        if callback is None:
            return
        try:
            await callback(self, event)
        except Exception:
            log.exception("%s: status callback failed on %r", self.id, event)

    async def _report(self, error: TSError) -> None:
        callback = self._error_callback
        if callback is None:
            return
        try:
            await callback(error)
        except Exception:
            log.exception("%s: error callback failed", self.id)

    async def _set_feed_state(self, feed: Feed, state: SubscriptionState,
                              error: TSError | None = None) -> None:
        if self._closed:
            return
        self._feed_state[feed] = state
        states = set(self._feed_state.values())
        new: SubscriptionState = LIVE
        for candidate in _PRECEDENCE:
            if candidate in states:
                new = candidate
                break
        if error is not None:
            self._last_error = error
        elif new == LIVE:
            self._last_error = None
        if new != self._state or not self._announced:
            self._announced = True
            self._state = new
            await self._emit(new)

    def _status_handler(self, feed: Feed) -> StreamStatusCallback:
        async def on_status(status: str) -> None:
            if status == "EndSnapshot" and self.snapshots:
                if feed in self._snapshot_open:
                    self._snapshot_open.discard(feed)
                    if not self._snapshot_open:
                        await self._emit(SNAPSHOT_END)

        return on_status

    async def _snapshot_begin(self, feed: Feed) -> None:
        restart = feed in self._snapshot_open or not self._snapshot_open
        self._snapshot_open.add(feed)
        if restart:
            await self._emit(SNAPSHOT_START)

    async def _open(self, feed: Feed) -> None:
        """Connect one feed with a valid token; on a 401 refresh once and retry once."""
        if feed.manages_auth:
            await feed.connect(None)
            return
        token = await self._auth.token()
        try:
            await feed.connect({"Authorization": f"Bearer {token}"})
            return
        except AuthError as err:
            if err.status != 401 or not self._auth.can_refresh:
                raise
        log.info("%s: HTTP 401 on %s; refreshing the access token and retrying once",
                 self.id, feed.id)
        token = await self._auth.refresh(token)
        try:
            await feed.connect({"Authorization": f"Bearer {token}"})
        except AuthError as err:
            if err.status != 401:
                raise
            raise AuthError(
                f"TradeStation rejected the access token again after refreshing it (HTTP 401) "
                f"for {feed.description}. {LOGIN_HINT}",
                status=401,
            ) from None

    async def _wait_stop(self, delay: float) -> bool:
        """Wait ``delay`` seconds unless the subscription is closed first (returns True)."""
        if self._closed:
            return True
        try:
            async with asyncio.timeout(delay):
                await self._stop.wait()
        except TimeoutError:
            pass
        return self._closed

    async def _supervise(self, feed: Feed, first: FirstAttempt, mode: SubscriptionState) -> None:
        try:
            await self._supervise_loop(feed, first, mode)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug, not a stream condition: do not die silently
            log.exception("%s: supervisor of %s crashed", self.id, feed.id)
            error = TSError(f"Internal error in {feed.description}: {type(exc).__name__}: {exc}")
            await self._report(error)
            await self._set_feed_state(feed, FAILED, error)
            _resolve(first, error)
        finally:
            if not first.done():
                first.set_result(
                    ClosedError(f"Subscription {self.id} was closed while connecting.")
                )

    async def _supervise_loop(self, feed: Feed, first: FirstAttempt,
                              mode: SubscriptionState) -> None:
        policy = self.backoff
        attempt = 0  # reconnects since the last healthy connection (or the start)
        goaways = 0  # of them, GoAways in a row
        state = mode
        while not self._closed:
            self._retry_at.pop(feed, None)  # an attempt is under way now
            await self._set_feed_state(feed, state)
            error: TSError | None
            try:
                await self._open(feed)
            except TSError as exc:
                if self._closed:
                    return
                error = exc
                goaways = 0
            else:
                await self._set_feed_state(feed, LIVE)
                live_at = time.monotonic()
                if self.snapshots:
                    await self._snapshot_begin(feed)
                _resolve(first, None)
                try:
                    await feed.run()
                    error = StreamConnectionError(f"{feed.description} ended.")
                except GoAway:
                    if self._closed:
                        return
                    if policy.is_healthy(time.monotonic() - live_at, feed.progress):
                        attempt = goaways = 0
                    delay = policy.goaway_delay(attempt)
                    attempt += 1
                    goaways += 1
                    state = RECONNECTING
                    if delay <= 0:
                        log.info("%s: GoAway on %s; opening a new request", self.id, feed.id)
                        continue
                    # the server keeps asking for new requests without staying up: back off
                    await feed.disconnect()
                    reason = StreamConnectionError(
                        f"TradeStation sent GoAway {goaways} time{'s' if goaways > 1 else ''} in "
                        f"a row on {feed.description}, each time before the stream had carried "
                        f"data for {policy.healthy_after:g} s; waiting before the next request."
                    )
                    log.warning("%s: %s Next request in %.2f s.", self.id, reason, delay)
                    self._retry_at[feed] = time.monotonic() + delay
                    await self._set_feed_state(feed, RECONNECTING, reason)
                    if await self._wait_stop(delay):
                        return
                    continue
                except TSError as exc:
                    if self._closed:
                        return
                    error = exc
                goaways = 0
                if policy.is_healthy(time.monotonic() - live_at, feed.progress):
                    attempt = 0
            # the connection could not be made or ended: decide what comes next
            if is_final(error):
                log.warning("%s: %s failed: %s", self.id, feed.id, error)
                await feed.disconnect()
                await self._report(error)
                await self._set_feed_state(feed, FAILED, error)
                _resolve(first, error)
                self._cancel_other_feeds()
                return
            log.warning("%s: %s disconnected: %s", self.id, feed.id, error)
            await self._report(error)
            if not self.auto_reconnect:
                await self._set_feed_state(feed, DISCONNECTED, error)
                _resolve(first, error)
                return
            retry_after = error.retry_after if isinstance(error, RateLimitError) else None
            delay = policy.delay(attempt, retry_after)
            attempt += 1
            self._retry_at[feed] = time.monotonic() + delay
            log.info("%s: reconnecting %s in %.2f s (attempt %d)", self.id, feed.id, delay,
                     attempt)
            await self._set_feed_state(feed, RECONNECTING, error)
            _resolve(first, error)
            if await self._wait_stop(delay):
                return
            state = RECONNECTING

    def _cancel_other_feeds(self) -> None:
        """A failed subscription is final: stop its other feeds too."""
        current = asyncio.current_task()
        for task in self._tasks.values():
            if task is not current and not task.done():
                task.cancel()


__all__ = ["Subscription", "SubscriptionState", "SnapshotEvent", "STATES", "SNAPSHOT_START",
           "SNAPSHOT_END", "as_async"]
