"""The command palette runs the dashboard's commands."""

from __future__ import annotations

from ui_helpers import frozen_clock, wait_for
from ui_fakes import FakeConnector
from tsdash.ui.app import TsdashApp


async def test_command_palette_runs_dashboard_commands(settings):
    connector = FakeConnector()
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="live")
        names = list(settings.watchlists)
        await pilot.press("ctrl+p")
        await pilot.press(*"next watchlist")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.quotes_panel.active == names[1], what="switched")


async def test_the_palettes_chart_command_marks_the_row_and_moves_bars_and_tape(settings):
    connector = FakeConnector()
    client = connector.client
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="live")
        symbol = [s for s in app.quotes_panel.model.symbols if s != app.bars_panel.symbol][0]
        await pilot.press("ctrl+p")
        await pilot.press(*f"chart {symbol.lower()}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: client.latest("tape").params["symbol"] == symbol
                       and client.latest("bars").params["symbol"] == symbol, what="followed")
        assert app.quotes_panel.selected == symbol
        assert app.bars_panel.symbol == app.tape_panel.symbol == symbol
