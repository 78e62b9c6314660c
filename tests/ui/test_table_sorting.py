"""Sorting a LiveTable: by the panel's key, by a clicked header (again reverses), with the
direction shown in the header and the cursor following its row."""

from __future__ import annotations

from table_app import TableApp, screen_rows
from ui_fakes import FakeConnector
from ui_helpers import frozen_clock

from tsdash.ui.app import TsdashApp
from tsdash.ui.widgets.table import ColumnSpec, LiveTable


async def test_sort_rows_orders_by_the_key_and_a_focused_cursor_follows_its_row():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(4)
        table.focus()
        await pilot.press("down")
        assert table.cursor_row_key() == "r1"
        table.sort_rows(lambda key: int(key[1:]), reverse=True)
        assert table.ordered_keys() == ["r3", "r2", "r1", "r0"]
        assert table.cursor_row_key() == "r1" and table.cursor_row == 2
        await pilot.pause()
        assert [row[0] for row in screen_rows(table)[1:5]] == ["r3", "r2", "r1", "r0"]


async def test_an_unfocused_table_keeps_its_cursor_on_the_top_row():
    app = TableApp()
    async with app.run_test(size=(40, 10)):
        table = app.table
        app.add_rows(4)
        table.sort_rows(lambda key: int(key[1:]), reverse=True)
        assert table.cursor_row == 0 and table.cursor_row_key() == "r3"


async def test_a_header_click_posts_the_column_and_the_indicator_shows_the_direction():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(2)
        await pilot.click(table, offset=(10, 0))  # the Value header
        assert [type(m) for m in app.messages] == [LiveTable.HeaderSelected]
        assert app.messages[0].column == "value" and app.messages[0].table is table
        table.set_sort_indicator("value", reverse=True)
        await pilot.pause()
        assert table.render_line(0).text.rstrip() == " Name     ↓Value"
        table.set_sort_indicator("name", reverse=False)
        await pilot.pause()
        assert table.render_line(0).text.rstrip() == " Name↑     Value"


async def test_quotes_header_clicks_sort_and_show_the_arrow(settings):
    connector = FakeConnector()
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        from ui_helpers import wait_for
        quotes = app.quotes_panel
        await wait_for(pilot, lambda: quotes.state == "live", what="quotes live")
        symbols = list(quotes.model.symbols)
        await connector.client.latest("quotes").push(
            *({"Symbol": s, "Last": str(100 + i)} for i, s in enumerate(symbols)))
        app.tick()
        await pilot.pause()
        table = quotes.table
        last_x = sum(list(table.column_widths().values())[:2]) - 2  # inside the Last header
        assert await pilot.click(table, offset=(last_x, 0))
        assert table.ordered_keys() == list(reversed(symbols))  # numbers: largest first
        assert "↓Last" in table.render_line(0).text
        await pilot.click(table, offset=(last_x, 0))
        assert table.ordered_keys() == symbols
        assert "↑Last" in table.render_line(0).text


async def test_orders_header_click_sorts_by_the_column_shown(settings):
    connector = FakeConnector()
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        from ui_helpers import wait_for
        await wait_for(pilot, lambda: app.panels["orders"].state == "live", what="orders live")
        await connector.client.latest("orders").snapshot(*(
            {"OrderID": str(i), "Status": "OPN", "OpenedDateTime": f"2026-11-25T14:0{i}:00Z",
             "LimitPrice": str(price), "Legs": [{"Symbol": symbol, "BuyOrSell": "Buy",
                                                 "QuantityOrdered": "10", "ExecQuantity": "0"}]}
            for i, (symbol, price) in enumerate((("MSFT", 9.5), ("AAPL", 100), ("NVDA", 20)))))
        app.tick()
        await pilot.pause()
        table = app.panels["orders"].table
        assert table.ordered_keys() == ["2", "1", "0"]  # the panel's order: newest first
        widths = list(table.column_widths().values())
        symbol_x, price_x = widths[0] + 2, sum(widths[:6]) - 2
        assert await pilot.click(table, offset=(symbol_x, 0))
        assert table.ordered_keys() == ["1", "0", "2"]  # AAPL MSFT NVDA
        assert " Symbol↑ " in table.render_line(0).text  # its column widened for the arrow
        await pilot.click(table, offset=(symbol_x, 0))
        assert table.ordered_keys() == ["2", "0", "1"]
        await pilot.click(table, offset=(price_x, 0))
        assert table.ordered_keys() == ["1", "2", "0"]  # 100, 20, 9.50: by value, not text


