"""Order changes and lost streams notify in the running dashboard, against the simulator over
loopback: a fill sent from the ticket (the demo tells only its own orders, not the demo
trader's), the trader's rejections and cancels in SIM, a fill the stream dropped found by REST,
a fill made while the orders stream was down told after the reconnect, each once; a panel's
lost stream once per loss; nothing for an event ``[notifications] events`` leaves out."""

from __future__ import annotations

import json

import aiohttp
from trading_pilot import (
    LabelledSimConnector,
    choose,
    demo_dashboard,
    drop_frames_then_trade,
    highlight,
    labelled_dashboard,
    open_ticket,
    place_resting,
    preview_and_send,
    retype,
    status_of,
    to_market,
    trading,
    user_orders,
)
from ui_helpers import SEED, SIZE, advance, frozen_clock, wait_for, wait_quiet

from tsdash import locations
from tsdash.sim import start_simulator
from tsdash.ui.connection import EnvironmentLabel
from tsdash.ui.screens.order_ticket import TicketStage
from tsdash.ui.ticket import OrderType


def journal(kind: str | None = None) -> list[dict]:
    """The lines of this test's alert journal (of one kind when given)."""
    path = locations.alerts_journal_file()
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [line for line in lines if kind is None or line["kind"] == kind]


def toasts(app, title: str) -> list[str]:
    return [n.message for n in app.notices if n.title == title]


async def buy_at_market(pilot, sim, symbol: str = "MSFT", quantity: str = "5") -> str:
    """A market buy sent from the ticket (it fills at once): its OrderID."""
    await highlight(pilot, "quotes", symbol)
    ticket = await open_ticket(pilot, "b")
    await choose(pilot, ticket.type_select, list(OrderType), OrderType.MARKET)
    await retype(pilot, ticket.quantity, quantity)
    await preview_and_send(pilot, ticket)
    assert ticket.stage is TicketStage.SENT
    await pilot.press("escape")
    [order] = user_orders(sim)
    return order.order_id


async def step_until(pilot, sim, condition, steps: int, chunk: int = 10) -> None:
    """Move the market ``chunk`` steps at a time until ``condition`` holds (at most ``steps``)."""
    for _ in range(0, steps, chunk):
        if condition():
            return
        sim.advance(chunk)
        await wait_quiet(pilot, polls=3)
    assert condition(), f"not within {steps} steps"


# -- 1. the demo: the dashboard's own fill, not the demo trader's ------------------------------

