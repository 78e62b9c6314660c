"""Market data: quote, bar and time-and-sales streams, the quote snapshot and symbol details."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import HTTPStatusError
from .seams import (DataCallback, ErrorCallback, JSONObject, ServiceClient, StatusCallback,
                    StreamSpec, SubscriptionKind, SubscriptionRequest, Transport)
from .streams import MARKET_DATA_MEDIA_TYPE
from .subscription import as_async
from .urls import path_segment

if TYPE_CHECKING:  # pragma: no cover
    from .subscription import Subscription

log = logging.getLogger("tsdash.api.market_data")

#: TradeStation serves at most this many symbols on one quote stream
MAX_SYMBOLS_PER_STREAM = 100
#: TradeStation answers at most this many symbols per symbol-details request
MAX_SYMBOLS_PER_DETAILS = 50

def normalize_symbols(symbols: str | Iterable[str]) -> list[str]:
    """A list of symbols from a list or a comma-separated string, in order, without repeats."""
    if isinstance(symbols, str):
        items = symbols.split(",")
    else:
        items = list(symbols)
    seen: dict[str, None] = {}
    for item in items:
        symbol = str(item).strip()
        if symbol:
            seen.setdefault(symbol, None)
    if not seen:
        raise ValueError("at least one symbol is required")
    return list(seen)


def _describe_symbols(symbols: list[str]) -> str:
    if len(symbols) <= 3:
        return ", ".join(symbols)
    return f"{', '.join(symbols[:3])} (+{len(symbols) - 3} more)"


def _to_float(value: object) -> float | None:
    if not isinstance(value, (str, int, float)):
        return None
    try:
        result = float(value)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


class TimeAndSales:
    """Derives prints from quote messages (TradeStation v3 has no trade stream).

    Each quote message that carries ``TradeTime`` with ``Last`` is one print:
    ``{"Symbol", "Price", "Size", "Time", "Side"}``. Price is ``Last`` and Time is ``TradeTime``
    as sent; Size is ``LastSize`` as sent, else the change in ``Volume`` since the previous
    message for the symbol (as a string), else None. Side compares the price with the latest
    known ask/bid for the symbol (merged from the deltas, this message included): "buy" at or
    above the ask, "sell" at or below the bid, else "unknown".
    """

    __slots__ = ("callback", "_state")

    def __init__(self, callback: DataCallback) -> None:
        self.callback = as_async(callback)
        self._state: dict[str, list[float | None]] = {}  # symbol -> [bid, ask, volume]

    async def __call__(self, msg: JSONObject) -> None:
        symbol = msg.get("Symbol")
        if symbol is None:
            return
        state = self._state.get(symbol)
        if state is None:
            state = self._state[symbol] = [None, None, None]
        bid = msg.get("Bid")
        if bid is not None:
            state[0] = _to_float(bid)
        ask = msg.get("Ask")
        if ask is not None:
            state[1] = _to_float(ask)
        previous_volume = state[2]
        volume = msg.get("Volume")
        if volume is not None:
            state[2] = _to_float(volume)
        if "TradeTime" not in msg or "Last" not in msg:
            return
        last = msg["Last"]
        size = msg.get("LastSize")
        if size is None and previous_volume is not None and volume is not None \
                and state[2] is not None:
            change = state[2] - previous_volume
            size = str(int(change)) if change == int(change) else str(change)
        price = _to_float(last)
        side = "unknown"
        if price is not None:
            if state[1] is not None and price >= state[1]:
                side = "buy"
            elif state[0] is not None and price <= state[0]:
                side = "sell"
        await self.callback(
            {"Symbol": symbol, "Price": last, "Size": size, "Time": msg["TradeTime"],
             "Side": side}
        )


class MarketDataService:
    """``client.market_data``."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client
        # symbol details never change while a client lives: each symbol is asked for once.
        # None marks a symbol TradeStation answered with an error (unknown, not entitled).
        self._details: dict[str, JSONObject | None] = {}
        self._details_lock: asyncio.Lock | None = None

    async def get_symbol_details(self, symbols: str | Iterable[str]) -> dict[str, JSONObject]:
        """``{symbol: SymbolDetail}`` as TradeStation sends it (REST ``GET
        marketdata/symbols/{symbols}``), asked for in batches of 50 and cached per client.

        A symbol TradeStation does not know is absent and its ``Errors`` entry is logged; so
        are the symbols of a batch refused whole (HTTP 400 or 404: a symbol it cannot read).
        The call raises for transport, auth, rate-limit and server failures (as
        :meth:`TradeStationClient.request`).
        """
        try:
            wanted = normalize_symbols(symbols)
        except ValueError:
            return {}
        if self._details_lock is None:
            self._details_lock = asyncio.Lock()
        async with self._details_lock:  # a second caller waits and then finds them cached
            missing = [s for s in wanted if s not in self._details]
            for i in range(0, len(missing), MAX_SYMBOLS_PER_DETAILS):
                await self._fetch_details(missing[i:i + MAX_SYMBOLS_PER_DETAILS])
        return {s: d for s in wanted if (d := self._details.get(s)) is not None}

    async def _fetch_details(self, group: list[str]) -> None:
        """One request for ``group``; a batch refused whole (400 or 404: a symbol the server
        cannot read) is asked for again one symbol at a time, so one bad symbol does not cost
        the others their details."""
        try:
            data = await self._client.request(
                "GET", f"marketdata/symbols/{path_segment(','.join(group))}",
                what=f"the symbol details for {_describe_symbols(group)}",
            )
        except HTTPStatusError as error:
            if error.status not in (400, 404):
                raise
            if len(group) > 1:
                log.warning("symbol details refused for a batch (%s); asking one by one", error)
                for symbol in group:
                    await self._fetch_details([symbol])
                return
            log.warning("symbol details refused: %s", error)
            self._details[group[0]] = None  # not asked again: the server cannot read it
            return
        self._store_details(group, data)

    def _store_details(self, group: list[str], data: object) -> None:
        """File one answer's details and errors under the symbols as they were asked for
        (TradeStation may answer ``aapl`` as ``AAPL``)."""
        if not isinstance(data, dict):
            log.warning("symbol details: the answer for %s is not a SymbolDetailsResponse; "
                        "they will be asked for again", _describe_symbols(group))
            return
        found: dict[str, JSONObject | None] = {}
        for detail in data.get("Symbols") or []:
            if isinstance(detail, dict) and isinstance(detail.get("Symbol"), str):
                found[detail["Symbol"].upper()] = detail
        for error in data.get("Errors") or []:
            symbol = error.get("Symbol") if isinstance(error, dict) else None
            log.warning("symbol details error: %r", error)
            if isinstance(symbol, str):
                found.setdefault(symbol.upper(), None)
        for symbol in group:
            key = symbol.upper()
            if key in found:
                self._details[symbol] = found[key]
            else:
                log.warning("symbol details: TradeStation did not answer for %r; it will be "
                            "asked for again", symbol)

    async def get_quotes(self, symbols: str | Iterable[str]) -> list[JSONObject]:
        """Quote snapshots (REST ``GET marketdata/quotes/{symbols}``), 100 symbols per call.

        Returns the ``Quotes`` dicts as sent; per-symbol ``Errors`` are left out (logged).
        """
        wanted = normalize_symbols(symbols)
        quotes: list[JSONObject] = []
        for i in range(0, len(wanted), MAX_SYMBOLS_PER_STREAM):
            group = wanted[i:i + MAX_SYMBOLS_PER_STREAM]
            data = await self._client.request(
                "GET", f"marketdata/quotes/{path_segment(','.join(group))}",
                what=f"the quotes for {_describe_symbols(group)}",
            )
            if isinstance(data, dict):
                quotes.extend(data.get("Quotes") or [])
                for error in data.get("Errors") or []:
                    log.warning("quote snapshot error: %s", error)
            elif isinstance(data, list):
                quotes.extend(data)
        return quotes

    def _quote_specs(self, symbols: list[str], sub_kind: str,
                     transport: Transport | str) -> list[StreamSpec]:
        client = self._client
        specs: list[StreamSpec] = []
        groups = [symbols[i:i + MAX_SYMBOLS_PER_STREAM]
                  for i in range(0, len(symbols), MAX_SYMBOLS_PER_STREAM)]
        for n, group in enumerate(groups, 1):
            part = f" (stream {n} of {len(groups)})" if len(groups) > 1 else ""
            description = f"the quote stream for {_describe_symbols(group)}{part}"
            if transport == Transport.HTTP:
                specs.append({
                    "url": client.url(f"marketdata/stream/quotes/{path_segment(','.join(group))}"),
                    "transport": Transport.HTTP,
                    "accept": MARKET_DATA_MEDIA_TYPE,
                    "description": description,
                })
            else:
                specs.append({
                    "url": client.url("ws"),
                    "transport": Transport.WS,
                    "subscribe_message": {"action": "subscribe", "id": f"{sub_kind}{n}",
                                          "stream": "quotes", "symbols": group},
                    "unsubscribe_message": {"action": "unsubscribe", "id": f"{sub_kind}{n}"},
                    "description": description + " (WebSocket)",
                })
        return specs

    async def stream_quotes(
        self,
        symbols: str | Iterable[str],
        callback: DataCallback,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        *,
        transport: Transport | str = Transport.HTTP,
    ) -> Subscription:
        """Stream quote updates (a full quote first per symbol, then deltas) to ``callback``.

        More than 100 symbols use ceil(n/100) streams; StreamLimitError (before any is opened)
        if the StreamManager has too few free slots. ``transport="ws"`` uses the WebSocket
        endpoint (``{base_url}/ws``, the simulator's) instead of TradeStation's HTTP stream.
        """
        client = self._client
        client.check_open()
        wanted = normalize_symbols(symbols)
        request = SubscriptionRequest(SubscriptionKind.QUOTES,
                                      f"quotes for {_describe_symbols(wanted)}",
                                      callback, error_callback, status_callback)
        return await client.subscribe_streams(self._quote_specs(wanted, "q", transport), request)

    async def stream_bars(
        self,
        symbol: str,
        interval: str | int = "1",
        unit: str = "Daily",
        barsback: int | None = None,
        callback: DataCallback | None = None,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        *,
        sessiontemplate: str | None = None,
        transport: Transport | str = Transport.HTTP,
    ) -> Subscription:
        """Stream bars for one symbol: ``barsback`` historical bars first, then live updates
        (the forming bar is re-sent until it closes)."""
        client = self._client
        client.check_open()
        if callback is None:
            raise TypeError("stream_bars() needs callback= (an async function taking one bar)")
        symbol = str(symbol).strip()
        if not symbol:
            raise ValueError("a symbol is required")
        params: dict[str, str] = {"interval": str(interval), "unit": str(unit)}
        if barsback is not None:
            params["barsback"] = str(int(barsback))
        if sessiontemplate:
            params["sessiontemplate"] = sessiontemplate
        description = f"the {interval} {unit} bar stream for {symbol}"
        spec: StreamSpec
        if transport == Transport.HTTP:
            spec = {
                "url": client.url(f"marketdata/stream/barcharts/{path_segment(symbol)}"),
                "transport": Transport.HTTP, "params": params, "accept": MARKET_DATA_MEDIA_TYPE,
                "description": description,
            }
        else:
            message: JSONObject = {"action": "subscribe", "id": "b1", "stream": "barcharts",
                                       "symbol": symbol, "interval": str(interval), "unit": unit}
            if barsback is not None:
                message["barsback"] = int(barsback)
            spec = {
                "url": client.url("ws"), "transport": Transport.WS, "subscribe_message": message,
                "unsubscribe_message": {"action": "unsubscribe", "id": "b1"},
                "description": description + " (WebSocket)",
            }
        request = SubscriptionRequest(SubscriptionKind.BARS, f"{interval} {unit} bars for {symbol}",
                                      callback, error_callback, status_callback)
        return await client.subscribe_streams([spec], request)

    async def stream_time_and_sales(
        self,
        symbol: str,
        callback: DataCallback,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        *,
        transport: Transport | str = Transport.HTTP,
    ) -> Subscription:
        """Stream prints derived from the quote stream (see :class:`TimeAndSales`):
        one dict ``{"Symbol", "Price", "Size", "Time", "Side"}`` per print."""
        client = self._client
        client.check_open()
        symbols = normalize_symbols([symbol])
        request = SubscriptionRequest(
            SubscriptionKind.TIMESALES, f"time and sales for {_describe_symbols(symbols)}",
            TimeAndSales(callback), error_callback, status_callback)
        return await client.subscribe_streams(self._quote_specs(symbols, "t", transport), request)


__all__ = ["MarketDataService", "TimeAndSales", "normalize_symbols", "MAX_SYMBOLS_PER_STREAM",
           "MAX_SYMBOLS_PER_DETAILS"]
