"""The dashboard's symbol details: each symbol's price format, fetched once, shared by the panels.

A panel asks :meth:`SymbolDetails.formatter` for a symbol's price formatter while it paints a
row. A symbol not known yet gives None (the panel paints with the old rule,
``formatting.price``) and is noted as wanted; the app's repaint timer sends the wanted symbols to
``client.market_data.get_symbol_details`` in one batched call, in a worker. When the details
arrive the panels that asked are told which symbols they are for, and mark only those rows
changed, so they are repainted once, with their own digits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsdash.api import TradeStationClient
    from tsdash.api.prices import PriceFormatter

log = logging.getLogger(__name__)

#: after a failed fetch, wait this long before asking again (the server may be down a while)
RETRY_AFTER = 30.0

Listener = Callable[[set[str]], None]


class SymbolDetails:
    """Symbol -> SymbolDetail and its price formatter; what is wanted; who to tell on arrival."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.details: dict[str, dict] = {}
        self._formatters: dict[str, PriceFormatter] = {}
        self._wanted: set[str] = set()
        self._asked: set[str] = set()  # fetched (or being fetched): not asked again
        self._listeners: list[Listener] = []
        self._clock = clock
        self._retry_at = 0.0
        self.fetching = False

    # -- what the panels use ----------------------------------------------------------------

    def formatter(self, symbol: str) -> PriceFormatter | None:
        """The symbol's price formatter, or None until its details are here (then it is
        wanted: the next fetch asks for it)."""
        found = self._formatters.get(symbol)
        if found is None and symbol and symbol not in self._asked:
            self._wanted.add(symbol)
        return found

    def listen(self, listener: Listener) -> None:
        """``listener(symbols)`` is called when details for ``symbols`` arrive."""
        self._listeners.append(listener)

    # -- what the app uses ------------------------------------------------------------------

    def due(self) -> bool:
        """Symbols are wanted and a fetch may start now."""
        return bool(self._wanted) and not self.fetching and self._clock() >= self._retry_at

    async def fetch(self, client: TradeStationClient) -> None:
        """Ask ``client`` for the wanted symbols (one batched call); on arrival tell the
        listeners. Never raises: a failure is logged and the symbols are asked for again
        later, meanwhile shown with the old rule."""
        symbols = sorted(self._wanted)
        if not symbols or self.fetching:
            return
        self.fetching = True
        self._wanted.difference_update(symbols)
        self._asked.update(symbols)
        try:
            found = await client.market_data.get_symbol_details(symbols)
        except Exception as exc:  # shown with the old rule meanwhile; never a crash
            log.warning("symbol details for %s: %s; asking again in %.0f s",
                        ", ".join(symbols[:5]), exc, RETRY_AFTER)
            self._asked.difference_update(symbols)
            self._wanted.update(symbols)
            self._retry_at = self._clock() + RETRY_AFTER
            return
        finally:
            self.fetching = False
        missing = [s for s in symbols if s not in found]
        if missing:
            log.info("no symbol details for %s: their prices keep the plain format",
                     ", ".join(missing[:10]))
        self.add(found)

    def add(self, found: dict[str, dict]) -> None:
        """File details (``{symbol: SymbolDetail}``) and tell the listeners which arrived."""
        from tsdash.api.prices import PriceFormatter  # with the first details, not at startup

        arrived: set[str] = set()
        for symbol, detail in found.items():
            if not isinstance(detail, dict):
                continue
            self.details[symbol] = detail
            self._formatters[symbol] = PriceFormatter(detail)
            self._asked.add(symbol)
            self._wanted.discard(symbol)
            arrived.add(symbol)
        if not arrived:
            return
        for listener in self._listeners:
            try:
                listener(arrived)
            except Exception:  # one panel's trouble must not keep the others stale
                log.exception("symbol details listener failed")


__all__ = ["RETRY_AFTER", "SymbolDetails"]
