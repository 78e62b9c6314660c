"""Selection, w, r, R and q change the simulator's server-side streams as they should."""

from __future__ import annotations

import asyncio

from ui_helpers import SIZE, sim_app, wait_data, wait_for, wait_live


async def test_selecting_a_symbol_swaps_the_server_side_streams(settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        sim = connector.sim
        old_bars, old_tape = app.bars_panel.sub, app.tape_panel.sub
        table = app.quotes_panel.table
        table.focus()
        await pilot.press("down", "down", "enter")
        symbol = settings.watchlists[settings.default_watchlist][2]
        await wait_for(pilot, lambda: app.bars_panel.symbol == symbol
                       and app.bars_panel.state == "live" and app.tape_panel.state == "live"
                       and app.bars_panel.sub is not old_bars
                       and app.tape_panel.sub is not old_tape, what="new subscriptions")
        assert old_bars.state == "closed" and old_tape.state == "closed"
        await wait_for(pilot, lambda: sim.open_streams == 5, what="old streams closed on the server")
        paths = [r.path for r in sim.requests]
        assert f"/v3/marketdata/stream/barcharts/{symbol}" in paths
        assert f"/v3/marketdata/stream/quotes/{symbol}" in paths
        await wait_data(pilot)
        assert app.bars_panel.model.symbol == symbol
        assert app.client.stream_manager.active_count == 5


async def test_w_resubscribes_the_quotes_on_the_server(settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        sim = connector.sim
        first = app.quotes_panel.sub
        await pilot.press("w")
        names = list(settings.watchlists)
        await wait_for(pilot, lambda: app.quotes_panel.sub not in (None, first)
                       and app.quotes_panel.state == "live", what="quotes resubscribed")
        assert first.state == "closed"
        wanted = "/v3/marketdata/stream/quotes/" + ",".join(settings.watchlists[names[1]])
        assert wanted in [r.path for r in sim.requests]
        await wait_for(pilot, lambda: sim.open_streams == 5, what="one quote stream open")
        await wait_data(pilot)


async def test_a_dropped_stream_shows_disconnected_and_r_brings_it_back(settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        sim = connector.sim
        panel = app.bars_panel
        sim.faults.drop_mid_object(after=0, stream="barcharts")
        sim.advance(1)
        await wait_for(pilot, lambda: panel.state == "disconnected", what="bars disconnected")
        app.tick()
        banner = panel.query_one(".panel-banner")
        text = str(banner.render())
        assert banner.display and "disconnected" in text and "press r to reconnect" in text
        assert "press r" in panel.border_subtitle
        bars_dot = [d.state for d in app.status_info().panels if d.letter == "B"]
        assert bars_dot == ["disconnected"]
        # the chart keeps what it had: a frozen picture is labelled, never blank
        assert len(panel.model) >= settings.bars.barsback
        count, bars = panel.model.activity.messages, len(panel.model)
        panel.focus_target.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.state == "live", what="bars live again")
        app.tick()
        assert not banner.display
        await wait_for(pilot, lambda: sim.open_streams == 5, what="five streams again")
        # the new request starts with the bar history again: merged in place, not duplicated
        await wait_for(pilot, lambda: panel.model.activity.messages >= count + 100,
                       what="bars flowing again")
        assert bars <= len(panel.model) <= bars + 2


async def test_R_reconnects_every_stream(settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        sim = connector.sim
        before = len(sim.requests)
        await pilot.press("R")
        await wait_for(pilot, lambda: len([r for r in sim.requests[before:]
                                          if "/stream/" in r.path]) >= 5,
                       what="every stream requested again")
        await wait_live(pilot)
        await wait_for(pilot, lambda: sim.open_streams == 5, what="five streams")


async def test_q_closes_everything_and_leaves_no_task(settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        client, sim = app.client, connector.sim
        subs = [p.sub for p in app.panels.values()]
        await pilot.press("q")
        await wait_for(pilot, lambda: client.closed, what="client closed")
    assert app.return_code == 0
    assert all(s.state == "closed" for s in subs)
    assert sim.open_streams == 0
    assert client.stream_manager.active_count == 0
    # nothing left running: a task still finishing its last step on a loaded machine gets a
    # moment, one that never ends fails the test
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 2.0
    while True:
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()
                   and not t.done()]
        if not pending or loop.time() > deadline:
            break
        await asyncio.sleep(0.01)
    assert pending == [], pending
