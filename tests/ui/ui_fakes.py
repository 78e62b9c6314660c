"""A stand-in for tsdash.api's client, for panel tests that need exact control of a stream.

It speaks the public API the UI uses (stream_* with callback / error_callback /
status_callback, Subscription.state / last_error / retry_at / reconnect / unsubscribe, stream_manager
counts) and lets a test push messages and state changes by hand. make_app and started run the
dashboard on it.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from ui_helpers import frozen_clock, wait_for

from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import Connection, Connector, EnvironmentLabel
from tsdash.ui.widgets.table import LiveTable

_ids = itertools.count(1)


class FakeSubscription:
    def __init__(self, client: FakeClient, kind: str, params: dict[str, Any],
                 callback, error_callback=None, status_callback=None) -> None:
        self.id = f"fake-{next(_ids)}"
        self.client = client
        self.kind = kind
        self.params = params
        self.callback = callback
        self.error_callback = error_callback
        self.status_callback = status_callback
        self.state = "connecting"
        self.last_error: Exception | None = None
        self.retry_at: float | None = None  # time.monotonic() of the next automatic try
        self.reconnects = 0

    def is_active(self) -> bool:
        return self.state in ("connecting", "live", "reconnecting")

    async def set_state(self, state: str, error: Exception | None = None,
                        retry_at: float | None = None) -> None:
        self.state = state
        self.retry_at = retry_at
        if error is not None:
            self.last_error = error
        elif state == "live":
            self.last_error = None
        if self.status_callback:
            await self.status_callback(self, state)

    async def push(self, *messages: dict[str, Any]) -> None:
        for msg in messages:
            await self.callback(msg)

    async def snapshot(self, *messages: dict[str, Any]) -> None:
        await self.status_callback(self, "snapshot_start")
        await self.push(*messages)
        await self.status_callback(self, "snapshot_end")

    async def reconnect(self) -> None:
        self.reconnects += 1
        if self.client.fail_reconnect:
            raise self.client.fail_reconnect
        await self.set_state("live")

    async def unsubscribe(self) -> None:
        if self.state != "closed":
            self.client.open.discard(self)
            await self.set_state("closed")


class _Service:
    def __init__(self, client: FakeClient) -> None:
        self.client = client

    async def _open(self, kind, callback, error_callback=None, status_callback=None, **params):
        sub = FakeSubscription(self.client, kind, params, callback, error_callback,
                               status_callback)
        self.client.subs.append(sub)
        self.client.open.add(sub)
        await sub.set_state("live")
        if self.client.hold_open is not None:  # live, but not yet returned to the caller
            await self.client.hold_open.wait()
        return sub


class _MarketData(_Service):
    async def stream_quotes(self, symbols, callback, error_callback=None, status_callback=None):
        return await self._open("quotes", callback, error_callback, status_callback,
                                symbols=list(symbols))

    async def stream_bars(self, symbol, interval="1", unit="Daily", barsback=None, callback=None,
                          error_callback=None, status_callback=None):
        return await self._open("bars", callback, error_callback, status_callback, symbol=symbol,
                                interval=interval, unit=unit, barsback=barsback)

    async def stream_time_and_sales(self, symbol, callback, error_callback=None,
                                    status_callback=None):
        return await self._open("tape", callback, error_callback, status_callback, symbol=symbol)

    async def get_symbol_details(self, symbols):
        """``client.symbol_details`` for the symbols it has (others are absent, as TradeStation
        answers an unknown symbol); waits for ``client.details_gate`` when a test set one."""
        client = self.client
        asked = list(symbols)
        client.details_calls.append(asked)
        if client.details_gate is not None:
            await client.details_gate.wait()
        if client.details_error is not None:
            raise client.details_error
        return {s: client.symbol_details[s] for s in asked if s in client.symbol_details}


class _Brokerage(_Service):
    async def stream_position_changes(self, callback, error_callback=None, status_callback=None,
                                      accounts=None):
        return await self._open("positions", callback, error_callback, status_callback)

    async def stream_balance_changes(self, callback, error_callback=None, status_callback=None,
                                     accounts=None, interval=5.0):
        return await self._open("balances", callback, error_callback, status_callback)


class _Orders(_Service):
    async def stream_order_updates(self, callback, error_callback=None, status_callback=None,
                                   accounts=None):
        return await self._open("orders", callback, error_callback, status_callback)


class _Manager:
    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.max_concurrent_streams = 10

    @property
    def active_count(self) -> int:
        return sum(1 for s in self.client.open if s.kind != "balances")

    @property
    def connected_count(self) -> int:
        return sum(1 for s in self.client.open if s.kind != "balances" and s.state == "live")


class FakeClient:
    def __init__(self) -> None:
        self.base_url = "http://fake.invalid/v3"
        self.subs: list[FakeSubscription] = []
        self.open: set[FakeSubscription] = set()
        self.fail_reconnect: Exception | None = None
        self.hold_open: asyncio.Event | None = None
        self.closed = False
        #: what get_symbol_details answers, the symbols each call asked for, an Event that
        #: holds the answer back until set, and an error to raise instead
        self.symbol_details: dict[str, dict[str, Any]] = {}
        self.details_calls: list[list[str]] = []
        self.details_gate: asyncio.Event | None = None
        self.details_error: Exception | None = None
        self.market_data = _MarketData(self)
        self.brokerage = _Brokerage(self)
        self.order_execution = _Orders(self)
        self.stream_manager = _Manager(self)

    def latest(self, kind: str) -> FakeSubscription:
        return [s for s in self.subs if s.kind == kind][-1]

    async def close(self) -> None:
        for sub in list(self.open):
            await sub.unsubscribe()
        self.closed = True


class FakeConnector(Connector):
    environment = "DEMO"

    def __init__(self) -> None:
        self.client = FakeClient()

    async def connect(self, settings):
        return Connection(self.client, EnvironmentLabel.DEMO)


KINDS = ("quotes", "bars", "tape", "orders", "positions", "balances")


def make_app(settings, **kwargs):
    connector = FakeConnector()
    app = TsdashApp(settings, connector=connector, clock=frozen_clock, **kwargs)
    return app, connector.client


async def started(pilot, client):
    await wait_for(pilot, lambda: {s.kind for s in client.open} >= set(KINDS), what="streams")
    app = pilot.app
    await wait_for(pilot, lambda: all(p.state == "live" for p in app.panels.values()),
                   what="live panels")


def cell_text(table: LiveTable, row: str, column: str) -> str:
    return table.get_cell(row, column).plain.strip()