async def test_a_focused_cursor_stays_on_screen_when_a_sort_moves_its_row():
    """The cursor's row moved off screen by a re-sort: the table scrolls after it, so the row a
    trader acts on is the one highlighted on screen."""
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(30)
        table.focus()
        await pilot.press("down", "down", "down")
        await pilot.pause()
        table.sort_rows(lambda key: int(key[1:]), reverse=True)  # r3 goes near the bottom
        await pilot.pause()
        assert table.cursor_row_key() == "r3"
        shown = [row[0] for row in screen_rows(table)[1:] if row]
        assert "r3" in shown
        table.scroll_to(y=10, animate=False)  # the wheel took the cursor's row off screen
        await pilot.pause()
        table.sort_rows(lambda key: int(key[1:]))
        await pilot.pause()
        assert table.cursor_row_key() == "r3" and table.scroll_offset.y == 10  # left there


async def test_the_sort_arrow_keeps_the_gap_when_a_label_fills_its_column():
    """The arrow belongs to its own column: a label as wide as its column ("BidSz×AskSz")
    does not lose the gap to its left neighbour ("Alpha↓BidSz" read as Alpha's arrow)."""
    specs = (ColumnSpec("name", "Name", 4, "left"), ColumnSpec("value", "Value", 5))
    app = TableApp(specs)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(2)
        await pilot.pause()
        assert table.render_line(0).text.rstrip() == " Name Value"
        table.set_sort_indicator("value", reverse=True)
        await pilot.pause()
        assert table.render_line(0).text.rstrip() == " Name ↓Value"
        assert table.render_line(1).text.rstrip() == " r0        0"  # the cells follow
        table.set_sort_indicator("name")
        await pilot.pause()
        assert table.render_line(0).text.rstrip() == " Name↑ Value"  # Value narrow again
        assert table.column_widths() == {"name": 6, "value": 6}


async def test_a_descending_sort_keeps_ties_and_blanks_in_the_panels_order(settings):
    """Only the values are reversed: equal values keep the watchlist's order (or the rows'
    keys), and rows without a value come last in it, whichever the direction."""
    from ui_fakes import make_app, started

    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        quotes = app.quotes_panel
        symbols = list(quotes.model.symbols)
        assert len(symbols) >= 5
        first, second, top, *rest = symbols
        await client.latest("quotes").push({"Symbol": first, "Last": "100"},
                                           {"Symbol": second, "Last": "100"},
                                           {"Symbol": top, "Last": "200"},
                                           *({"Symbol": s, "Bid": "1"} for s in rest))
        app.tick()
        quotes.set_sort("last", True)
        assert quotes.table.ordered_keys() == [top, first, second, *rest]
        quotes.set_sort("last", False)
        assert quotes.table.ordered_keys() == [first, second, top, *rest]

        positions = client.latest("positions")
        await positions.snapshot(*({"PositionID": key, "Symbol": key, "Quantity": qty}
                                   for key, qty in (("p1", "5"), ("p2", "5"), ("p3", "9"),
                                                    ("p4", None), ("p5", None))))
        app.tick()
        await pilot.pause()  # the table laid out with its rows before the clicks
        table = app.panels["positions"].table
        qty_x = sum(list(table.column_widths().values())[:2]) - 2  # inside the Qty header
        await pilot.click(table, offset=(qty_x, 0))  # numbers: largest first
        await pilot.pause()
        assert table.ordered_keys() == ["p3", "p1", "p2", "p4", "p5"]
        await pilot.click(table, offset=(qty_x, 0))
        await pilot.pause()
        assert table.ordered_keys() == ["p1", "p2", "p3", "p4", "p5"]
