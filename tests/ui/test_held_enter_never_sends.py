"""A held enter key previews but never sends: Send arms only once the keys have been quiet for
the arm delay with the preview on screen, so the order goes out on a press made after the
trader saw what it will do."""

from __future__ import annotations

from trading_pilot import (
    demo_dashboard,
    highlight,
    open_ticket,
    order_requests,
    previewed,
    retype,
    sent,
    trading,
    user_orders,
)
from ui_helpers import wait_for

from tsdash.ui.screens.order_ticket import OrderTicketScreen

#: a terminal's key repeat: one enter every 30 ms
REPEAT = 0.03
#: long beside the repeat, so a loaded machine's slow turn between two presses never arms Send
ARM_DELAY = 1.0


async def test_holding_enter_previews_without_sending(tmp_path, monkeypatch):
    monkeypatch.setattr(OrderTicketScreen, "ARM_DELAY", ARM_DELAY)
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        await retype(pilot, ticket.limit, "400.00")
        await retype(pilot, ticket.quantity, "2")
        before = len(order_requests(sim))
        for _ in range(round(1.5 * ARM_DELAY / REPEAT)):  # held for well over the arm delay
            await pilot.press("enter")
            await pilot.pause(REPEAT)
            assert not ticket.can_send()
        await previewed(pilot, ticket)
        assert ticket.sends == 0 and not user_orders(sim)
        assert "orderexecution/orders" not in " ".join(order_requests(sim)[before:])
        # let go: the preview stays on screen, and Send arms (and takes the focus)
        await wait_for(pilot, ticket.can_send, what="Send armed once the keys were quiet")
        assert ticket.send_button.has_focus
        await pilot.press("enter")  # a new press: now it sends, once
        await sent(pilot, ticket)
        assert ticket.sends == 1 and [o.quantity for o in user_orders(sim)] == [2]
