"""The app keeps a record of the notices it showed (toasts fade; tests and the coming alerts
history read ``app.notices``), and a panel's failed worker stays in that panel."""

from __future__ import annotations

from ui_fakes import FakeConnector
from ui_helpers import frozen_clock, wait_for
from tsdash.api import StreamConnectionError
from tsdash.ui.app import NOTICE_HISTORY, Notice, TsdashApp


async def test_every_notice_shown_is_recorded_with_its_title_and_severity(settings):
    app = TsdashApp(settings, connector=FakeConnector(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify("disk full", title="Not saved", severity="warning")
        await pilot.pause()
        notice = app.notices[-1]
        assert isinstance(notice, Notice)
        assert (notice.message, notice.title, notice.severity) == ("disk full", "Not saved",
                                                                   "warning")


async def test_the_record_keeps_only_the_latest_notices(settings):
    app = TsdashApp(settings, connector=FakeConnector(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        for n in range(NOTICE_HISTORY + 5):
            app.notify(f"notice {n}", timeout=0.1)
        await pilot.pause()
        assert len(app.notices) == NOTICE_HISTORY
        assert app.notices[-1].message == f"notice {NOTICE_HISTORY + 4}"
        assert app.notices[0].message == "notice 5"


async def test_a_panels_failed_worker_is_shown_in_the_panel_not_as_an_app_notice(settings):
    connector = FakeConnector()
    client = connector.client
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(client.open) == 6, what="streams")
        await client.latest("tape").set_state("disconnected")
        client.fail_reconnect = StreamConnectionError("cannot reach the server")
        panel = app.panels["tape"]
        panel.reconnect()
        await wait_for(pilot, lambda: panel.error == "cannot reach the server",
                       what="the error in the panel")
        await pilot.pause()
        assert panel.state == "disconnected"
        assert not any("cannot reach the server" in n.message for n in app.notices)
