"""Helpers for the trading flow tests: the dashboard against a simulator over loopback, a
ticket opened and filled in by keys, and what the simulator's book holds afterwards.

The book is the truth these tests check: the orders a person placed from the dashboard (source
"user"; the simulator's demo trader places its own, "trader"), their type, prices in ticks
(cents for a stock), quantity and status, and the positions of each account.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from decimal import Decimal

import aiohttp
from ui_helpers import SEED, SIZE, frozen_clock, sim_app, wait_data, wait_for, wait_live

from tsdash.config import Settings, TradingSettings
from tsdash.sim import start_simulator
from tsdash.sim.book import MARGIN_ACCOUNT, Order
from tsdash.ui.connection import Connection, EnvironmentLabel, SimulatorConnector
from tsdash.ui.screens.order_ticket import OrderTicketScreen, TicketStage

ACCOUNT = MARGIN_ACCOUNT


def trading(path, *, environment: str = "demo", enabled: bool = False,
            max_order_value: float = 25000, max_quantity: float = 1000,
            orders_reconcile_s: float = 30) -> Settings:
    return Settings(path=path / "config.toml", environment=environment,
                    orders_reconcile_s=orders_reconcile_s,
                    trading=TradingSettings(enabled=enabled, max_order_value=max_order_value,
                                            max_quantity=max_quantity))


class LabelledSimConnector(SimulatorConnector):
    """The simulator dressed as TradeStation's SIM or LIVE environment: what the app decides
    from the label (the trading gate, the typed confirmation) is tested without an account."""

    def __init__(self, sim, label: EnvironmentLabel) -> None:
        super().__init__(sim)
        self.environment = label

    async def connect(self, settings: Settings) -> Connection:
        connection = await super().connect(settings)
        connection.environment = self.environment
        return connection


@asynccontextmanager
async def demo_dashboard(settings: Settings):
    """The demo (trading always on) against its fixed-clock simulator, every panel live."""
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        yield pilot, connector.sim


@asynccontextmanager
async def labelled_dashboard(settings: Settings, label: EnvironmentLabel):
    """The app against a fixed-clock simulator it did not start, labelled SIM or LIVE."""
    from tsdash.ui.app import TsdashApp

    sim = await start_simulator(port=0, seed=SEED, clock="fixed")
    try:
        app = TsdashApp(settings, connector=LabelledSimConnector(sim, label),
                        clock=frozen_clock, balance_interval=3600.0)
        async with app.run_test(size=SIZE) as pilot:
            await wait_live(pilot)
            await wait_data(pilot)
            assert app.environment == label
            yield pilot, sim
    finally:
        await sim.stop()


# -- the book --------------------------------------------------------------------------------

def user_orders(sim) -> list[Order]:
    """The orders placed by clients (the dashboard), not by the simulator's demo trader."""
    return [o for o in sim.engine.book.orders.values() if o.source == "user"]


def held(sim, symbol: str, account: str = ACCOUNT) -> int:
    position = sim.engine.book.accounts[account].positions.get(symbol)
    return position.quantity if position is not None else 0


def order_requests(sim) -> list[str]:
    """Every request the simulator saw on /orderexecution (previews included)."""
    return [f"{r.method} {r.path}" for r in sim.requests if "/orderexecution/" in r.path]


def cents(price: Decimal | str) -> int:
    """A stock price as the book keeps it (ticks of one cent)."""
    return int(Decimal(str(price)) * 100)


async def place_resting(sim, symbol: str = "MSFT", quantity: int = 10,
                        limit: str = "300.00", *, check: bool = True) -> tuple[str, bool]:
    """A buy limit order far below the market, placed straight at the simulator: its OrderID
    and whether it was accepted (``check``: it must be)."""
    body = {"AccountID": ACCOUNT, "Symbol": symbol, "Quantity": str(quantity),
            "OrderType": "Limit", "LimitPrice": limit, "TradeAction": "BUY",
            "TimeInForce": {"Duration": "GTC"}, "Route": "Intelligent"}
    async with aiohttp.ClientSession() as http, http.post(
            f"{sim.base_url}/orderexecution/orders", json=body,
            headers={"Authorization": f"Bearer {sim.issue_token()}"}) as resp:
        answer = await resp.json()
    assert resp.status == 200, answer
    accepted = "Errors" not in answer
    assert accepted or not check, answer
    return str((answer.get("Orders") or answer.get("Errors"))[0]["OrderID"]), accepted


async def use_up_buying_power(sim, draft: Order) -> set[str]:
    """Resting orders until the book would reject ``draft`` for buying power: their OrderIDs
    (the rejected tries among them)."""
    book = sim.engine.book
    placed: set[str] = set()
    for size in (100, 10, 1):
        while book.rejection(draft) is None:
            order_id, accepted = await place_resting(sim, "MSFT", size, "300.00", check=False)
            placed.add(order_id)
            if not accepted:
                break
    assert book.rejection(draft) is not None
    return placed


# -- driving the dashboard -------------------------------------------------------------------

async def highlight(pilot, panel_key: str, row_key: str) -> None:
    """Focus a panel's table and put its cursor on the row (as tab and the arrows would)."""
    app = pilot.app
    panel = app.panels[panel_key]
    await wait_for(pilot, lambda: row_key in panel.table.ordered_keys(),
                   what=f"row {row_key} in {panel_key}")
    panel.table.focus()
    await pilot.pause()
    panel.table.move_cursor(panel.table.ordered_keys().index(row_key))
    await pilot.pause()
    assert app.focused_panel() is panel and panel.table.cursor_row_key() == row_key


