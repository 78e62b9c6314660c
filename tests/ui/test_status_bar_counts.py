"""The status bar's stream figures: streams up (connected) and slots held, both true."""

from __future__ import annotations

from ui_fakes import FakeConnector
from ui_helpers import frozen_clock, sim_app, wait_data, wait_for, wait_live

from tsdash.api import StreamConnectionError
from tsdash.ui.app import TsdashApp
from tsdash.ui.widgets.status_bar import StatusBar

STREAM_KINDS = ("quotes", "bars", "tape", "orders", "positions")


def bar_text(app) -> str:
    app.tick()
    return str(app.query_one(StatusBar).render())


async def test_streams_up_and_slots_held_are_shown_apart(settings):
    connector = FakeConnector()
    client = connector.client
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: all(p.state == "live" for p in app.panels.values()),
                       what="live")
        assert "streams 5/5 up, 5/10 slots" in bar_text(app)
        lost = StreamConnectionError("connection lost")
        for kind in STREAM_KINDS:
            await client.latest(kind).set_state("disconnected", lost)
        await client.latest("balances").set_state("disconnected", lost)
        # every stream down, yet each still holds its slot until its panel closes it
        assert "streams 0/5 up, 5/10 slots" in bar_text(app)
        await client.latest("bars").set_state("live")
        await client.latest("quotes").set_state("live")
        assert "streams 2/5 up, 5/10 slots" in bar_text(app)


async def test_the_status_bar_counts_the_simulators_connected_streams_and_fits_80_columns(
        settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        bar = app.query_one(StatusBar)
        text = bar_text(app)
        assert "streams 5/5 up, 5/10 slots" in text
        assert len(text) <= bar.size.width
        assert text.rstrip().endswith(f"list {settings.default_watchlist}")
        sim = connector.sim
        sim.faults.drop_mid_object(after=0, stream="barcharts")
        sim.advance(1)
        await wait_for(pilot, lambda: app.bars_panel.state == "disconnected", what="bars down")
        assert "streams 4/5 up, 5/10 slots" in bar_text(app)
