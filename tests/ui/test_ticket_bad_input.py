"""Bad input wherever a person types in a ticket (zero, negative, letters, a price off the
increment, a quantity over ``[trading] max_quantity``, an order over max_order_value, an expired
or malformed GTD date): the message beside the field, no preview, nothing sent to the server,
no traceback; fixing the field lets the preview through."""

from __future__ import annotations

from trading_pilot import (
    choose,
    demo_dashboard,
    highlight,
    open_ticket,
    order_requests,
    place_resting,
    previewed,
    problem,
    retype,
    trading,
    user_orders,
)
from ui_helpers import wait_for

from tsdash.ui.screens.order_ticket import OrderTicketScreen, TicketStage
from tsdash.ui.ticket import Duration, OrderType

#: (field, what is typed, the #problem-<field> it shows in, words of the message)
NEW_TICKET = (
    ("quantity", "0", "quantity", "whole number above 0"),
    ("quantity", "-5", "quantity", "whole number above 0"),
    ("quantity", "ten", "quantity", "whole number above 0"),
    ("quantity", "2.5", "quantity", "steps of 1"),
    ("quantity", "5000", "quantity", "max_quantity"),
    ("quantity", "900", "ticket", "max_order_value"),  # 900 MSFT is far over $25,000
    ("limit", "0", "limit_price", "above 0"),
    ("limit", "-416.45", "limit_price", "above 0"),
    ("limit", "abc", "limit_price", "not a price of MSFT"),
    ("limit", "416.455", "limit_price", "0.01"),
    ("limit", "", "limit_price", "enter a limit price"),
)


async def refused(pilot, ticket: OrderTicketScreen, sim, slot: str, words: str,
                  typed: str, *, click: bool = False) -> None:
    before = len(order_requests(sim))
    await pilot.press("enter")  # enter in the field asks for the preview
    if click:
        await pilot.click("#ticket-preview-button")  # and so does the button
    await pilot.pause(0.05)
    shown = problem(ticket, slot)
    assert words in shown, f"{typed!r}: {shown!r}"
    assert ticket.stage is TicketStage.EDITING and ticket.previewed is None, typed
    assert ticket.send_button.disabled, typed
    assert len(order_requests(sim)) == before, f"{typed!r} reached the server"
    assert pilot.app.is_running and pilot.app.screen is ticket


async def test_bad_input_in_a_new_ticket_is_refused_beside_its_field(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        good = {"quantity": "10", "limit": ticket.limit.value}
        for name, typed, slot, words in NEW_TICKET:
            for other, value in good.items():
                if other != name:
                    await retype(pilot, getattr(ticket, other), value)
            await retype(pilot, getattr(ticket, name), typed)
            await refused(pilot, ticket, sim, slot, words, typed, click=typed == "0")
        # stop prices: letters, and a sell stop above the market
        await choose(pilot, ticket.type_select, list(OrderType), OrderType.STOP_MARKET)
        await retype(pilot, ticket.quantity, "10")
        for typed, words in (("abc", "not a price of MSFT"), ("0", "above 0"),
                             ("1.00", "a buy stop must be above the market")):
            await retype(pilot, ticket.stop, typed)
            await refused(pilot, ticket, sim, "stop_price", words, typed)
        await choose(pilot, ticket.type_select, list(OrderType), OrderType.LIMIT)
        # GTD: an expired date, a date that is not one, none at all
        await choose(pilot, ticket.duration_select, list(Duration), Duration.GTD)
        assert ticket.query_one("#row-expiration").display
        for typed, words in (("2020-01-01", "has passed"), ("2026-13-45", "is not a date"),
                             ("tomorrow", "is not a date"), ("", "enter the date")):
            await retype(pilot, ticket.expiration, typed)
            await refused(pilot, ticket, sim, "expiration", words, typed)
        assert not user_orders(sim)
        assert order_requests(sim) == []
        # mended, the same ticket previews
        await choose(pilot, ticket.duration_select, list(Duration), Duration.DAY)
        await retype(pilot, ticket.limit, good["limit"])
        await retype(pilot, ticket.quantity, "10")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        assert all(problem(ticket, name) == "" for name in ticket.problems)


async def test_bad_input_in_a_replace_ticket_is_refused_beside_its_field(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        order_id, _ = await place_resting(sim, "MSFT", 10, "300.00")
        await highlight(pilot, "orders", order_id)
        ticket = await open_ticket(pilot, "e")
        for name, typed, slot, words in (
                ("quantity", "0", "quantity", "whole number above 0"),
                ("quantity", "-3", "quantity", "whole number above 0"),
                ("quantity", "x", "quantity", "whole number above 0"),
                ("quantity", "5000", "quantity", "max_quantity"),
                ("limit", "abc", "limit_price", "not a price of MSFT"),
                ("limit", "300.001", "limit_price", "0.01"),
                ("limit", "300.00", "quantity", "change the quantity or a price first")):
            await retype(pilot, ticket.quantity, "10")
            await retype(pilot, ticket.limit, "300.00")
            await retype(pilot, getattr(ticket, name), typed)
            await refused(pilot, ticket, sim, slot, words, typed)
        requests = order_requests(sim)
        assert not any(r.startswith("PUT") for r in requests)
        [order] = user_orders(sim)
        assert (order.quantity, order.limit, order.status) == (10, 30000, "OPN")
        await wait_for(pilot, lambda: app.screen is ticket)
