"""Choosing an order's or a position's row charts its symbol, as choosing a quote row does:
the bars and time & sales follow it, and the quotes panel marks it (fake client)."""

from __future__ import annotations

from ui_fakes import make_app, started
from ui_helpers import wait_for


def following(app, client, symbol: str) -> bool:
    return (client.latest("bars").params["symbol"] == symbol
            and client.latest("tape").params["symbol"] == symbol
            and app.bars_panel.symbol == symbol and app.tape_panel.symbol == symbol)


async def test_enter_on_a_position_and_a_click_on_an_order_chart_their_symbols(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        watchlist = list(app.quotes_panel.model.symbols)
        held, ordered = watchlist[2], "IBM"  # one in the watchlist, one not
        assert app.bars_panel.symbol not in (held, ordered)
        await client.latest("positions").snapshot(
            {"PositionID": "p1", "Symbol": watchlist[1], "Quantity": "1"},
            {"PositionID": "p2", "Symbol": held, "Quantity": "2"})
        await client.latest("orders").snapshot(
            {"OrderID": "1", "Status": "OPN", "OpenedDateTime": "2026-11-25T14:00:00Z",
             "Legs": [{"Symbol": ordered, "BuyOrSell": "Buy", "QuantityOrdered": "10",
                       "ExecQuantity": "0"}]})
        app.tick()
        await pilot.pause()

        positions = app.panels["positions"].table
        positions.focus()
        await pilot.press("down", "enter")  # the second position
        await wait_for(pilot, lambda: following(app, client, held), what="bars/tape on p2")
        assert app.quotes_panel.selected == held  # the quote row is marked, as a click does

        orders = app.panels["orders"].table
        assert await pilot.click(orders, offset=(3, 1))  # the order's row
        await wait_for(pilot, lambda: following(app, client, ordered),
                       what="bars/tape on the order's symbol")
        assert app.quotes_panel.selected == ordered


async def test_a_balances_row_charts_nothing(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        symbol = app.bars_panel.symbol
        bars = client.latest("bars")
        await client.latest("balances").push({"AccountID": "A1", "CashBalance": "1000"})
        app.tick()
        await pilot.pause()
        table = app.panels["balances"].table
        assert await pilot.click(table, offset=(3, 1))
        await pilot.press("enter")
        await pilot.pause()
        assert table.cursor_row_key() == "A1"
        assert app.bars_panel.symbol == symbol and client.latest("bars") is bars