def position_key(app, symbol: str, account: str = ACCOUNT) -> str:
    rows = app.panels["positions"].model.rows
    return next(k for k, p in rows.items()
                if p.get("Symbol") == symbol and p.get("AccountID") == account)


async def open_ticket(pilot, key: str) -> OrderTicketScreen:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, OrderTicketScreen),
                   what=f"the ticket opened by {key}")
    ticket = app.screen
    assert isinstance(ticket, OrderTicketScreen)
    await pilot.pause()
    return ticket


async def retype(pilot, field, text: str) -> None:
    """Clear a ticket field and type ``text`` into it, key by key."""
    field.focus()
    await pilot.pause()
    if field.value == text:
        return
    await pilot.press("home", "ctrl+k")
    assert field.value == ""
    if text:
        await pilot.press(*[{"-": "minus", ".": "full_stop", " ": "space"}.get(c, c)
                            for c in text])
    assert field.value == text


async def choose(pilot, select, options: list, value) -> None:
    """Pick an option of a ticket Select with the keyboard: enter opens it, the arrows move
    from the current option to ``value`` (``options`` in their order), enter picks it."""
    select.focus()
    await pilot.pause()
    steps = options.index(value) - options.index(select.value)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()
    assert select.value == value


async def previewed(pilot, ticket: OrderTicketScreen) -> None:
    await wait_for(pilot, lambda: ticket.stage is TicketStage.PREVIEWED,
                   what=f"the preview (stage {ticket.stage}, problems "
                        f"{[str(p.render()) for p in ticket.problems.values()]})")


async def armed(pilot, ticket: OrderTicketScreen) -> None:
    await wait_for(pilot, ticket.can_send, what="Send enabled after the preview was seen")
    await pilot.pause()


def answer(ticket: OrderTicketScreen) -> str:
    return str(ticket.answer_box.render())


def problem(ticket: OrderTicketScreen, name: str) -> str:
    return str(ticket.query_one(f"#problem-{name}").render())


async def sent(pilot, ticket: OrderTicketScreen) -> None:
    await wait_for(pilot, lambda: ticket.stage in (TicketStage.SENT, TicketStage.REJECTED,
                                                  TicketStage.UNKNOWN),
                   what="the answer to the order")


async def preview_and_send(pilot, ticket: OrderTicketScreen) -> None:
    """Enter previews, the preview arms, enter sends; back once the answer is in."""
    await pilot.press("enter")
    await previewed(pilot, ticket)
    await armed(pilot, ticket)
    await pilot.press("enter")
    await sent(pilot, ticket)


async def no_more_requests(pilot, sim, before: int) -> None:
    """Give a stray request time to arrive, then check none did."""
    await pilot.pause(0.3)
    await asyncio.sleep(0)
    assert len(order_requests(sim)) == before, order_requests(sim)[before:]


# -- orders placed at the simulator, and frames the order stream drops ----------------------------

RESTING = {"AccountID": "SIM1234567M", "Symbol": "MSFT", "Quantity": "10", "OrderType": "Limit",
           "LimitPrice": "1.00", "TradeAction": "BUY", "TimeInForce": {"Duration": "GTC"},
           "Route": "Intelligent"}


async def place(http: aiohttp.ClientSession, sim, body: dict) -> str:
    """An order placed straight at the simulator (not through the app): its OrderID."""
    async with http.post(f"{sim.base_url}/orderexecution/orders", json=body,
                         headers={"Authorization": f"Bearer {sim.issue_token()}"}) as resp:
        answer = await resp.json()
    assert resp.status == 200 and "Errors" not in answer, answer
    return answer["Orders"][0]["OrderID"]


async def to_market(http: aiohttp.ClientSession, sim, order_id: str) -> None:
    """Replace a resting limit order with a market order: it fills at once."""
    async with http.put(f"{sim.base_url}/orderexecution/orders/{order_id}",
                        json={"OrderType": "Market"},
                        headers={"Authorization": f"Bearer {sim.issue_token()}"}) as resp:
        assert resp.status == 200, await resp.text()


def status_of(app, order_id: str) -> str | None:
    return app.panels["orders"].model.rows.get(order_id, {}).get("Status")


async def drop_frames_then_trade(pilot, sim) -> tuple[str, str]:
    """A resting order the stream shows working; then, with order frames dropped, a new resting
    order and a fill of the first: (the new order, the filled one)."""
    app = pilot.app
    async with aiohttp.ClientSession() as http:
        filled = await place(http, sim, RESTING)
        await wait_for(pilot, lambda: status_of(app, filled) == "OPN",
                       what="the resting order on the stream")
        fault = sim.faults.drop_order_frames()
        hidden = await place(http, sim, RESTING)
        await to_market(http, sim, filled)
    truth = {o["OrderID"]: o["Status"] for o in await app.client.brokerage.get_orders()}
    assert (truth[hidden], truth[filled]) == ("OPN", "FLL")
    assert fault.fired >= 3, "the new order's frames and the fill went missing on the stream"
    return hidden, filled
