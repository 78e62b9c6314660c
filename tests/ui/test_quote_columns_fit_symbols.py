"""The quote table's columns: a long symbol is cut, and the column shrinks back when it leaves;
an option's symbol shows whole."""

from __future__ import annotations

from ui_fakes import FakeConnector
from ui_helpers import frozen_clock, wait_for

from tsdash.api.errors import StreamError
from tsdash.ui.app import TsdashApp
from tsdash.ui.panels.quotes import SYMBOL_WIDTH

LONG = "L" * 60


def symbol_width(table) -> int:
    return table.column_width("symbol")


def right_edge(table) -> int:
    """The screen column just after the table's last price column (Low: its cells end there);
    only the time may be cut at the panel's edge."""
    widths = list(table.column_widths().items())
    prices = widths[:[key for key, _ in widths].index("low") + 1]
    return table.content_region.x + sum(width for _, width in prices)


async def test_a_60_character_symbol_is_cut_and_its_column_shrinks_back_when_removed(settings):
    connector = FakeConnector()
    client = connector.client
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        quotes = app.quotes_panel
        await wait_for(pilot, lambda: quotes.state == "live", what="quotes live")
        name = quotes.active
        symbols = list(quotes.model.symbols)
        await client.latest("quotes").push(*({"Symbol": s, "Last": "100", "TradeTime":
                                              "2026-11-25T14:30:00Z"} for s in symbols))
        app.tick()
        await pilot.pause()
        table = quotes.table
        before = symbol_width(table)
        inside = quotes.content_region.right  # the panel's inner right edge

        quotes.edit_watchlist(name, [*symbols, LONG])
        await wait_for(pilot, lambda: quotes.state == "live"
                       and client.latest("quotes").params["symbols"][-1] == LONG, what="resub")
        await client.latest("quotes").push({"Symbol": LONG, "Last": "1.25",
                                            "TradeTime": "2026-11-25T14:30:00Z"})
        app.tick()
        await pilot.pause()
        cell = table.get_cell(LONG, "symbol").plain
        assert cell.endswith("…") and len(cell) == SYMBOL_WIDTH  # (drawn after a 1-space gap)
        assert before < symbol_width(table) == 1 + SYMBOL_WIDTH  # widened, to the cap only
        assert right_edge(table) <= inside  # every price still inside the panel
        assert table.get_cell(LONG, "last").plain.strip() == "1.25"
        # refused (as the simulator does with it): its long note is cut too, the row still fits
        await client.latest("quotes").error_callback(StreamError(
            "refused", error="FAILED, INVALID SYMBOL", symbol=LONG))
        app.tick()
        await pilot.pause()
        assert table.get_cell(LONG, "last").plain.strip() == "refused"
        assert table.get_cell(LONG, "time").plain == "FAILED,…"
        assert right_edge(table) <= inside

        quotes.edit_watchlist(name, symbols)
        app.tick()
        await pilot.pause()
        assert table.ordered_keys() == symbols
        assert symbol_width(table) == before
        assert right_edge(table) <= inside


async def test_an_options_symbol_shows_whole(settings):
    connector = FakeConnector()
    client = connector.client
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    option = "GOOGL 261218C1000"
    async with app.run_test(size=(160, 48)) as pilot:
        quotes = app.quotes_panel
        await wait_for(pilot, lambda: quotes.state == "live", what="quotes live")
        quotes.edit_watchlist(quotes.active, [*quotes.model.symbols, option])
        await wait_for(pilot, lambda: quotes.state == "live"
                       and client.latest("quotes").params["symbols"][-1] == option, what="resub")
        await client.latest("quotes").push({"Symbol": option, "Last": "12.40"})
        app.tick()
        await pilot.pause()
        assert quotes.table.get_cell(option, "symbol").plain.strip() == option
        assert right_edge(quotes.table) <= quotes.content_region.right
