"""While a subscription reconnects by itself, its panel says why and when it tries next."""

from __future__ import annotations

import re
import time

from ui_fakes import FakeConnector
from ui_helpers import frozen_clock, sim_app, wait_data, wait_for, wait_live

from tsdash.api import StreamConnectionError
from tsdash.ui.app import TsdashApp

SIZE = (160, 48)


def banner(panel) -> str:
    return str(panel.query_one(".panel-banner").render())


async def test_the_reconnecting_banner_gives_the_reason_and_counts_down_to_the_next_try(settings):
    connector = FakeConnector()
    client = connector.client
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.quotes_panel
        await wait_for(pilot, lambda: panel.state == "live", what="quotes live")
        sub = client.latest("quotes")
        lost = StreamConnectionError("connection lost (server closed the stream)")
        await sub.set_state("reconnecting", lost, retry_at=time.monotonic() + 6.5)
        app.tick()
        text = banner(panel)
        assert re.fullmatch(r"◌ reconnecting · next try in [67] s — "
                            r"connection lost \(server closed the stream\)", text)
        # the countdown follows on the repaint tick, with no new state
        sub.retry_at = time.monotonic() + 2.5
        app.tick()
        assert re.search(r"next try in [23] s — connection lost", banner(panel))
        # a tick that shows the same text does not put it on screen again
        sub.retry_at = time.monotonic() + 30.95  # "31 s" for the next 0.95 s, ticks included
        app.tick()
        updates = []
        original = panel.banner.update
        panel.banner.update = lambda *a, **k: (updates.append(a), original(*a, **k))
        app.tick()
        app.tick()
        assert updates == [] and re.search(r"next try in (30|31) s — ", banner(panel))
        panel.banner.update = original
        sub.retry_at = time.monotonic() - 0.1  # the attempt is under way
        app.tick()
        assert banner(panel) == ("◌ reconnecting · trying now — "
                                 "connection lost (server closed the stream)")
        # no known reason and no retry time: the plain text
        sub.last_error, sub.retry_at = None, None
        panel.error = None
        app.tick()
        assert banner(panel) == "◌ reconnecting…"
        # the other states keep their texts
        await sub.set_state("disconnected", lost)
        app.tick()
        assert banner(panel).startswith("○ disconnected · press r to reconnect — connection lost")
        await sub.set_state("live")
        app.tick()
        assert not panel.banner.display


async def test_an_outage_with_auto_reconnect_shows_the_servers_reason_and_the_next_try(settings):
    settings.auto_reconnect = True
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        sim = connector.sim
        panel = app.bars_panel
        sim.faults.server_error(times=1000, status=503, stream="barcharts")
        sim.faults.drop_mid_object(after=0, stream="barcharts")
        sim.advance(1)
        await wait_for(pilot, lambda: panel.state == "reconnecting"
                       and panel.sub.last_error is not None and "503" in str(panel.sub.last_error),
                       what="bars refused with 503 while reconnecting")
        await wait_for(pilot, lambda: app.tick() or "next try in" in banner(panel),
                       what="the next try in the banner")
        text = banner(panel)
        assert re.match(r"◌ reconnecting · next try in \d+ s — ", text) and "503" in text
        assert len(panel.model) >= settings.bars.barsback  # the chart keeps what it had
        sim.faults.clear()
        await wait_for(pilot, lambda: panel.state == "live", timeout=30, what="bars back")
        app.tick()
        assert not panel.banner.display
