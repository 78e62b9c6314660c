"""The dashboard against the real simulator: every panel streams, an injected simulator works, a
refused symbol is marked."""

from __future__ import annotations

import asyncio

from ui_helpers import SIZE, advance, settle, sim_app, wait_data, wait_for, wait_live

from tsdash.ui.widgets.status_bar import StreamCounts


async def test_demo_streams_every_panel(settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        sim = connector.sim
        before = {k: p.activity.messages for k, p in app.panels.items()}
        await advance(pilot, sim, 5)
        after = {k: p.activity.messages for k, p in app.panels.items()}
        assert after["quotes"] > before["quotes"]
        assert after["positions"] > before["positions"]  # re-priced as the market moves
        await settle(pilot)
        status = app.status_info()
        assert status.environment == "DEMO"
        # quotes, bars, time & sales, orders, positions: balances are polled, no stream slot
        assert status.streams == StreamCounts(up=5, held=5, limit=10)
        assert sim.open_streams == 5
        quotes = app.quotes_panel.table
        assert quotes.ordered_keys() == settings.watchlists[settings.default_watchlist]
        assert all(quotes.get_cell(s, "last").plain.strip() != "—"
                   for s in quotes.ordered_keys())
        assert app.panels["orders"].table.row_count > 0
        assert app.panels["positions"].table.row_count > 0
        assert app.panels["balances"].table.row_count == len(app.panels["balances"].model)


async def test_an_already_running_simulator_can_be_injected(settings, sim):
    """tests/conftest.py's real-clock ``sim`` fixture, shared with the app; it stays running."""
    from tsdash.ui.app import TsdashApp
    from tsdash.ui.connection import SimulatorConnector
    from ui_helpers import frozen_clock

    connector = SimulatorConnector(sim, client_overrides={"read_timeout": 5.0})
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        assert app.client.stream_manager.active_count == 5
        await pilot.press("q")
        await wait_for(pilot, lambda: app.client.closed, what="client closed")
    # our streams are gone (the server notices a closed connection a moment later); the
    # simulator itself is the fixture's
    for _ in range(100):
        if sim.open_streams == 0:
            break
        await asyncio.sleep(0.05)
    assert sim.open_streams == 0


async def test_a_refused_symbol_is_marked_and_the_others_stream(settings):
    settings.watchlists = {"mixed": ["AAPL", "NOSUCH", "MSFT"]}
    settings.default_watchlist = "mixed"
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        quotes = app.quotes_panel
        await wait_for(pilot, lambda: "NOSUCH" in quotes.model.errors
                       and "Last" in quotes.model.get("AAPL")
                       and "Last" in quotes.model.get("MSFT"), what="error and quotes")
        app.tick()
        assert quotes.state == "live"
        assert quotes.table.get_cell("NOSUCH", "last").plain.strip() == "refused"
        assert quotes.table.get_cell("NOSUCH", "bid").plain.strip() == "—"
        banner = str(quotes.banner.render())
        assert "NOSUCH (FAILED, INVALID SYMBOL)" in banner and "keep streaming" in banner
