"""Keys can be remapped in the config by binding id."""

from __future__ import annotations

from ui_helpers import wait_for
from ui_fakes import make_app, started


async def test_keys_can_be_remapped_by_binding_id(settings):
    settings.keys = {**settings.keys, "reconnect": "f5", "next_watchlist": "n"}
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        first = client.latest("quotes")
        await pilot.press("w")  # no longer bound
        await pilot.pause()
        assert client.latest("quotes") is first
        await pilot.press("n")
        await wait_for(pilot, lambda: client.latest("quotes") is not first, what="n cycles")
        quotes_sub = client.latest("quotes")
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="live")
        await pilot.press("f5")
        await wait_for(pilot, lambda: quotes_sub.reconnects == 1, what="f5 reconnects")
        assert dict((d, k) for k, d in app.key_help())[
            "reconnect the focused panel's stream"] == "f5"
