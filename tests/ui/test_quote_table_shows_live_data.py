"""Quote deltas land in the quotes table, and a stream's first data is painted at once (fake
client)."""

from __future__ import annotations

from ui_helpers import wait_for
from ui_fakes import cell_text, make_app, started


async def test_quote_deltas_merge_into_the_table(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        sub = client.latest("quotes")
        await sub.push({"Symbol": "AAPL", "Last": "200", "NetChange": "2", "Bid": "199.99",
                        "Ask": "200.01", "Volume": "1234567", "TradeTime": "2026-11-25T14:30:00Z"})
        app.tick()
        assert not app.quotes_panel.flashing  # a first value is not a change
        await sub.push({"Symbol": "AAPL", "Last": "201.5"})
        app.tick()
        table = app.quotes_panel.table
        assert cell_text(table, "AAPL", "last") == "201.50"
        assert cell_text(table, "AAPL", "bid") == "199.99"
        assert cell_text(table, "AAPL", "volume") == "1.23M"
        # the cell that changed is highlighted for a few repaints, then plain again
        assert app.quotes_panel.flashing
        for _ in range(10):
            app.tick()
        assert not app.quotes_panel.flashing and app.settled


async def test_a_streams_first_data_is_painted_without_waiting_for_a_tick(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        app.pause_repaint()  # no repaint tick from here on
        table = app.quotes_panel.table
        ticks = app.tick_no
        await client.latest("quotes").push({"Symbol": "AAPL", "Last": "200"},
                                           {"Symbol": "MSFT", "Last": "400"})
        await wait_for(pilot, lambda: cell_text(table, "AAPL", "last") == "200.00",
                       timeout=0.5, what="the first quote on screen")
        assert app.tick_no == ticks  # painted by the first-data message, not by the timer
        assert cell_text(table, "MSFT", "last") == "400.00"  # the rest of that read too
        await client.latest("quotes").push({"Symbol": "AAPL", "Last": "201"})
        await pilot.pause(0.2)
        assert cell_text(table, "AAPL", "last") == "200.00"  # later data waits for the tick
