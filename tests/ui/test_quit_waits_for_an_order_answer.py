"""Quitting while an order request is on its way is refused until its answer is shown: the
order may be placed either way, and the trader must see which."""

from __future__ import annotations

import asyncio

from trading_pilot import (
    armed,
    demo_dashboard,
    highlight,
    open_ticket,
    previewed,
    retype,
    sent,
    trading,
    user_orders,
)
from ui_helpers import wait_for

from tsdash.ui.screens.order_ticket import TicketStage


class HeldAtTheServer:
    """The client's gateway, except that placing waits until the test lets it go on."""

    def __init__(self, real) -> None:
        self.real = real
        self.release = asyncio.Event()

    async def confirm_order(self, order):
        return await self.real.confirm_order(order)

    async def place_order(self, order):
        await self.release.wait()
        return await self.real.place_order(order)

    async def replace_order(self, order_id, changes):
        return await self.real.replace_order(order_id, changes)

    async def cancel_order(self, order_id):
        return await self.real.cancel_order(order_id)


async def test_quit_waits_until_the_order_is_answered(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        held = HeldAtTheServer(ticket.gateway)
        ticket.gateway = held
        await retype(pilot, ticket.quantity, "3")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        await armed(pilot, ticket)
        await pilot.press("enter")
        await wait_for(pilot, lambda: ticket.stage is TicketStage.SENDING, what="sending")
        await app.run_action("quit")
        await pilot.pause()
        assert app.is_running and app.screen is ticket
        assert any(n.title == "Not quitting yet" for n in app.notices)
        await pilot.press("escape")  # nor does the ticket close while sending
        assert app.screen is ticket
        held.release.set()
        await sent(pilot, ticket)
        assert ticket.stage is TicketStage.SENT
        assert [o.quantity for o in user_orders(sim)] == [3]
        assert not app.order_in_flight()