async def test_a_market_buy_from_the_ticket_notifies_its_fill_once(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        order_id = await buy_at_market(pilot, sim, "MSFT", "5")
        [order] = user_orders(sim)
        assert order.status == "FLL"
        await wait_for(pilot, lambda: journal("fill"), what="the fill's journal line")
        [line] = journal("fill")
        price = app.orders_panel.model.rows[order_id]["FilledPrice"]
        assert line["symbol"] == "MSFT" and line["order_id"] == order_id
        assert line["text"] == f"Filled: Buy 5 MSFT at {price} (order {order_id})"
        assert toasts(app, "Fill") == [line["text"]]
        # the demo trader keeps trading (fills among them): none of it is told
        trader_fills = sum(o.status == "FLL" for o in sim.engine.book.orders.values())
        await advance(pilot, sim, 40)
        assert sum(o.status == "FLL" for o in sim.engine.book.orders.values()) > trader_fills
        assert journal() == [line] and toasts(app, "Fill") == [line["text"]]


# -- 2. SIM: every order of the accounts, the demo trader's rejections and cancels -------------

async def test_in_sim_the_traders_rejections_and_cancels_notify(tmp_path):
    async with labelled_dashboard(trading(tmp_path), EnvironmentLabel.SIM) as (pilot, sim):
        app = pilot.app
        book = sim.engine.book
        await step_until(pilot, sim, lambda: journal("reject") and journal("cancel"), 300)
        await wait_quiet(pilot)
        [reject] = journal("reject")
        rejected = book.orders[reject["order_id"]]
        assert rejected.source == "trader" and rejected.status == "REJ"
        # the simulator sends TradeStation's RejectReason: the line carries it as the reason
        assert rejected.reject_reason and reject["reason"] == rejected.reject_reason
        assert reject["symbol"] == rejected.symbol and rejected.reject_reason in reject["text"]
        assert reject["text"] in toasts(app, "Order rejected")
        cancel = journal("cancel")[0]
        cancelled = book.orders[cancel["order_id"]]
        assert cancelled.source == "trader" and cancelled.status == "CAN"
        assert cancel["text"].startswith("Cancelled: ") and cancel["symbol"] == cancelled.symbol
        assert cancel["text"] in toasts(app, "Order cancelled")
        # each change once, however long the market goes on
        sim.advance(30)
        await wait_quiet(pilot)
        told = [(line["kind"], line["order_id"]) for line in journal() if "order_id" in line]
        assert len(told) == len(set(told)), told
        assert ("reject", rejected.order_id) in told and ("cancel", cancelled.order_id) in told


# -- 3. a fill the stream dropped, found by REST -----------------------------------------------

async def test_a_fill_found_by_rest_reconciliation_notifies_once(tmp_path):
    """The timer's first pass is an hour away: ``reconcile_orders()`` is the only REST read.
    Once told, neither a second read nor a reconnect's snapshot tells it again."""
    settings = trading(tmp_path, orders_reconcile_s=3600)
    async with labelled_dashboard(settings, EnvironmentLabel.SIM) as (pilot, sim):
        app = pilot.app
        hidden, filled = await drop_frames_then_trade(pilot, sim)
        await pilot.pause(0.3)
        assert status_of(app, filled) == "OPN" and journal("fill") == []
        app.reconcile_orders()
        await wait_for(pilot, lambda: journal("fill"), what="the fill found by REST")
        [line] = journal("fill")
        assert line["order_id"] == filled and line["symbol"] == "MSFT"
        assert line["text"].startswith("Filled: Buy 10 MSFT at ") and toasts(app, "Fill")
        assert status_of(app, hidden) == "OPN"  # found too, but a working order is no news
        before = len(app.notices)
        app.reconcile_orders()
        await wait_for(pilot, lambda: app.orders_reconcile_worker.is_finished,
                       what="the second reconciliation")
        await pilot.pause(0.2)
        assert journal("fill") == [line] and journal("cancel") == journal("reject") == []
        # nor does the snapshot of a reconnect of the orders stream
        panel = app.orders_panel
        snapshots = panel.model.snapshots
        panel.focus_target.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.state == "live" and panel.model.snapshots > snapshots,
                       what="the orders stream reconnected, its snapshot in")
        await wait_quiet(pilot)
        assert journal("fill") == [line] and len(app.notices) == before


# -- 4. a fill made while the orders stream was down, in the reconnect's snapshot ---------------

async def test_a_fill_while_the_orders_stream_was_down_notifies_after_the_reconnect(tmp_path):
    async with labelled_dashboard(trading(tmp_path), EnvironmentLabel.SIM) as (pilot, sim):
        app = pilot.app
        panel = app.orders_panel
        first, _ = await place_resting(sim, "MSFT", 10, "300.00")
        second, _ = await place_resting(sim, "MSFT", 20, "300.00")
        await wait_for(pilot, lambda: status_of(app, first) == status_of(app, second) == "OPN",
                       what="both resting orders on the stream")
        sim.faults.drop_mid_object(stream="orders")  # the next frame (the fill) half-sent
        async with aiohttp.ClientSession() as http:
            await to_market(http, sim, first)
            await wait_for(pilot, lambda: panel.state == "disconnected",
                           what="the orders stream lost")
            await to_market(http, sim, second)  # while it is down
        assert status_of(app, first) == status_of(app, second) == "OPN"
        assert journal("fill") == []
        panel.focus_target.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.state == "live"
                       and status_of(app, first) == status_of(app, second) == "FLL",
                       what="the snapshot after the reconnect")
        await wait_for(pilot, lambda: len(journal("fill")) == 2, what="both fills told")
        await wait_quiet(pilot)
        assert sorted(line["order_id"] for line in journal("fill")) == sorted([first, second])
        # the orders known before (the day so far, the demo trader's opening orders) told nothing
        orders_told = [line for line in journal() if "order_id" in line]
        assert len(orders_told) == 2, orders_told


