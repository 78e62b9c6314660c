"""Alerts and notifications in edge cases met in review: a ticket's rejection is one
notification (not again when the order stream shows it); rules added in quick succession are
all kept while their saves run; a journal that cannot be written is said once, and the toasts
go on."""

from __future__ import annotations

import json
import tomllib

from trading_pilot import (
    ACCOUNT,
    armed,
    cents,
    demo_dashboard,
    highlight,
    open_ticket,
    previewed,
    retype,
    sent,
    trading,
    use_up_buying_power,
)
from ui_helpers import wait_for

from tsdash import locations
from tsdash.alerts.rules import make_rule
from tsdash.ui.screens.order_ticket import TicketStage


def journal() -> list[dict]:
    path = locations.alerts_journal_file()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_a_ticket_rejection_is_told_once(tmp_path, quick_arm):
    async with demo_dashboard(trading(tmp_path)) as (pilot, sim):
        app = pilot.app
        book = sim.engine.book
        await highlight(pilot, "quotes", "MSFT")
        ticket = await open_ticket(pilot, "b")
        await retype(pilot, ticket.quantity, "50")
        await pilot.press("enter")
        await previewed(pilot, ticket)
        draft = book.draft_order(ACCOUNT, "MSFT", "BUY", 50, "Limit", "DAY",
                                 cents(ticket.limit.value))
        await use_up_buying_power(sim, draft)
        await armed(pilot, ticket)
        await pilot.press("enter")
        await sent(pilot, ticket)
        assert ticket.stage is TicketStage.REJECTED
        await wait_for(pilot, lambda: journal(), what="the rejection's journal line")
        order_id = ticket.outcome.order_id
        assert order_id
        await wait_for(pilot, lambda: app.orders_panel.model.rows.get(order_id, {}).get("Status")
                       == "REJ", what="the rejected order on the stream")
        await pilot.pause(0.3)
        lines = journal()
        assert [line["kind"] for line in lines] == ["reject"]
        assert lines[0]["symbol"] == "MSFT" and lines[0]["order_id"] == order_id
        assert "buying power" in lines[0]["reason"].lower()
        assert sum(n.title == "Order rejected" for n in app.notices) == 1


async def test_rules_added_in_quick_succession_are_all_kept(settings):
    async with demo_dashboard(settings) as (pilot, _sim):
        app = pilot.app
        seen: list[int] = []
        real = app.alerts.set_rules

        def counted(rules):
            rules = list(rules)
            seen.append(len(rules))
            real(rules)

        app.alerts.set_rules = counted
        added = [make_rule(s, "above", 100000) for s in ("COIN", "SPY", "QQQ")]
        for rule in added:
            app.add_alert(rule)
        await wait_for(pilot, lambda: settings.path.exists() and len(tomllib.loads(
            settings.path.read_text()).get("alerts", [])) == 3, what="the three rules saved")
        await pilot.pause(0.3)
        assert app.alerts.rules == added
        assert seen == sorted(seen), f"the rules went back and forth: {seen}"


async def test_a_journal_that_cannot_be_written_is_said_once(settings):
    path = locations.alerts_journal_file()
    path.mkdir(parents=True)  # a folder where the file should be
    async with demo_dashboard(settings) as (pilot, _sim):
        app = pilot.app
        for symbol in ("AAPL", "MSFT"):
            app.add_alert(make_rule(symbol, "above", 0.01))  # hold at once
        await wait_for(pilot, lambda: sum(n.title == "Alert" for n in app.notices) == 2,
                       what="both alerts' toasts")
        warnings = [n for n in app.notices if n.title == "Alerts" and n.severity == "warning"]
        assert len(warnings) == 1 and "not written" in warnings[0].message
