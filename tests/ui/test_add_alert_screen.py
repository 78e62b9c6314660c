"""The `!` form: prefilled from the quote row, refuses what make_rule refuses (with its words,
the field at fault focused, nothing dismissed), says what a good rule means before enter, and
gives the rule on enter or None on escape."""

from __future__ import annotations

from alert_hosts import ScreenHost
from ui_helpers import wait_for
from textual.widgets import Input

from tsdash.alerts.rules import AlertRule, Condition, make_rule
from tsdash.ui.screens.add_alert import AddAlertScreen


def host(symbol: str = "AAPL", last: str | None = "231.50",
         existing: tuple[AlertRule, ...] = ()) -> ScreenHost:
    return ScreenHost(lambda: AddAlertScreen(symbol, last, existing))


def form(app: ScreenHost) -> AddAlertScreen:
    screen = app.opened
    assert isinstance(screen, AddAlertScreen)
    return screen


def hint(app: ScreenHost) -> str:
    return str(form(app).hint.content)


async def opened(pilot) -> AddAlertScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen is app.opened, what="the form")
    await pilot.pause()
    return form(app)


async def retype(pilot, field: Input, text: str) -> None:
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def test_the_form_is_prefilled_and_says_what_the_rule_means():
    app = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        assert screen.symbol_input.value == "AAPL"
        assert screen.condition_select.value is Condition.ABOVE
        assert screen.level_input.value == "231.50"
        assert screen.level_input.has_focus
        assert hint(app) == "Alert when AAPL last at or above 231.5"
        await retype(pilot, screen.level_input, "240")
        assert hint(app) == "Alert when AAPL last at or above 240"


async def test_no_last_price_leaves_the_level_empty():
    app = host("MSFT", None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        assert screen.symbol_input.value == "MSFT"
        assert screen.level_input.value == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and app.results == []
        assert hint(app) == "above must be a price (a number); nothing was typed"


async def test_a_level_that_is_not_a_number_is_refused_and_nothing_is_dismissed():
    app = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        await retype(pilot, screen.level_input, "abc")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and app.results == []
        assert hint(app) == "above must be a price (a number), not 'abc'"
        assert screen.level_input.has_focus
        assert screen.level_input.has_class("-fault")


async def test_a_symbol_with_a_space_is_refused_and_the_symbol_field_takes_focus():
    app = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        await retype(pilot, screen.symbol_input, "AA PL")
        screen.level_input.focus()
        await pilot.press("enter")  # enter from the level field checks every field
        await pilot.pause()
        assert app.screen is screen and app.results == []
        assert hint(app).startswith("symbol 'AA PL': ")
        assert screen.symbol_input.has_focus
        assert screen.symbol_input.has_class("-fault")


async def test_a_rule_already_set_is_refused():
    existing = (make_rule("AAPL", Condition.ABOVE, 231.5),)
    app = host(existing=existing)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        assert hint(app) == "AAPL last at or above 231.5 is already set"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and app.results == []
        await retype(pilot, screen.level_input, "232")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.results != [], what="dismissed")
        assert app.results == [AlertRule("AAPL", Condition.ABOVE, 232.0)]


async def test_enter_adds_the_rule_with_the_chosen_condition_and_level():
    app = host("aapl", "231.50")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        screen.condition_select.value = Condition.CHANGE_PCT_BELOW
        await pilot.pause()
        # the last price means nothing as a percent: it is not kept for one
        assert screen.level_input.value == ""
        await retype(pilot, screen.level_input, "-2.5")
        assert hint(app) == "Alert when AAPL change % at or below -2.5%"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.results != [], what="dismissed")
        rule = app.results[0]
        assert isinstance(rule, AlertRule)
        assert (rule.symbol, rule.condition, rule.level) == (
            "AAPL", Condition.CHANGE_PCT_BELOW, -2.5)
        assert app.screen is not screen


async def test_the_button_adds_too_and_a_price_condition_gets_the_last_price_back():
    app = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        screen.condition_select.value = Condition.VOLUME_ABOVE
        await pilot.pause()
        assert screen.level_input.value == ""
        screen.condition_select.value = Condition.BELOW
        await pilot.pause()
        assert screen.level_input.value == "231.50"
        await pilot.click("#alert-add")
        await wait_for(pilot, lambda: app.results != [], what="dismissed")
        assert app.results == [AlertRule("AAPL", Condition.BELOW, 231.5)]


async def test_escape_cancels():
    app = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.results != [], what="dismissed")
        assert app.results == [None]
        assert app.screen is not screen
