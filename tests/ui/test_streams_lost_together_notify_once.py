"""An outage loses every stream at once: one notification (one toast, one bell, one journal
line) names them all, instead of one per panel."""

from __future__ import annotations

import json

from trading_pilot import demo_dashboard
from ui_helpers import wait_for

from tsdash import locations
from tsdash.ui.alert_center import LostStream, lost_streams_notification


def test_streams_lost_together_are_one_notification():
    one = lost_streams_notification([LostStream("bars", "Bars", "SPY", "connection reset",
                                                "disconnected")])
    assert (one.kind, one.symbol, one.text) == ("stream", "SPY",
                                                "Bars stream lost: connection reset")
    assert one.details == {"panel": "bars", "state": "disconnected"}
    many = lost_streams_notification([
        LostStream("quotes", "Quotes", "", "connection reset", "disconnected"),
        LostStream("orders", "Orders", "", "connection reset", "disconnected")])
    assert many.text == "2 streams lost (Quotes, Orders): connection reset"
    assert many.details["panels"] == ["quotes", "orders"]


async def test_an_outage_is_one_stream_notification(settings):
    async with demo_dashboard(settings) as (pilot, sim):
        app = pilot.app
        sim.faults.drop_mid_object(after=0, times=10)  # every stream, the next message
        sim.advance(3)
        await wait_for(pilot, lambda: sum(p.state == "disconnected"
                                          for p in app.panels.values()) >= 3,
                       what="the streams lost")
        path = locations.alerts_journal_file()
        await wait_for(pilot, lambda: path.exists(), timeout=5, what="the journal line")
        await pilot.pause(1.5)  # anything lost later would be told by now
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert [line["kind"] for line in lines] == ["stream"]
        assert len(lines[0]["panels"]) >= 3 and "streams lost" in lines[0]["text"]
        assert sum(n.title == "Stream lost" for n in app.notices) == 1
