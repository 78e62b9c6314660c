"""w cycles the watchlists and resubscribes the quotes (fake client)."""

from __future__ import annotations

from ui_helpers import wait_for
from ui_fakes import make_app, started


async def test_w_cycles_watchlists_and_resubscribes_quotes(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        first = client.latest("quotes")
        names = list(settings.watchlists)
        await pilot.press("w")
        await wait_for(pilot, lambda: client.latest("quotes") is not first
                       and app.quotes_panel.state == "live", what="new quote subscription")
        assert first.state == "closed"
        assert client.latest("quotes").params["symbols"] == settings.watchlists[names[1]]
        assert app.quotes_panel.active == names[1]
        app.tick()
        assert app.quotes_panel.table.ordered_keys() == settings.watchlists[names[1]]
        await pilot.press("w")
        await wait_for(pilot, lambda: app.quotes_panel.active == names[0]
                       and client.latest("quotes").params["symbols"]
                       == settings.watchlists[names[0]], what="back to the first list")
