"""Each panel subscribes once, says when it is live or why it cannot open, and q lets go of
everything (fake client)."""

from __future__ import annotations

import asyncio

from ui_helpers import wait_for
from ui_fakes import KINDS, make_app, started
from tsdash.api import StreamLimitError
from tsdash.ui.widgets.status_bar import StreamCounts


async def test_every_panel_subscribes_once_and_shows_live(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        assert sorted(s.kind for s in client.subs) == sorted(KINDS)
        quotes = client.latest("quotes")
        assert quotes.params["symbols"] == settings.watchlists[settings.default_watchlist]
        bars = client.latest("bars")
        assert bars.params == {"symbol": "SPY", "interval": "1", "unit": "Minute",
                               "barsback": 120}
        app.tick()
        status = app.status_info()
        assert status.environment == "DEMO"
        assert status.streams == StreamCounts(up=5, held=5, limit=10)
        assert [d.state for d in status.panels] == ["live"] * 6


async def test_a_panel_that_says_live_holds_its_subscription(settings):
    """A stream goes live before stream_*() returns it: the panel must not say live with no
    subscription to reconnect or close."""
    app, client = make_app(settings)
    client.hold_open = asyncio.Event()
    async with app.run_test(size=(160, 48)) as pilot:
        panel = app.panels["orders"]
        await wait_for(pilot, lambda: any(s.kind == "orders" for s in client.subs),
                       what="orders stream opened")
        sub = client.latest("orders")
        assert sub.state == "live" and panel.state == "live"
        assert panel.sub is sub
        client.hold_open.set()
        await started(pilot, client)
        assert panel.sub is sub and len([s for s in client.subs if s.kind == "orders"]) == 1
        await pilot.press("q")
    assert sub.state == "closed"


async def test_a_panel_that_cannot_open_says_why(settings):
    app, client = make_app(settings)
    original = client.market_data.stream_bars

    async def refuse(*args, **kwargs):
        raise StreamLimitError("10 streams are open, the limit is 10", limit=10)

    client.market_data.stream_bars = refuse
    async with app.run_test(size=(160, 48)) as pilot:
        panel = app.bars_panel
        await wait_for(pilot, lambda: panel.state == "error", what="bars error")
        app.tick()
        assert "limit is 10" in str(panel.query_one(".panel-banner").render())
        client.market_data.stream_bars = original
        panel.focus_target.focus()
        await pilot.press("r")  # no subscription yet: r opens one
        await wait_for(pilot, lambda: panel.state == "live", what="bars live")


async def test_q_unsubscribes_everything_and_closes_the_client(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await pilot.press("q")
        await wait_for(pilot, lambda: client.closed, what="client closed")
    assert app.return_code == 0
    assert not client.open
    assert all(s.state == "closed" for s in client.subs)
    assert all(p.sub is None for p in app.panels.values())
