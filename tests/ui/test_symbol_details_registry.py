"""The dashboard's symbol-details registry (tsdash/ui/symbols.py): a symbol painted without a
format is wanted, fetched once in one call, its listeners told; a failed call is logged and
retried later, never raised; a symbol TradeStation does not know is not asked for again."""

from __future__ import annotations

import logging

from tsdash.api import StreamConnectionError
from tsdash.ui.symbols import RETRY_AFTER, SymbolDetails

BOND = {"Symbol": "@US", "PriceFormat": {"Format": "Fraction", "Fraction": "32"}}


class Client:
    """Just ``client.market_data.get_symbol_details``, answering from ``known``."""

    def __init__(self, known: dict[str, dict], error: Exception | None = None) -> None:
        self.known = known
        self.error = error
        self.calls: list[list[str]] = []
        self.market_data = self

    async def get_symbol_details(self, symbols: list[str]) -> dict[str, dict]:
        self.calls.append(list(symbols))
        if self.error is not None:
            raise self.error
        return {s: self.known[s] for s in symbols if s in self.known}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_wanted_symbols_are_fetched_once_and_listeners_told():
    registry = SymbolDetails()
    told: list[set[str]] = []
    registry.listen(told.append)
    assert not registry.due()
    assert registry.formatter("@US") is None and registry.formatter("NOSUCH") is None
    assert registry.formatter("") is None  # a row without a symbol wants nothing
    assert registry.due()
    client = Client({"@US": BOND})
    await registry.fetch(client)
    assert client.calls == [["@US", "NOSUCH"]]  # one call for all of them
    assert told == [{"@US"}]
    formatter = registry.formatter("@US")
    assert formatter is not None and formatter(117.5) == "117'16"
    # neither the known nor the unknown symbol is wanted again
    assert registry.formatter("NOSUCH") is None and not registry.due()
    await registry.fetch(client)
    assert len(client.calls) == 1


async def test_a_failure_is_logged_and_retried_later(caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.ui.symbols")
    clock = Clock()
    registry = SymbolDetails(clock=clock)
    registry.formatter("@US")
    client = Client({"@US": BOND}, error=StreamConnectionError("no network"))
    await registry.fetch(client)  # does not raise
    assert any("no network" in r.getMessage() for r in caplog.records)
    assert registry.formatter("@US") is None
    assert not registry.due()  # not at once: the server may be down a while
    clock.now += RETRY_AFTER
    assert registry.due()
    client.error = None
    await registry.fetch(client)
    assert registry.formatter("@US") is not None


async def test_a_listener_that_fails_does_not_stop_the_others(caplog):
    caplog.set_level(logging.ERROR, logger="tsdash.ui.symbols")
    registry = SymbolDetails()
    told: list[set[str]] = []

    def broken(symbols: set[str]) -> None:
        raise RuntimeError("boom")

    registry.listen(broken)
    registry.listen(told.append)
    registry.add({"@US": BOND, "ODD": "not a dict"})  # type: ignore[dict-item]
    assert told == [{"@US"}]
    assert registry.formatter("ODD") is None
