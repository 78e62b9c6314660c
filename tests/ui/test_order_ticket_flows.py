"""Every order flow of the dashboard, driven by keys and clicks against the simulator over
loopback (the demo: trading always on), checked in the simulator's book afterwards: buy limit,
sell stop, close a position, replace, cancel (and keep), a buying-power rejection (in the
preview and on send), Send refused until the preview has been seen, a second Enter or click
never sending twice, and an unknown outcome reconciled."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from trading_pilot import (
    ACCOUNT,
    answer,
    armed,
    cents,
    choose,
    demo_dashboard,
    held,
    highlight,
    no_more_requests,
    open_ticket,
    order_requests,
    place_resting,
    position_key,
    preview_and_send,
    previewed,
    problem,
    retype,
    sent,
    trading,
    use_up_buying_power,
    user_orders,
)
from ui_helpers import wait_for

from tsdash.api import OrderOutcomeUnknown
from tsdash.ui.screens.cancel_order import CancelOrderScreen
from tsdash.ui.screens.order_ticket import OrderTicketScreen, TicketStage
from tsdash.ui.ticket import OrderType, TradeAction

PLACE = "POST /v3/orderexecution/orders"
CONFIRM = "POST /v3/orderexecution/orderconfirm"


def places(sim) -> int:
    return order_requests(sim).count(PLACE)


async def test_buy_limit_at_the_ask_is_placed_once_as_previewed_and_its_status_follows(
        tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        start = held(sim, "MSFT")
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        ask = Decimal(str(app.panels["quotes"].model.get("MSFT")["Ask"]))
        assert ticket.context.symbol == "MSFT"
        assert ticket.action_select.value == TradeAction.BUY
        assert ticket.type_select.value == OrderType.LIMIT
        assert Decimal(ticket.limit.value) == ask  # a buy starts at the ask
        assert app.focused is ticket.quantity
        await pilot.press("1", "0", "enter")
        await previewed(pilot, ticket)
        shown = str(ticket.preview_box.render())
        for label in ("Estimated cost", "Commission", "Buying power"):
            assert label in shown, shown
        assert order_requests(sim) == [CONFIRM] and not user_orders(sim)  # a preview places nothing
        await armed(pilot, ticket)
        assert app.focused is ticket.send_button
        await pilot.press("enter")
        await sent(pilot, ticket)
        assert ticket.stage is TicketStage.SENT and ticket.sends == 1
        [order] = user_orders(sim)
        assert (order.account_id, order.symbol, order.action, order.order_type, order.quantity,
                order.limit, order.duration) == (ACCOUNT, "MSFT", "BUY", "Limit", 10, cents(ask),
                                                 "DAY")
        assert order.status == "FLL" and held(sim, "MSFT") == start + 10  # at the ask: filled
        assert f"Order {order.order_id}" in answer(ticket)
        await wait_for(pilot, lambda: "Filled" in answer(ticket),
                       what="the status from the orders stream in the answer")
        assert places(sim) == 1
        await pilot.press("escape")  # the answer stays as a notice once the ticket is closed
        await wait_for(pilot, lambda: not isinstance(app.screen, OrderTicketScreen))
        assert any(n.title == f"Order {order.order_id}" for n in app.notices)


async def test_send_is_refused_until_the_preview_has_been_on_screen(tmp_path, monkeypatch):
    """A held enter (or a fast double click) right after the preview sends nothing; once the
    arm delay has passed, enter sends."""
    monkeypatch.setattr(OrderTicketScreen, "ARM_DELAY", 3.0)
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        await retype(pilot, ticket.quantity, "5")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        loop = asyncio.get_running_loop()
        shown_at = loop.time()
        await pilot.press(*["enter"] * 5)
        await pilot.click("#ticket-send")
        await pilot.click("#ticket-send")
        ticket.action_send()
        assert loop.time() - shown_at < OrderTicketScreen.ARM_DELAY, "too slow to test the delay"
        assert ticket.send_button.disabled and ticket.sends == 0
        assert ticket.stage is TicketStage.PREVIEWED
        await no_more_requests(pilot, sim, len(order_requests(sim)))
        assert places(sim) == 0 and not user_orders(sim)
        await armed(pilot, ticket)
        await pilot.press("enter")
        await sent(pilot, ticket)
        assert places(sim) == 1 and len(user_orders(sim)) == 1


async def test_a_second_enter_or_click_never_sends_twice(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        await retype(pilot, ticket.limit, "400.00")  # below the market: it rests
        await retype(pilot, ticket.quantity, "3")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        await armed(pilot, ticket)
        await pilot.press(*["enter"] * 10)  # a key repeat on Send
        await sent(pilot, ticket)
        await pilot.press(*["enter"] * 5)  # and on, after the answer came
        await no_more_requests(pilot, sim, len(order_requests(sim)))
        assert ticket.sends == 1 and places(sim) == 1 and len(user_orders(sim)) == 1
        assert app.screen is ticket, "a repeated enter took the answer off the screen"
        assert ticket.answer_box.has_focus
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, OrderTicketScreen))

        await highlight(pilot, "quotes", "MSFT")
        again = await open_ticket(pilot, "b")
        await retype(pilot, again.limit, "401.00")
        await retype(pilot, again.quantity, "4")
        await pilot.click("#ticket-preview-button")
        await previewed(pilot, again)
        await armed(pilot, again)
        await pilot.click("#ticket-send")
        await pilot.click("#ticket-send")  # a double click
        again.action_send()  # and a third press in the same instant
        await sent(pilot, again)
        await no_more_requests(pilot, sim, len(order_requests(sim)))
        assert again.sends == 1 and places(sim) == 2
        orders = sorted(user_orders(sim), key=lambda o: int(o.order_id))
        assert [(o.quantity, o.limit, o.status) for o in orders] == [
            (3, 40000, "OPN"), (4, 40100, "OPN")]


async def test_sell_stop_below_the_market(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "s")
        bid = Decimal(str(app.panels["quotes"].model.get("MSFT")["Bid"]))
        assert ticket.action_select.value == TradeAction.SELL  # MSFT is held long
        await choose(pilot, ticket.type_select, list(OrderType), OrderType.STOP_MARKET)
        assert ticket.query_one("#row-stop_price").display
        stop = bid - 5
        await retype(pilot, ticket.stop, f"{stop:.2f}")
        await retype(pilot, ticket.quantity, "5")
        await preview_and_send(pilot, ticket)
        [order] = user_orders(sim)
        assert (order.action, order.order_type, order.quantity, order.stop, order.limit,
                order.status) == ("SELL", "StopMarket", 5, cents(stop), None, "OPN")
        status = app.panels["orders"].status_text
        await wait_for(pilot, lambda: status(order.order_id) is not None
                       and str(status(order.order_id)) in answer(ticket),
                       what="the stream's status in the answer")


async def test_x_closes_the_whole_position_on_the_other_side(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        quantity = held(sim, "MSFT")
        assert quantity > 0
        key = position_key(app, "MSFT")
        await highlight(pilot, "positions", key)
        ticket = await open_ticket(pilot, "x")
        assert ticket.action_select.value == TradeAction.SELL
        assert ticket.quantity.value == str(quantity)
        assert ticket.type_select.value == OrderType.MARKET
        await preview_and_send(pilot, ticket)
        [order] = user_orders(sim)
        assert (order.action, order.order_type, order.quantity, order.status) == (
            "SELL", "Market", quantity, "FLL")
        assert held(sim, "MSFT") == 0
        await wait_for(pilot, lambda: key not in app.panels["positions"].model.rows,
                       what="the closed position gone from the panel")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, OrderTicketScreen))

        short = held(sim, "TSLA")  # a short position is bought back
        assert short < 0
        await highlight(pilot, "positions", position_key(app, "TSLA"))
        ticket = await open_ticket(pilot, "x")
        assert ticket.action_select.value == TradeAction.BUYTOCOVER
        assert ticket.quantity.value == str(-short)
        await preview_and_send(pilot, ticket)
        [cover] = [o for o in user_orders(sim) if o.symbol == "TSLA"]
        assert (cover.action, cover.order_type, cover.quantity, cover.status) == (
            "BUYTOCOVER", "Market", -short, "FLL")
        assert held(sim, "TSLA") == 0


async def test_e_replaces_a_resting_limit_order(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        order_id, _ = await place_resting(sim, "MSFT", 10, "300.00")
        await highlight(pilot, "orders", order_id)
        ticket = await open_ticket(pilot, "e")
        assert (ticket.quantity.value, ticket.limit.value) == ("10", "300.00")
        await retype(pilot, ticket.quantity, "12")
        await retype(pilot, ticket.limit, "305.50")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        assert "300.00 → 305.50" in str(ticket.preview_box.render())
        await armed(pilot, ticket)
        await pilot.press("enter")
        await sent(pilot, ticket)
        assert order_requests(sim)[-1] == f"PUT /v3/orderexecution/orders/{order_id}"
        [order] = user_orders(sim)
        assert (order.order_id, order.quantity, order.limit, order.status) == (
            order_id, 12, 30550, "OPN")
        await wait_for(pilot, lambda: app.panels["orders"].model.rows[order_id]["LimitPrice"]
                       in ("305.5", "305.50"), what="the replaced order on the stream")


async def test_c_then_y_cancels_and_n_or_escape_keeps_the_order(tmp_path):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        kept, _ = await place_resting(sim, "MSFT", 10, "300.00")
        for key in ("n", "escape", "enter"):  # the focus starts on "Keep it"
            await highlight(pilot, "orders", kept)
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, CancelOrderScreen))
            prompt = app.screen
            assert isinstance(prompt, CancelOrderScreen) and prompt.order_id == kept
            await pilot.press(key)
            await wait_for(pilot, lambda: not isinstance(app.screen, CancelOrderScreen),
                           what=f"{key} closing the prompt")
            assert prompt.sends == 0
        await no_more_requests(pilot, sim, len(order_requests(sim)))
        assert not any(r.startswith("DELETE") for r in order_requests(sim))
        assert sim.engine.book.orders[kept].status == "OPN"

        await highlight(pilot, "orders", kept)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelOrderScreen))
        prompt = app.screen
        await pilot.press("y", "y", "y")
        await wait_for(pilot, lambda: prompt.outcome is not None, what="the cancel's answer")
        assert prompt.sends == 1
        assert sim.engine.book.orders[kept].status == "CAN"
        assert order_requests(sim).count(f"DELETE /v3/orderexecution/orders/{kept}") == 1
        assert kept in str(prompt.answer.render())
        await wait_for(pilot, lambda: app.panels["orders"].model.rows[kept]["Status"] == "CAN",
                       what="the cancel on the orders stream")


async def test_a_buy_beyond_buying_power_is_refused_in_the_preview(tmp_path, quick_arm):
    settings = trading(tmp_path, max_order_value=1e9, max_quantity=1e6)
    async with demo_dashboard(settings) as (pilot, sim):
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        await retype(pilot, ticket.quantity, "100000")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Not previewed" in problem(ticket, "ticket"),
                       what="the refusal under the fields")
        assert "buying power" in problem(ticket, "ticket").lower()
        assert ticket.stage is TicketStage.EDITING and ticket.send_button.disabled
        await pilot.press("enter")  # another try: refused again, still nothing placed
        await pilot.pause(0.2)
        await no_more_requests(pilot, sim, len(order_requests(sim)))
        assert places(sim) == 0 and not user_orders(sim)


async def test_a_rejection_on_send_shows_the_reason_and_nothing_works(tmp_path, quick_arm):
    """The buying power went elsewhere between the preview and Send: TradeStation's reason
    stays on the ticket, and the order is rejected in the book (nothing filled or working)."""
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        book = sim.engine.book
        start = held(sim, "MSFT")
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        await retype(pilot, ticket.quantity, "50")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        limit = cents(ticket.limit.value)
        draft = book.draft_order(ACCOUNT, "MSFT", "BUY", 50, "Limit", "DAY", limit)
        others = await use_up_buying_power(sim, draft)
        await armed(pilot, ticket)
        await pilot.press("enter")
        await sent(pilot, ticket)
        assert ticket.stage is TicketStage.REJECTED
        assert "Rejected" in answer(ticket) and "buying power" in answer(ticket).lower()
        [order] = [o for o in user_orders(sim) if o.order_id not in others]
        assert (order.quantity, order.status, order.filled) == (50, "REJ", 0)
        assert held(sim, "MSFT") == start
        assert any(n.title == "Order rejected" for n in pilot.app.notices)


class LostAfterSending:
    """The client's gateway, except that the connection is lost once the order was sent: the
    order is in the book, the app cannot know it."""

    def __init__(self, real) -> None:
        self.real = real

    async def confirm_order(self, order):
        return await self.real.confirm_order(order)

    async def place_order(self, order):
        await self.real.place_order(order)
        raise OrderOutcomeUnknown("the connection was lost after the order was sent; check "
                                  "the orders panel")

    async def replace_order(self, order_id, changes):
        return await self.real.replace_order(order_id, changes)

    async def cancel_order(self, order_id):
        return await self.real.cancel_order(order_id)


async def test_an_unknown_outcome_says_so_and_reconciles_the_orders(tmp_path, quick_arm,
                                                                     monkeypatch):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        reconciles = []
        real_reconcile = app.reconcile_orders

        def reconcile(now: bool = True) -> None:
            reconciles.append(now)
            real_reconcile(now)

        monkeypatch.setattr(app, "reconcile_orders", reconcile)
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        ticket.gateway = LostAfterSending(ticket.gateway)
        await retype(pilot, ticket.limit, "400.00")
        await retype(pilot, ticket.quantity, "7")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        await armed(pilot, ticket)
        sim.faults.drop_order_frames()  # only REST can tell the app about this order
        await pilot.press("enter")
        await sent(pilot, ticket)
        assert ticket.stage is TicketStage.UNKNOWN
        assert "Outcome unknown" in answer(ticket)
        assert reconciles == [True]
        [order] = user_orders(sim)
        await wait_for(pilot, lambda: order.order_id in app.panels["orders"].model.rows,
                       what="the order found by reconciling")
        await wait_for(pilot, lambda: f"reached TradeStation: order {order.order_id}"
                       in answer(ticket), what="the ticket naming the order it found")
        assert any(n.title == "Order outcome unknown" for n in app.notices)
        assert ticket.sends == 1 and places(sim) == 1
