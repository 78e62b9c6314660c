"""Alerts in the running dashboard, against its simulator: `!` on a quote row sets a rule
(prefilled, saved to the config) that fires into the toast and the journal; bad input saves
nothing; the `A` screen deletes and re-arms; a rule for a symbol off the watchlist is watched by
the alerts' own stream, and at the stream limit the screen and the status bar say which rules
are not watched and why."""

from __future__ import annotations

import json
import tomllib

from trading_pilot import demo_dashboard, highlight
from ui_helpers import advance, sim_app, wait_data, wait_for, wait_live

from tsdash import locations
from tsdash.alerts.rules import make_rule
from tsdash.alerts.state import RuleStatus
from tsdash.config import Settings
from tsdash.ui.screens.add_alert import AddAlertScreen
from tsdash.ui.screens.alerts import AlertsScreen


def journal() -> list[dict]:
    path = locations.alerts_journal_file()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def saved_rules(settings: Settings) -> list[dict]:
    if not settings.path.exists():
        return []
    return tomllib.loads(settings.path.read_text()).get("alerts", [])


async def open_form(pilot, symbol: str = "AAPL") -> AddAlertScreen:
    await highlight(pilot, "quotes", symbol)
    await pilot.press("exclamation_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AddAlertScreen), what="the form")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AddAlertScreen)
    return screen


async def type_level(pilot, form: AddAlertScreen, text: str) -> None:
    form.level_input.value = ""
    form.level_input.focus()
    await pilot.press(*text)
    await pilot.pause()


async def test_bang_sets_an_alert_prefilled_saved_and_fired(settings):
    async with demo_dashboard(settings) as (pilot, sim):
        app = pilot.app
        last = app.quotes_panel.model.get("AAPL")["Last"]
        form = await open_form(pilot)
        assert form.symbol_input.value == "AAPL" and form.level_input.value == str(last)
        await type_level(pilot, form, f"{float(last) - 1:.2f}")  # holds at once
        await pilot.press("enter")
        await wait_for(pilot, lambda: journal(), what="the alert's journal line")
        (line,) = journal()
        assert line["kind"] == "alert" and line["symbol"] == "AAPL"
        assert line["rule"] == f"AAPL above {float(last) - 1:g}"
        decimals = len(str(last).split(".")[1])
        assert line["text"] == f"AAPL last {last}, at or above {float(last) - 1:.{decimals}f}"
        assert any(n.message == line["text"] and n.title == "Alert" for n in app.notices)
        await wait_for(pilot, lambda: saved_rules(settings), what="the rule in the config")
        assert saved_rules(settings) == [{"symbol": "AAPL", "above": float(last) - 1}]
        # nothing more while the condition holds, however the market moves above the level
        await advance(pilot, sim, 3)
        assert len(journal()) == 1


async def test_a_level_that_is_not_a_number_saves_nothing(settings):
    async with demo_dashboard(settings) as (pilot, _sim):
        app = pilot.app
        form = await open_form(pilot)
        await type_level(pilot, form, "23o.5")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen is form
        assert "above must be a price (a number), not '23o.5'" in str(form.hint.render())
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.alerts.rules == [] and saved_rules(settings) == [] and journal() == []


async def test_the_alerts_screen_rearms_and_deletes(settings):
    async with demo_dashboard(settings) as (pilot, sim):
        app = pilot.app
        last = float(app.quotes_panel.model.get("MSFT")["Last"])
        rule = make_rule("MSFT", "below", last + 5)  # holds at once
        app.add_alert(rule)
        await wait_for(pilot, lambda: len(journal()) == 1, what="the alert")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="A")
        screen = app.screen
        await pilot.pause(0.2)
        state = screen.rules_table.get_cell(rule.id, "state").plain
        assert state.startswith("fired") and "re-arms when last is above" in state
        await pilot.press("r")
        assert app.alerts.watcher.state(rule).status is RuleStatus.ARMED
        for _ in range(40):  # the next MSFT quote fires it again
            if len(journal()) == 2:
                break
            await advance(pilot, sim, 1)
        assert len(journal()) == 2 and journal()[1]["rule"] == rule.id
        await wait_for(pilot, lambda: saved_rules(settings), what="the saved rule")
        await pilot.press("d")
        await wait_for(pilot, lambda: app.alerts.rules == [], what="the delete")
        await wait_for(pilot, lambda: saved_rules(settings) == [], what="the rule gone from disk")


async def test_a_symbol_off_the_watchlist_is_watched_by_the_alerts_stream(settings):
    settings.alerts = [make_rule("COIN", "above", 0.01)]  # not in mega-caps
    async with demo_dashboard(settings) as (pilot, _sim):
        app = pilot.app
        assert "COIN" not in app.quotes_panel.model.symbols
        await wait_for(pilot, lambda: journal(), what="the COIN alert")
        assert journal()[0]["symbol"] == "COIN"
        assert app.status_info().alerts_unwatched == 0


async def test_at_the_stream_limit_the_rules_off_screen_are_named_unwatched(settings):
    settings.max_concurrent_streams = 5  # quotes, bars, tape, orders, positions: no room left
    on_screen, off_screen = make_rule("AAPL", "above", 0.01), make_rule("COIN", "above", 0.01)
    settings.alerts = [on_screen, off_screen]
    app, _connector = sim_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        await wait_for(pilot, lambda: app.status_info().alerts_unwatched == 1,
                       what="one rule not watched")
        rows = {row.rule.id: row.unwatched for row in app.alerts.rule_rows()}
        assert rows[on_screen.id] is None  # the watchlist's stream brings AAPL
        assert "stream limit" in rows[off_screen.id]
        assert "max_concurrent_streams" in rows[off_screen.id]
        app.tick()
        await pilot.pause()
        assert "1 alert not watched" in str(app.query_one("#status").render())
        await wait_for(pilot, lambda: any(n.title == "Alerts not watched" and "COIN" in n.message
                                          for n in app.notices), what="the notice, once")
        await pilot.pause(1.5)
        assert sum(n.title == "Alerts not watched" for n in app.notices) == 1
        # the rule on screen still fires
        await wait_for(pilot, lambda: [line["symbol"] for line in journal()] == ["AAPL"],
                       what="the AAPL alert")
