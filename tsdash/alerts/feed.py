"""The alerts' own quote stream: the symbols the rules watch, whatever watchlist is on screen.

One quote subscription for every rule symbol, opened after the panels' streams so that, at the
stream limit, it is the one refused (and the alerts screen says so, while the rules on the
watchlist shown still get its quotes). Quotes go to ``on_quote`` (the rule book); nothing here
paints or notifies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tsdash.api import Subscription, TradeStationClient
    from tsdash.api.errors import TSError
    from tsdash.api.subscription import SnapshotEvent, SubscriptionState

log = logging.getLogger(__name__)


class FeedState(StrEnum):
    """Where the alerts' stream is."""

    OFF = "off"  # no rule, no stream
    OPENING = "opening"  # connecting or reconnecting
    LIVE = "live"
    REFUSED = "refused"  # not opened: the stream limit
    DOWN = "down"  # failed or disconnected: ``reason`` says why


class AlertFeed:
    """The quote stream of the rules' symbols, reopened when they change."""

    def __init__(self, on_quote: Callable[[Mapping[str, Any]], None],
                 on_lost: Callable[[str], None] | None = None) -> None:
        """``on_lost(reason)``: the stream, once live, went down (once per loss)."""
        self.on_quote = on_quote
        self.on_lost = on_lost
        self._was_live = False
        self.state = FeedState.OFF
        self.reason: str | None = None
        #: symbols TradeStation refused on this stream, and its reason
        self.refused: dict[str, str] = {}
        self.symbols: tuple[str, ...] = ()
        self.sub: Subscription | None = None
        self._generation = 0
        self._lock: asyncio.Lock | None = None  # made in the loop: watch() calls one at a time

    async def watch(self, client: TradeStationClient, symbols: Sequence[str]) -> None:
        """Stream ``symbols`` (closing the stream of the previous ones); none: no stream.
        Calls made while one is under way wait their turn; the last one wins."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            await self._watch(client, symbols)

    async def _watch(self, client: TradeStationClient, symbols: Sequence[str]) -> None:
        from tsdash.api import StreamError, StreamLimitError, TSError

        wanted = tuple(dict.fromkeys(symbols))
        if wanted == self.symbols and self.state in (FeedState.OPENING, FeedState.LIVE):
            return
        await self.close()
        self.symbols = wanted
        if not wanted:
            return
        self._generation += 1
        generation = self._generation
        self.state, self.reason = FeedState.OPENING, None

        async def data(message: dict[str, Any]) -> None:
            if generation != self._generation:
                return
            symbol = message.get("Symbol")  # (a refusal comes to error(), not here)
            if isinstance(symbol, str) and symbol.upper() in self.refused:
                del self.refused[symbol.upper()]
            self.on_quote(message)

        async def error(exc: TSError) -> None:
            if generation != self._generation:
                return
            if isinstance(exc, StreamError) and exc.symbol:
                self.refused[exc.symbol.upper()] = exc.error or str(exc)

        async def status(sub: Subscription, event: SubscriptionState | SnapshotEvent) -> None:
            if generation == self._generation:
                self._take(sub, str(event))

        try:
            sub = await client.market_data.stream_quotes(
                list(wanted), callback=data, error_callback=error, status_callback=status)
        except StreamLimitError as exc:
            if generation == self._generation:
                self.state = FeedState.REFUSED
                self.reason = (f"the stream limit is reached ({exc.limit} streams open): raise "
                               "[streams] max_concurrent_streams, or close a panel's stream")
            return
        except TSError as exc:
            if generation == self._generation:
                self.state, self.reason = FeedState.DOWN, str(exc)
            return
        if generation != self._generation:  # superseded while opening
            await sub.unsubscribe()
            return
        self.sub = sub
        self._take(sub, str(sub.state))

    def _take(self, sub: Subscription, event: str) -> None:
        error = sub.last_error
        if event == "live":
            self.state, self.reason = FeedState.LIVE, None
            self._was_live = True
        elif event in ("connecting", "reconnecting"):
            self.state = FeedState.OPENING
            if event == "reconnecting" and error is not None:
                self._lost(f"reconnecting after: {error}")
        elif event in ("disconnected", "failed"):
            self.state = FeedState.DOWN
            self.reason = f"its stream is {event}" + (f": {error}" if error else "")
            self._lost(self.reason)

    def _lost(self, reason: str) -> None:
        if self._was_live:
            self._was_live = False
            if self.on_lost is not None:
                self.on_lost(reason)

    def carries(self, symbol: str) -> bool:
        """Whether this stream is live and brings ``symbol``'s quotes (then it is the one the
        rules take them from: two streams replaying the same ticks must not fire twice)."""
        return (self.state is FeedState.LIVE and symbol in self.symbols
                and symbol not in self.refused)

    async def reconnect(self) -> None:
        """The reconnect-all key: a stream that is down or refused is tried again."""
        sub = self.sub
        if self.state is FeedState.REFUSED or sub is None:
            return
        if self.state is FeedState.DOWN:
            from tsdash.api import TSError

            try:
                await sub.reconnect()
            except TSError as exc:
                self.state, self.reason = FeedState.DOWN, str(exc)

    async def close(self) -> None:
        """Stop streaming (idempotent)."""
        self._generation += 1
        sub, self.sub = self.sub, None
        self.state, self.reason, self.refused = FeedState.OFF, None, {}
        self.symbols = ()
        self._was_live = False
        if sub is not None:
            await sub.unsubscribe()

    def why_unwatched(self, symbol: str) -> str | None:
        """Why this stream brings no quotes for ``symbol``; None when it does (or is opening)."""
        if symbol in self.refused:
            return f"{symbol} refused: {self.refused[symbol]}"
        if self.state in (FeedState.REFUSED, FeedState.DOWN):
            opened = "not open" if self.state is FeedState.REFUSED else "down"
            return f"alerts stream {opened}: {self.reason}"
        return None
