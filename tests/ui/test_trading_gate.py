"""Who may trade: with trading off (the default outside the demo) every order key says how to
turn it on and nothing opens or reaches the server; turned on, the keys open the ticket; live,
Send waits for the symbol typed exactly, then sends once. The simulator plays TradeStation's
SIM and LIVE environments here (only the label differs)."""

from __future__ import annotations

from trading_pilot import (
    answer,
    highlight,
    labelled_dashboard,
    no_more_requests,
    open_ticket,
    order_requests,
    place_resting,
    position_key,
    previewed,
    problem,
    retype,
    sent,
    trading,
    user_orders,
)
from ui_helpers import wait_for

from tsdash.ui.connection import EnvironmentLabel
from tsdash.ui.screens.order_ticket import TicketStage

#: each order key, and the panel row it acts on
KEYS = (("b", "quotes"), ("s", "quotes"), ("x", "positions"), ("e", "orders"), ("c", "orders"))


async def rows(pilot, sim) -> dict[str, str]:
    """A row to press each key on: a quote, a position, a resting order."""
    order_id, _ = await place_resting(sim, "MSFT", 10, "300.00")
    return {"quotes": "MSFT", "positions": position_key(pilot.app, "MSFT"), "orders": order_id}


async def test_trading_off_in_sim_every_order_key_says_how_to_turn_it_on(tmp_path):
    settings = trading(tmp_path, environment="sim", enabled=False)
    async with labelled_dashboard(settings, EnvironmentLabel.SIM) as (pilot, sim):
        app = pilot.app
        row = await rows(pilot, sim)
        await wait_for(pilot, lambda: row["orders"] in app.panels["orders"].model.rows)
        before, orders = len(order_requests(sim)), len(sim.engine.book.orders)
        dashboard = app.screen
        for key, panel in KEYS:
            app.notices.clear()
            await highlight(pilot, panel, row[panel])
            await pilot.press(key)
            await pilot.pause(0.2)
            assert app.screen is dashboard, f"{key} opened {app.screen}"
            [notice] = list(app.notices)
            assert notice.title == "Trading is off", key
            assert "enabled = true" in notice.message and "[trading]" in notice.message
            assert str(settings.path) in notice.message
        await no_more_requests(pilot, sim, before)
        assert len(sim.engine.book.orders) == orders
        assert all(o.status == "OPN" for o in user_orders(sim))


async def test_trading_on_in_sim_the_keys_open_the_ticket(tmp_path):
    """The control of the test above: the same keys with ``enabled = true``."""
    settings = trading(tmp_path, environment="sim", enabled=True)
    async with labelled_dashboard(settings, EnvironmentLabel.SIM) as (pilot, sim):
        app = pilot.app
        row = await rows(pilot, sim)
        await wait_for(pilot, lambda: row["orders"] in app.panels["orders"].model.rows)
        for key, panel in KEYS:
            await highlight(pilot, panel, row[panel])
            await pilot.press(key)
            await wait_for(pilot, lambda: len(app.screen_stack) > 1,
                           what=f"{key} opening its screen")
            assert not any(n.title == "Trading is off" for n in app.notices)
            await pilot.press("escape")
            await wait_for(pilot, lambda: len(app.screen_stack) == 1)


async def test_live_send_waits_for_the_symbol_typed_exactly(tmp_path, quick_arm):
    settings = trading(tmp_path, environment="live", enabled=True)
    async with labelled_dashboard(settings, EnvironmentLabel.LIVE) as (pilot, sim):
        app = pilot.app
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        assert ticket.context.live and "LIVE" in str(ticket.children[0].border_title)
        assert ticket.typed_symbol.display and ticket.query_one("#row-typed_symbol").display
        await retype(pilot, ticket.limit, "400.00")
        await retype(pilot, ticket.quantity, "2")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        assert app.focused is ticket.typed_symbol
        assert "LIVE" in str(ticket.preview_box.render())
        await pilot.pause(0.3)  # well past the arm delay
        before = len(order_requests(sim))
        assert ticket.send_button.disabled
        await pilot.press("enter")  # nothing typed
        await pilot.click("#ticket-send")
        for wrong in ("MSF", "MSFTX", "AAPL", "MS FT"):
            await retype(pilot, ticket.typed_symbol, wrong)
            assert ticket.send_button.disabled, wrong
            assert "type MSFT exactly" in problem(ticket, "typed_symbol"), wrong
            await pilot.press("enter")
            await pilot.click("#ticket-send")
        await no_more_requests(pilot, sim, before)
        assert ticket.sends == 0 and not user_orders(sim)
        assert ticket.stage is TicketStage.PREVIEWED
        await retype(pilot, ticket.typed_symbol, "MSFT")
        assert not ticket.send_button.disabled and problem(ticket, "typed_symbol") == ""
        await pilot.press("enter", "enter", "enter")
        await sent(pilot, ticket)
        await no_more_requests(pilot, sim, before + 1)
        assert ticket.sends == 1
        [order] = user_orders(sim)
        assert (order.symbol, order.quantity, order.limit, order.status) == (
            "MSFT", 2, 40000, "OPN")
        assert f"Order {order.order_id}" in answer(ticket)
