"""The banner and the footer are rebuilt only when what they show changes."""

from __future__ import annotations

from textual.widgets import Static

from ui_helpers import wait_for
from ui_fakes import make_app, started
from tsdash.api import StreamConnectionError, SubscriptionState
from tsdash.ui.panels.base import PanelOnlyState


async def test_the_banner_is_restyled_only_when_it_changes(settings, monkeypatch):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        app.tick()
        panel = app.tape_panel
        banner = panel.banner
        assert banner.classes == {"panel-banner"} and not banner.display  # live: no banner
        restyles = []
        restyle = Static.update_node_styles

        def counted(self, animate=True):
            if self is banner:
                restyles.append(sorted(self.classes))
            restyle(self, animate)

        monkeypatch.setattr(Static, "update_node_styles", counted)
        await client.latest("tape").set_state("disconnected", StreamConnectionError("lost"))
        app.tick()
        assert restyles == [["-problem", "panel-banner"]] and banner.display
        panel.set_state(panel.state)  # painted again, nothing new to show
        app.tick()
        assert len(restyles) == 1
        panel.on_stream_error(StreamConnectionError("still lost"))  # new text, same look
        app.tick()
        assert len(restyles) == 1 and "still lost" in str(banner.render())
        await client.latest("tape").set_state("live")
        app.tick()
        assert restyles[1:] == [["panel-banner"]] and not banner.display
        # before the app connects and while the stream opens: one banner, not two in a row
        panel.set_state(PanelOnlyState.WAITING)
        waiting = panel.banner_text()
        panel.set_state(SubscriptionState.CONNECTING)
        assert panel.banner_text() == waiting == ("◌ connecting…", "-busy")


async def test_the_footer_is_rebuilt_only_when_its_keys_change(settings):
    # FooterKey is not exported by Textual: its CSS type name is the public way to find them
    FooterKey = "FooterKey"

    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await pilot.press("tab")  # off the quotes panel (it shows its own row keys)
        await pilot.pause(0.2)
        keys = list(app.query(FooterKey))
        assert "Reconnect" in [key.description for key in keys]
        await pilot.press("tab")  # focus moves; the keys shown stay the same
        await pilot.pause(0.2)
        assert list(app.query(FooterKey)) == keys
        app.update_keymap({"reconnect": "ctrl+r"})  # a remapped key must show
        await wait_for(pilot, lambda: "ctrl+r" in [k.key for k in app.query(FooterKey)],
                       what="footer shows the remapped key")
        assert all(key not in keys for key in app.query(FooterKey))