# -- 5. a lost stream: once per loss ----------------------------------------------------------

async def test_a_lost_stream_is_told_once_per_loss(tmp_path):
    """``auto_reconnect`` is false (the default): the dropped chart stays down until r."""
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        panel = app.bars_panel
        assert not app.settings.auto_reconnect
        sim.faults.drop_mid_object(stream="barcharts")
        sim.advance(1)
        await wait_for(pilot, lambda: journal("stream"), what="the lost chart told")
        [line] = journal("stream")
        assert line["panel"] == "bars" and line["symbol"] == panel.symbol
        assert line["text"].startswith("Bars stream lost: ")
        assert line["text"] in toasts(app, "Stream lost")
        # refused while it tries again (reconnecting, then down again): the same loss
        sim.faults.server_error(times=1000, status=503, stream="barcharts")
        panel.focus_target.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.state in ("disconnected", "failed")
                       and panel.error is not None and "503" in panel.error,
                       what="the reconnect refused")
        await pilot.pause(0.3)
        assert journal("stream") == [line]
        # live again, then lost again: told again
        sim.faults.clear()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.state == "live", what="the chart live again")
        assert journal("stream") == [line]
        sim.faults.drop_mid_object(stream="barcharts")
        sim.advance(1)
        await wait_for(pilot, lambda: len(journal("stream")) == 2, what="the second loss")
        await pilot.pause(0.3)
        assert [x["panel"] for x in journal("stream")] == ["bars", "bars"]
        assert all(p.state == "live" for p in app.panels.values() if p is not panel)


async def test_a_panel_that_never_went_live_does_not_notify(tmp_path):
    from tsdash.ui.app import TsdashApp

    sim = await start_simulator(port=0, seed=SEED, clock="fixed")
    sim.faults.server_error(times=1000, status=503, stream="barcharts")
    try:
        app = TsdashApp(trading(tmp_path), connector=LabelledSimConnector(sim,
                                                                          EnvironmentLabel.SIM),
                        clock=frozen_clock, balance_interval=3600.0)
        async with app.run_test(size=SIZE) as pilot:
            panel = app.bars_panel
            await wait_for(pilot, lambda: panel.state in ("disconnected", "failed"),
                           timeout=10, what="the chart refused")
            await wait_for(pilot, lambda: app.orders_panel.state == "live", what="orders live")
            await pilot.pause(0.3)
            assert journal("stream") == [] and toasts(app, "Stream lost") == []
            # the control: once it was live, losing it is told
            sim.faults.clear()
            panel.focus_target.focus()
            await pilot.press("r")
            await wait_for(pilot, lambda: panel.state == "live", what="the chart live")
            sim.faults.drop_mid_object(stream="barcharts")
            sim.advance(1)
            await wait_for(pilot, lambda: journal("stream"), what="the loss told")
            assert [x["panel"] for x in journal("stream")] == ["bars"]
    finally:
        await sim.stop()


# -- 6. [notifications] events leaves fills out -----------------------------------------------

async def test_a_fill_left_out_of_the_events_is_not_told(tmp_path, quick_arm):
    settings = trading(tmp_path)
    settings.notifications.events = ["alert"]
    async with demo_dashboard(settings) as (pilot, sim):
        app = pilot.app
        order_id = await buy_at_market(pilot, sim, "MSFT", "5")
        await wait_for(pilot, lambda: status_of(app, order_id) == "FLL", what="the fill")
        assert order_id in app.orders_panel.events.only
        await pilot.pause(0.3)
        assert journal() == [] and toasts(app, "Fill") == []
        assert toasts(app, f"Order {order_id}")  # the send's own answer is still a notice
