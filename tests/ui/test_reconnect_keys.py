"""r reconnects the focused panel, R every panel, and a failed reconnect is shown (fake client)."""

from __future__ import annotations

from ui_helpers import wait_for
from ui_fakes import make_app, started
from tsdash.api import StreamConnectionError


async def test_r_reconnects_the_focused_panel_and_the_banner_goes(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        tape = client.latest("tape")
        await tape.set_state("disconnected", StreamConnectionError("connection lost"))
        app.tick()
        panel = app.tape_panel
        banner = panel.query_one(".panel-banner")
        assert banner.display and "press r to reconnect" in str(banner.render())
        assert "connection lost" in str(banner.render())
        assert "press r" in panel.border_subtitle
        assert [d.state for d in app.status_info().panels if d.letter == "T"] == ["disconnected"]
        # r on another panel does not touch the tape
        await pilot.press("r")
        await pilot.pause()
        assert tape.reconnects == 0 and client.latest("quotes").reconnects == 1
        panel.focus_target.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.state == "live", what="tape live again")
        assert tape.reconnects == 1
        app.tick()
        assert not banner.display


async def test_reconnect_failure_is_shown_in_the_panel(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await client.latest("orders").set_state("disconnected")
        client.fail_reconnect = StreamConnectionError("cannot reach the server")
        app.panels["orders"].focus_target.focus()
        await pilot.press("r")
        panel = app.panels["orders"]
        await wait_for(pilot, lambda: panel.error == "cannot reach the server",
                       what="error in the panel")
        app.tick()
        banner = str(panel.query_one(".panel-banner").render())
        assert "cannot reach the server" in banner and "press r" in banner
        assert panel.state == "disconnected"


async def test_R_reconnects_every_panel(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        for sub in list(client.open):
            await sub.set_state("disconnected")
        app.tick()
        assert all(p.state == "disconnected" for p in app.panels.values())
        await pilot.press("R")
        await wait_for(pilot, lambda: all(p.state == "live" for p in app.panels.values()),
                       what="all live")
        assert all(s.reconnects == 1 for s in client.subs)
