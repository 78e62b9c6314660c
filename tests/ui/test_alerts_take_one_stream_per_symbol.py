"""A symbol both on the watchlist and on the alerts' own stream gets its quotes twice, a moment
apart: the rules take them from one stream only (the alerts' while it carries the symbol), so a
crossing fires once, not once per stream."""

from __future__ import annotations

import asyncio

from trading_pilot import demo_dashboard
from ui_helpers import wait_for, wait_quiet

from tsdash import locations
from tsdash.alerts.rules import make_rule, quote_number


def fired_lines() -> list[str]:
    path = locations.alerts_journal_file()
    return path.read_text().splitlines() if path.exists() else []


def crossings(values: list[float], holds) -> int:
    count, before = 0, False
    for value in values:
        now = holds(value)
        count += now and not before
        before = now
    return count


async def test_a_crossing_seen_on_two_streams_fires_once(settings):
    async with demo_dashboard(settings) as (pilot, sim):
        app = pilot.app
        last = float(app.quotes_panel.model.get("AAPL")["Last"])
        rules = [make_rule("AAPL", "above", round(last * (1 + k / 2000), 2))
                 for k in range(-4, 5)]
        from_feed: list[dict] = []
        real = app.alerts.feed.on_quote

        def recorded(message):
            from_feed.append(dict(message))
            real(message)

        app.alerts.feed.on_quote = recorded
        for rule in rules:
            app.add_alert(rule)
        await wait_for(pilot, lambda: app.alerts.feed.carries("AAPL") and from_feed,
                       what="the alerts' stream carrying AAPL")
        for _ in range(8):  # bursts: each stream delivers a whole burst, one after the other
            sim.advance(40)
            await asyncio.sleep(0.05)
        await wait_quiet(pilot)
        await pilot.pause(0.3)

        merged: dict = {}
        series = []
        for message in from_feed:
            if message.get("Symbol") == "AAPL":
                merged.update(message)
                value = quote_number(merged.get("Last"))
                if value is not None:
                    series.append(value)
        expected = sum(crossings(series, rule.holds_for) for rule in rules)
        assert expected >= len(rules)  # the market crossed the levels in the bursts
        assert len(fired_lines()) == expected
